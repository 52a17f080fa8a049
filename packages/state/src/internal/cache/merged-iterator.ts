// Owns the iterator that merges a cache snapshot with the store below it: both sides are sorted by
// the same sort key; where both hold a key the cache wins, and cached deletions hide the store's entry.
import type { KeyValue, KeyValueIterator } from '../../store.js';
import { BaseKvIterator } from '../iterators.js';
import type { CacheEntry } from './named-cache.js';

export interface MergeSides<M, SK, K, V> {
  readonly cache: Iterator<CacheEntry<M>>;
  readonly store: KeyValueIterator<SK, Buffer>;
  readonly backward: boolean;
  storeSortKey(kv: KeyValue<SK, Buffer>): string;
  fromCache(entry: CacheEntry<M>, value: Buffer): KeyValue<K, V>;
  fromStore(kv: KeyValue<SK, Buffer>): KeyValue<K, V>;
}

class MergedCacheStoreIterator<M, SK, K, V> extends BaseKvIterator<K, V> {
  private nextCache: CacheEntry<M> | undefined;
  private nextStore: KeyValue<SK, Buffer> | undefined;
  private nextStoreKey = '';
  private cacheDone = false;
  private storeDone = false;

  constructor(private readonly sides: MergeSides<M, SK, K, V>) {
    super();
  }

  protected async advance(): Promise<KeyValue<K, V> | undefined> {
    for (;;) {
      if (this.nextCache === undefined && !this.cacheDone) {
        const r = this.sides.cache.next();
        if (r.done) this.cacheDone = true;
        else this.nextCache = r.value;
      }
      if (this.nextStore === undefined && !this.storeDone) {
        const r = await this.sides.store.next();
        if (r.done) this.storeDone = true;
        else {
          this.nextStore = r.value;
          this.nextStoreKey = this.sides.storeSortKey(r.value);
        }
      }
      const c = this.nextCache;
      const s = this.nextStore;
      if (c === undefined && s === undefined) return undefined;
      // order > 0: the store's entry comes next; only a comparison of two keys flips when backward
      let order: number;
      if (c === undefined) order = 1;
      else if (s === undefined) order = -1;
      else {
        order = c.sortKey < this.nextStoreKey ? -1 : c.sortKey > this.nextStoreKey ? 1 : 0;
        if (this.sides.backward) order = -order;
      }
      if (order > 0) {
        this.nextStore = undefined;
        return this.sides.fromStore(s!);
      }
      // The cache entry comes first, or shadows the store's entry for the same key.
      if (order === 0) this.nextStore = undefined;
      this.nextCache = undefined;
      if (c!.value !== null) return this.sides.fromCache(c!, c!.value);
    }
  }

  protected override release(): Promise<void> {
    return this.sides.store.close();
  }
}

export function mergeCacheAndStore<M, SK, K, V>(sides: MergeSides<M, SK, K, V>): KeyValueIterator<K, V> {
  return new MergedCacheStoreIterator(sides);
}

/** Cache entries with sort keys in [lo, hi] (either open), in the given direction. */
export function* cacheRange<M>(
  tree: { entries(lo?: string): IterableIterator<[string, CacheEntry<M>]>; entriesReversed(hi?: string): IterableIterator<[string, CacheEntry<M>]> },
  lo: string | undefined,
  hi: string | undefined,
  backward: boolean,
): Generator<CacheEntry<M>> {
  if (!backward) {
    for (const [k, e] of tree.entries(lo)) {
      if (hi !== undefined && k > hi) return;
      yield e;
    }
  } else {
    for (const [k, e] of tree.entriesReversed(hi)) {
      if (lo !== undefined && k < lo) return;
      yield e;
    }
  }
}

export function* filterCache<M>(entries: Iterable<CacheEntry<M>>, keep: (meta: M) => boolean): Generator<CacheEntry<M>> {
  for (const e of entries) if (keep(e.meta)) yield e;
}
