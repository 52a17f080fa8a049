// kafkajs' v0 Record decoder (records of a v2 batch) with number arithmetic: kafkajs parses the
// batch's first offset and first timestamp from strings into BigInt-backed Longs for every record,
// adds the deltas and prints them back, and reads the timestamp delta through Long as well. This
// parses the batch's bases once (numbers while they are safe integers, BigInt past that) and returns
// the same object (tested against kafkajs' decoder).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const LOG_APPEND_TIME = (require('kafkajs/src/protocol/timestampTypes.js') as { LOG_APPEND_TIME: number }).LOG_APPEND_TIME;

interface KafkajsDecoder {
  buffer: Buffer;
  offset: number;
}
export interface RecordBatchContext {
  firstOffset: string;
  firstTimestamp: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
}
type Headers = { [key: string]: Buffer | null | (Buffer | null)[] };

// the bases of the batch the last record came from (records of a batch are decoded one after another)
let lastContext: RecordBatchContext | undefined;
let firstOffset = 0;
let firstTimestamp = 0;
let safeBases = true;

let at = 0;

/** kafkajs' readVarInt: a zigzag varint in 32-bit arithmetic. */
function varint(buf: Buffer): number {
  let result = 0;
  let shift = 0;
  let b: number;
  do {
    b = buf[at++]!;
    result += (b & 0x7f) << shift;
    shift += 7;
  } while (b >= 0x80);
  return (result >>> 1) ^ -(result & 1);
}

/** A zigzag varlong as a number when it is a safe integer, else as a bigint. */
function varlong(buf: Buffer): number | bigint {
  const start = at;
  let result = 0;
  let mul = 1;
  let b: number;
  do {
    b = buf[at++]!;
    result += (b & 0x7f) * mul;
    mul *= 128;
  } while (b >= 0x80);
  if (at - start <= 7) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  let big = 0n;
  for (let i = at - 1; i >= start; i--) big = (big << 7n) | BigInt(buf[i]! & 0x7f);
  return BigInt.asIntN(64, (big >> 1n) ^ -(big & 1n));
}

function bytes(buf: Buffer): Buffer | null {
  const length = varint(buf);
  if (length === -1) return null;
  const out = buf.subarray(at, at + length);
  at += length;
  return out;
}

function plus(base: number, baseText: string, delta: number | bigint): string {
  if (safeBases && typeof delta === 'number') {
    const sum = base + delta;
    if (Number.isSafeInteger(sum)) return String(sum);
  }
  return (BigInt(baseText) + BigInt(delta)).toString();
}

export function decodeRecord(decoder: KafkajsDecoder, batchContext: RecordBatchContext) {
  if (batchContext !== lastContext) {
    lastContext = batchContext;
    firstOffset = Number(batchContext.firstOffset);
    firstTimestamp = Number(batchContext.firstTimestamp);
    safeBases = Number.isSafeInteger(firstOffset) && Number.isSafeInteger(firstTimestamp);
  }
  const buf = decoder.buffer;
  at = decoder.offset;
  const attributes = buf.readInt8(at++);
  const timestampDelta = varlong(buf);
  const timestamp = batchContext.timestampType === LOG_APPEND_TIME && batchContext.maxTimestamp ? batchContext.maxTimestamp : plus(firstTimestamp, batchContext.firstTimestamp, timestampDelta);
  const offset = plus(firstOffset, batchContext.firstOffset, varint(buf));
  const key = bytes(buf);
  const value = bytes(buf);
  const headers: Headers = {};
  const count = varint(buf);
  for (let i = 0; i < count; i++) {
    const name = bytes(buf);
    const key = name === null ? 'null' : name.toString('utf8');
    const v = bytes(buf);
    const seen = headers[key];
    headers[key] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  decoder.offset = at;
  return {
    magicByte: batchContext.magicByte,
    attributes,
    timestamp,
    offset,
    key,
    value,
    headers,
    isControlRecord: batchContext.isControlBatch ?? false,
    batchContext,
  };
}
