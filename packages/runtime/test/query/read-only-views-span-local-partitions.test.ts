// app.store(StoreQueryParameters...) gives read-only views over every local partition of a store:
// gets find a key in whichever partition holds it, ranges come back in key order across partitions,
// timestamped stores read as plain ones drop their timestamps, and nothing can be written.
import { describe, expect, it } from 'vitest';
import type { KeyValueStore, SessionStore, ValueAndTimestamp, WindowStore } from '@sluice/state';
import { QueryableStoreTypes, StoreQueryParameters } from '../../src/query/index.js';
import { QueryHarness, S, SessionWindow, Windowed } from './query-harness.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function withCounts(): Promise<QueryHarness> {
  const h = new QueryHarness();
  for (const p of [0, 1, 2]) await h.addTask(0, p);
  // keys spread over partitions out of order, so a merge is needed to get key order
  const put = (task: string, key: string, n: number) => h.store<KeyValueStore<string, number>>(task, 'counts').put(key, n);
  await put('0_0', 'delta', 4);
  await put('0_0', 'alpha', 1);
  await put('0_1', 'charlie', 3);
  await put('0_1', 'echo', 5);
  await put('0_2', 'bravo', 2);
  await put('0_2', 'foxtrot', 6);
  return h;
}

describe('read-only store views over local partitions', () => {
  it('gets a key from whichever partition has it, and undefined for a missing key', async () => {
    const h = await withCounts();
    const counts = h.queries.store(StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.keyValueStore<string, number>()));
    expect(await Promise.all(['alpha', 'bravo', 'echo', 'zulu'].map((k) => counts.get(k)))).toEqual([1, 2, 5, undefined]);
    expect(await counts.approximateNumEntries()).toBe(6);
  });

  it('merges ranges, whole scans and prefix scans of all partitions in key order', async () => {
    const h = await withCounts();
    const counts = h.queries.store(StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.keyValueStore<string, number>()));
    expect((await collect(counts.all())).map((kv) => kv.key)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot']);
    expect((await collect(counts.range('bravo', 'echo'))).map((kv) => [kv.key, kv.value])).toEqual([
      ['bravo', 2],
      ['charlie', 3],
      ['delta', 4],
      ['echo', 5],
    ]);
    expect((await collect(counts.reverseAll())).map((kv) => kv.key)).toEqual(['foxtrot', 'echo', 'delta', 'charlie', 'bravo', 'alpha']);
    expect((await collect(counts.reverseRange(undefined, 'charlie'))).map((kv) => kv.key)).toEqual(['charlie', 'bravo', 'alpha']);
    expect((await collect(counts.prefixScan('e', S))).map((kv) => kv.key)).toEqual(['echo']);
  });

  it('closes every partition iterator when a scan stops early', async () => {
    const h = await withCounts();
    const counts = h.queries.store(StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.keyValueStore<string, number>()));
    const seen: string[] = [];
    for await (const kv of counts.all()) {
      seen.push(kv.key);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['alpha', 'bravo']);
    // the stores are still usable: nothing was left half-open
    expect((await collect(counts.range('echo', undefined))).length).toBe(2);
  });

  it('reads one partition only with withPartition()', async () => {
    const h = await withCounts();
    const p1 = h.queries.store(StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.keyValueStore<string, number>()).withPartition(1));
    expect((await collect(p1.all())).map((kv) => kv.key)).toEqual(['charlie', 'echo']);
    expect(await p1.get('alpha')).toBeUndefined();
  });

  it('shows a timestamped store with timestamps, or without them through keyValueStore()', async () => {
    const h = new QueryHarness();
    await h.addTask(0, 0);
    await h.store<KeyValueStore<string, ValueAndTimestamp<string>>>('0_0', 'latest').put('ann', { value: '/home', timestamp: 1_700_000_000_000 });
    const plain = h.queries.store(StoreQueryParameters.fromNameAndType('latest', QueryableStoreTypes.keyValueStore<string, string>()));
    const stamped = h.queries.store(StoreQueryParameters.fromNameAndType('latest', QueryableStoreTypes.timestampedKeyValueStore<string, string>()));
    expect(await plain.get('ann')).toBe('/home');
    expect(await stamped.get('ann')).toEqual({ value: '/home', timestamp: 1_700_000_000_000 });
    expect(await collect(plain.all())).toEqual([{ key: 'ann', value: '/home' }]);
  });

  it('hands out no way to write, neither through store() nor localStores()', async () => {
    const h = await withCounts();
    const view = h.queries.store(StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.keyValueStore<string, number>())) as unknown as Record<string, unknown>;
    for (const op of ['put', 'putIfAbsent', 'putAll', 'delete', 'flush', 'close', 'init']) expect(view[op]).toBeUndefined();
    const local = h.queries.localStores('counts');
    expect([...local.keys()].sort()).toEqual(['0_0', '0_1', '0_2']);
    for (const s of local.values()) expect((s as unknown as Record<string, unknown>)['put']).toBeUndefined();
    expect(await (local.get('0_1') as unknown as KeyValueStore<string, number>).get('echo')).toBe(5);
  });

  it('reads window and session stores of the partition that holds the key', async () => {
    const h = new QueryHarness();
    for (const p of [0, 1]) await h.addTask(1, p);
    await h.store<WindowStore<string, number>>('1_1', 'per-minute').put('ann', 3, 60_000);
    await h.store<WindowStore<string, number>>('1_1', 'per-minute').put('ann', 4, 120_000);
    await h.store<WindowStore<string, number>>('1_0', 'per-minute').put('bob', 9, 60_000);
    await h.store<SessionStore<string, number>>('1_1', 'visits').put(new Windowed('ann', new SessionWindow(1_000, 5_000)), 2);
    const windows = h.queries.store(StoreQueryParameters.fromNameAndType('per-minute', QueryableStoreTypes.windowStore<string, number>()));
    expect(await collect(windows.fetch('ann', 0, 600_000))).toEqual([
      { key: 60_000, value: 3 },
      { key: 120_000, value: 4 },
    ]);
    expect(await windows.fetch('bob', 60_000)).toBe(9);
    const all = await collect(windows.fetchAll(0, 600_000));
    expect(all.map((kv) => [kv.key.key, kv.key.window.start, kv.key.window.end, kv.value]).sort()).toEqual([
      ['ann', 120_000, 180_000, 4],
      ['ann', 60_000, 120_000, 3],
      ['bob', 60_000, 120_000, 9],
    ]);
    const sessions = h.queries.store(StoreQueryParameters.fromNameAndType('visits', QueryableStoreTypes.sessionStore<string, number>()));
    expect((await collect(sessions.fetch('ann'))).map((kv) => [kv.key.window.start, kv.key.window.end, kv.value])).toEqual([[1_000, 5_000, 2]]);
    expect(await collect(sessions.fetch('bob'))).toEqual([]);
  });
});
