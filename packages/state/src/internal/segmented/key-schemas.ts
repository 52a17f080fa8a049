// Owns the byte layouts of keys inside segments, as Kafka Streams lays them out:
//   window:  <key><windowStart int64 BE><seqnum int32 BE>   (WindowKeySchema)
//   session: <key><sessionEnd int64 BE><sessionStart int64 BE> (SessionKeySchema)
// The same bytes are the changelog keys of window and session stores.
import { readTimestamp, writeTimestamp } from '../bytes.js';

export const WINDOW_SUFFIX = 12;
export const SESSION_SUFFIX = 16;

export const windowKeys = {
  toStoreKey(key: Buffer, windowStart: number, seqnum: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + WINDOW_SUFFIX);
    key.copy(out, 0);
    writeTimestamp(out, windowStart, key.length);
    out.writeUInt32BE(seqnum >>> 0, key.length + 8);
    return out;
  },
  /** The largest possible store key of `key` at `windowStart` (any seqnum). */
  maxSuffix(windowStart: number): Buffer {
    const out = Buffer.alloc(WINDOW_SUFFIX, 0xff);
    writeTimestamp(out, windowStart, 0);
    return out;
  },
  key(storeKey: Buffer): Buffer {
    return storeKey.subarray(0, storeKey.length - WINDOW_SUFFIX);
  },
  windowStart(storeKey: Buffer): number {
    return readTimestamp(storeKey, storeKey.length - WINDOW_SUFFIX);
  },
  seqnum(storeKey: Buffer): number {
    return storeKey.readUInt32BE(storeKey.length - 4);
  },
  isValid(storeKey: Buffer): boolean {
    return storeKey.length >= WINDOW_SUFFIX;
  },
};

export const sessionKeys = {
  toStoreKey(key: Buffer, start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + SESSION_SUFFIX);
    key.copy(out, 0);
    writeTimestamp(out, end, key.length);
    writeTimestamp(out, start, key.length + 8);
    return out;
  },
  suffix(end: number, start: number): Buffer {
    const out = Buffer.allocUnsafe(SESSION_SUFFIX);
    writeTimestamp(out, end, 0);
    writeTimestamp(out, start, 8);
    return out;
  },
  key(storeKey: Buffer): Buffer {
    return storeKey.subarray(0, storeKey.length - SESSION_SUFFIX);
  },
  end(storeKey: Buffer): number {
    return readTimestamp(storeKey, storeKey.length - SESSION_SUFFIX);
  },
  start(storeKey: Buffer): number {
    return readTimestamp(storeKey, storeKey.length - 8);
  },
  isValid(storeKey: Buffer): boolean {
    return storeKey.length >= SESSION_SUFFIX;
  },
};
