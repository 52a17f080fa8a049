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
} from './store.js';

// ---- building store stacks ----
export type { StoreType, CacheFlushRecord, CacheFlushListener, CachedStateStore, StoreBuilder, EncryptableStoreBuilder, EncryptionKey, EncryptionOptions, QueryableStoreKind, StoreQueryInfo } from './store-builder.js';
export type { StoreSupplier, KeyValueBytesStoreSupplier, WindowBytesStoreSupplier, SessionBytesStoreSupplier } from './store-supplier.js';
export { Stores } from './stores.js';
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
