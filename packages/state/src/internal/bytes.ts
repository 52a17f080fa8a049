// Owns the byte-level helpers every bytes store shares: key ordering, the latin1 "sort string" trick,
// and big-endian timestamp/sequence encoding used by the window and session key layouts.

/**
 * A string whose JavaScript ordering equals the unsigned lexicographic ordering of the bytes: each
 * byte becomes one UTF-16 code unit in 0..255, and JS compares strings by code unit. Used as map
 * keys and B-tree keys, where it compares much faster than Buffer.compare (a native call).
 */
export function sortKey(bytes: Buffer): string {
  return bytes.toString('latin1');
}

/** Timestamps in stores are non-negative and safe integers; this is the "unbounded" upper limit. */
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

const TWO_POW_32 = 0x1_0000_0000;

/** Writes a non-negative safe integer as a big-endian int64 (Kafka's long layout) without BigInt. */
export function writeTimestamp(buf: Buffer, ts: number, offset: number): void {
  buf.writeUInt32BE(Math.floor(ts / TWO_POW_32), offset);
  buf.writeUInt32BE(ts % TWO_POW_32 >>> 0, offset + 4);
}

export function readTimestamp(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_POW_32 + buf.readUInt32BE(offset + 4);
}

export function timestampBytes(ts: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeTimestamp(b, ts, 0);
  return b;
}

/** Throws a RangeError unless `ts` can be stored: stores keep non-negative millisecond timestamps. */
export function checkTimestamp(what: string, ts: number): void {
  if (!Number.isSafeInteger(ts) || ts < 0) {
    throw new RangeError(`${what} must be a non-negative integer number of milliseconds, got ${ts}`);
  }
}

/** Clamps a query bound into the storable range, so callers may pass -Infinity/Infinity-like values. */
export function clampTime(ts: number): number {
  if (Number.isNaN(ts)) return 0;
  return Math.min(Math.max(Math.trunc(ts), 0), MAX_TIMESTAMP);
}

/**
 * The smallest byte string greater than every key that starts with `prefix`, or undefined when no
 * such bound exists (the prefix is empty or all 0xff).
 */
export function prefixUpperBound(prefix: Buffer): Buffer | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i]!;
    if (byte !== 0xff) {
      const out = Buffer.from(prefix.subarray(0, i + 1));
      out[i] = byte + 1;
      return out;
    }
  }
  return undefined;
}

/**
 * The largest store key `<k><suffix>` over every k with k <= keyTo, for layouts that append a
 * fixed-size suffix to variable-length keys. A key that is a proper prefix of `keyTo` can sort after
 * `<keyTo><suffix>` (e.g. Long keys start with 0x00 bytes), so each prefix of `keyTo` is a candidate.
 * Using this as a scan's upper bound never misses an entry; entries past the true range are filtered.
 */
export function variableKeyUpperBound(keyTo: Buffer, maxSuffix: Buffer): Buffer {
  let best = Buffer.concat([keyTo, maxSuffix]);
  for (let len = keyTo.length - 1; len >= 0; len--) {
    // <keyTo[0..len)><suffix> is below <keyTo><suffix> when the suffix loses at byte `len`.
    if (maxSuffix[0]! < keyTo[len]!) continue;
    const candidate = Buffer.concat([keyTo.subarray(0, len), maxSuffix]);
    if (Buffer.compare(candidate, best) > 0) best = candidate;
  }
  return best;
}
