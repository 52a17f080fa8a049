// Owns the contracts for building a store stack (typed layer → caching → change-logging → bytes
// store) and for the DSL's cache-flush forwarding.
import type { Serde } from '@sluice/serdes';
import type { StateStore } from './store.js';
import type { EncryptionKey, EncryptionOptions } from './internal/layers/encryption.js';

export type { EncryptionKey, EncryptionOptions } from './internal/layers/encryption.js';

export type StoreType = 'rocksdb' | 'level' | 'in_memory';

/** One update that a caching layer releases on flush or eviction (typed, after deserialization). */
export interface CacheFlushRecord<K, V> {
  readonly key: K;
  /** undefined = the key was deleted. */
  readonly newValue: V | undefined;
  /** The value in the underlying store before this flush; only when old values were requested. */
  readonly oldValue: V | undefined;
  readonly timestamp: number;
  /** The context (headers) of the record that made the update, as StateStoreContext.recordContext gave it. */
  readonly recordContext?: unknown;
}

export type CacheFlushListener<K, V> = (record: CacheFlushRecord<K, V>) => void | Promise<void>;

/** Stores whose stack can have a caching layer. */
export interface CachedStateStore<K, V> {
  /**
   * Forward updates on cache flush/eviction instead of on every put. Returns false when caching is
   * disabled for this store: the caller must then forward each update itself.
   */
  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): boolean;
}

/**
 * The kinds of store interactive queries can read (Kafka's QueryableStoreTypes accept these). A
 * timestamped kind keeps each value with its record timestamp (ValueAndTimestamp).
 */
export type QueryableStoreKind = 'keyValue' | 'timestampedKeyValue' | 'window' | 'timestampedWindow' | 'session';

/** What interactive queries need to know of a store before any instance of it is open. */
export interface StoreQueryInfo {
  readonly kind: QueryableStoreKind;
  /** The serde of the store's keys (for windowed stores, of the key inside the window). */
  readonly keySerde: Serde<unknown>;
}

export interface StoreBuilder<T extends StateStore> {
  readonly name: string;
  readonly cachingEnabled: boolean;
  readonly loggingEnabled: boolean;
  /** Extra changelog topic configs given with withLoggingEnabled(). */
  readonly logConfig: Readonly<Record<string, string>>;
  withCachingEnabled(): this;
  withCachingDisabled(): this;
  withLoggingEnabled(topicConfig?: Record<string, string>): this;
  withLoggingDisabled(): this;
  /**
   * Encrypt the store's values at rest — in the store, its record cache and its changelog topic —
   * with AES-256-GCM under `key` (32 bytes the application supplies). Keys stay in clear. Optional in
   * this contract: builders that cannot encrypt leave it out, and asking them to fails.
   */
  withEncryption?(key: EncryptionKey, options?: EncryptionOptions): this;
  /** Configs for the changelog topic: the store kind's cleanup policy (and retention) plus logConfig. */
  changelogConfig(): Record<string, string>;
  /** A new, unopened store instance (one per task). */
  build(): T;
  /**
   * The store's kind and key serde for interactive queries; undefined for stores queries cannot read
   * (internal buffers) or whose serdes are not known yet. Builders without it are not queryable.
   */
  queryInfo?(): StoreQueryInfo | undefined;
}

/** What Sluice's own builders (Stores.*StoreBuilder) are: store builders that can encrypt. */
export interface EncryptableStoreBuilder<T extends StateStore> extends StoreBuilder<T> {
  withEncryption(key: EncryptionKey, options?: EncryptionOptions): this;
}
