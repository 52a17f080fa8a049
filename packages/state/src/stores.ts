// Owns `Stores`, the factory users and the DSL build stores with (Kafka Streams' Stores): bytes-store
// suppliers per kind, and builders that stack the typed, caching and change-logging layers on them.
// Arguments are validated here, once, with messages that say what to change.
import { ConfigError } from '@sluice/common';
import type { Serde, Windowed } from '@sluice/serdes';
import type { KeyValueStore, SessionStore, TimestampedKeyValueStore, TimestampedWindowStore, ValueAndTimestamp, WindowStore } from './store.js';
import type { CachedStateStore, EncryptableStoreBuilder, StoreType } from './store-builder.js';
import type { KeyValueBytesStoreSupplier, SessionBytesStoreSupplier, WindowBytesStoreSupplier } from './store-supplier.js';
import { KeyValueStoreBuilder, SessionStoreBuilder, WindowStoreBuilder, plainValues, timestampedValues } from './internal/builders/store-builders.js';
import { keyValueSupplier, sessionSupplier, windowSupplier } from './internal/suppliers.js';

const STORE_TYPES: readonly StoreType[] = ['rocksdb', 'level', 'in_memory'];

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new ConfigError(
      `store name ${JSON.stringify(name)} is invalid: it becomes part of the changelog topic name, so use only letters, digits, '.', '_' and '-'`,
      { context: { store: name } },
    );
  }
  return name;
}

function checkType(name: string, type: unknown): StoreType {
  if (!STORE_TYPES.includes(type as StoreType)) {
    throw new ConfigError(`store '${name}' has unknown store type ${JSON.stringify(type)}; use one of ${STORE_TYPES.map((t) => `'${t}'`).join(', ')}`, {
      context: { store: name, type },
    });
  }
  return type as StoreType;
}

function checkDuration(name: string, what: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
    throw new ConfigError(`${what} of store '${name}' must be a non-negative integer number of milliseconds, got ${String(ms)}`, {
      context: { store: name, [what]: ms },
    });
  }
  return ms;
}

function checkWindowArgs(name: string, retentionMs: number, windowSizeMs: number): void {
  checkDuration(name, 'retention period', retentionMs);
  checkDuration(name, 'window size', windowSizeMs);
  if (windowSizeMs > retentionMs) {
    throw new ConfigError(
      `store '${name}': the retention period (${retentionMs} ms) must be at least the window size (${windowSizeMs} ms); increase the retention (for windowed aggregations: window size + grace period)`,
      { context: { store: name, retentionMs, windowSizeMs } },
    );
  }
}

function checkSupplier(what: string, supplier: unknown): void {
  if (supplier === null || typeof supplier !== 'object' || typeof (supplier as { get?: unknown }).get !== 'function') {
    throw new ConfigError(`${what} needs a store supplier, e.g. Stores.persistentKeyValueStore('counts'); got ${String(supplier)}`);
  }
}

function checkSerdes(store: string, keySerde: unknown, valueSerde: unknown): void {
  for (const [which, serde] of [
    ['key', keySerde],
    ['value', valueSerde],
  ] as const) {
    if (serde === null || typeof serde !== 'object' || typeof (serde as { serialize?: unknown }).serialize !== 'function') {
      throw new ConfigError(`store '${store}' needs a ${which} serde (e.g. Serdes.String()); got ${String(serde)}`, { context: { store } });
    }
  }
}

export const Stores = {
  // ---- key-value bytes stores ----
  /** A RocksDB key-value store (the default persistent kind). */
  persistentKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return keyValueSupplier(checkName(name), 'rocksdb');
  },
  levelKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return keyValueSupplier(checkName(name), 'level');
  },
  inMemoryKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return keyValueSupplier(checkName(name), 'in_memory');
  },
  keyValueStoreSupplier(name: string, type: StoreType): KeyValueBytesStoreSupplier {
    checkName(name);
    return keyValueSupplier(name, checkType(name, type));
  },

  // ---- window bytes stores ----
  persistentWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
    return Stores.windowStoreSupplier(name, 'rocksdb', retentionMs, windowSizeMs, retainDuplicates);
  },
  levelWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
    return Stores.windowStoreSupplier(name, 'level', retentionMs, windowSizeMs, retainDuplicates);
  },
  inMemoryWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
    return Stores.windowStoreSupplier(name, 'in_memory', retentionMs, windowSizeMs, retainDuplicates);
  },
  windowStoreSupplier(name: string, type: StoreType, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
    checkName(name);
    checkType(name, type);
    checkWindowArgs(name, retentionMs, windowSizeMs);
    return windowSupplier(name, type, retentionMs, windowSizeMs, retainDuplicates === true);
  },

  // ---- session bytes stores ----
  persistentSessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    return Stores.sessionStoreSupplier(name, 'rocksdb', retentionMs);
  },
  levelSessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    return Stores.sessionStoreSupplier(name, 'level', retentionMs);
  },
  inMemorySessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    return Stores.sessionStoreSupplier(name, 'in_memory', retentionMs);
  },
  sessionStoreSupplier(name: string, type: StoreType, retentionMs: number): SessionBytesStoreSupplier {
    checkName(name);
    checkType(name, type);
    checkDuration(name, 'retention period', retentionMs);
    return sessionSupplier(name, type, retentionMs);
  },

  // ---- builders (caching off and logging on by default, as in Kafka's Processor API) ----
  keyValueStoreBuilder<K, V>(supplier: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): EncryptableStoreBuilder<KeyValueStore<K, V> & CachedStateStore<K, V>> {
    checkSupplier('keyValueStoreBuilder', supplier);
    checkSerdes(supplier.name, keySerde, valueSerde);
    return new KeyValueStoreBuilder(supplier, keySerde, plainValues(valueSerde));
  },
  /** Values are stored with the timestamp of the record that wrote them (what DSL KTables use). */
  timestampedKeyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): EncryptableStoreBuilder<TimestampedKeyValueStore<K, V> & CachedStateStore<K, ValueAndTimestamp<V>>> {
    checkSupplier('timestampedKeyValueStoreBuilder', supplier);
    checkSerdes(supplier.name, keySerde, valueSerde);
    return new KeyValueStoreBuilder(supplier, keySerde, timestampedValues(valueSerde));
  },
  windowStoreBuilder<K, V>(supplier: WindowBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): EncryptableStoreBuilder<WindowStore<K, V> & CachedStateStore<Windowed<K>, V>> {
    checkSupplier('windowStoreBuilder', supplier);
    checkSerdes(supplier.name, keySerde, valueSerde);
    return new WindowStoreBuilder(supplier, keySerde, plainValues(valueSerde));
  },
  timestampedWindowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): EncryptableStoreBuilder<TimestampedWindowStore<K, V> & CachedStateStore<Windowed<K>, ValueAndTimestamp<V>>> {
    checkSupplier('timestampedWindowStoreBuilder', supplier);
    checkSerdes(supplier.name, keySerde, valueSerde);
    return new WindowStoreBuilder(supplier, keySerde, timestampedValues(valueSerde));
  },
  sessionStoreBuilder<K, V>(supplier: SessionBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): EncryptableStoreBuilder<SessionStore<K, V> & CachedStateStore<Windowed<K>, V>> {
    checkSupplier('sessionStoreBuilder', supplier);
    checkSerdes(supplier.name, keySerde, valueSerde);
    return new SessionStoreBuilder(supplier, keySerde, valueSerde);
  },
};
