// Owns the changelog format of a suppression buffer entry: everything needed to emit it after a
// restart, with the buffer time last (as in Kafka Streams' v3 buffer format, but our own layout):
//   [version u8 = 1]
//   [timestamp i64][offset i64][partition i32][topic: len i32 + utf8]
//   [header count i32] ([key: len i32 + utf8][value: len i32 (-1 = null) + bytes])*
//   [prior value][old value][new value]   each len i32 + bytes; -1 = null, prior -2 = same as old
//   [buffer time i64]
import { ErrorCodes, SerdeError } from '@sluice/common';
import type { Header } from '../../processor/headers.js';

/** Where a buffered record came from; its timestamp and headers go downstream with it. */
export interface BufferRecordContext {
  readonly timestamp: number;
  readonly offset: number;
  readonly partition: number;
  readonly topic: string;
  readonly headers: readonly Header[];
}

/** One buffered update, serialized: the value the key had before buffering, and the latest change. */
export interface BufferValue {
  readonly priorValue: Buffer | null;
  readonly oldValue: Buffer | null;
  readonly newValue: Buffer | null;
  readonly context: BufferRecordContext;
}

const VERSION = 1;
const SAME_AS_OLD = -2;

function same(a: Buffer | null, b: Buffer | null): boolean {
  return a === b || (a !== null && b !== null && a.equals(b));
}

/** Kafka's estimate (BufferValue + ProcessorRecordContext.residentMemorySizeEstimate), plus time and key. */
export function entrySize(key: Buffer, v: BufferValue): number {
  let size = 8 + key.length;
  size += v.priorValue?.length ?? 0;
  size += v.oldValue === null || same(v.priorValue, v.oldValue) ? 0 : v.oldValue.length;
  size += v.newValue?.length ?? 0;
  size += 8 + 8 + v.context.topic.length + 4;
  for (const h of v.context.headers) size += h.key.length + (h.value?.length ?? 0);
  return size;
}

export function encodeEntry(time: number, v: BufferValue): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(1 + 8 + 8 + 4);
  head.writeUInt8(VERSION, 0);
  head.writeBigInt64BE(BigInt(v.context.timestamp), 1);
  head.writeBigInt64BE(BigInt(v.context.offset), 9);
  head.writeInt32BE(v.context.partition, 17);
  parts.push(head, bytes(Buffer.from(v.context.topic, 'utf8')), int32(v.context.headers.length));
  for (const h of v.context.headers) parts.push(bytes(Buffer.from(h.key, 'utf8')), bytes(h.value));
  parts.push(same(v.priorValue, v.oldValue) && v.oldValue !== null ? int32(SAME_AS_OLD) : bytes(v.priorValue), bytes(v.oldValue), bytes(v.newValue));
  const tail = Buffer.allocUnsafe(8);
  tail.writeBigInt64BE(BigInt(time), 0);
  parts.push(tail);
  return Buffer.concat(parts);
}

export function decodeEntry(topic: string, data: Buffer): { time: number; value: BufferValue } {
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > data.length) {
      throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `suppression buffer changelog record on '${topic}' is truncated (${data.length} bytes); it was not written by Sluice's suppress()`);
    }
  };
  const i32 = () => {
    need(4);
    const v = data.readInt32BE(pos);
    pos += 4;
    return v;
  };
  const i64 = () => {
    need(8);
    const v = Number(data.readBigInt64BE(pos));
    pos += 8;
    return v;
  };
  const blob = (len: number): Buffer | null => {
    if (len < 0) return null;
    need(len);
    const v = Buffer.from(data.subarray(pos, pos + len));
    pos += len;
    return v;
  };
  need(1);
  const version = data.readUInt8(pos++);
  if (version !== VERSION) {
    throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `suppression buffer changelog record on '${topic}' has unknown format version ${version}`);
  }
  const timestamp = i64();
  const offset = i64();
  const partition = i32();
  const topicName = blob(i32())?.toString('utf8') ?? '';
  const headerCount = i32();
  const headers: Header[] = [];
  for (let i = 0; i < headerCount; i++) {
    const key = blob(i32())?.toString('utf8') ?? '';
    headers.push({ key, value: blob(i32()) });
  }
  const priorLen = i32();
  const priorRaw = priorLen === SAME_AS_OLD ? undefined : blob(priorLen);
  const oldValue = blob(i32());
  const newValue = blob(i32());
  const time = i64();
  return { time, value: { priorValue: priorRaw === undefined ? oldValue : priorRaw, oldValue, newValue, context: { timestamp, offset, partition, topic: topicName, headers } } };
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}

function bytes(b: Buffer | null): Buffer {
  return b === null ? int32(-1) : Buffer.concat([int32(b.length), b]);
}
