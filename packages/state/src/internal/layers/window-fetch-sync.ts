// Owns the synchronous way into a window store's single-key fetch (decision 0013): a store whose
// segments are in memory answers `fetch(key, timeFrom, timeTo)` as an array at once, so a
// stream-stream join looks up the other side without an async iterator per record. A store that
// cannot (a segment read from the database, a caching layer, a user's own store) returns undefined
// and the caller fetches the asynchronous way.
import type { KeyValue } from '../../store.js';

export interface WindowFetchSync<K, V> {
  /** The (window start, value) entries of `key` in [timeFrom, timeTo], oldest first, or undefined. */
  fetchSync(key: K, timeFrom: number, timeTo: number): KeyValue<number, V>[] | undefined;
}

/** The store's synchronous single-key fetch, if it has one. */
export function windowFetchSync<K, V>(store: unknown): WindowFetchSync<K, V> | undefined {
  return typeof (store as Partial<WindowFetchSync<K, V>>).fetchSync === 'function' ? (store as WindowFetchSync<K, V>) : undefined;
}
