// Owns the bounds checks that window and session stores share with their caching layers, so both
// accept the same writes and match the same entries: the start and end a session write may have, and
// which keys a query's key range holds (inclusive, either end open, in unsigned byte order).
import { checkTimestamp } from '../bytes.js';

/** Throws a RangeError unless a session with these times can be stored. */
export function checkSessionBounds(start: number, end: number): void {
  checkTimestamp('session start', start);
  checkTimestamp('session end', end);
  if (end < start) throw new RangeError(`session end (${end}) must not be before its start (${start})`);
}

/** True when no key can be in [keyFrom, keyTo]: both ends given and keyFrom after keyTo. */
export function keyRangeIsEmpty(keyFrom: Buffer | undefined, keyTo: Buffer | undefined): boolean {
  return keyFrom !== undefined && keyTo !== undefined && Buffer.compare(keyFrom, keyTo) > 0;
}

export function keyInRange(key: Buffer, keyFrom: Buffer | undefined, keyTo: Buffer | undefined): boolean {
  return (keyFrom === undefined || Buffer.compare(key, keyFrom) >= 0) && (keyTo === undefined || Buffer.compare(key, keyTo) <= 0);
}
