// @sluice/state: the state store contracts, the store factories (Stores) and the pieces the runtime
// needs to manage state on disk. Implementations stay in src/internal/.

// ---- store contracts ----
export type {
  KeyValue,
  KeyValueIterator,
  ChangelogRecord,
  RestoreCallback,
  StateStoreContext,
  RocksDbSharedOptions,
  CacheMemoryPool,
  StateStore,
  KeyValueBytesStore,
  ReadOnlyKeyValueStore,
  KeyValueStore,
  ValueAndTimestamp,
  TimestampedKeyValueStore,
  WindowedKeyValue,
  WindowStoreIterator,
  WindowedIterator,
  ReadOnlyWindowStore,
  WindowStore,
  TimestampedWindowStore,
  WindowBytesStore,
  ReadOnlySessionStore,
  SessionStore,
  SessionBytesStore,
  VersionedRecord,
  VersionedKeyValueStore,
} from './store.js';
export { isVersionedStore } from './store.js';

// ---- building store stacks ----
export type { StoreType, CacheFlushRecord, CacheFlushListener, CachedStateStore, StoreBuilder, EncryptableStoreBuilder, EncryptionKey, EncryptionOptions, QueryableStoreKind, StoreQueryInfo } from './store-builder.js';
export type { StoreSupplier, KeyValueBytesStoreSupplier, WindowBytesStoreSupplier, SessionBytesStoreSupplier, VersionedBytesStoreSupplier } from './store-supplier.js';
export { isVersionedSupplier } from './store-supplier.js';
export { PUT_RETURN_CODE_VALID_TO_UNDEFINED, PUT_RETURN_CODE_NOT_PUT } from './internal/versioned/versions.js';
export { Stores } from './stores.js';
export { CACHE_MISS, cacheAccess } from './internal/layers/cache-access.js';
export type { CacheAccess } from './internal/layers/cache-access.js';
export { windowFetchSync } from './internal/layers/window-fetch-sync.js';
export type { WindowFetchSync } from './internal/layers/window-fetch-sync.js';
export { storeEncryption } from './internal/layers/encryption.js';
export { valueAndTimestampSerde } from './internal/layers/value-and-timestamp.js';
export { changelogTopicName } from './internal/layers/typed-context.js';

// ---- worker-wide memory ----
export { createCacheMemoryPool, CACHE_ENTRY_OVERHEAD_BYTES } from './cache-memory-pool.js';
export { defaultRocksDbSharedOptions } from './internal/kv/rocksdb-binding.js';

// ---- state on disk (used by the runtime) ----
export { OffsetCheckpoint, CheckpointCorruptError, topicPartitionKey, parseTopicPartitionKey, CHECKPOINT_FILE_NAME } from './checkpoint.js';
export { StateDirectory, defaultStateDir, LOCK_FILE_NAME } from './state-directory.js';
export { ensureDirectory, STATE_DIRECTORY_MODE } from './directories.js';
export type { StateDirectoryOptions, TaskDirectory } from './state-directory.js';
