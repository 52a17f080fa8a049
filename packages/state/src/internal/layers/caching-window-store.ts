// Owns the caching layer of window stores. Cache keys are <segmentId int64><key><windowStart><seqnum 0>
// so that cached windows sort exactly like the segmented store below (segment, key, time) and the two
// can be merged. Retained duplicates are never cached (every put is a new entry), as in Kafka.
import type { KeyValue, KeyValueIterator, StateStoreContext } from '../../store.js';
import { checkTimestamp, clampTime, sortKey, timestampBytes } from '../bytes.js';
import { cacheRange, filterCache, mergeCacheAndStore } from '../cache/merged-iterator.js';
import type { DirtySnapshot } from '../cache/named-cache.js';
import { emptyIterator } from '../iterators.js';
import { windowKeys } from '../segmented/key-schemas.js';
import { CachingLayer } from './caching-layer.js';
import type { WindowBytesLayer } from './layer-types.js';

type WindowKey = { key: Buffer; windowStart: number };

export class CachingWindowStore extends CachingLayer<WindowKey, WindowKey> implements WindowBytesLayer {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates = false;
  private observedStreamTime = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly inner: WindowBytesLayer,
    private readonly segmentIntervalMs: number,
  ) {
    super();
    this.name = inner.name;
    this.persistent = inner.persistent;
    this.retentionMs = inner.retentionMs;
    this.windowSizeMs = inner.windowSizeMs;
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
    if (hit !== undefined) return hit.value ?? undefined;
    return this.inner.fetch(key, windowStartMs);
  }

  fetchRange(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<WindowKey, Buffer> {
    if (keyFrom !== undefined && keyTo !== undefined && Buffer.compare(keyFrom, keyTo) > 0) return emptyIterator();
    const from = Math.max(clampTime(timeFrom), this.minLiveTime());
    const to = clampTime(timeTo);
    if (to < from) return emptyIterator();
    const lo = sortKey(timestampBytes(this.segmentId(from)));
    const hi = sortKey(timestampBytes(this.segmentId(to) + 1));
    const inRange = (e: WindowKey): boolean =>
      e.windowStart >= from &&
      e.windowStart <= to &&
      (keyFrom === undefined || Buffer.compare(e.key, keyFrom) >= 0) &&
      (keyTo === undefined || Buffer.compare(e.key, keyTo) <= 0);
    return mergeCacheAndStore({
      cache: filterCache(cacheRange(this.cache.snapshot(), lo, hi, backward), inRange),
      store: this.inner.fetchRange(keyFrom, keyTo, timeFrom, timeTo, backward),
      backward,
      storeSortKey: (kv: KeyValue<WindowKey, Buffer>) => this.cacheKey(kv.key.key, kv.key.windowStart),
      fromCache: (entry, value) => ({ key: entry.meta, value }),
      fromStore: (kv) => kv,
    });
  }

  async wipe(): Promise<void> {
    this.clearCache();
    this.observedStreamTime = Number.NEGATIVE_INFINITY;
    await this.inner.wipe();
  }

  protected async writeBelow(batch: readonly DirtySnapshot<WindowKey>[]): Promise<void> {
    for (const d of batch) await this.inner.put(d.entry.meta.key, d.value, d.entry.meta.windowStart, d.timestamp);
  }

  protected readBelow(meta: WindowKey): Promise<Buffer | undefined> {
    return this.inner.fetch(meta.key, meta.windowStart);
  }

  protected listenerKey(meta: WindowKey): WindowKey {
    return meta;
  }

  private minLiveTime(): number {
    return this.observedStreamTime - this.retentionMs + 1;
  }

  private segmentId(time: number): number {
    return Math.floor(time / this.segmentIntervalMs);
  }

  private cacheKey(key: Buffer, windowStart: number): string {
    return sortKey(timestampBytes(this.segmentId(windowStart))) + sortKey(windowKeys.toStoreKey(key, windowStart, 0));
  }
}
