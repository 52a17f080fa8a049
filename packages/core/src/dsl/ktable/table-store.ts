// Owns how KTable processors use the store they write, whichever kind it is (Kafka Streams'
// KeyValueStoreWrapper): a timestamped key-value store, possibly cached, or a versioned store, never
// cached, whose puts may land in the past ("not the latest") or be dropped as too old ("not put").
// A cached store is also read and written without a promise when the key is in its record cache.
import { CACHE_MISS, cacheAccess, type CacheAccess, PUT_RETURN_CODE_NOT_PUT, PUT_RETURN_CODE_VALID_TO_UNDEFINED, isVersionedStore, type CachedStateStore, type TimestampedKeyValueStore, type ValueAndTimestamp, type VersionedKeyValueStore } from '@sluice/state';
import type { ProcessorContext } from '../../processor/api.js';
import type { Change } from './change.js';
import { TimestampedForwarder } from './forwarder.js';

/** A put that is now the latest value of its key (what every put to a timestamped store is). */
export const PUT_IS_LATEST = PUT_RETURN_CODE_VALID_TO_UNDEFINED;
export { PUT_RETURN_CODE_NOT_PUT as PUT_NOT_PUT };

type Timestamped<K, V> = TimestampedKeyValueStore<K, V> & CachedStateStore<K, ValueAndTimestamp<V>>;

const NEVER_CACHED: CachedStateStore<unknown, unknown> = { setFlushListener: () => false };

export class TableStore<K, V> {
  private readonly timestamped: Timestamped<K, V> | undefined;
  private readonly versionedStore: VersionedKeyValueStore<K, V> | undefined;
  private readonly cache: CacheAccess<K, ValueAndTimestamp<V>> | undefined;

  constructor(store: unknown) {
    if (isVersionedStore(store)) this.versionedStore = store as VersionedKeyValueStore<K, V>;
    else this.timestamped = store as Timestamped<K, V>;
    this.cache = this.timestamped === undefined ? undefined : cacheAccess(this.timestamped);
  }

  static of<K, V>(ctx: ProcessorContext<unknown, unknown>, storeName: string): TableStore<K, V> {
    return new TableStore<K, V>(ctx.getStateStore(storeName));
  }

  get versioned(): boolean {
    return this.versionedStore !== undefined;
  }

  /** The latest value and its timestamp. */
  async get(key: K): Promise<ValueAndTimestamp<V> | undefined> {
    if (this.timestamped) return this.timestamped.get(key);
    const r = await this.versionedStore!.get(key);
    return r === undefined ? undefined : { value: r.value, timestamp: r.timestamp };
  }

  /** The latest value when the record cache holds the key (no promise), else CACHE_MISS: use get(). */
  cachedGet(key: K): ValueAndTimestamp<V> | undefined | typeof CACHE_MISS {
    return this.cache === undefined ? CACHE_MISS : this.cache.tryGet(key);
  }

  /** The value as of a time (versioned stores), else the latest value. */
  async getAsOf(key: K, asOfTimestamp: number): Promise<ValueAndTimestamp<V> | undefined> {
    if (this.timestamped) return this.timestamped.get(key);
    const r = await this.versionedStore!.get(key, asOfTimestamp);
    return r === undefined ? undefined : { value: r.value, timestamp: r.timestamp };
  }

  /** Writes (null deletes); returns PUT_IS_LATEST, PUT_NOT_PUT or the time the next version starts. */
  async put(key: K, value: V | null, timestamp: number): Promise<number> {
    if (this.timestamped) {
      await this.timestamped.put(key, value === null ? null : { value, timestamp });
      return PUT_IS_LATEST;
    }
    return this.versionedStore!.put(key, value, timestamp);
  }

  /** put(), without a promise when the write goes into the record cache and needs no eviction. */
  write(key: K, value: V | null, timestamp: number): number | Promise<number> {
    if (this.cache === undefined) return this.put(key, value, timestamp);
    const written = this.cache.putCached(key, value === null ? null : { value, timestamp });
    return written === undefined ? PUT_IS_LATEST : written.then(() => PUT_IS_LATEST);
  }

  /** Forwards updates on cache flush when the store is cached, else as they are made. */
  forwarder(ctx: ProcessorContext<K, Change<V>>, sendOldValues: boolean): TimestampedForwarder<K, V> {
    return new TimestampedForwarder(this.timestamped ?? (NEVER_CACHED as Timestamped<K, V>), ctx, sendOldValues);
  }
}
