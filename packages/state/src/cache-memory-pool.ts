// Owns the worker-wide record-cache budget (Kafka's `statestore.cache.max.bytes`): one counter that
// every caching layer of a worker reserves from and releases to.
import { ConfigError } from '@sluice/common';
import type { CacheMemoryPool } from './store.js';

/** Bytes charged per cache entry on top of its key and value: the entry object and index slots. */
export const CACHE_ENTRY_OVERHEAD_BYTES = 64;

/** A pool of `maxBytes` (0 = every write passes through the cache at once). */
export function createCacheMemoryPool(maxBytes: number): CacheMemoryPool {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new ConfigError(`cache size must be a non-negative integer number of bytes, got ${maxBytes}`, { context: { maxBytes } });
  }
  let used = 0;
  return {
    maxBytes,
    usedBytes: () => used,
    reserve(bytes: number): boolean {
      used = Math.max(0, used + bytes);
      return used > maxBytes;
    },
  };
}
