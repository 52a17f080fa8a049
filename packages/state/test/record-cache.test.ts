// The caching layer of key-value stores: dedup between flushes, flush order, old values, eviction
// under a tiny shared pool, read-through, and iterators that merge the cache with the store below.
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '@sluice/serdes';
import { CACHE_ENTRY_OVERHEAD_BYTES, Stores, createCacheMemoryPool, type CacheFlushRecord, type CacheMemoryPool, type StateStore } from '@sluice/state';
import { fakeContext, s, type FakeContext } from './helpers/fake-context.js';
import { KINDS } from './helpers/kinds.js';

const open: StateStore[] = [];
afterEach(async () => {
  for (const st of open.splice(0)) if (st.isOpen()) await st.close();
});

async function cachedStore(options: { pool?: CacheMemoryPool | null; type?: (typeof KINDS)[number]; name?: string; context?: FakeContext } = {}) {
  const pool = options.pool === null ? undefined : (options.pool ?? createCacheMemoryPool(1024 * 1024));
  const context = options.context ?? fakeContext(pool === undefined ? {} : { cache: pool });
  const store = Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier(options.name ?? 'kv', options.type ?? 'in_memory'), Serdes.String(), Serdes.String())
    .withCachingEnabled()
    .build();
  await store.init(context);
  open.push(store);
  const flushed: CacheFlushRecord<string, string>[] = [];
  return { store, context, flushed, listen: (sendOldValues: boolean) => store.setFlushListener((r) => void flushed.push(r), sendOldValues) };
}

const loggedKeys = (c: FakeContext) => c.logged.map((l) => `${s(l.key)}=${l.value === null ? 'null' : s(l.value)}`);

describe('record cache (caching key-value layer)', () => {
  it('reverse iteration merges cache and store when either side runs out first', async () => {
    const { store } = await cachedStore();
    const reverse = async () => {
      const out: string[] = [];
      for await (const kv of store.reverseRange(undefined, undefined)) out.push(`${kv.key}=${kv.value}`);
      return out;
    };
    await store.put('m', 'cache-only');
    expect(await reverse()).toEqual(['m=cache-only']);
    await store.flush();
    expect(await reverse()).toEqual(['m=cache-only']);
    await store.put('a', '1');
    await store.put('z', '26');
    expect(await reverse()).toEqual(['z=26', 'm=cache-only', 'a=1']);
  });

  it('keeps writes in the cache until flush and collapses updates of one key', async () => {
    const { store, context, flushed, listen } = await cachedStore();
    expect(listen(false)).toBe(true);
    await store.put('a', '1');
    await store.put('a', '2');
    await store.put('a', '3');
    expect(await store.get('a')).toBe('3');
    expect(context.logged).toEqual([]);
    expect(flushed).toEqual([]);
    await store.flush();
    expect(loggedKeys(context)).toEqual(['a=3']);
    expect(flushed.map((r) => [r.key, r.newValue])).toEqual([['a', '3']]);
    await store.flush();
    expect(context.logged).toHaveLength(1);
  });

  it('flushes in the order of each key\'s latest write (Kafka\'s NamedCache), with their write timestamps', async () => {
    const { store, context, flushed, listen } = await cachedStore();
    listen(false);
    await store.put('b', '1');
    context.clock.advance(5);
    await store.put('a', '1');
    await store.put('b', '2');
    await store.put('c', '1');
    await store.flush();
    expect(loggedKeys(context)).toEqual(['a=1', 'b=2', 'c=1']);
    expect(flushed.map((r) => r.key)).toEqual(['a', 'b', 'c']);
    expect(flushed.map((r) => r.timestamp)).toEqual([1_005, 1_005, 1_005]);
  });

  it('sends the value of the store below as the old value when asked to', async () => {
    const { store, flushed, listen } = await cachedStore();
    listen(true);
    await store.put('a', '1');
    await store.flush();
    await store.put('a', '2');
    await store.put('a', '3');
    await store.delete('a');
    await store.put('b', 'x');
    await store.flush();
    expect(flushed.map((r) => [r.key, r.newValue, r.oldValue])).toEqual([
      ['a', '1', undefined],
      ['a', undefined, '1'],
      ['b', 'x', undefined],
    ]);
  });

  it('stamps a deletion with the timestamp of the record that deleted, not the flush time', async () => {
    let record = 10;
    const pool = createCacheMemoryPool(1 << 20);
    const context = fakeContext({ cache: pool, recordTimestamp: () => record, streamTime: () => 99 });
    const { store, flushed, listen } = await cachedStore({ pool, context });
    listen(true);
    await store.put('a', '1');
    record = 30;
    await store.delete('a');
    record = 50;
    await store.flush();
    expect(flushed.map((r) => [r.newValue, r.oldValue, r.timestamp])).toEqual([]);
    await store.put('b', '1');
    await store.flush();
    record = 60;
    await store.delete('b');
    record = 70;
    await store.flush();
    expect(flushed.map((r) => [r.key, r.newValue, r.oldValue, r.timestamp])).toEqual([
      ['b', '1', undefined, 50],
      ['b', undefined, '1', 60],
    ]);
    expect(context.logged.map((l) => l.timestamp)).toEqual([50, 60]);
  });

  it('does not send old values unless asked, and skips deleting what never existed', async () => {
    const { store, context, flushed, listen } = await cachedStore();
    listen(false);
    await store.put('a', '1');
    await store.flush();
    await store.put('a', '2');
    await store.put('ghost', 'x');
    await store.delete('ghost');
    await store.flush();
    expect(flushed.map((r) => [r.key, r.newValue, r.oldValue])).toEqual([
      ['a', '1', undefined],
      ['a', '2', undefined],
    ]);
    expect(loggedKeys(context)).toEqual(['a=1', 'a=2']);
  });

  it('evicts least recently used entries when the shared pool is over budget, flushing dirty ones first', async () => {
    // Room for about three entries of one-byte keys and values.
    const pool = createCacheMemoryPool(3 * (CACHE_ENTRY_OVERHEAD_BYTES + 2));
    const { store, context, flushed, listen } = await cachedStore({ pool });
    listen(false);
    await store.put('a', '1');
    await store.put('b', '2');
    await store.put('c', '3');
    expect(flushed).toEqual([]);
    await store.put('d', '4');
    expect(flushed.map((r) => r.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(pool.usedBytes()).toBeLessThanOrEqual(pool.maxBytes);
    expect(loggedKeys(context)).toEqual(['a=1', 'b=2', 'c=3', 'd=4']);
    for (const k of ['a', 'b', 'c', 'd']) expect(await store.get(k)).toBeDefined();
    expect(pool.usedBytes()).toBeLessThanOrEqual(pool.maxBytes);
  });

  it('shares one pool between stores; each store evicts only its own entries', async () => {
    const pool = createCacheMemoryPool(4 * (CACHE_ENTRY_OVERHEAD_BYTES + 4));
    const one = await cachedStore({ pool, name: 'one' });
    const two = await cachedStore({ pool, name: 'two' });
    one.listen(false);
    two.listen(false);
    await one.store.put('a', '1');
    await one.store.put('b', '1');
    await two.store.put('x', '1');
    await two.store.put('y', '1');
    await two.store.put('z', '1');
    expect(one.flushed).toEqual([]);
    expect(two.flushed.map((r) => r.key)).toEqual(['x', 'y', 'z']);
    await one.store.close();
    expect(one.flushed.map((r) => r.key)).toEqual(['a', 'b']);
    expect(pool.usedBytes()).toBe(2 * (CACHE_ENTRY_OVERHEAD_BYTES + 2));
    await two.store.close();
    expect(pool.usedBytes()).toBe(0);
  });

  it('with no worker cache, forwards every write at once', async () => {
    const { store, context, flushed, listen } = await cachedStore({ pool: null });
    expect(listen(false)).toBe(true);
    await store.put('a', '1');
    await store.put('a', '2');
    expect(flushed.map((r) => r.newValue)).toEqual(['1', '2']);
    expect(loggedKeys(context)).toEqual(['a=1', 'a=2']);
  });

  it('reports no caching layer when caching is disabled', async () => {
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.String(), Serdes.String()).build();
    await store.init(fakeContext({ cache: createCacheMemoryPool(1000) }));
    open.push(store);
    expect(store.setFlushListener(() => undefined, false)).toBe(false);
  });

  it('reads through the cache: reads of the store below are cached as clean entries', async () => {
    const pool = createCacheMemoryPool(1024 * 1024);
    const { store, context } = await cachedStore({ pool });
    await store.put('a', '1');
    await store.flush();
    context.logged.length = 0;
    expect(await store.get('a')).toBe('1');
    expect(await store.get('missing')).toBeUndefined();
    await store.flush();
    expect(context.logged).toEqual([]);
  });
});

describe.each(KINDS)('record cache iterators over %s', (type) => {
  it('merge cache and store: the cache wins, deletions in the cache hide stored keys', async () => {
    const { store } = await cachedStore({ type });
    await store.putAll(['a', 'b', 'c', 'e'].map((k) => ({ key: k, value: `stored-${k}` })));
    await store.flush();
    await store.put('b', 'cached-b');
    await store.delete('c');
    await store.put('d', 'cached-d');
    await store.put('f', 'cached-f');
    const all: string[] = [];
    for await (const kv of store.all()) all.push(`${kv.key}=${kv.value}`);
    expect(all).toEqual(['a=stored-a', 'b=cached-b', 'd=cached-d', 'e=stored-e', 'f=cached-f']);
    const reverse: string[] = [];
    for await (const kv of store.reverseRange('b', 'e')) reverse.push(kv.key);
    expect(reverse).toEqual(['e', 'd', 'b']);
    const ranged: string[] = [];
    for await (const kv of store.range('c', 'd')) ranged.push(kv.key);
    expect(ranged).toEqual(['d']);
    await store.put('bb', 'cached-bb');
    const prefixed: string[] = [];
    for await (const kv of store.prefixScan('b', Serdes.String())) prefixed.push(`${kv.key}=${kv.value}`);
    expect(prefixed).toEqual(['b=cached-b', 'bb=cached-bb']);
  });

  it('keep their snapshot while the cache is written and flushed', async () => {
    const { store } = await cachedStore({ type });
    await store.put('a', '1');
    await store.put('b', '2');
    const it = store.all();
    await store.put('a', 'changed');
    await store.delete('b');
    await store.flush();
    const seen: string[] = [];
    for await (const kv of it) seen.push(`${kv.key}=${kv.value}`);
    expect(seen).toEqual(['a=1', 'b=2']);
  });
});
