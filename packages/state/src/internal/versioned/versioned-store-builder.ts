// Owns building versioned key-value stores: the versioned store over the supplier's bytes store,
// never cached (Kafka: versioned stores do not support caching), and its changelog configuration
// (compacted, but not before the history retention plus a day has passed, as Kafka configures it).
import type { Serde } from '@sluice/serdes';
import type { VersionedKeyValueStore } from '../../store.js';
import type { StoreBuilder } from '../../store-builder.js';
import type { VersionedBytesStoreSupplier } from '../../store-supplier.js';
import { CHANGELOG_ADDITIONAL_RETENTION_MS } from '../builders/store-builders.js';
import { VersionedKeyValueStoreImpl } from './versioned-store.js';

export class VersionedKeyValueStoreBuilder<K, V> implements StoreBuilder<VersionedKeyValueStore<K, V>> {
  readonly name: string;
  private logging = true;
  private config: Record<string, string> = {};

  constructor(
    private readonly supplier: VersionedBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    this.name = supplier.name;
  }

  get cachingEnabled(): boolean {
    return false;
  }
  get loggingEnabled(): boolean {
    return this.logging;
  }
  get logConfig(): Readonly<Record<string, string>> {
    return { ...this.config };
  }
  /** Versioned stores are never cached; asking for a cache changes nothing (Kafka does the same in the DSL). */
  withCachingEnabled(): this {
    return this;
  }
  withCachingDisabled(): this {
    return this;
  }
  withLoggingEnabled(topicConfig: Record<string, string> = {}): this {
    this.logging = true;
    this.config = { ...topicConfig };
    return this;
  }
  withLoggingDisabled(): this {
    this.logging = false;
    this.config = {};
    return this;
  }
  changelogConfig(): Record<string, string> {
    return { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(this.supplier.historyRetentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS), ...this.config };
  }

  /** How long earlier versions stay readable. */
  get historyRetentionMs(): number {
    return this.supplier.historyRetentionMs;
  }

  build(): VersionedKeyValueStore<K, V> {
    return new VersionedKeyValueStoreImpl<K, V>({
      bytes: this.supplier.get(),
      historyRetentionMs: this.supplier.historyRetentionMs,
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      logging: this.logging,
    });
  }
}
