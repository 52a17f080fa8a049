// Owns the rules of a versioned key's history, as Kafka Streams' RocksDBVersionedStore applies them:
// where a put goes and what it returns, what a read as of a time finds, and which versions no read
// can reach any more (older than the history retention) and may be dropped.
import type { Version } from './version-list.js';

/** Put return codes (Kafka's VersionedKeyValueStore): the put is the latest version / was not put. */
export const PUT_RETURN_CODE_VALID_TO_UNDEFINED = -1;
export const PUT_RETURN_CODE_NOT_PUT = Number.MIN_SAFE_INTEGER;

export interface Found {
  readonly value: Buffer;
  readonly validFrom: number;
  /** undefined: still valid (the latest version). */
  readonly validTo: number | undefined;
}

/**
 * The versions after putting `value` from `timestamp` on (replacing a version of that exact time),
 * and the put's return code: PUT_RETURN_CODE_VALID_TO_UNDEFINED when it is the latest version,
 * otherwise the time the next version starts.
 */
export function putVersion(versions: readonly Version[], timestamp: number, value: Buffer | null): { versions: Version[]; code: number } {
  const out = versions.filter((v) => v.validFrom !== timestamp);
  let i = out.findIndex((v) => v.validFrom > timestamp);
  if (i < 0) i = out.length;
  out.splice(i, 0, { validFrom: timestamp, value });
  const next = out[i + 1];
  return { versions: out, code: next === undefined ? PUT_RETURN_CODE_VALID_TO_UNDEFINED : next.validFrom };
}

/** The latest version, if it holds a value. */
export function latest(versions: readonly Version[]): Found | undefined {
  const last = versions[versions.length - 1];
  return last?.value ? { value: last.value, validFrom: last.validFrom, validTo: undefined } : undefined;
}

/**
 * The value as of `asOf`. Before `minQueryable` (observed stream time - history retention) only the
 * latest version may answer; the history behind it is not kept that long (Kafka returns null then).
 */
export function asOf(versions: readonly Version[], asOfTime: number, minQueryable: number): Found | undefined {
  if (asOfTime < minQueryable) {
    const l = latest(versions);
    return l !== undefined && l.validFrom <= asOfTime ? l : undefined;
  }
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i]!;
    if (v.validFrom > asOfTime) continue;
    if (v.value === null) return undefined;
    return { value: v.value, validFrom: v.validFrom, validTo: versions[i + 1]?.validFrom };
  }
  return undefined;
}

/** Drops versions no read can reach: those that ended at or before `minQueryable`, and a tombstone-only history that old. */
export function prune(versions: readonly Version[], minQueryable: number): Version[] {
  const out = versions.filter((v, i) => {
    const next = versions[i + 1];
    return next === undefined || next.validFrom > minQueryable;
  });
  if (out.length === 1 && out[0]!.value === null && out[0]!.validFrom < minQueryable) return [];
  return out;
}
