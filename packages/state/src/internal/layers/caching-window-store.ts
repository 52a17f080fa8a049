// Owns the caching layer of window stores. Cache keys are <segmentId int64><key><windowStart><seqnum 0>
// so that cached windows sort exactly like the segmented store below (segment, key, time) and the two
// can be merged. Retained duplicates are never cached (every put is a new entry), as in Kafka.
import type { KeyValue, KeyValueIterator } from '../../store.js';
import { checkTimestamp, clampTime, sortKey, timestampBytes } from '../bytes.js';
import { cacheRange, filterCache } from '../cache/merged-iterator.js';
import type { DirtySnapshot } from '../cache/named-cache.js';
import { emptyIterator } from '../iterators.js';
import { keyInRange, keyRangeIsEmpty } from '../segmented/bounds.js';
import { windowKeys } from '../segmented/key-schemas.js';
import { SegmentedCachingLayer } from './caching-segmented-layer.js';
import type { WindowBytesLayer } from './layer-types.js';

type WindowKey = { key: Buffer; windowStart: number };

export class CachingWindowStore extends SegmentedCachingLayer<WindowKey, WindowBytesLayer> implements WindowBytesLayer {
  readonly windowSizeMs: number;
  readonly retainDuplicates = false;

  constructor(inner: WindowBytesLayer, segmentIntervalMs: number) {
    super(inner, segmentIntervalMs);
    this.windowSizeMs = inner.windowSizeMs;
  }

  async put(key: Buffer, value: Buffer | null, windowStartMs: number, timestamp?: number): Promise<void> {
    checkTimestamp('window start', windowStartMs);
    this.observedStreamTime = Math.max(this.observedStreamTime, windowStartMs);
    // as Kafka's caching stores: every write is cached (and forwarded on flush); the store below drops
    // and counts one that has expired by then
    const meta = { key, windowStart: windowStartMs };
    this.cache.put(this.cacheKey(key, windowStartMs), meta, value, timestamp ?? this.now(), true, this.recordContext());
    await this.maybeEvict();
  }

  async fetch(key: Buffer, windowStartMs: number): Promise<Buffer | undefined> {
    if (windowStartMs < this.minLiveTime()) return undefined;
    const hit = this.cache.get(this.cacheKey(key, windowStartMs));
    this.countRead(hit !== undefined);
    if (hit !== undefined) return hit.value ?? undefined;
    return this.inner.fetch(key, windowStartMs);
  }

  fetchRange(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<WindowKey, Buffer> {
    if (keyRangeIsEmpty(keyFrom, keyTo)) return emptyIterator();
    const from = Math.max(clampTime(timeFrom), this.minLiveTime());
    const to = clampTime(timeTo);
    if (to < from) return emptyIterator();
    const lo = sortKey(timestampBytes(this.segmentId(from)));
    const hi = sortKey(timestampBytes(this.segmentId(to) + 1));
    const inRange = (e: WindowKey): boolean => e.windowStart >= from && e.windowStart <= to && keyInRange(e.key, keyFrom, keyTo);
    return this.mergeWithBelow(
      filterCache(cacheRange(this.cache.snapshot(), lo, hi, backward), inRange),
      this.inner.fetchRange(keyFrom, keyTo, timeFrom, timeTo, backward),
      backward,
      (kv: KeyValue<WindowKey, Buffer>) => this.cacheKey(kv.key.key, kv.key.windowStart),
    );
  }

  protected async writeBelow(batch: readonly DirtySnapshot<WindowKey>[]): Promise<void> {
    if (this.inner.putMany !== undefined && !this.inner.retainDuplicates) {
      // one write per segment instead of one store round trip per entry
      await this.inner.putMany(batch.map((d) => ({ key: d.entry.meta.key, value: d.value, windowStart: d.entry.meta.windowStart, timestamp: d.timestamp })));
      return;
    }
    for (const d of batch) await this.inner.put(d.entry.meta.key, d.value, d.entry.meta.windowStart, d.timestamp);
  }

  protected readBelow(meta: WindowKey): Promise<Buffer | undefined> {
    return this.inner.fetch(meta.key, meta.windowStart);
  }

  private segmentId(time: number): number {
    return Math.floor(time / this.segmentIntervalMs);
  }

  private cacheKey(key: Buffer, windowStart: number): string {
    return sortKey(timestampBytes(this.segmentId(windowStart))) + sortKey(windowKeys.toStoreKey(key, windowStart, 0));
  }
}
