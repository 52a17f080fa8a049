// Owns the synchronous way into a key-value store's record cache (decision 0001's fast path): an
// aggregation that finds its key in the cache reads and writes it without a promise — most keys of
// a busy aggregation are cached. A key the cache does not hold is a miss: the caller reads it the
// asynchronous way (the store below is read and the key cached). A write is put() itself, with a
// promise only when it pushes the worker's cache over budget and must evict.

/** tryGet's answer for a key the cache does not hold: read it the asynchronous way. */
export const CACHE_MISS: unique symbol = Symbol('sluice.cacheMiss');

export interface CacheAccess<K, V> {
  /** The cached value (undefined: cached as absent), or CACHE_MISS. */
  tryGet(key: K): V | undefined | typeof CACHE_MISS;
  /** put(), returning a promise only when the write must evict (the cache went over budget). */
  putCached(key: K, value: V | null): void | Promise<void>;
}

/** The store's synchronous cache access, if it has a cache. */
export function cacheAccess<K, V>(store: unknown): CacheAccess<K, V> | undefined {
  const s = store as Partial<CacheAccess<K, V>> & { hasCache?: () => boolean };
  return typeof s.tryGet === 'function' && s.hasCache?.() === true ? (s as CacheAccess<K, V>) : undefined;
}
