// Owns the contracts every state store and store layer implements, and the context a store is
// initialised with. A store is async at its edges (RocksDB and LevelDB reads cross to a libuv
// thread); see docs/decisions/0001-async-state-access.md.
import type { Clock, Logger, TaskMetrics } from '@sluice/common';
import type { Serde, Windowed } from '@sluice/serdes';

export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/** A closeable async iterator over store entries. Always close it (or iterate to the end). */
export interface KeyValueIterator<K, V> extends AsyncIterableIterator<KeyValue<K, V>> {
  close(): Promise<void>;
}

/** One record read from a changelog topic during restoration. `value: null` is a tombstone. */
export interface ChangelogRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly offset: number;
}

/** Applies a batch of changelog records to the store's bytes layer (no logging, no caching). */
export type RestoreCallback = (batch: readonly ChangelogRecord[]) => Promise<void>;

/**
 * What the runtime (or TopologyTestDriver) gives a store at init. The store registers itself for
 * restoration and writes its changelog through it; it never talks to Kafka itself.
 */
export interface StateStoreContext {
  readonly applicationId: string;
  /** e.g. "0_3": sub-topology 0, partition 3. */
  readonly taskId: string;
  readonly partition: number;
  /** The task's state directory, `<stateDir>/<applicationId>/<taskId>`; a store uses `<taskDir>/<storeName>`. */
  readonly taskDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Shared memory budget for record caches of this worker. Undefined = caching off. */
  readonly cache: CacheMemoryPool | undefined;
  /** Shared RocksDB memory limits (block cache, write buffers) for this worker. */
  readonly rocksdb: RocksDbSharedOptions;
  /** Register the store (the outermost layer passes itself down) so the state manager restores it. */
  register(store: StateStore, restore: RestoreCallback): void;
  /** Write one change of `storeName` to its changelog topic, partition = the task's partition. */
  logChange(storeName: string, key: Buffer, value: Buffer | null, timestamp: number): void;
  /**
   * The context of the record being processed (its headers; opaque to stores). Caching layers keep it
   * with a write and give it back with the flushed update, so downstream records keep their headers.
   */
  recordContext?(): unknown;
  /** Stream time of the task (max record timestamp seen), for window retention. */
  streamTime(): number;
  /**
   * Timestamp of the record being processed (Kafka's `context.timestamp()`), if the caller knows it.
   * Writes that carry no timestamp of their own (deletes, non-timestamped stores) are stamped with
   * it in the changelog and in cache flush records; without it stores use streamTime(), and the
   * clock before any record was seen.
   */
  recordTimestamp?(): number;
  /** The task's metrics: stores record their operations in them at the debug recording level. */
  readonly metrics?: TaskMetrics;
}

export interface RocksDbSharedOptions {
  /** Total block cache per worker, shared by every RocksDB store; default 64 MiB. */
  readonly blockCacheBytes: number;
  /** Write buffer size of one store; default 8 MiB. */
  readonly writeBufferBytes: number;
  /** Max open files per store; default 64. */
  readonly maxOpenFiles: number;
}

/** A worker-wide record-cache budget shared by all caching layers (`cacheMaxBytes`). */
export interface CacheMemoryPool {
  readonly maxBytes: number;
  /** Bytes in use by all caches. */
  usedBytes(): number;
  /** Add (or, with a negative number, release) bytes; returns true when over budget afterwards. */
  reserve(bytes: number): boolean;
}

export interface StateStore {
  readonly name: string;
  /** True for stores that keep data on disk (RocksDB, LevelDB). */
  readonly persistent: boolean;
  init(context: StateStoreContext): Promise<void>;
  /** Make everything written so far durable in the layer below (cache → changelog + bytes store). */
  flush(): Promise<void>;
  close(): Promise<void>;
  isOpen(): boolean;
}

/** The bytes layer of a key-value store. Keys are ordered by their bytes (unsigned, lexicographic). */
export interface KeyValueBytesStore extends StateStore {
  get(key: Buffer): Promise<Buffer | undefined>;
  /** `value: null` deletes. */
  put(key: Buffer, value: Buffer | null): Promise<void>;
  putAll(entries: readonly KeyValue<Buffer, Buffer | null>[]): Promise<void>;
  delete(key: Buffer): Promise<Buffer | undefined>;
  /** Inclusive bounds; undefined means unbounded. */
  range(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer>;
  reverseRange(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer>;
  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer>;
  approximateNumEntries(): Promise<number>;
  /** Delete everything (used when a corrupt or untrusted store is wiped before a full restore). */
  wipe(): Promise<void>;
}

export interface ReadOnlyKeyValueStore<K, V> {
  readonly name: string;
  get(key: K): Promise<V | undefined>;
  /** Inclusive bounds; undefined means unbounded. */
  range(from: K | undefined, to: K | undefined): KeyValueIterator<K, V>;
  reverseRange(from: K | undefined, to: K | undefined): KeyValueIterator<K, V>;
  all(): KeyValueIterator<K, V>;
  reverseAll(): KeyValueIterator<K, V>;
  /** Keys whose serialized bytes start with the serialized prefix. */
  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): KeyValueIterator<K, V>;
  approximateNumEntries(): Promise<number>;
}

export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  /** `value: null` deletes. */
  put(key: K, value: V | null): Promise<void>;
  /** Returns the existing value, or undefined when it put the new one. */
  putIfAbsent(key: K, value: V): Promise<V | undefined>;
  putAll(entries: readonly KeyValue<K, V | null>[]): Promise<void>;
  /** Returns the deleted value. */
  delete(key: K): Promise<V | undefined>;
}

/** A value with the timestamp of the record that produced it (what DSL KTable stores keep). */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>;

// ---- versioned key-value stores ----

/** A value with the time it became valid and, unless it is still the latest, the time it stopped being valid. */
export interface VersionedRecord<V> {
  readonly value: V;
  readonly timestamp: number;
  readonly validTo?: number;
}

/**
 * A key-value store that keeps each key's earlier values for its history retention, so a value can
 * be read as of a time (Kafka Streams' VersionedKeyValueStore). Never cached.
 */
export interface VersionedKeyValueStore<K, V> extends StateStore {
  /** Marks the store as versioned (readers of a KTable's store tell the two kinds apart by it). */
  readonly versioned: true;
  /**
   * `value` (null = a tombstone) is valid from `timestamp` on. Returns -1 when it is now the latest
   * version, the time the next version starts when it is not, or Number.MIN_SAFE_INTEGER when it was
   * not put (older than the history retention allows).
   */
  put(key: K, value: V | null, timestamp: number): Promise<number>;
  /** Puts a tombstone at `timestamp` and returns the record that was valid then. */
  delete(key: K, timestamp: number): Promise<VersionedRecord<V> | undefined>;
  /** The latest value, or with `asOfTimestamp` the value that was valid at that time. */
  get(key: K, asOfTimestamp?: number): Promise<VersionedRecord<V> | undefined>;
}

// ---- windows ----

export interface WindowedKeyValue<K, V> {
  readonly key: Windowed<K>;
  readonly value: V;
}

/** Entries of one key: `key` is the window start time. */
export interface WindowStoreIterator<V> extends AsyncIterableIterator<KeyValue<number, V>> {
  close(): Promise<void>;
}

export interface WindowedIterator<K, V> extends AsyncIterableIterator<WindowedKeyValue<K, V>> {
  close(): Promise<void>;
}

export interface ReadOnlyWindowStore<K, V> {
  readonly name: string;
  /** The value of `key` in the window starting at `windowStartMs`. */
  fetch(key: K, windowStartMs: number): Promise<V | undefined>;
  /** Windows of `key` whose start is in [timeFrom, timeTo], oldest first. */
  fetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>;
  /** Windows of keys in [keyFrom, keyTo] whose start is in [timeFrom, timeTo]. */
  fetch(keyFrom: K | undefined, keyTo: K | undefined, timeFrom: number, timeTo: number): WindowedIterator<K, V>;
  backwardFetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>;
  backwardFetch(keyFrom: K | undefined, keyTo: K | undefined, timeFrom: number, timeTo: number): WindowedIterator<K, V>;
  /** All windows whose start is in [timeFrom, timeTo]. */
  fetchAll(timeFrom: number, timeTo: number): WindowedIterator<K, V>;
  backwardFetchAll(timeFrom: number, timeTo: number): WindowedIterator<K, V>;
  all(): WindowedIterator<K, V>;
}

export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** `value: null` deletes the window. Writes to windows older than retention are dropped (and counted). */
  put(key: K, value: V | null, windowStartMs: number): Promise<void>;
}

export type TimestampedWindowStore<K, V> = WindowStore<K, ValueAndTimestamp<V>>;

/** The bytes layer of a window store: segmented by time so expired windows drop cheaply. */
export interface WindowBytesStore extends StateStore {
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  /** Writes dropped because their window was already older than the retention period (a metric). */
  readonly droppedRecords?: number;
  put(key: Buffer, value: Buffer | null, windowStartMs: number): Promise<void>;
  fetch(key: Buffer, windowStartMs: number): Promise<Buffer | undefined>;
  fetchRange(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<{ key: Buffer; windowStart: number }, Buffer>;
  wipe(): Promise<void>;
}

// ---- sessions ----

export interface ReadOnlySessionStore<K, V> {
  readonly name: string;
  /** Sessions of `key` that end at or after `earliestSessionEndTime` and start at or before `latestSessionStartTime`. */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): WindowedIterator<K, V>;
  /** The same for keys in [keyFrom, keyTo] (undefined: unbounded), in key order. */
  findSessions(keyFrom: K | undefined, keyTo: K | undefined, earliestSessionEndTime: number, latestSessionStartTime: number): WindowedIterator<K, V>;
  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): WindowedIterator<K, V>;
  /** All sessions of `key`. */
  fetch(key: K): WindowedIterator<K, V>;
  backwardFetch(key: K): WindowedIterator<K, V>;
  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): Promise<V | undefined>;
}

export interface SessionStore<K, V> extends StateStore, ReadOnlySessionStore<K, V> {
  put(sessionKey: Windowed<K>, aggregate: V): Promise<void>;
  remove(sessionKey: Windowed<K>): Promise<void>;
}

/** The bytes layer of a session store. */
export interface SessionBytesStore extends StateStore {
  readonly retentionMs: number;
  /** Writes dropped because the session had already ended before the retention period (a metric). */
  readonly droppedRecords?: number;
  put(key: Buffer, start: number, end: number, value: Buffer | null): Promise<void>;
  fetchSession(key: Buffer, start: number, end: number): Promise<Buffer | undefined>;
  findSessions(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, earliestSessionEndTime: number, latestSessionStartTime: number, backward: boolean): KeyValueIterator<{ key: Buffer; start: number; end: number }, Buffer>;
  wipe(): Promise<void>;
}

export function isVersionedStore(store: unknown): store is VersionedKeyValueStore<unknown, unknown> {
  return (store as Partial<VersionedKeyValueStore<unknown, unknown>> | null)?.versioned === true;
}
