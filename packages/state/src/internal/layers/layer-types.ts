// Owns the internal shape of the store layers: the bytes contracts plus an optional write timestamp
// that the typed layer and the cache hand down to the change-logging layer. Every bytes store fits
// these types (a method with fewer parameters is assignable), so user-supplied stores still stack.
import type { KeyValue, KeyValueBytesStore, SessionBytesStore, StateStore, WindowBytesStore } from '../../store.js';

/** What the caching and change-logging layers need of the store below: every bytes store can be wiped. */
export interface WipeableStore extends StateStore {
  wipe(): Promise<void>;
}

export interface TimestampedEntry extends KeyValue<Buffer, Buffer | null> {
  readonly timestamp?: number;
}

export interface KeyValueBytesLayer extends KeyValueBytesStore {
  put(key: Buffer, value: Buffer | null, timestamp?: number): Promise<void>;
  putAll(entries: readonly TimestampedEntry[]): Promise<void>;
  delete(key: Buffer, timestamp?: number): Promise<Buffer | undefined>;
}

/** A key-value layer that reaches the record cache without a promise (cache-access.ts). */
export interface SyncCachedBytes {
  /** The cached value (null: a cached deletion), or undefined when the cache does not hold the key. */
  getCached(key: Buffer): Buffer | null | undefined;
  /** put() into the cache, with a promise only when it must evict. */
  putCached(key: Buffer, value: Buffer | null, timestamp?: number): void | Promise<void>;
}

/** Whether `layer` (a caching layer, or a metered one over it) reaches the cache without a promise. */
export function isSyncCached(layer: object): layer is SyncCachedBytes {
  return typeof (layer as Partial<SyncCachedBytes>).getCached === 'function' && (layer as { syncCached?: () => boolean }).syncCached?.() !== false;
}

/** One window write of a batch (a cache flush). */
export interface WindowWrite {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly windowStart: number;
  readonly timestamp?: number;
}

export interface WindowBytesLayer extends WindowBytesStore {
  put(key: Buffer, value: Buffer | null, windowStartMs: number, timestamp?: number): Promise<void>;
  /**
   * Optional: the writes of `entries` in order, as one write per segment; per entry, whether it was
   * kept (false: expired and dropped). Stores that keep duplicates do not offer it.
   */
  putMany?(entries: readonly WindowWrite[]): Promise<boolean[]>;
  /**
   * Optional: fetchRange() as an array, without a promise, when the store can answer at once
   * (segments in memory); undefined when it cannot, and the caller fetches the asynchronous way.
   */
  fetchRangeSync?(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, timeFrom: number, timeTo: number, backward: boolean): KeyValue<{ key: Buffer; windowStart: number }, Buffer>[] | undefined;
}

export interface SessionBytesLayer extends SessionBytesStore {
  put(key: Buffer, start: number, end: number, value: Buffer | null, timestamp?: number): Promise<void>;
}

/** Bytes-level flush listener of a caching layer; `K` is the layer's key shape. */
export type BytesFlushListener<K> = (key: K, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number, recordContext: unknown) => void | Promise<void>;

/** Implemented by caching layers; the builder hands it to the typed layer to wire setFlushListener. */
export interface BytesCachingLayer<K> {
  setBytesFlushListener(listener: BytesFlushListener<K>, sendOldValues: boolean): void;
}
