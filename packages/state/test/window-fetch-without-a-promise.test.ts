// A window store whose segments are in memory answers a key's range at once (what a stream-stream
// join reads per record): the same entries, in the same order, as the asynchronous fetch — with
// duplicates, across segments, outside retention — and says it cannot (undefined) once a segment is
// read from the database.
import { describe, expect, it } from 'vitest';
import type { KeyValue, WindowBytesStore } from '@sluice/state';
import type { SegmentedWindowStore } from '../src/internal/segmented/segmented-window-store.js';
import { b } from './helpers/fake-context.js';
import { openWindowStore } from './helpers/kinds.js';

type Found = KeyValue<{ key: Buffer; windowStart: number }, Buffer>;
const show = (entries: readonly Found[]): string[] => entries.map((e) => `${e.key.key.toString()}@${e.key.windowStart}=${e.value.toString()}`);

async function fetched(st: WindowBytesStore, key: string, from: number, to: number): Promise<string[]> {
  const out: Found[] = [];
  for await (const e of st.fetchRange(b(key), b(key), from, to, false)) out.push(e);
  return show(out);
}

function fetchedAtOnce(st: WindowBytesStore, key: string, from: number, to: number): string[] | undefined {
  const found = (st as SegmentedWindowStore).fetchRangeSync(b(key), b(key), from, to, false);
  return found === undefined ? undefined : show(found);
}

describe.each(['rocksdb', 'in_memory'] as const)('a %s window store with its segments in memory', (type) => {
  it('answers a key range at once with what the asynchronous fetch returns', async () => {
    // 60 s segments (retention 100 s): the writes below span three of them
    const { store } = await openWindowStore(type, { retentionMs: 100_000, windowSizeMs: 10, retainDuplicates: true });
    for (const [k, t, v] of [['a', 1_000, '1'], ['b', 1_000, 'x'], ['a', 1_000, '2'], ['a', 61_000, '3'], ['a', 125_000, '4'], ['ab', 61_000, 'y']] as const) {
      await store.put(b(k), b(v), t);
    }
    for (const [from, to] of [[0, 200_000], [1_000, 1_000], [50_000, 130_000], [126_000, 200_000]] as const) {
      expect(fetchedAtOnce(store, 'a', from, to), `a in [${from}, ${to}]`).toEqual(await fetched(store, 'a', from, to));
    }
    expect(fetchedAtOnce(store, 'a', 0, 200_000)).toEqual(['a@61000=3', 'a@125000=4']);
    await store.close();
  });
});

describe('a persistent window store with a segment too large for memory', () => {
  it('says it cannot answer at once, and the asynchronous fetch still finds everything', async () => {
    const { store } = await openWindowStore('rocksdb', { retentionMs: 100_000, windowSizeMs: 10 });
    // ~10 MiB into one segment: past the 8 MiB mirror
    const big = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 170; i++) await store.put(b(`k${i}`), big, 1_000);
    expect(fetchedAtOnce(store, 'k7', 0, 10_000)).toBeUndefined();
    expect((await fetched(store, 'k7', 0, 10_000)).length).toBe(1);
    await store.close();
  });
});
