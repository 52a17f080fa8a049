// Restoration: replaying what a store logged through the callback it registered rebuilds identical
// contents in a fresh store, straight into the bytes store (nothing is logged again, nothing cached).
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, SessionWindow, Windowed } from '@sluice/serdes';
import { Stores, createCacheMemoryPool, type ChangelogRecord, type StateStore } from '@sluice/state';
import { fakeContext, type FakeContext } from './helpers/fake-context.js';
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

/** Replays everything `source` logged into the store registered in `target`, in batches of 3. */
async function replay(source: FakeContext, target: FakeContext, storeName: string): Promise<void> {
  const records: ChangelogRecord[] = source.logged.map((l, offset) => ({ key: l.key, value: l.value, timestamp: l.timestamp, offset }));
  const restore = target.restoreCallback(storeName);
  for (let i = 0; i < records.length; i += 3) await restore(records.slice(i, i + 3));
}

async function pair<T extends StateStore>(build: () => T, cached = false): Promise<{ src: T; dst: T; srcCtx: FakeContext; dstCtx: FakeContext }> {
  const srcCtx = fakeContext();
  const dstCtx = fakeContext(cached ? { cache: createCacheMemoryPool(1 << 20) } : {});
  const src = build();
  const dst = build();
  await src.init(srcCtx);
  await dst.init(dstCtx);
  open.push(src, dst);
  expect(dstCtx.registered.map((r) => r.store)).toEqual([dst]);
  return { src, dst, srcCtx, dstCtx };
}

describe.each(KINDS)('restoring %s stores from their changelog', (type) => {
  it('rebuilds a key-value store, deletions included', async () => {
    const { src, dst, srcCtx, dstCtx } = await pair(() => Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier('kv', type), Serdes.String(), Serdes.Integer()).build());
    for (let i = 0; i < 10; i++) await src.put(`k${i}`, i);
    await src.delete('k3');
    await src.put('k5', 55);
    await replay(srcCtx, dstCtx, 'kv');
    expect(await collect(dst.all())).toEqual(await collect(src.all()));
    expect(dstCtx.logged).toEqual([]);
  });

  it('rebuilds a timestamped key-value store with the timestamps', async () => {
    const { src, dst, srcCtx, dstCtx } = await pair(() =>
      Stores.timestampedKeyValueStoreBuilder(Stores.keyValueStoreSupplier('tkv', type), Serdes.String(), Serdes.String()).withCachingEnabled().build(),
      true,
    );
    await src.put('a', { value: 'x', timestamp: 11 });
    await src.put('b', { value: 'y', timestamp: 22 });
    await src.flush();
    await replay(srcCtx, dstCtx, 'tkv');
    expect(await collect(dst.all())).toEqual([
      { key: 'a', value: { value: 'x', timestamp: 11 } },
      { key: 'b', value: { value: 'y', timestamp: 22 } },
    ]);
    expect(await dst.get('b')).toEqual({ value: 'y', timestamp: 22 });
    await dst.flush();
    expect(dstCtx.logged).toEqual([]);
  });

  it('rebuilds a window store with retained duplicates', async () => {
    const { src, dst, srcCtx, dstCtx } = await pair(() =>
      Stores.windowStoreBuilder(Stores.windowStoreSupplier('join', type, 3_600_000, 100, true), Serdes.String(), Serdes.String()).build(),
    );
    await src.put('a', '1', 0);
    await src.put('a', '2', 0);
    await src.put('b', '3', 2_000_000);
    await replay(srcCtx, dstCtx, 'join');
    const show = (kv: { key: Windowed<string>; value: string }) => `${kv.key.key}@${kv.key.window.start}=${kv.value}`;
    expect((await collect(dst.all())).map(show)).toEqual((await collect(src.all())).map(show));
    // New duplicates after restoration keep counting (store-wide) after the restored seqnums 1..3.
    await dst.put('a', '4', 0);
    expect(dstCtx.logged.map((l) => l.key.subarray(-4).readInt32BE(0))).toEqual([4]);
    expect((await collect(dst.fetch('a', 0, 0))).map((kv) => kv.value)).toEqual(['1', '2', '4']);
  });

  it('rebuilds a timestamped window store', async () => {
    const { src, dst, srcCtx, dstCtx } = await pair(() =>
      Stores.timestampedWindowStoreBuilder(Stores.windowStoreSupplier('tw', type, 3_600_000, 100, false), Serdes.String(), Serdes.Long()).build(),
    );
    await src.put('a', { value: 1, timestamp: 5 }, 0);
    await src.put('a', { value: 2, timestamp: 150 }, 100);
    await src.put('a', null, 0);
    await replay(srcCtx, dstCtx, 'tw');
    expect(await collect(dst.fetch('a', 0, 1_000))).toEqual([{ key: 100, value: { value: 2, timestamp: 150 } }]);
  });

  it('rebuilds a session store', async () => {
    const { src, dst, srcCtx, dstCtx } = await pair(() => Stores.sessionStoreBuilder(Stores.sessionStoreSupplier('sess', type, 3_600_000), Serdes.String(), Serdes.Long()).build());
    const w = (k: string, start: number, end: number) => new Windowed(k, new SessionWindow(start, end));
    await src.put(w('a', 0, 10), 1);
    await src.put(w('a', 20, 30), 2);
    await src.put(w('b', 5, 5), 3);
    await src.remove(w('a', 0, 10));
    await replay(srcCtx, dstCtx, 'sess');
    for (const key of ['a', 'b']) {
      const show = (kv: { key: Windowed<string>; value: number }) => `${kv.key.window.start}-${kv.key.window.end}=${kv.value}`;
      expect((await collect(dst.fetch(key))).map(show)).toEqual((await collect(src.fetch(key))).map(show));
    }
    expect(await dst.fetchSession('a', 20, 30)).toBe(2);
  });
});
