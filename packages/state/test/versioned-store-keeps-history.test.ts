// Versioned key-value stores (Kafka's RocksDBVersionedStoreTest cases): reads as of a time, put
// return codes, the history retention as grace period for puts and bound for reads, tombstones,
// the changelog (one record per put) and restoration from it, reopening from disk.
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '@sluice/serdes';
import { PUT_RETURN_CODE_NOT_PUT, PUT_RETURN_CODE_VALID_TO_UNDEFINED, Stores, type ChangelogRecord, type VersionedKeyValueStore } from '@sluice/state';
import { fakeContext, type FakeContext } from './helpers/fake-context.js';

const open: VersionedKeyValueStore<string, string>[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) if (s.isOpen()) await s.close();
});

async function store(history = 100, context: FakeContext = fakeContext()): Promise<{ s: VersionedKeyValueStore<string, string>; ctx: FakeContext }> {
  const s = Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore('versions', history), Serdes.String(), Serdes.String()).build();
  await s.init(context);
  open.push(s);
  return { s, ctx: context };
}

describe('versioned key-value store', () => {
  it('answers the latest value and the value as of a time, with validity bounds', async () => {
    const { s } = await store();
    expect(await s.put('k', 'v1', 10)).toBe(PUT_RETURN_CODE_VALID_TO_UNDEFINED);
    expect(await s.put('k', 'v2', 20)).toBe(PUT_RETURN_CODE_VALID_TO_UNDEFINED);
    expect(await s.get('k')).toEqual({ value: 'v2', timestamp: 20 });
    expect(await s.get('k', 9)).toBeUndefined();
    expect(await s.get('k', 10)).toEqual({ value: 'v1', timestamp: 10, validTo: 20 });
    expect(await s.get('k', 19)).toEqual({ value: 'v1', timestamp: 10, validTo: 20 });
    expect(await s.get('k', 25)).toEqual({ value: 'v2', timestamp: 20 });
  });

  it('an out-of-order put lands in the history and returns when the next version starts', async () => {
    const { s } = await store();
    await s.put('k', 'v1', 10);
    await s.put('k', 'v3', 30);
    expect(await s.put('k', 'v2', 20)).toBe(30);
    expect(await s.get('k')).toEqual({ value: 'v3', timestamp: 30 });
    expect(await s.get('k', 25)).toEqual({ value: 'v2', timestamp: 20, validTo: 30 });
    expect(await s.get('k', 15)).toEqual({ value: 'v1', timestamp: 10, validTo: 20 });
    // a put at an existing version's time replaces it
    expect(await s.put('k', 'v2b', 20)).toBe(30);
    expect(await s.get('k', 20)).toEqual({ value: 'v2b', timestamp: 20, validTo: 30 });
  });

  it('tombstones end a version; the latest being a tombstone reads as nothing', async () => {
    const { s } = await store();
    await s.put('k', 'v1', 10);
    expect(await s.delete('k', 20)).toEqual({ value: 'v1', timestamp: 10 });
    expect(await s.get('k')).toBeUndefined();
    expect(await s.get('k', 15)).toEqual({ value: 'v1', timestamp: 10, validTo: 20 });
    expect(await s.get('k', 25)).toBeUndefined();
    await s.put('k', 'v3', 30);
    expect(await s.get('k', 25)).toBeUndefined();
    expect(await s.get('k', 30)).toEqual({ value: 'v3', timestamp: 30 });
  });

  it('puts older than the history retention are dropped; reads that far back see only the latest version', async () => {
    const { s } = await store(100);
    await s.put('k', 'v1', 10);
    await s.put('k', 'v2', 50);
    await s.put('other', 'x', 200); // observed stream time 200: history reaches back to 100
    expect(await s.put('k', 'late', 99)).toBe(PUT_RETURN_CODE_NOT_PUT);
    expect(await s.put('k', 'just-in-time', 100)).toBe(PUT_RETURN_CODE_VALID_TO_UNDEFINED);
    expect(await s.get('k', 60)).toBeUndefined(); // v2 is the latest no more, and 60 is too far back
    expect(await s.get('k', 150)).toEqual({ value: 'just-in-time', timestamp: 100 });
    expect(await s.get('other', 50)).toBeUndefined();
    expect(await s.delete('k', 10)).toBeUndefined();
    expect(await s.get('k')).toEqual({ value: 'just-in-time', timestamp: 100 });
  });

  it('the latest version never expires', async () => {
    const { s } = await store(10);
    await s.put('k', 'v1', 5);
    await s.put('other', 'x', 1000);
    expect(await s.get('k', 7)).toEqual({ value: 'v1', timestamp: 5 });
    expect(await s.get('k', 4)).toBeUndefined();
  });

  it('logs every put as (key, value or tombstone, put time) and rebuilds the same history from that log', async () => {
    const { s, ctx } = await store(100);
    await s.put('k', 'v1', 10);
    await s.put('k', 'v3', 30);
    await s.put('k', 'v2', 20);
    await s.delete('k', 40);
    await s.put('j', 'late', 1); // kept: within the history retention
    await s.put('j', 'j1', 300);
    expect(await s.put('k', 'too-late', 150)).toBe(PUT_RETURN_CODE_NOT_PUT); // not logged
    expect(ctx.logged.map((l) => [l.store, l.key.toString(), l.value?.toString() ?? null, l.timestamp])).toEqual([
      ['versions', 'k', 'v1', 10],
      ['versions', 'k', 'v3', 30],
      ['versions', 'k', 'v2', 20],
      ['versions', 'k', null, 40],
      ['versions', 'j', 'late', 1],
      ['versions', 'j', 'j1', 300],
    ]);
    const { s: restored, ctx: target } = await store(100);
    const records: ChangelogRecord[] = ctx.logged.map((l, offset) => ({ key: l.key, value: l.value, timestamp: l.timestamp, offset }));
    await target.restoreCallback('versions')(records.slice(0, 3));
    await target.restoreCallback('versions')(records.slice(3));
    expect(target.logged).toEqual([]);
    for (const [key, at] of [['k', 25], ['k', 45], ['j', 250], ['j', 300]] as const) expect(await restored.get(key, at)).toEqual(await s.get(key, at));
    expect(await restored.put('k', 'too-late', 150)).toBe(PUT_RETURN_CODE_NOT_PUT);
  });

  it('keeps history and the observed stream time across a reopen', async () => {
    const ctx = fakeContext();
    const { s } = await store(100, ctx);
    await s.put('k', 'v1', 10);
    await s.put('k', 'v2', 180);
    await s.close();
    const { s: again } = await store(100, fakeContext({ taskDir: ctx.taskDir }));
    expect(await again.get('k', 100)).toEqual({ value: 'v1', timestamp: 10, validTo: 180 });
    expect(await again.put('k', 'late', 79)).toBe(PUT_RETURN_CODE_NOT_PUT);
  });

  it('is never cached, and its changelog is compacted only after the history retention plus a day', () => {
    const b = Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore('v', 3_600_000), Serdes.String(), Serdes.String()).withCachingEnabled();
    expect(b.cachingEnabled).toBe(false);
    expect(b.changelogConfig()).toEqual({ 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(3_600_000 + 86_400_000) });
    expect(Stores.persistentVersionedKeyValueStore('v', 3_600_000).segmentIntervalMs).toBe(300_000);
    expect(() => Stores.persistentVersionedKeyValueStore('v', -1)).toThrow(/history retention/);
    expect(() => Stores.versionedKeyValueStoreBuilder(Stores.persistentKeyValueStore('kv') as never, Serdes.String(), Serdes.String())).toThrow(/needs a versioned store supplier/);
  });
});
