// Owns the metered layers of key-value, window and session stores (Kafka's MeteredKeyValueStore,
// MeteredWindowStore and MeteredSessionStore, metrics only): put, get, delete, put-all, range, all,
// prefix-scan, fetch and flush latencies and rates of each store, between the typed layer and the
// cache, so a cache hit is measured as the fast read it is. See metered-layer.ts for the levels.
import type { KeyValue, KeyValueIterator } from '../../store.js';
import { monotonicMs } from '@sluice/common';
import { isSyncCached, type KeyValueBytesLayer, type SessionBytesLayer, type SyncCachedBytes, type TimestampedEntry, type WindowBytesLayer } from './layer-types.js';
import { MeteredLayer, timed, timedIterator } from './metered-layer.js';

export class MeteredKeyValueStore extends MeteredLayer<KeyValueBytesLayer> implements KeyValueBytesLayer, SyncCachedBytes {
  /** Whether the layer below is a record cache (then getCached and putCached reach it). */
  syncCached(): boolean {
    return isSyncCached(this.inner);
  }

  getCached(key: Buffer): Buffer | null | undefined {
    const m = this.metrics;
    const inner = this.inner as KeyValueBytesLayer & SyncCachedBytes;
    if (m === undefined) return inner.getCached(key);
    const t0 = monotonicMs();
    const hit = inner.getCached(key);
    if (hit !== undefined) m.get.record(monotonicMs() - t0); // a miss is timed by the get() that follows
    return hit;
  }

  putCached(key: Buffer, value: Buffer | null, timestamp?: number): void | Promise<void> {
    const m = this.metrics;
    const inner = this.inner as KeyValueBytesLayer & SyncCachedBytes;
    if (m === undefined) return inner.putCached(key, value, timestamp);
    this.written(m);
    const t0 = monotonicMs();
    const evicting = inner.putCached(key, value, timestamp);
    if (evicting === undefined) {
      m.put.record(monotonicMs() - t0);
      return undefined;
    }
    return timed(m.put, evicting);
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    const m = this.metrics;
    return m === undefined ? this.inner.get(key) : timed(m.get, this.inner.get(key));
  }

  put(key: Buffer, value: Buffer | null, timestamp?: number): Promise<void> {
    const m = this.metrics;
    if (m === undefined) return this.inner.put(key, value, timestamp);
    this.written(m);
    return timed(m.put, this.inner.put(key, value, timestamp));
  }

  putAll(entries: readonly TimestampedEntry[]): Promise<void> {
    const m = this.metrics;
    return m === undefined ? this.inner.putAll(entries) : timed(m.putAll, this.inner.putAll(entries));
  }

  delete(key: Buffer, timestamp?: number): Promise<Buffer | undefined> {
    const m = this.metrics;
    return m === undefined ? this.inner.delete(key, timestamp) : timed(m.delete, this.inner.delete(key, timestamp));
  }

  range(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    const m = this.metrics;
    const it = this.inner.range(from, to);
    return m === undefined ? it : timedIterator(from === undefined && to === undefined ? m.all : m.range, it);
  }

  reverseRange(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    const m = this.metrics;
    const it = this.inner.reverseRange(from, to);
    return m === undefined ? it : timedIterator(from === undefined && to === undefined ? m.all : m.range, it);
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    const m = this.metrics;
    const it = this.inner.prefixScan(prefix);
    return m === undefined ? it : timedIterator(m.prefixScan, it);
  }

  approximateNumEntries(): Promise<number> {
    return this.inner.approximateNumEntries();
  }

  wipe(): Promise<void> {
    return this.inner.wipe();
  }
}

export class MeteredWindowStore extends MeteredLayer<WindowBytesLayer> implements WindowBytesLayer {
  get retentionMs(): number {
    return this.inner.retentionMs;
  }

  get windowSizeMs(): number {
    return this.inner.windowSizeMs;
  }

  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates;
  }

  get droppedRecords(): number | undefined {
    return this.inner.droppedRecords;
  }

  put(key: Buffer, value: Buffer | null, windowStartMs: number, timestamp?: number): Promise<void> {
    const m = this.metrics;
    if (m === undefined) return this.inner.put(key, value, windowStartMs, timestamp);
    this.written(m);
    return timed(m.put, this.inner.put(key, value, windowStartMs, timestamp));
  }

  fetch(key: Buffer, windowStartMs: number): Promise<Buffer | undefined> {
    const m = this.metrics;
    return m === undefined ? this.inner.fetch(key, windowStartMs) : timed(m.get, this.inner.fetch(key, windowStartMs));
  }

  fetchRange(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<{ key: Buffer; windowStart: number }, Buffer> {
    const m = this.metrics;
    const it = this.inner.fetchRange(keyFrom, keyTo, timeFrom, timeTo, backward);
    return m === undefined ? it : timedIterator(keyFrom === undefined && keyTo === undefined ? m.all : m.range, it);
  }

  fetchRangeSync(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, timeFrom: number, timeTo: number, backward: boolean): KeyValue<{ key: Buffer; windowStart: number }, Buffer>[] | undefined {
    const m = this.metrics;
    if (m === undefined) return this.inner.fetchRangeSync?.(keyFrom, keyTo, timeFrom, timeTo, backward);
    const t0 = monotonicMs();
    const found = this.inner.fetchRangeSync?.(keyFrom, keyTo, timeFrom, timeTo, backward);
    // a fetch that could not be answered at once is timed by the asynchronous fetch that follows
    if (found !== undefined) (keyFrom === undefined && keyTo === undefined ? m.all : m.range).record(monotonicMs() - t0);
    return found;
  }

  wipe(): Promise<void> {
    return this.inner.wipe();
  }
}

export class MeteredSessionStore extends MeteredLayer<SessionBytesLayer> implements SessionBytesLayer {
  get retentionMs(): number {
    return this.inner.retentionMs;
  }

  get droppedRecords(): number | undefined {
    return this.inner.droppedRecords;
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null, timestamp?: number): Promise<void> {
    const m = this.metrics;
    if (m === undefined) return this.inner.put(key, start, end, value, timestamp);
    this.written(m);
    return timed(value === null ? m.delete : m.put, this.inner.put(key, start, end, value, timestamp));
  }

  fetchSession(key: Buffer, start: number, end: number): Promise<Buffer | undefined> {
    const m = this.metrics;
    return m === undefined ? this.inner.fetchSession(key, start, end) : timed(m.get, this.inner.fetchSession(key, start, end));
  }

  findSessions(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, earliestSessionEndTime: number, latestSessionStartTime: number, backward: boolean): KeyValueIterator<{ key: Buffer; start: number; end: number }, Buffer> {
    const m = this.metrics;
    const it = this.inner.findSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, backward);
    return m === undefined ? it : timedIterator(m.range, it);
  }

  wipe(): Promise<void> {
    return this.inner.wipe();
  }
}
