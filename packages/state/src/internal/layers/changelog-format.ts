// Owns the changelog record format of every store kind, used both when logging and when restoring,
// so the two cannot drift apart. Kafka Streams' formats:
//   key-value:  key = serialized key;  value = serialized value
//   window:     key = <key><windowStart int64><seqnum int32> (the segment's store key); value as above
//   session:    key = <key><end int64><start int64>;          value = serialized aggregate
// Timestamped stores keep <timestamp int64><value> locally but log only <value>, carrying the
// timestamp as the changelog record's timestamp; restoration puts the prefix back.
import { readTimestamp, writeTimestamp } from '../bytes.js';

/** The value and timestamp a timestamped store's raw `<timestamp><value>` bytes stand for. */
export function splitTimestamped(raw: Buffer): { value: Buffer; timestamp: number } {
  return { value: raw.subarray(8), timestamp: readTimestamp(raw, 0) };
}

export function joinTimestamped(value: Buffer, timestamp: number): Buffer {
  const out = Buffer.allocUnsafe(value.length + 8);
  writeTimestamp(out, Math.max(0, timestamp), 0);
  value.copy(out, 8);
  return out;
}

/** How a layer turns a stored value into the changelog value + record timestamp. */
export function toChangelog(value: Buffer | null, timestamped: boolean, fallbackTimestamp: number): { value: Buffer | null; timestamp: number } {
  if (value === null || !timestamped) return { value, timestamp: fallbackTimestamp };
  return splitTimestamped(value);
}

/** How restoration turns a changelog value back into the stored value. */
export function fromChangelog(value: Buffer | null, timestamped: boolean, recordTimestamp: number): Buffer | null {
  if (value === null || !timestamped) return value;
  return joinTimestamped(value, recordTimestamp);
}
