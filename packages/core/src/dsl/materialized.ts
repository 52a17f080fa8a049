// Owns Materialized (how a KTable or aggregation is stored: name, store type, serdes, caching,
// logging, retention) and turning it into a store builder. A store whose serdes come from the app's
// defaults is built lazily, once KafkaStreams or TopologyTestDriver binds the defaults.
import { ConfigError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import {
  Stores,
  storeEncryption,
  type EncryptionKey,
  type EncryptionOptions,
  type KeyValueBytesStoreSupplier,
  type SessionBytesStoreSupplier,
  type StateStore,
  type StoreBuilder,
  type StoreQueryInfo,
  type StoreType,
  type WindowBytesStoreSupplier,
} from '@sluice/state';
import type { InternalStreamsBuilder } from './internal-builder.js';
import type { DefaultsAware, SerdeDefaults } from '../topology/defaults.js';

type AnySupplier = KeyValueBytesStoreSupplier | WindowBytesStoreSupplier | SessionBytesStoreSupplier;

export class Materialized<K, V> {
  private constructor(
    readonly storeName: string | undefined,
    readonly supplier: AnySupplier | undefined,
    readonly storeType: StoreType | undefined,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly cachingEnabled: boolean,
    readonly loggingEnabled: boolean,
    readonly topicConfig: Readonly<{ [key: string]: string }>,
    readonly retentionMs: number | undefined,
    readonly encryption: { readonly key: EncryptionKey; readonly options: EncryptionOptions } | undefined = undefined,
  ) {}

  private copy(changes: Partial<{ [P in keyof Materialized<K, V>]: Materialized<K, V>[P] }>): Materialized<K, V> {
    const c = { ...this, ...changes };
    return new Materialized(c.storeName, c.supplier, c.storeType, c.keySerde, c.valueSerde, c.cachingEnabled, c.loggingEnabled, c.topicConfig, c.retentionMs, c.encryption);
  }

  /** A queryable store with this name (or built by this supplier). */
  static as<K, V>(nameOrSupplier: string | AnySupplier): Materialized<K, V> {
    if (typeof nameOrSupplier === 'string') return new Materialized<K, V>(nameOrSupplier, undefined, undefined, undefined, undefined, true, true, {}, undefined);
    return new Materialized<K, V>(nameOrSupplier.name, nameOrSupplier, nameOrSupplier.type, undefined, undefined, true, true, {}, undefined);
  }
  static with<K, V>(keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined): Materialized<K, V> {
    return new Materialized<K, V>(undefined, undefined, undefined, keySerde, valueSerde, true, true, {}, undefined);
  }
  /** Store type without a name (the name is generated, and the store is not queryable by it). */
  static withStoreType<K, V>(type: StoreType): Materialized<K, V> {
    return new Materialized<K, V>(undefined, undefined, type, undefined, undefined, true, true, {}, undefined);
  }

  withKeySerde(serde: Serde<K>): Materialized<K, V> {
    return this.copy({ keySerde: serde });
  }
  withValueSerde(serde: Serde<V>): Materialized<K, V> {
    return this.copy({ valueSerde: serde });
  }
  withStoreType(type: StoreType): Materialized<K, V> {
    return this.copy({ storeType: type });
  }
  withCachingEnabled(): Materialized<K, V> {
    return this.copy({ cachingEnabled: true });
  }
  withCachingDisabled(): Materialized<K, V> {
    return this.copy({ cachingEnabled: false });
  }
  withLoggingEnabled(topicConfig: { [key: string]: string } = {}): Materialized<K, V> {
    return this.copy({ loggingEnabled: true, topicConfig: { ...topicConfig } });
  }
  withLoggingDisabled(): Materialized<K, V> {
    return this.copy({ loggingEnabled: false, topicConfig: {} });
  }
  /** How long windowed/session stores keep data (at least window size + grace). */
  withRetention(retentionMs: number): Materialized<K, V> {
    return this.copy({ retentionMs });
  }
  /**
   * Encrypt the store's values at rest — the local store, its record cache and its changelog topic —
   * with AES-256-GCM under `key`, 32 bytes the application supplies (e.g. from a secret manager).
   * A value read with a wrong key fails with a clear error, never garbage. Keys stay in clear.
   * Rotate with withEncryption(newKey, { previousKeys: [oldKey] }). (Sluice's own; Kafka has no such option.)
   */
  withEncryption(key: EncryptionKey, options: EncryptionOptions = {}): Materialized<K, V> {
    storeEncryption(this.storeName ? `store '${this.storeName}'` : 'Materialized.withEncryption', key, options);
    return this.copy({ encryption: { key, options } });
  }
}

/** A Materialized with everything resolved for one DSL operation. */
export interface ResolvedMaterialized<K, V> {
  readonly storeName: string;
  /** True when the user named the store (it can be queried by that name). */
  readonly queryable: boolean;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly m: Materialized<K, V>;
}

export function resolveMaterialized<K, V>(
  b: InternalStreamsBuilder,
  m: Materialized<K, V> | undefined,
  generatedPrefix: string,
  defaults: { keySerde: Serde<K> | undefined; valueSerde: Serde<V> | undefined },
): ResolvedMaterialized<K, V> {
  const mat = m ?? Materialized.with<K, V>(undefined, undefined);
  const storeName = mat.storeName ?? b.newStoreName(generatedPrefix);
  return {
    storeName,
    queryable: mat.storeName !== undefined,
    keySerde: mat.keySerde ?? defaults.keySerde,
    valueSerde: mat.valueSerde ?? defaults.valueSerde,
    m: mat,
  };
}

/**
 * A StoreBuilder whose serdes may come from the application's default serdes. Everything but
 * build() works before binding; KafkaStreams / TopologyTestDriver call bindDefaults() first.
 */
export class DeferredStoreBuilder<T extends StateStore> implements StoreBuilder<T>, DefaultsAware {
  private defaults: SerdeDefaults | undefined;
  private cachingFlag: boolean;
  private loggingFlag: boolean;
  private logConfigValue: { [key: string]: string };
  private encryption: { key: EncryptionKey; options: EncryptionOptions } | undefined;

  constructor(
    readonly name: string,
    /** What needs the store, for error messages ("count() 'KSTREAM-AGGREGATE-0000000003'"). */
    readonly owner: string,
    private readonly keySerde: Serde<unknown> | undefined,
    private readonly valueSerde: Serde<unknown> | undefined,
    private readonly make: (keySerde: Serde<unknown>, valueSerde: Serde<unknown>) => StoreBuilder<T>,
    private readonly changelogDefaults: () => { [key: string]: string },
    options: { caching: boolean; logging: boolean; logConfig: { [key: string]: string }; encryption?: { key: EncryptionKey; options: EncryptionOptions } | undefined },
  ) {
    this.cachingFlag = options.caching;
    this.loggingFlag = options.logging;
    this.logConfigValue = { ...options.logConfig };
    this.encryption = options.encryption;
  }

  get cachingEnabled(): boolean {
    return this.cachingFlag;
  }
  get loggingEnabled(): boolean {
    return this.loggingFlag;
  }
  get logConfig(): Readonly<{ [key: string]: string }> {
    return this.logConfigValue;
  }
  withCachingEnabled(): this {
    this.cachingFlag = true;
    return this;
  }
  withCachingDisabled(): this {
    this.cachingFlag = false;
    return this;
  }
  withLoggingEnabled(topicConfig: { [key: string]: string } = {}): this {
    this.loggingFlag = true;
    this.logConfigValue = { ...topicConfig };
    return this;
  }
  withLoggingDisabled(): this {
    this.loggingFlag = false;
    return this;
  }
  withEncryption(key: EncryptionKey, options: EncryptionOptions = {}): this {
    storeEncryption(`store '${this.name}'`, key, options);
    this.encryption = { key, options };
    return this;
  }
  changelogConfig(): { [key: string]: string } {
    return { ...this.changelogDefaults(), ...this.logConfigValue };
  }

  bindDefaults(defaults: SerdeDefaults): void {
    this.defaults = defaults;
  }

  /** What is missing before build() can work, as messages (empty when nothing is). */
  missingSerdes(defaults: SerdeDefaults): string[] {
    const out: string[] = [];
    const fix = `give it with Materialized.with(keySerde, valueSerde) (or Grouped.with for groupBy), or set default serdes`;
    if (!this.keySerde && !defaults.defaultKeySerde) out.push(`store '${this.name}' of ${this.owner} has no key serde: ${fix}`);
    if (!this.valueSerde && !defaults.defaultValueSerde) out.push(`store '${this.name}' of ${this.owner} has no value serde: ${fix}`);
    return out;
  }

  queryInfo(): StoreQueryInfo | undefined {
    const key = this.keySerde ?? this.defaults?.defaultKeySerde;
    const value = this.valueSerde ?? this.defaults?.defaultValueSerde;
    return key && value ? this.make(key, value).queryInfo?.() : undefined;
  }

  build(): T {
    const key = this.keySerde ?? this.defaults?.defaultKeySerde;
    const value = this.valueSerde ?? this.defaults?.defaultValueSerde;
    if (!key || !value) {
      throw new ConfigError(this.missingSerdes(this.defaults ?? { defaultKeySerde: undefined, defaultValueSerde: undefined }).join('; '));
    }
    const builder = this.make(key, value);
    if (this.cachingFlag) builder.withCachingEnabled();
    else builder.withCachingDisabled();
    if (this.loggingFlag) builder.withLoggingEnabled(this.logConfigValue);
    else builder.withLoggingDisabled();
    if (this.encryption) {
      if (!builder.withEncryption) throw new ConfigError(`store '${this.name}' of ${this.owner} cannot be encrypted: its store kind has no encryption layer`);
      builder.withEncryption(this.encryption.key, this.encryption.options);
    }
    return builder.build();
  }
}

/** A store of a DSL operation, with the name, serdes, caching and logging `r` resolved to. */
function deferredStoreFor<K, V>(
  r: ResolvedMaterialized<K, V>,
  owner: string,
  make: (keySerde: Serde<unknown>, valueSerde: Serde<unknown>) => StoreBuilder<StateStore>,
  changelogDefaults: () => { [key: string]: string },
): DeferredStoreBuilder<StateStore> {
  return new DeferredStoreBuilder(r.storeName, owner, r.keySerde as Serde<unknown> | undefined, r.valueSerde as Serde<unknown> | undefined, make, changelogDefaults, {
    caching: r.m.cachingEnabled,
    logging: r.m.loggingEnabled,
    logConfig: { ...r.m.topicConfig },
    encryption: r.m.encryption,
  });
}

/** The KTable store of a DSL operation: timestamped key-value, the store type chosen by Materialized. */
export function keyValueStoreFor<K, V>(r: ResolvedMaterialized<K, V>, owner: string): DeferredStoreBuilder<StateStore> {
  const supplier = r.m.supplier as KeyValueBytesStoreSupplier | undefined;
  const type = r.m.storeType ?? 'rocksdb';
  return deferredStoreFor(
    r,
    owner,
    (k, v) => Stores.timestampedKeyValueStoreBuilder(supplier ?? Stores.keyValueStoreSupplier(r.storeName, type), k, v) as unknown as StoreBuilder<StateStore>,
    () => ({ 'cleanup.policy': 'compact' }),
  );
}

/** The store of a windowed aggregation: timestamped window store, the store type chosen by Materialized. */
export function windowStoreFor<K, V>(r: ResolvedMaterialized<K, V>, owner: string, window: { retentionMs: number; windowSizeMs: number }): DeferredStoreBuilder<StateStore> {
  const supplier = r.m.supplier as WindowBytesStoreSupplier | undefined;
  const type = r.m.storeType ?? 'rocksdb';
  const retentionMs = supplier?.retentionMs ?? window.retentionMs;
  return deferredStoreFor(
    r,
    owner,
    (k, v) =>
      Stores.timestampedWindowStoreBuilder(supplier ?? Stores.windowStoreSupplier(r.storeName, type, window.retentionMs, window.windowSizeMs, false), k, v) as unknown as StoreBuilder<StateStore>,
    () => windowedChangelogConfig(retentionMs),
  );
}

/** The store of a session aggregation, the store type chosen by Materialized. */
export function sessionStoreFor<K, V>(r: ResolvedMaterialized<K, V>, owner: string, session: { retentionMs: number }): DeferredStoreBuilder<StateStore> {
  const supplier = r.m.supplier as SessionBytesStoreSupplier | undefined;
  const type = r.m.storeType ?? 'rocksdb';
  const retentionMs = supplier?.retentionMs ?? session.retentionMs;
  return deferredStoreFor(
    r,
    owner,
    (k, v) => Stores.sessionStoreBuilder(supplier ?? Stores.sessionStoreSupplier(r.storeName, type, session.retentionMs), k, v) as unknown as StoreBuilder<StateStore>,
    () => windowedChangelogConfig(retentionMs),
  );
}

/** As the state package's builders: compact + delete, retention + Kafka's one day of changelog slack. */
function windowedChangelogConfig(retentionMs: number): { [key: string]: string } {
  return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(retentionMs + 24 * 60 * 60 * 1000) };
}
