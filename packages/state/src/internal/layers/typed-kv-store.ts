// Owns the typed layer of key-value stores (Kafka's metered store minus metrics): the key-value
// operations over the serdes; init, restoration and typed flush records are in typed-layer.ts.
import type { Serde } from '@sluice/serdes';
import type { KeyValue, KeyValueIterator, KeyValueStore } from '../../store.js';
import { CACHE_MISS } from './cache-access.js';
import { mapIterator } from '../iterators.js';
import { isSyncCached, type KeyValueBytesLayer, type SyncCachedBytes } from './layer-types.js';
import { TypedLayer, valueTimestamp, type TimestampOfOption, type TypedLayerOptions } from './typed-layer.js';

export interface TypedKeyValueStoreOptions<K, V> extends TypedLayerOptions<KeyValueBytesLayer, Buffer, K, V>, TimestampOfOption<V> {}

export class TypedKeyValueStore<K, V> extends TypedLayer<KeyValueBytesLayer, Buffer, K, V, K> implements KeyValueStore<K, V> {
  declare protected readonly options: TypedKeyValueStoreOptions<K, V>;

  hasCache(): boolean {
    return isSyncCached(this.inner);
  }

  /** Synchronous read of the record cache (cache-access.ts): the value, undefined for a cached absence, or CACHE_MISS. */
  tryGet(key: K): V | undefined | typeof CACHE_MISS {
    const raw = (this.inner as KeyValueBytesLayer & SyncCachedBytes).getCached(this.rawKey(key));
    if (raw === undefined) return CACHE_MISS;
    return raw === null ? undefined : this.typedValue(raw);
  }

  /** put() into the record cache, without a promise unless it must evict (cache-access.ts). */
  putCached(key: K, value: V | null): void | Promise<void> {
    return (this.inner as KeyValueBytesLayer & SyncCachedBytes).putCached(this.rawKey(key), this.rawValue(value), valueTimestamp(this.options, value));
  }

  async get(key: K): Promise<V | undefined> {
    return this.value(await this.inner.get(this.rawKey(key)));
  }

  put(key: K, value: V | null): Promise<void> {
    return this.inner.put(this.rawKey(key), this.rawValue(value), valueTimestamp(this.options, value));
  }

  async putIfAbsent(key: K, value: V): Promise<V | undefined> {
    const existing = await this.get(key);
    if (existing === undefined) await this.put(key, value);
    return existing;
  }

  putAll(entries: readonly KeyValue<K, V | null>[]): Promise<void> {
    return this.inner.putAll(entries.map((e) => ({ key: this.rawKey(e.key), value: this.rawValue(e.value), timestamp: valueTimestamp(this.options, e.value) })));
  }

  async delete(key: K): Promise<V | undefined> {
    return this.value(await this.inner.delete(this.rawKey(key)));
  }

  range(from: K | undefined, to: K | undefined): KeyValueIterator<K, V> {
    return this.typed(this.inner.range(this.optionalKey(from), this.optionalKey(to)));
  }

  reverseRange(from: K | undefined, to: K | undefined): KeyValueIterator<K, V> {
    return this.typed(this.inner.reverseRange(this.optionalKey(from), this.optionalKey(to)));
  }

  all(): KeyValueIterator<K, V> {
    return this.typed(this.inner.range(undefined, undefined));
  }

  reverseAll(): KeyValueIterator<K, V> {
    return this.typed(this.inner.reverseRange(undefined, undefined));
  }

  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): KeyValueIterator<K, V> {
    return this.typed(this.inner.prefixScan(prefixSerde.serialize(this.topic, prefix)));
  }

  approximateNumEntries(): Promise<number> {
    return this.inner.approximateNumEntries();
  }

  protected flushKey(key: Buffer): K {
    return this.typedKey(key);
  }

  private typed(it: KeyValueIterator<Buffer, Buffer>): KeyValueIterator<K, V> {
    return mapIterator(it, (kv) => ({ key: this.typedKey(kv.key), value: this.typedValue(kv.value) }));
  }
}
