// Owns the change-logging layers of window and session stores: each write that the store below keeps
// is logged with the segment's store key as the changelog key (logging-layer.ts, changelog-format.ts);
// writes the store dropped as expired are not logged.
import type { KeyValue, KeyValueIterator } from '../../store.js';
import { sessionKeys, windowKeys } from '../segmented/key-schemas.js';
import type { SessionBytesLayer, WindowBytesLayer, WindowWrite } from './layer-types.js';
import { ChangeLoggingLayer } from './logging-layer.js';

abstract class SegmentedLoggingLayer<S extends WindowBytesLayer | SessionBytesLayer> extends ChangeLoggingLayer<S> {
  readonly retentionMs: number;

  constructor(inner: S, timestamped: boolean) {
    super(inner, timestamped);
    this.retentionMs = inner.retentionMs;
  }

  get droppedRecords(): number | undefined {
    return this.inner.droppedRecords;
  }

  /** Runs a write and logs it unless the store below counted it as dropped; says whether it was kept. */
  protected async writeAndLog(write: () => Promise<void>, changelogKey: Buffer, value: Buffer | null, timestamp: number | undefined): Promise<boolean> {
    const droppedBefore = this.inner.droppedRecords;
    await write();
    if (droppedBefore !== undefined && this.inner.droppedRecords !== droppedBefore) return false;
    this.log(changelogKey, value, timestamp);
    return true;
  }
}

export class ChangeLoggingWindowStore extends SegmentedLoggingLayer<WindowBytesLayer> implements WindowBytesLayer {
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  /** Used only when the store below does not expose its seqnums (a user-supplied store). */
  private ownSeqnum = 0;

  constructor(inner: WindowBytesLayer, timestamped: boolean) {
    super(inner, timestamped);
    this.windowSizeMs = inner.windowSizeMs;
    this.retainDuplicates = inner.retainDuplicates;
  }

  async put(key: Buffer, value: Buffer | null, windowStartMs: number, timestamp?: number): Promise<void> {
    await this.putOne(key, value, windowStartMs, timestamp);
  }

  /** Batched below when the store there can (no duplicates kept), one by one otherwise; logs the kept writes in order. */
  async putMany(entries: readonly WindowWrite[]): Promise<boolean[]> {
    if (this.retainDuplicates || this.inner.putMany === undefined) {
      const kept: boolean[] = [];
      for (const e of entries) kept.push(await this.putOne(e.key, e.value, e.windowStart, e.timestamp));
      return kept;
    }
    const kept = await this.inner.putMany(entries);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (kept[i]) this.log(windowKeys.toStoreKey(e.key, e.windowStart, 0), e.value, e.timestamp);
    }
    return kept;
  }

  fetch(key: Buffer, windowStartMs: number): Promise<Buffer | undefined> {
    return this.inner.fetch(key, windowStartMs);
  }

  fetchRange(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, timeFrom: number, timeTo: number, backward: boolean): KeyValueIterator<{ key: Buffer; windowStart: number }, Buffer> {
    return this.inner.fetchRange(keyFrom, keyTo, timeFrom, timeTo, backward);
  }

  fetchRangeSync(keyFrom: Buffer | undefined, keyTo: Buffer | undefined, timeFrom: number, timeTo: number, backward: boolean): KeyValue<{ key: Buffer; windowStart: number }, Buffer>[] | undefined {
    return this.inner.fetchRangeSync?.(keyFrom, keyTo, timeFrom, timeTo, backward);
  }

  private putOne(key: Buffer, value: Buffer | null, windowStartMs: number, timestamp: number | undefined): Promise<boolean> {
    if (this.retainDuplicates && value === null) return Promise.resolve(false);
    const seq = this.seqnumOfNextPut();
    return this.writeAndLog(() => this.inner.put(key, value, windowStartMs, timestamp), windowKeys.toStoreKey(key, windowStartMs, seq), value, timestamp);
  }

  private seqnumOfNextPut(): number {
    if (!this.retainDuplicates) return 0;
    const fromStore = (this.inner as { nextSeqnum?: unknown }).nextSeqnum;
    if (typeof fromStore === 'number') return fromStore;
    this.ownSeqnum = (this.ownSeqnum % 0x7fff_ffff) + 1;
    return this.ownSeqnum;
  }
}

export class ChangeLoggingSessionStore extends SegmentedLoggingLayer<SessionBytesLayer> implements SessionBytesLayer {
  async put(key: Buffer, start: number, end: number, value: Buffer | null, timestamp?: number): Promise<void> {
    await this.writeAndLog(() => this.inner.put(key, start, end, value, timestamp), sessionKeys.toStoreKey(key, start, end), value, timestamp);
  }

  fetchSession(key: Buffer, start: number, end: number): Promise<Buffer | undefined> {
    return this.inner.fetchSession(key, start, end);
  }

  findSessions(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): KeyValueIterator<{ key: Buffer; start: number; end: number }, Buffer> {
    return this.inner.findSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, backward);
  }
}
