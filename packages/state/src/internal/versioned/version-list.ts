// Owns the byte layout of a versioned store inside a key-value bytes store: every key's versions in
// one value, oldest first, each <validFrom int64><1 = value, 0 = tombstone><length int32><bytes>;
// data keys carry a 0x01 prefix so that the 0x00-prefixed meta key (the observed stream time) can
// never collide with them.
import { readTimestamp, writeTimestamp } from '../bytes.js';

export interface Version {
  /** The timestamp from which this version is the value (its validTo is the next version's). */
  readonly validFrom: number;
  /** null = a tombstone: no value from validFrom on. */
  readonly value: Buffer | null;
}

const DATA = 0x01;
export const META_OBSERVED_STREAM_TIME = Buffer.from([0x00, 0x6f]);

export function dataKey(key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(key.length + 1);
  out[0] = DATA;
  key.copy(out, 1);
  return out;
}

export function encodeVersions(versions: readonly Version[]): Buffer {
  let size = 4;
  for (const v of versions) size += 13 + (v.value?.length ?? 0);
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(versions.length, 0);
  let o = 4;
  for (const v of versions) {
    writeTimestamp(out, v.validFrom, o);
    out[o + 8] = v.value === null ? 0 : 1;
    out.writeInt32BE(v.value?.length ?? 0, o + 9);
    v.value?.copy(out, o + 13);
    o += 13 + (v.value?.length ?? 0);
  }
  return out;
}

export function decodeVersions(raw: Buffer | undefined): Version[] {
  if (raw === undefined) return [];
  const count = raw.readInt32BE(0);
  const out: Version[] = [];
  let o = 4;
  for (let i = 0; i < count; i++) {
    const validFrom = readTimestamp(raw, o);
    const present = raw[o + 8] === 1;
    const len = raw.readInt32BE(o + 9);
    out.push({ validFrom, value: present ? Buffer.from(raw.subarray(o + 13, o + 13 + len)) : null });
    o += 13 + len;
  }
  return out;
}

export function encodeTime(ts: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  writeTimestamp(out, Math.max(0, ts), 0);
  return out;
}

export function decodeTime(raw: Buffer | undefined): number {
  return raw === undefined ? -1 : readTimestamp(raw, 0);
}
