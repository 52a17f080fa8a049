// Owns the window bytes store: windows of every key, segmented by window start so that expired
// windows are dropped a whole segment at a time. Results of multi-key fetches come segment by
// segment, then by key bytes, then by window start; single-key fetches come in window-start order.
import type { ChangelogRecord, KeyValue, KeyValueIterator, WindowBytesStore } from '../../store.js';
import { checkTimestamp, clampTime, variableKeyUpperBound } from '../bytes.js';
import { drain, emptyIterator } from '../iterators.js';
import { keyInRange, keyRangeIsEmpty } from './bounds.js';
import { windowKeys } from './key-schemas.js';
import { SegmentedBytesStore, type SegmentScan, type SegmentedStoreOptions } from './segmented-store.js';
import type { SegmentKind } from './segments.js';

export interface WindowStoreOptions extends SegmentedStoreOptions {
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
}

type WindowKey = { key: Buffer; windowStart: number };

/** Seqnums cycle through the non-negative int32 range, as in Kafka. */
const MAX_SEQNUM = 0x7fff_ffff;

export class SegmentedWindowStore extends SegmentedBytesStore implements WindowBytesStore {
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  private seqnum = 0;

  constructor(name: string, options: WindowStoreOptions, kind: SegmentKind) {
    super(name, options, kind);
    this.windowSizeMs = options.windowSizeMs;
    this.retainDuplicates = options.retainDuplicates;
  }

  /**
   * The seqnum the next duplicate will get. The change-logging layer reads it to log the same store
   * key (changelog key = store key), so restoration puts duplicates back under their own seqnums.
   */
  get nextSeqnum(): number {
    return this.retainDuplicates ? (this.seqnum % MAX_SEQNUM) + 1 : 0;
  }

  async put(key: Buffer, value: Buffer | null, windowStartMs: number): Promise<void> {
    checkTimestamp('window start', windowStartMs);
    // With duplicates every put is a new entry, so there is nothing a null could delete (Kafka).
    if (this.retainDuplicates && value === null) return;
    const seq = this.nextSeqnum;
    if (this.retainDuplicates) this.seqnum = seq;
    await this.writeAt(windowStartMs, windowKeys.toStoreKey(key, windowStartMs, seq), value);
  }

  /** The writes of `entries` in order, one batch write per segment (not for stores keeping duplicates). */
  async putMany(entries: readonly { key: Buffer; value: Buffer | null; windowStart: number }[]): Promise<boolean[]> {
    if (this.retainDuplicates) throw new Error(`window store ${this.name} keeps duplicates: write them one by one`);
    for (const e of entries) checkTimestamp('window start', e.windowStart);
    return this.writeManyAt(entries.map((e) => ({ time: e.windowStart, key: windowKeys.toStoreKey(e.key, e.windowStart, 0), value: e.value })));
  }

  async fetch(key: Buffer, windowStartMs: number): Promise<Buffer | undefined> {
    if (!this.retainDuplicates) return this.readAt(windowStartMs, windowKeys.toStoreKey(key, windowStartMs, 0));
    // With duplicates: the earliest one retained for this window.
    const first = await drain(this.fetchRange(key, key, windowStartMs, windowStartMs, false));
    return first[0]?.value;
  }

  fetchRange(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    timeFrom: number,
    timeTo: number,
    backward: boolean,
  ): KeyValueIterator<WindowKey, Buffer> {
    if (keyRangeIsEmpty(keyFrom, keyTo)) return emptyIterator();
    return this.scan(this.rangeScan(keyFrom, keyTo, timeFrom, timeTo, backward));
  }

  /** fetchRange() as an array, without a promise, when every segment read can answer at once; else undefined. */
  fetchRangeSync(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, timeFrom: number, timeTo: number, backward: boolean): KeyValue<WindowKey, Buffer>[] | undefined {
    if (keyRangeIsEmpty(keyFrom, keyTo)) return [];
    return this.scanSync(this.rangeScan(keyFrom, keyTo, timeFrom, timeTo, backward));
  }

  private rangeScan(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, timeFrom: number, timeTo: number, backward: boolean): SegmentScan<KeyValue<WindowKey, Buffer>> {
    const from = clampTime(timeFrom);
    const to = clampTime(timeTo);
    const singleKey = keyFrom !== undefined && keyTo !== undefined && keyFrom.equals(keyTo);
    const minLive = Math.max(from, this.minLiveTime());
    return {
      fromTime: from,
      toTime: to,
      backward,
      bounds: (id) => {
        const segFrom = Math.max(minLive, id * this.segmentIntervalMs);
        const segTo = Math.min(to, this.segments.segmentEnd(id));
        if (singleKey) {
          return { lower: windowKeys.toStoreKey(keyFrom, Math.max(0, segFrom), 0), upper: windowKeys.toStoreKey(keyFrom, segTo, 0xffff_ffff) };
        }
        return {
          lower: keyFrom,
          upper: keyTo === undefined ? undefined : variableKeyUpperBound(keyTo, windowKeys.maxSuffix(segTo)),
        };
      },
      select: (kv) => {
        if (!windowKeys.isValid(kv.key)) return undefined;
        const windowStart = windowKeys.windowStart(kv.key);
        if (windowStart < minLive || windowStart > to) return undefined;
        const key = windowKeys.key(kv.key);
        return keyInRange(key, keyFrom, keyTo) ? { key: { key, windowStart }, value: kv.value } : undefined;
      },
    };
  }

  /** Restores changelog records; their keys are store keys (`<key><windowStart><seqnum>`). */
  async restore(batch: readonly ChangelogRecord[]): Promise<void> {
    const entries = [];
    for (const r of batch) {
      if (!windowKeys.isValid(r.key)) continue;
      if (this.retainDuplicates) this.seqnum = Math.max(this.seqnum, windowKeys.seqnum(r.key));
      entries.push({ time: windowKeys.windowStart(r.key), key: r.key, value: r.value });
    }
    await this.writeBatchAt(entries);
  }
}
