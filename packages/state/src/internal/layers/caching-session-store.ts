// Owns the caching layer of session stores. Cache keys are <segmentId(end) int64><key><end><start>
// so that cached sessions sort exactly like the segmented store below and the two can be merged.
import type { KeyValue, KeyValueIterator, StateStoreContext } from '../../store.js';
import { MAX_TIMESTAMP, checkTimestamp, clampTime, sortKey, timestampBytes } from '../bytes.js';
import { cacheRange, filterCache, mergeCacheAndStore } from '../cache/merged-iterator.js';
import type { DirtySnapshot } from '../cache/named-cache.js';
import { emptyIterator } from '../iterators.js';
import { sessionKeys } from '../segmented/key-schemas.js';
import { CachingLayer } from './caching-layer.js';
import type { SessionBytesLayer } from './layer-types.js';

type SessionKey = { key: Buffer; start: number; end: number };

export class CachingSessionStore extends CachingLayer<SessionKey, SessionKey> implements SessionBytesLayer {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  private observedStreamTime = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly inner: SessionBytesLayer,
    private readonly segmentIntervalMs: number,
  ) {
    super();
    this.name = inner.name;
    this.persistent = inner.persistent;
    this.retentionMs = inner.retentionMs;
  }

  get droppedRecords(): number | undefined {
    return this.inner.droppedRecords;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.initCache(context);
    await this.inner.init(context);
  }

  async flush(): Promise<void> {
    await this.flushCache();
    await this.inner.flush();
  }

  async close(): Promise<void> {
    try {
      if (this.inner.isOpen()) await this.flushCache();
    } finally {
      this.clearCache();
      await this.inner.close();
    }
  }

  isOpen(): boolean {
    return this.inner.isOpen();
  }

  async put(key: Buffer, start: number, end: number, value: Buffer | null, timestamp?: number): Promise<void> {
    checkTimestamp('session start', start);
    checkTimestamp('session end', end);
    if (end < start) throw new RangeError(`session end (${end}) must not be before its start (${start})`);
    this.observedStreamTime = Math.max(this.observedStreamTime, end);
    // as Kafka's caching stores: every write is cached (and forwarded on flush); the store below drops
    // and counts one that has expired by then
    this.cache.put(this.cacheKey(key, start, end), { key, start, end }, value, timestamp ?? this.now(), true, this.recordContext());
    await this.maybeEvict();
  }

  async fetchSession(key: Buffer, start: number, end: number): Promise<Buffer | undefined> {
    if (start < 0 || end < start || end < this.minLiveTime()) return undefined;
    const hit = this.cache.get(this.cacheKey(key, start, end));
    if (hit !== undefined) return hit.value ?? undefined;
    return this.inner.fetchSession(key, start, end);
  }

  findSessions(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): KeyValueIterator<SessionKey, Buffer> {
    if (keyFrom !== undefined && keyTo !== undefined && Buffer.compare(keyFrom, keyTo) > 0) return emptyIterator();
    if (latestSessionStartTime < 0) return emptyIterator();
    const earliestEnd = Math.max(clampTime(earliestSessionEndTime), this.minLiveTime());
    const latestStart = clampTime(latestSessionStartTime);
    const lo = sortKey(timestampBytes(this.segmentId(earliestEnd)));
    const inRange = (e: SessionKey): boolean =>
      e.end >= earliestEnd &&
      e.start <= latestStart &&
      (keyFrom === undefined || Buffer.compare(e.key, keyFrom) >= 0) &&
      (keyTo === undefined || Buffer.compare(e.key, keyTo) <= 0);
    return mergeCacheAndStore({
      cache: filterCache(cacheRange(this.cache.snapshot(), lo, undefined, backward), inRange),
      store: this.inner.findSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, backward),
      backward,
      storeSortKey: (kv: KeyValue<SessionKey, Buffer>) => this.cacheKey(kv.key.key, kv.key.start, kv.key.end),
      fromCache: (entry, value) => ({ key: entry.meta, value }),
      fromStore: (kv) => kv,
    });
  }

  async wipe(): Promise<void> {
    this.clearCache();
    this.observedStreamTime = Number.NEGATIVE_INFINITY;
    await this.inner.wipe();
  }

  protected async writeBelow(batch: readonly DirtySnapshot<SessionKey>[]): Promise<void> {
    for (const d of batch) await this.inner.put(d.entry.meta.key, d.entry.meta.start, d.entry.meta.end, d.value, d.timestamp);
  }

  protected readBelow(meta: SessionKey): Promise<Buffer | undefined> {
    return this.inner.fetchSession(meta.key, meta.start, meta.end);
  }

  protected listenerKey(meta: SessionKey): SessionKey {
    return meta;
  }

  private minLiveTime(): number {
    return this.observedStreamTime - this.retentionMs + 1;
  }

  private segmentId(time: number): number {
    return Math.floor(Math.min(time, MAX_TIMESTAMP) / this.segmentIntervalMs);
  }

  private cacheKey(key: Buffer, start: number, end: number): string {
    return sortKey(timestampBytes(this.segmentId(end))) + sortKey(sessionKeys.toStoreKey(key, start, end));
  }
}
