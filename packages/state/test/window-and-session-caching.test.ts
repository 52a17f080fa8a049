// The caching layers of window and session stores: writes wait in the cache, flushes reach the
// changelog and the listener as Windowed keys with old values, and fetches merge cache and store.
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, SessionWindow, Windowed } from '@sluice/serdes';
import { Stores, createCacheMemoryPool, type CacheFlushRecord, type StateStore } from '@sluice/state';
import { fakeContext } from './helpers/fake-context.js';
import { KINDS } from './helpers/kinds.js';

const open: StateStore[] = [];
afterEach(async () => {
  for (const st of open.splice(0)) if (st.isOpen()) await st.close();
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe.each(KINDS)('caching window store over %s', (type) => {
  async function setup() {
    const context = fakeContext({ cache: createCacheMemoryPool(1 << 20) });
    const store = Stores.windowStoreBuilder(Stores.windowStoreSupplier('win', type, 3_600_000, 100, false), Serdes.String(), Serdes.String())
      .withCachingEnabled()
      .build();
    await store.init(context);
    open.push(store);
    const flushed: CacheFlushRecord<Windowed<string>, string>[] = [];
    expect(store.setFlushListener((r) => void flushed.push(r), true)).toBe(true);
    return { store, context, flushed };
  }

  it('flushes windows to the changelog and the listener, with old values', async () => {
    const { store, context, flushed } = await setup();
    await store.put('a', '1', 0);
    await store.put('a', '2', 0);
    await store.put('b', '1', 100);
    expect(context.logged).toEqual([]);
    await store.flush();
    await store.put('a', '3', 0);
    await store.flush();
    expect(context.logged).toHaveLength(3);
    expect(flushed.map((r) => [r.key.key, r.key.window.start, r.key.window.end, r.newValue, r.oldValue])).toEqual([
      ['a', 0, 100, '2', undefined],
      ['b', 100, 200, '1', undefined],
      ['a', 0, 100, '3', '2'],
    ]);
  });

  it('a flush (one batch write per segment) leaves what one-by-one writes leave: same store, changelog and drops', async () => {
    const run = async (cached: boolean) => {
      const context = fakeContext({ cache: createCacheMemoryPool(1 << 20) });
      const builder = Stores.windowStoreBuilder(Stores.windowStoreSupplier(`win-${cached}`, type, 1_000, 100, false), Serdes.String(), Serdes.String());
      const store = (cached ? builder.withCachingEnabled() : builder).build();
      await store.init(context);
      open.push(store);
      // b's and a's segment expire when c arrives; d is already too old when it is written; e is live
      for (const [key, start] of [['a', 0], ['b', 5_000], ['a', 5_000], ['c', 200_000], ['d', 100], ['e', 199_500]] as const) await store.put(key, `${key}@${start}`, start);
      await store.flush();
      const contents = (await collect(store.all())).map((kv) => `${kv.key.key}@${kv.key.window.start}=${kv.value}`);
      const logged = context.logged.map((c) => `${c.key.toString('hex')}=${c.value?.toString('hex')}@${c.timestamp}`);
      return { contents, logged, dropped: (store as unknown as { droppedRecords?: number }).droppedRecords };
    };
    const oneByOne = await run(false);
    expect(oneByOne.contents).toEqual(['c@200000=c@200000', 'e@199500=e@199500']);
    expect(oneByOne.logged).toHaveLength(5);
    expect(oneByOne.dropped).toBe(1);
    expect(await run(true)).toEqual(oneByOne);
  });

  it('merges cached windows with stored ones in fetches', async () => {
    const { store } = await setup();
    await store.put('a', 'stored-0', 0);
    await store.put('a', 'stored-100', 100);
    await store.put('b', 'stored-b', 100);
    await store.flush();
    await store.put('a', 'cached-100', 100);
    await store.put('a', 'cached-200', 200);
    await store.put('b', null, 100);
    expect(await store.fetch('a', 100)).toBe('cached-100');
    expect(await store.fetch('b', 100)).toBeUndefined();
    expect((await collect(store.fetch('a', 0, 200))).map((kv) => `${kv.key}=${kv.value}`)).toEqual(['0=stored-0', '100=cached-100', '200=cached-200']);
    expect((await collect(store.backwardFetch('a', 0, 200))).map((kv) => kv.key)).toEqual([200, 100, 0]);
    expect((await collect(store.all())).map((kv) => `${kv.key.key}@${kv.key.window.start}`)).toEqual(['a@0', 'a@100', 'a@200']);
  });
});

describe.each(KINDS)('caching session store over %s', (type) => {
  it('flushes sessions and merges cache and store in findSessions', async () => {
    const context = fakeContext({ cache: createCacheMemoryPool(1 << 20) });
    const store = Stores.sessionStoreBuilder(Stores.sessionStoreSupplier('sess', type, 3_600_000), Serdes.String(), Serdes.Long()).withCachingEnabled().build();
    await store.init(context);
    open.push(store);
    const flushed: CacheFlushRecord<Windowed<string>, number>[] = [];
    store.setFlushListener((r) => void flushed.push(r), true);
    const w = (start: number, end: number) => new Windowed('k', new SessionWindow(start, end));
    await store.put(w(0, 10), 1);
    await store.put(w(20, 30), 2);
    await store.flush();
    // A merge: the two sessions are replaced by one covering both.
    await store.remove(w(0, 10));
    await store.remove(w(20, 30));
    await store.put(w(0, 30), 3);
    const found = await collect(store.findSessions('k', 0, 100));
    expect(found.map((kv) => [kv.key.window.start, kv.key.window.end, kv.value])).toEqual([[0, 30, 3]]);
    expect(context.logged).toHaveLength(2);
    await store.flush();
    expect(flushed.map((r) => [r.key.window.start, r.key.window.end, r.newValue, r.oldValue])).toEqual([
      [0, 10, 1, undefined],
      [20, 30, 2, undefined],
      [0, 10, undefined, 1],
      [20, 30, undefined, 2],
      [0, 30, 3, undefined],
    ]);
    expect(context.logged).toHaveLength(5);
    expect(await store.fetchSession('k', 0, 30)).toBe(3);
  });
});
