// The typed layer over every store kind: serdes with the changelog topic, putIfAbsent, all/reverseAll,
// prefix scans with a prefix serde, timestamped values, windows and sessions as Windowed keys.
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, SessionWindow, TimeWindow, Windowed, type Serde } from '@sluice/serdes';
import { Stores, type StateStore, type KeyValueIterator } from '@sluice/state';
import { fakeContext } from './helpers/fake-context.js';
import { KINDS } from './helpers/kinds.js';

async function entries<K, V>(it: KeyValueIterator<K, V> | AsyncIterableIterator<{ key: K; value: V }>): Promise<[K, V][]> {
  const out: [K, V][] = [];
  for await (const kv of it) out.push([kv.key, kv.value]);
  return out;
}

describe.each(KINDS)('typed stores on %s', (type) => {
  const open: StateStore[] = [];
  afterEach(async () => {
    for (const st of open.splice(0)) if (st.isOpen()) await st.close();
  });
  async function init<T extends StateStore>(store: T, context = fakeContext()): Promise<T> {
    await store.init(context);
    open.push(store);
    return store;
  }

  it('puts if absent and returns the existing value otherwise', async () => {
    const store = await init(Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier('kv', type), Serdes.String(), Serdes.Integer()).build());
    expect(await store.putIfAbsent('a', 1)).toBeUndefined();
    expect(await store.putIfAbsent('a', 2)).toBe(1);
    expect(await store.get('a')).toBe(1);
    expect(await store.delete('a')).toBe(1);
    expect(await store.putIfAbsent('a', 3)).toBeUndefined();
  });

  it('writes a key object or buffer changed in place under its new key (only primitive keys reuse their bytes)', async () => {
    const json = await init(Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier('kv-json', type), Serdes.Json<{ id: number }>(), Serdes.String()).withCachingEnabled().build());
    const k = { id: 1 };
    await json.put(k, 'one');
    k.id = 2;
    await json.put(k, 'two');
    expect([await json.get({ id: 1 }), await json.get({ id: 2 })]).toEqual(['one', 'two']);
    const bytes = await init(Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier('kv-bytes', type), Serdes.ByteArray(), Serdes.String()).withCachingEnabled().build());
    const b = Buffer.from([1]);
    await bytes.put(b, 'one');
    b[0] = 2;
    await bytes.put(b, 'two');
    expect([await bytes.get(Buffer.from([1])), await bytes.get(Buffer.from([2]))]).toEqual(['one', 'two']);
    const strings = await init(Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier('kv-str', type), Serdes.String(), Serdes.Integer()).withCachingEnabled().build());
    for (const key of ['a', 'a', 'b', 'a']) await strings.put(key, ((await strings.get(key)) ?? 0) + 1);
    expect([await strings.get('a'), await strings.get('b')]).toEqual([3, 1]);
  });

  it('iterates all entries both ways and prefix-scans with a prefix serde', async () => {
    const store = await init(Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier('kv', type), Serdes.String(), Serdes.String()).build());
    await store.putAll([
      { key: 'user:2', value: 'b' },
      { key: 'user:1', value: 'a' },
      { key: 'order:1', value: 'o' },
      { key: 'gone', value: null },
    ]);
    expect(await entries(store.all())).toEqual([
      ['order:1', 'o'],
      ['user:1', 'a'],
      ['user:2', 'b'],
    ]);
    expect((await entries(store.reverseAll())).map(([k]) => k)).toEqual(['user:2', 'user:1', 'order:1']);
    expect((await entries(store.prefixScan('user:', Serdes.String()))).map(([k]) => k)).toEqual(['user:1', 'user:2']);
    expect((await entries(store.range('user:1', undefined))).map(([k]) => k)).toEqual(['user:1', 'user:2']);
    expect(await store.approximateNumEntries()).toBeGreaterThan(0);
  });

  it('serializes with the changelog topic name as the serde topic', async () => {
    const topics = new Set<string>();
    const spy: Serde<string> = {
      name: 'Spy',
      serialize: (topic, data) => (topics.add(topic), Buffer.from(data)),
      deserialize: (topic, data) => (topics.add(topic), data.toString()),
    };
    const store = await init(Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier('counts', type), spy, spy).build(), fakeContext({ applicationId: 'shop' }));
    await store.put('k', 'v');
    await store.get('k');
    expect([...topics]).toEqual(['shop-counts-changelog']);
  });

  it('keeps values with their timestamps in timestamped stores', async () => {
    const store = await init(Stores.timestampedKeyValueStoreBuilder(Stores.keyValueStoreSupplier('ts', type), Serdes.String(), Serdes.Long()).build());
    await store.put('a', { value: 42, timestamp: 1_700_000_000_123 });
    expect(await store.get('a')).toEqual({ value: 42, timestamp: 1_700_000_000_123 });
  });

  it('fetches windows through every ReadOnlyWindowStore overload', async () => {
    const store = await init(Stores.windowStoreBuilder(Stores.windowStoreSupplier('win', type, 3_600_000, 100, false), Serdes.String(), Serdes.Integer()).build());
    await store.put('a', 1, 0);
    await store.put('a', 2, 100);
    await store.put('b', 3, 100);
    expect(await store.fetch('a', 100)).toBe(2);
    expect(await entries(store.fetch('a', 0, 100))).toEqual([
      [0, 1],
      [100, 2],
    ]);
    expect(await entries(store.backwardFetch('a', 0, 100))).toEqual([
      [100, 2],
      [0, 1],
    ]);
    const multi = await entries(store.fetch('a', 'b', 100, 100));
    expect(multi.map(([k, v]) => [k.key, k.window.start, k.window.end, v])).toEqual([
      ['a', 100, 200, 2],
      ['b', 100, 200, 3],
    ]);
    expect(multi[0]![0]).toBeInstanceOf(Windowed);
    expect(multi[0]![0].window).toBeInstanceOf(TimeWindow);
    expect((await entries(store.fetchAll(0, 50))).map(([k]) => k.key)).toEqual(['a']);
    expect((await entries(store.backwardFetchAll(0, 100))).map(([k]) => `${k.key}@${k.window.start}`)).toEqual(['b@100', 'a@100', 'a@0']);
    expect(await entries(store.all())).toHaveLength(3);
    expect((await entries(store.backwardFetch(undefined, 'a', 0, 100))).map(([k]) => k.window.start)).toEqual([100, 0]);
  });

  it('stores and finds sessions with Windowed session keys', async () => {
    const store = await init(Stores.sessionStoreBuilder(Stores.sessionStoreSupplier('sess', type, 3_600_000), Serdes.String(), Serdes.Long()).build());
    await store.put(new Windowed('a', new SessionWindow(0, 10)), 1);
    await store.put(new Windowed('a', new SessionWindow(20, 30)), 2);
    await store.put(new Windowed('b', new SessionWindow(0, 5)), 3);
    const found = await entries(store.findSessions('a', 5, 25));
    expect(found.map(([k, v]) => [k.key, k.window.start, k.window.end, v])).toEqual([
      ['a', 0, 10, 1],
      ['a', 20, 30, 2],
    ]);
    expect(found[0]![0].window).toBeInstanceOf(SessionWindow);
    expect((await entries(store.backwardFindSessions('a', 0, 100))).map(([, v]) => v)).toEqual([2, 1]);
    expect((await entries(store.fetch('b'))).map(([, v]) => v)).toEqual([3]);
    expect((await entries(store.backwardFetch('a'))).map(([, v]) => v)).toEqual([2, 1]);
    expect(await store.fetchSession('a', 20, 30)).toBe(2);
    await store.remove(new Windowed('a', new SessionWindow(20, 30)));
    expect(await store.fetchSession('a', 20, 30)).toBeUndefined();
  });

  it('represents windows of a zero-size window store (zero-difference joins)', async () => {
    const store = await init(Stores.windowStoreBuilder(Stores.windowStoreSupplier('join', type, 60_000, 0, true), Serdes.String(), Serdes.String()).build());
    await store.put('a', 'x', 10);
    await store.put('a', 'y', 10);
    const all = await entries(store.fetch('a', 'a', 0, 100));
    expect(all.map(([k, v]) => [k.window.start, k.window.end, v])).toEqual([
      [10, 10, 'x'],
      [10, 10, 'y'],
    ]);
  });
});
