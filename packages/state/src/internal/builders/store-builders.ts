// Owns the store builders: the one place where a store stack is assembled, outside in
//   typed (serdes; with encryption, values encrypted under the value serde) → metered (metrics)
//   → caching (optional) → change-logging (optional) → bytes store
// and where each kind's changelog topic configuration is decided.
import type { Serde, Windowed } from '@sluice/serdes';
import type { KeyValueStore, SessionStore, StateStore, ValueAndTimestamp, WindowStore } from '../../store.js';
import type { CachedStateStore, StoreBuilder, StoreQueryInfo } from '../../store-builder.js';
import type { KeyValueBytesStoreSupplier, SessionBytesStoreSupplier, WindowBytesStoreSupplier } from '../../store-supplier.js';
import { CachingKeyValueStore } from '../layers/caching-kv-store.js';
import { CachingSessionStore } from '../layers/caching-session-store.js';
import { CachingWindowStore } from '../layers/caching-window-store.js';
import type { KeyValueBytesLayer, SessionBytesLayer, WindowBytesLayer } from '../layers/layer-types.js';
import { ChangeLoggingKeyValueStore } from '../layers/logging-kv-store.js';
import { ChangeLoggingSessionStore, ChangeLoggingWindowStore } from '../layers/logging-segmented-stores.js';
import { meteredRestore, storeScope } from '../layers/metered-layer.js';
import { MeteredKeyValueStore, MeteredSessionStore, MeteredWindowStore } from '../layers/metered-stores.js';
import { keyValueRestore, sessionRestore, windowRestore } from '../layers/restore.js';
import { TypedKeyValueStore } from '../layers/typed-kv-store.js';
import { TypedSessionStore } from '../layers/typed-session-store.js';
import { TypedWindowStore } from '../layers/typed-window-store.js';
import { valueAndTimestampSerde } from '../layers/value-and-timestamp.js';
import { encryptedSerde, storeEncryption, type EncryptionKey, type EncryptionOptions, type StoreEncryption } from '../layers/encryption.js';

/** Kafka's windowstore.changelog.additional.retention.ms default: one day of slack for clock drift. */
export const CHANGELOG_ADDITIONAL_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * How a builder gets the value serde of its typed layer from the user's: as is, or inside
 * ValueAndTimestamp (timestamped stores); with encryption, the user's serde is encrypted first, so a
 * timestamp prefix stays readable by the change-logging layer.
 */
export interface ValueSerdeSpec<V> {
  serdes(store: string, encryption: StoreEncryption | undefined): { serde: Serde<V>; checkRestored: ((value: Buffer, topic: string) => void) | undefined };
  readonly timestampOf: ((value: V) => number) | undefined;
}

function maybeEncrypted<V>(serde: Serde<V>, store: string, encryption: StoreEncryption | undefined): { inner: Serde<V>; checkRestored: ((value: Buffer, topic: string) => void) | undefined } {
  if (!encryption) return { inner: serde, checkRestored: undefined };
  const inner = encryptedSerde(serde, store, encryption);
  // a changelog value is the encrypted value itself (timestamped stores log the timestamp apart)
  return { inner, checkRestored: (value, topic) => void inner.deserialize(topic, value) };
}

export function plainValues<V>(serde: Serde<V>): ValueSerdeSpec<V> {
  return {
    serdes(store, encryption) {
      const { inner, checkRestored } = maybeEncrypted(serde, store, encryption);
      return { serde: inner, checkRestored };
    },
    timestampOf: undefined,
  };
}

export function timestampedValues<V>(serde: Serde<V>): ValueSerdeSpec<ValueAndTimestamp<V>> {
  return {
    serdes(store, encryption) {
      const { inner, checkRestored } = maybeEncrypted(serde, store, encryption);
      return { serde: valueAndTimestampSerde(inner), checkRestored };
    },
    timestampOf: (v) => v.timestamp,
  };
}

abstract class AbstractStoreBuilder<T extends StateStore> implements StoreBuilder<T> {
  private caching = false;
  private logging = true;
  private config: Record<string, string> = {};
  protected encryption: StoreEncryption | undefined;

  constructor(readonly name: string) {}

  get cachingEnabled(): boolean {
    return this.caching;
  }

  get loggingEnabled(): boolean {
    return this.logging;
  }

  get logConfig(): Readonly<Record<string, string>> {
    return { ...this.config };
  }

  withCachingEnabled(): this {
    this.caching = true;
    return this;
  }

  withCachingDisabled(): this {
    this.caching = false;
    return this;
  }

  withLoggingEnabled(topicConfig: Record<string, string> = {}): this {
    for (const [k, v] of Object.entries(topicConfig)) {
      if (typeof v !== 'string') throw new TypeError(`changelog topic config '${k}' of store '${this.name}' must be a string, got ${typeof v}`);
    }
    this.logging = true;
    this.config = { ...topicConfig };
    return this;
  }

  withLoggingDisabled(): this {
    this.logging = false;
    this.config = {};
    return this;
  }

  get encrypted(): boolean {
    return this.encryption !== undefined;
  }

  withEncryption(key: EncryptionKey, options?: EncryptionOptions): this {
    this.encryption = storeEncryption(`store '${this.name}'`, key, options);
    return this;
  }

  changelogConfig(): Record<string, string> {
    return { ...this.defaultChangelogConfig(), ...this.config };
  }

  protected abstract defaultChangelogConfig(): Record<string, string>;
  abstract build(): T;
}

function windowedChangelogConfig(retentionMs: number): Record<string, string> {
  return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(retentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS) };
}

export class KeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<KeyValueStore<K, V> & CachedStateStore<K, V>> {
  constructor(
    private readonly supplier: KeyValueBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly values: ValueSerdeSpec<V>,
  ) {
    super(supplier.name);
  }

  protected defaultChangelogConfig(): Record<string, string> {
    return { 'cleanup.policy': 'compact' };
  }

  queryInfo(): StoreQueryInfo {
    return { kind: this.values.timestampOf ? 'timestampedKeyValue' : 'keyValue', keySerde: this.keySerde as Serde<unknown> };
  }

  build(): KeyValueStore<K, V> & CachedStateStore<K, V> {
    const bytes = this.supplier.get();
    const { serde, checkRestored } = this.values.serdes(this.name, this.encryption);
    const timestampOf = this.values.timestampOf;
    const timestamped = timestampOf !== undefined;
    let layer: KeyValueBytesLayer = bytes;
    if (this.loggingEnabled) layer = new ChangeLoggingKeyValueStore(layer, timestamped);
    const caching = this.cachingEnabled ? new CachingKeyValueStore(layer) : undefined;
    const metered = new MeteredKeyValueStore(caching ?? layer, storeScope(this.supplier.type, 'key-value'));
    return new TypedKeyValueStore<K, V>({
      inner: metered,
      caching,
      keySerde: this.keySerde,
      valueSerde: serde,
      ...(timestampOf ? { timestampOf } : {}),
      restore: meteredRestore(keyValueRestore(bytes, timestamped), metered),
      ...(checkRestored ? { checkRestored } : {}),
    });
  }
}

export class WindowStoreBuilder<K, V> extends AbstractStoreBuilder<WindowStore<K, V> & CachedStateStore<Windowed<K>, V>> {
  constructor(
    private readonly supplier: WindowBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly values: ValueSerdeSpec<V>,
  ) {
    super(supplier.name);
  }

  /** Retained duplicates are never cached (each put is a new entry), as in Kafka. */
  override get cachingEnabled(): boolean {
    return super.cachingEnabled && !this.supplier.retainDuplicates;
  }

  protected defaultChangelogConfig(): Record<string, string> {
    return windowedChangelogConfig(this.supplier.retentionMs);
  }

  queryInfo(): StoreQueryInfo {
    return { kind: this.values.timestampOf ? 'timestampedWindow' : 'window', keySerde: this.keySerde as Serde<unknown> };
  }

  build(): WindowStore<K, V> & CachedStateStore<Windowed<K>, V> {
    const bytes = this.supplier.get();
    const { serde, checkRestored } = this.values.serdes(this.name, this.encryption);
    const timestampOf = this.values.timestampOf;
    const timestamped = timestampOf !== undefined;
    let layer: WindowBytesLayer = bytes;
    if (this.loggingEnabled) layer = new ChangeLoggingWindowStore(layer, timestamped);
    const caching = this.cachingEnabled ? new CachingWindowStore(layer, this.supplier.segmentIntervalMs) : undefined;
    const metered = new MeteredWindowStore(caching ?? layer, storeScope(this.supplier.type, 'window'));
    return new TypedWindowStore<K, V>({
      inner: metered,
      caching,
      keySerde: this.keySerde,
      valueSerde: serde,
      ...(timestampOf ? { timestampOf } : {}),
      restore: meteredRestore(windowRestore(bytes, timestamped), metered),
      ...(checkRestored ? { checkRestored } : {}),
    });
  }
}

export class SessionStoreBuilder<K, V> extends AbstractStoreBuilder<SessionStore<K, V> & CachedStateStore<Windowed<K>, V>> {
  constructor(
    private readonly supplier: SessionBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(supplier.name);
  }

  protected defaultChangelogConfig(): Record<string, string> {
    return windowedChangelogConfig(this.supplier.retentionMs);
  }

  queryInfo(): StoreQueryInfo {
    return { kind: 'session', keySerde: this.keySerde as Serde<unknown> };
  }

  build(): SessionStore<K, V> & CachedStateStore<Windowed<K>, V> {
    const bytes = this.supplier.get();
    const { serde, checkRestored } = plainValues(this.valueSerde).serdes(this.name, this.encryption);
    let layer: SessionBytesLayer = bytes;
    if (this.loggingEnabled) layer = new ChangeLoggingSessionStore(layer, false);
    const caching = this.cachingEnabled ? new CachingSessionStore(layer, this.supplier.segmentIntervalMs) : undefined;
    const metered = new MeteredSessionStore(caching ?? layer, storeScope(this.supplier.type, 'session'));
    return new TypedSessionStore<K, V>({
      inner: metered,
      caching,
      keySerde: this.keySerde,
      valueSerde: serde,
      restore: meteredRestore(sessionRestore(bytes), metered),
      ...(checkRestored ? { checkRestored } : {}),
    });
  }
}
