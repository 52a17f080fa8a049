// Owns the session bytes store: sessions of every key, segmented by session end so that sessions
// that ended before the retention period are dropped a whole segment at a time. Multi-key results
// come segment by segment, then by key bytes, then by end and start.
import type { ChangelogRecord, KeyValueIterator, SessionBytesStore } from '../../store.js';
import { MAX_TIMESTAMP, clampTime, variableKeyUpperBound } from '../bytes.js';
import { emptyIterator } from '../iterators.js';
import { checkSessionBounds, keyInRange, keyRangeIsEmpty } from './bounds.js';
import { sessionKeys } from './key-schemas.js';
import { SegmentedBytesStore } from './segmented-store.js';

type SessionKey = { key: Buffer; start: number; end: number };

export class SegmentedSessionStore extends SegmentedBytesStore implements SessionBytesStore {
  async put(key: Buffer, start: number, end: number, value: Buffer | null): Promise<void> {
    checkSessionBounds(start, end);
    await this.writeAt(end, sessionKeys.toStoreKey(key, start, end), value);
  }

  async fetchSession(key: Buffer, start: number, end: number): Promise<Buffer | undefined> {
    if (start < 0 || end < start) return undefined;
    return this.readAt(end, sessionKeys.toStoreKey(key, start, end));
  }

  findSessions(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
    backward: boolean,
  ): KeyValueIterator<SessionKey, Buffer> {
    if (keyRangeIsEmpty(keyFrom, keyTo) || latestSessionStartTime < 0) return emptyIterator();
    const earliestEnd = clampTime(earliestSessionEndTime);
    const latestStart = clampTime(latestSessionStartTime);
    const singleKey = keyFrom !== undefined && keyTo !== undefined && keyFrom.equals(keyTo);
    const minLive = Math.max(earliestEnd, this.minLiveTime());
    return this.scan({
      // Sessions that end at or after `earliestEnd` may live in any later segment.
      fromTime: earliestEnd,
      toTime: MAX_TIMESTAMP,
      backward,
      bounds: (id) => {
        const segEnd = this.segments.segmentEnd(id);
        if (singleKey) {
          const lowEnd = Math.max(0, minLive, id * this.segmentIntervalMs);
          return { lower: sessionKeys.toStoreKey(keyFrom, 0, lowEnd), upper: sessionKeys.toStoreKey(keyFrom, latestStart, segEnd) };
        }
        return {
          lower: keyFrom,
          upper: keyTo === undefined ? undefined : variableKeyUpperBound(keyTo, sessionKeys.suffix(segEnd, latestStart)),
        };
      },
      select: (kv) => {
        if (!sessionKeys.isValid(kv.key)) return undefined;
        const end = sessionKeys.end(kv.key);
        const start = sessionKeys.start(kv.key);
        if (end < minLive || start > latestStart) return undefined;
        const key = sessionKeys.key(kv.key);
        return keyInRange(key, keyFrom, keyTo) ? { key: { key, start, end }, value: kv.value } : undefined;
      },
    });
  }

  /** Restores changelog records; their keys are store keys (`<key><end><start>`). */
  async restore(batch: readonly ChangelogRecord[]): Promise<void> {
    const entries = [];
    for (const r of batch) {
      if (!sessionKeys.isValid(r.key)) continue;
      entries.push({ time: sessionKeys.end(r.key), key: r.key, value: r.value });
    }
    await this.writeBatchAt(entries);
  }
}
