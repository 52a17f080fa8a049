// Owns the supplier contracts: a named recipe for new bytes-store instances of one kind (one per
// task), which a StoreBuilder wraps in the typed, caching and change-logging layers.
import type { KeyValueBytesStore, SessionBytesStore, StateStore, WindowBytesStore } from './store.js';
import type { StoreType } from './store-builder.js';

export interface StoreSupplier<T extends StateStore> {
  readonly name: string;
  readonly type: StoreType;
  /** A new, unopened bytes store. */
  get(): T;
}

export type KeyValueBytesStoreSupplier = StoreSupplier<KeyValueBytesStore>;

export interface WindowBytesStoreSupplier extends StoreSupplier<WindowBytesStore> {
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  /** max(retention / 2, 60 000), as in Kafka Streams. */
  readonly segmentIntervalMs: number;
}

export interface SessionBytesStoreSupplier extends StoreSupplier<SessionBytesStore> {
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
}

/** A recipe for the bytes store under a versioned key-value store. */
export interface VersionedBytesStoreSupplier extends StoreSupplier<KeyValueBytesStore> {
  readonly versioned: true;
  /** How long (past the observed stream time) earlier versions stay readable; also how late a put may come. */
  readonly historyRetentionMs: number;
  readonly segmentIntervalMs: number;
}

export function isVersionedSupplier(supplier: unknown): supplier is VersionedBytesStoreSupplier {
  return (supplier as Partial<VersionedBytesStoreSupplier> | null)?.versioned === true;
}
