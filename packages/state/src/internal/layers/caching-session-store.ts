// Owns the caching layer of session stores. Cache keys are <segmentId(end) int64><key><end><start>
// so that cached sessions sort exactly like the segmented store below and the two can be merged.
import type { KeyValue, KeyValueIterator } from '../../store.js';
import { MAX_TIMESTAMP, clampTime, sortKey, timestampBytes } from '../bytes.js';
import { cacheRange, filterCache } from '../cache/merged-iterator.js';
import type { DirtySnapshot } from '../cache/named-cache.js';
import { emptyIterator } from '../iterators.js';
import { checkSessionBounds, keyInRange, keyRangeIsEmpty } from '../segmented/bounds.js';
import { sessionKeys } from '../segmented/key-schemas.js';
import { SegmentedCachingLayer } from './caching-segmented-layer.js';
import type { SessionBytesLayer } from './layer-types.js';

type SessionKey = { key: Buffer; start: number; end: number };

export class CachingSessionStore extends SegmentedCachingLayer<SessionKey, SessionBytesLayer> implements SessionBytesLayer {
  async put(key: Buffer, start: number, end: number, value: Buffer | null, timestamp?: number): Promise<void> {
    checkSessionBounds(start, end);
    this.observedStreamTime = Math.max(this.observedStreamTime, end);
    // as Kafka's caching stores: every write is cached (and forwarded on flush); the store below drops
    // and counts one that has expired by then
    this.cache.put(this.cacheKey(key, start, end), { key, start, end }, value, timestamp ?? this.now(), true, this.recordContext());
    await this.maybeEvict();
  }

  async fetchSession(key: Buffer, start: number, end: number): Promise<Buffer | undefined> {
    if (start < 0 || end < start || end < this.minLiveTime()) return undefined;
    const hit = this.cache.get(this.cacheKey(key, start, end));
    this.countRead(hit !== undefined);
    if (hit !== undefined) return hit.value ?? undefined;
    return this.inner.fetchSession(key, start, end);
  }

  findSessions(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, earliestSessionEndTime: number, latestSessionStartTime: number, backward: boolean): KeyValueIterator<SessionKey, Buffer> {
    if (keyRangeIsEmpty(keyFrom, keyTo) || latestSessionStartTime < 0) return emptyIterator();
    const earliestEnd = Math.max(clampTime(earliestSessionEndTime), this.minLiveTime());
    const latestStart = clampTime(latestSessionStartTime);
    const lo = sortKey(timestampBytes(this.segmentId(earliestEnd)));
    const inRange = (e: SessionKey): boolean => e.end >= earliestEnd && e.start <= latestStart && keyInRange(e.key, keyFrom, keyTo);
    return this.mergeWithBelow(
      filterCache(cacheRange(this.cache.snapshot(), lo, undefined, backward), inRange),
      this.inner.findSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, backward),
      backward,
      (kv: KeyValue<SessionKey, Buffer>) => this.cacheKey(kv.key.key, kv.key.start, kv.key.end),
    );
  }

  protected async writeBelow(batch: readonly DirtySnapshot<SessionKey>[]): Promise<void> {
    for (const d of batch) await this.inner.put(d.entry.meta.key, d.entry.meta.start, d.entry.meta.end, d.value, d.timestamp);
  }

  protected readBelow(meta: SessionKey): Promise<Buffer | undefined> {
    return this.inner.fetchSession(meta.key, meta.start, meta.end);
  }

  private segmentId(time: number): number {
    return Math.floor(Math.min(time, MAX_TIMESTAMP) / this.segmentIntervalMs);
  }

  private cacheKey(key: Buffer, start: number, end: number): string {
    return sortKey(timestampBytes(this.segmentId(end))) + sortKey(sessionKeys.toStoreKey(key, start, end));
  }
}
