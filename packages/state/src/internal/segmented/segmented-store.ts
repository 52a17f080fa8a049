// Owns what window and session bytes stores share: segments, the observed stream time (the largest
// timestamp written), retention (writes older than it are dropped and counted, queries never see
// expired data, whole expired segments are deleted) and the per-segment range scan.
import type { KeyValue, KeyValueIterator, StateStoreContext } from '../../store.js';
import { concatIterators, emptyIterator, mapIterator } from '../iterators.js';
import { Segments, type SegmentKind } from './segments.js';
import { isSyncRangeReadable } from '../kv/mirrored-kv-store.js';

export interface SegmentedStoreOptions {
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
}

/** Kafka's rule: half the retention, at least one minute. */
export function defaultSegmentInterval(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}

export interface SegmentScan<T> {
  /** Segments holding times in [fromTime, toTime] are searched. */
  readonly fromTime: number;
  readonly toTime: number;
  readonly backward: boolean;
  /** Byte bounds inside segment `id` (inclusive; undefined = open). */
  bounds(id: number): { lower: Buffer | undefined; upper: Buffer | undefined };
  /** Keeps (and shapes) an entry, or drops it with undefined. */
  select(entry: KeyValue<Buffer, Buffer>): T | undefined;
}

/** A write at `time` (window start or session end) under its store key. */
interface TimedEntry {
  readonly time: number;
  readonly key: Buffer;
  readonly value: Buffer | null;
}

export abstract class SegmentedBytesStore {
  readonly persistent: boolean;
  readonly retentionMs: number;
  protected readonly segments: Segments;
  protected observedStreamTime = Number.NEGATIVE_INFINITY;
  private minLiveSegment = Number.NEGATIVE_INFINITY;
  private dropped = 0;
  private open = false;

  constructor(
    readonly name: string,
    options: SegmentedStoreOptions,
    kind: SegmentKind,
  ) {
    this.persistent = kind.persistent;
    this.retentionMs = options.retentionMs;
    this.segments = new Segments(name, options.segmentIntervalMs, kind);
  }

  /** Writes dropped because they were older than the retention period. */
  get droppedRecords(): number {
    return this.dropped;
  }

  get segmentIntervalMs(): number {
    return this.segments.segmentIntervalMs;
  }

  /** Number of live segments (for tests and diagnostics). */
  get segmentCount(): number {
    return this.segments.count;
  }

  async init(context: StateStoreContext): Promise<void> {
    try {
      const newest = await this.segments.openExisting(context);
      // Stream time is not stored; the newest segment's start is a safe lower bound for it, so
      // segments left over from a long stop are cleaned up at once instead of at the next write.
      if (newest !== undefined) await this.advanceStreamTime(newest * this.segments.segmentIntervalMs);
    } catch (err) {
      // One corrupt segment: close the ones already open, so the directory can be wiped and the
      // store opened again in this process (an open database keeps its lock).
      await this.segments.close();
      throw err;
    }
    this.open = true;
  }

  async flush(): Promise<void> {
    await this.segments.flush();
  }

  async close(): Promise<void> {
    this.open = false;
    await this.segments.close();
  }

  isOpen(): boolean {
    return this.open;
  }

  async wipe(): Promise<void> {
    await this.segments.wipe();
    this.observedStreamTime = Number.NEGATIVE_INFINITY;
    this.minLiveSegment = Number.NEGATIVE_INFINITY;
  }

  /** The oldest time still retained: anything earlier is expired. */
  protected minLiveTime(): number {
    return this.observedStreamTime - this.retentionMs + 1;
  }

  /**
   * Writes (or deletes, with null) `storeKey` into the segment of `time`. Returns false when the
   * write was dropped as expired.
   */
  protected async writeAt(time: number, storeKey: Buffer, value: Buffer | null): Promise<boolean> {
    await this.advanceStreamTime(time);
    if (time < this.minLiveTime()) {
      this.dropped++;
      return false;
    }
    const id = this.segments.segmentId(time);
    if (value === null) {
      await this.segments.get(id)?.put(storeKey, null);
    } else {
      const segment = await this.segments.getOrCreate(id);
      await segment.put(storeKey, value);
    }
    return true;
  }

  /**
   * Writes many entries with one batch write per segment, ending in the state that writing them one
   * by one with writeAt would leave: an entry is dropped (and counted) when it is older than the
   * retention as of its own place in the sequence. Returns, per entry, whether it was kept (the
   * change-logging layer logs exactly those).
   */
  protected async writeManyAt(entries: readonly TimedEntry[]): Promise<boolean[]> {
    const kept: boolean[] = new Array<boolean>(entries.length);
    let streamTime = this.observedStreamTime;
    for (let i = 0; i < entries.length; i++) {
      const time = entries[i]!.time;
      if (time > streamTime) streamTime = time;
      kept[i] = time >= streamTime - this.retentionMs + 1;
      if (!kept[i]) this.dropped++;
    }
    // entries kept in the sequence but in segments that a later entry expired are gone, as they
    // would be after one-by-one writes
    await this.writePerSegment(streamTime, entries.filter((_e, i) => kept[i]));
    return kept;
  }

  /** Restoration: writes a batch grouped per segment, one batch write per segment. */
  protected async writeBatchAt(entries: readonly TimedEntry[]): Promise<void> {
    let maxTime = Number.NEGATIVE_INFINITY;
    for (const e of entries) maxTime = Math.max(maxTime, e.time);
    await this.writePerSegment(maxTime, entries);
  }

  /** Advances stream time to `streamTime`, then writes the entries still live, one batch per segment. */
  private async writePerSegment(streamTime: number, entries: readonly TimedEntry[]): Promise<void> {
    await this.advanceStreamTime(streamTime);
    const minLive = this.minLiveTime();
    const perSegment = new Map<number, KeyValue<Buffer, Buffer | null>[]>();
    for (const e of entries) {
      if (e.time < minLive) continue;
      const id = this.segments.segmentId(e.time);
      let list = perSegment.get(id);
      if (list === undefined) perSegment.set(id, (list = []));
      list.push({ key: e.key, value: e.value });
    }
    for (const [id, list] of perSegment) {
      const segment = list.some((e) => e.value !== null) ? await this.segments.getOrCreate(id) : this.segments.get(id);
      await segment?.putAll(list);
    }
  }

  protected async readAt(time: number, storeKey: Buffer): Promise<Buffer | undefined> {
    if (time < this.minLiveTime()) return undefined;
    return this.segments.get(this.segments.segmentId(time))?.get(storeKey);
  }

  protected scan<T extends KeyValue<unknown, Buffer>>(scan: SegmentScan<T>): KeyValueIterator<T['key'], Buffer> {
    const fromTime = Math.max(scan.fromTime, this.minLiveTime());
    if (scan.toTime < fromTime) return emptyIterator();
    const ids = this.segments.idsInRange(this.segments.segmentId(fromTime), this.segments.segmentId(scan.toTime), scan.backward);
    // Every segment's iterator is created now, so all of them share the moment of this call.
    const parts = ids.map((id) => {
      const { lower, upper } = scan.bounds(id);
      const segment = this.segments.get(id)!;
      if (lower !== undefined && upper !== undefined && Buffer.compare(lower, upper) > 0) return emptyIterator<Buffer, Buffer>();
      return scan.backward ? segment.reverseRange(lower, upper) : segment.range(lower, upper);
    });
    return mapIterator(concatIterators(parts), (kv) => scan.select(kv));
  }

  /**
   * scan() without a promise, when every segment it reads can answer at once (in-memory ones, and
   * persistent ones while mirrored); undefined otherwise, and the caller scans the asynchronous way.
   */
  protected scanSync<T extends KeyValue<unknown, Buffer>>(scan: SegmentScan<T>): T[] | undefined {
    const fromTime = Math.max(scan.fromTime, this.minLiveTime());
    if (scan.toTime < fromTime) return [];
    const ids = this.segments.idsInRange(this.segments.segmentId(fromTime), this.segments.segmentId(scan.toTime), scan.backward);
    const out: T[] = [];
    for (const id of ids) {
      const segment = this.segments.get(id)!;
      if (!isSyncRangeReadable(segment)) return undefined;
      const { lower, upper } = scan.bounds(id);
      if (lower !== undefined && upper !== undefined && Buffer.compare(lower, upper) > 0) continue;
      const entries = segment.rangeSync(lower, upper, scan.backward);
      if (entries === undefined) return undefined;
      for (const kv of entries) {
        const selected = scan.select(kv);
        if (selected !== undefined) out.push(selected);
      }
    }
    return out;
  }

  private async advanceStreamTime(time: number): Promise<void> {
    if (time <= this.observedStreamTime) return;
    this.observedStreamTime = time;
    const minLive = this.segments.segmentId(Math.max(0, this.minLiveTime()));
    if (minLive > this.minLiveSegment) {
      this.minLiveSegment = minLive;
      await this.segments.dropBefore(minLive);
    }
  }
}
