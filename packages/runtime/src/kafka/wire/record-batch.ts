// Owns Kafka's record batch format (magic v2, KIP-98): encoding one partition's records into a
// batch for Produce, and decoding fetched batches into records — control batches dropped, and under
// read_committed the batches of aborted transactions too (Kafka's Fetcher logic: a producer's
// records are aborted from the first offset the broker lists for it up to its abort marker). Gzip
// through node:zlib; other codecs are refused with a clear error.
import { gunzipSync, gzipSync } from 'node:zlib';
import { KafkaClientError } from '@sluice/common';
import { Headers, type RawRecord } from '@sluice/core';
import { crc32c } from './crc32c.js';
import type { AbortedTransaction } from './requests/data.js';

export type HeaderValue = Buffer | string;
export type RecordHeaders = { readonly [key: string]: HeaderValue | readonly HeaderValue[] | undefined };

export interface BatchRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: RecordHeaders;
}

export interface BatchProducer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly transactional: boolean;
}

const NO_PRODUCER: BatchProducer = { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false };

export const COMPRESSION_NONE = 0;
export const COMPRESSION_GZIP = 1;
const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const TIMESTAMP_LOG_APPEND = 0x08;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const HEADER_SIZE = 61;

// ---- varints (zigzag, as in records) ----

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}
function varintSize(n: number): number {
  let z = zigzag(n);
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}
function writeVarint(buf: Buffer, at: number, n: number): number {
  let z = zigzag(n);
  while (z >= 128) {
    buf[at++] = (z % 128) | 128;
    z = Math.floor(z / 128);
  }
  buf[at++] = z;
  return at;
}

// ---- encoding ----

function bytesOf(v: HeaderValue): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
}

const NO_HEADERS: [Buffer, Buffer][] = [];

/** One record's bytes, length-prefixed, as they sit in a batch. */
export function encodeRecord(offsetDelta: number, timestampDelta: number, k: Buffer | null, v: Buffer | null, headers: RecordHeaders): Buffer {
  let hs = NO_HEADERS;
  for (const name in headers) {
    const h = headers[name];
    if (h === undefined) continue;
    if (hs === NO_HEADERS) hs = [];
    const nameBytes = Buffer.from(name, 'utf8');
    if (Array.isArray(h)) for (const one of h as readonly HeaderValue[]) hs.push([nameBytes, bytesOf(one)]);
    else hs.push([nameBytes, bytesOf(h as HeaderValue)]);
  }
  let body = 1 + varintSize(timestampDelta) + varintSize(offsetDelta);
  body += k === null ? 1 : varintSize(k.length) + k.length;
  body += v === null ? 1 : varintSize(v.length) + v.length;
  body += varintSize(hs.length);
  for (const [hk, hv] of hs) body += varintSize(hk.length) + hk.length + varintSize(hv.length) + hv.length;
  const out = Buffer.allocUnsafe(varintSize(body) + body);
  let at = writeVarint(out, 0, body);
  out[at++] = 0; // attributes
  at = writeVarint(out, at, timestampDelta);
  at = writeVarint(out, at, offsetDelta);
  if (k === null) at = writeVarint(out, at, -1);
  else {
    at = writeVarint(out, at, k.length);
    at += k.copy(out, at);
  }
  if (v === null) at = writeVarint(out, at, -1);
  else {
    at = writeVarint(out, at, v.length);
    at += v.copy(out, at);
  }
  at = writeVarint(out, at, hs.length);
  for (const [hk, hv] of hs) {
    at = writeVarint(out, at, hk.length);
    at += hk.copy(out, at);
    at = writeVarint(out, at, hv.length);
    at += hv.copy(out, at);
  }
  return out;
}

/** The size a record will take in a batch (for batch size limits before encoding). */
export function recordSizeEstimate(r: BatchRecord): number {
  let n = 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const name in r.headers) {
    const h = r.headers[name];
    if (h === undefined) continue;
    for (const one of Array.isArray(h) ? (h as readonly HeaderValue[]) : [h as HeaderValue]) n += name.length + 10 + (Buffer.isBuffer(one) ? one.length : Buffer.byteLength(one));
  }
  return n;
}

/** A v2 record batch of `records` (in order), base offset 0. Timestamps must be integers. */
export function encodeBatch(records: readonly BatchRecord[], producer: BatchProducer = NO_PRODUCER, compression = COMPRESSION_NONE): Buffer {
  if (records.length === 0) throw new KafkaClientError('a record batch needs at least one record');
  let first = Infinity;
  let max = -Infinity;
  for (const r of records) {
    const t = r.timestamp;
    if (!Number.isSafeInteger(t)) throw new KafkaClientError(`record timestamp ${String(t)} is not an integer number of milliseconds`);
    if (t < first) first = t;
    if (t > max) max = t;
  }
  const encoded: Buffer[] = new Array<Buffer>(records.length);
  let recordBytes = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const e = encodeRecord(i, r.timestamp - first, r.key, r.value, r.headers);
    encoded[i] = e;
    recordBytes += e.length;
  }
  let body: Buffer | undefined;
  if (compression === COMPRESSION_GZIP) body = gzipSync(Buffer.concat(encoded, recordBytes));
  else if (compression !== COMPRESSION_NONE) throw new KafkaClientError(`compression '${CODEC_NAMES[compression] ?? compression}' is not supported for producing; use 'none' or 'gzip'`);
  const payload = body ? body.length : recordBytes;
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload);
  let at = out.writeBigInt64BE(0n, 0);
  at = out.writeInt32BE(HEADER_SIZE - 12 + payload, at); // batch length: after this field
  at = out.writeInt32BE(-1, at); // partition leader epoch
  at = out.writeInt8(2, at); // magic
  const crcAt = at;
  at += 4;
  at = out.writeInt16BE((producer.transactional ? TRANSACTIONAL : 0) | compression, at);
  at = out.writeInt32BE(records.length - 1, at);
  at = out.writeBigInt64BE(BigInt(first), at);
  at = out.writeBigInt64BE(BigInt(max), at);
  at = out.writeBigInt64BE(producer.producerId, at);
  at = out.writeInt16BE(producer.producerEpoch, at);
  at = out.writeInt32BE(producer.baseSequence, at);
  at = out.writeInt32BE(records.length, at);
  if (body) body.copy(out, at);
  else for (const e of encoded) at += e.copy(out, at);
  out.writeUInt32BE(crc32c(out.subarray(crcAt + 4)), crcAt);
  return out;
}

// ---- decoding ----

let at = 0;

function varint(buf: Buffer): number {
  let result = 0;
  let shift = 0;
  let b: number;
  do {
    b = buf[at++]!;
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b >= 0x80);
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}

function bytes(buf: Buffer): Buffer | null {
  const length = varint(buf);
  if (length < 0) return null;
  const out = buf.subarray(at, at + length);
  at += length;
  return out;
}

export interface DecodedBatches {
  records: RawRecord[];
  /** Offset after the last complete batch (control and aborted batches included); `from` when none. */
  nextOffset: number;
}

/**
 * Decodes the record batches of one fetched partition. `from` is the fetch offset: records below it
 * (a batch may start earlier) are dropped. `aborted` is the broker's list under read_committed
 * (null under read_uncommitted).
 */
export function decodeBatches(topic: string, partition: number, data: Buffer | null, from: number, aborted: readonly AbortedTransaction[] | null): DecodedBatches {
  const records: RawRecord[] = [];
  let nextOffset = from;
  if (!data || data.length === 0) return { records, nextOffset };
  const pending = aborted ? [...aborted].sort((a, b) => a.firstOffset - b.firstOffset) : [];
  const abortedProducers = new Set<number>();
  let pos = 0;
  while (pos + 12 <= data.length) {
    const baseOffset = data.readInt32BE(pos) * 4294967296 + data.readUInt32BE(pos + 4);
    const batchLength = data.readInt32BE(pos + 8);
    const end = pos + 12 + batchLength;
    if (end > data.length) break; // a partial batch at the end of the fetch
    const magic = data.readInt8(pos + 16);
    if (magic !== 2) throw new KafkaClientError(`${topic}-${partition} holds a record batch of message format v${magic} at offset ${baseOffset}; Sluice reads format v2 (Kafka 0.11+) only`);
    const attributes = data.readInt16BE(pos + 21);
    const lastOffset = baseOffset + data.readInt32BE(pos + 23);
    const baseTimestamp = data.readInt32BE(pos + 27) * 4294967296 + data.readUInt32BE(pos + 31);
    const maxTimestamp = data.readInt32BE(pos + 35) * 4294967296 + data.readUInt32BE(pos + 39);
    const producerId = data.readInt32BE(pos + 43) * 4294967296 + data.readUInt32BE(pos + 47);
    const count = data.readInt32BE(pos + 57);
    nextOffset = Math.max(nextOffset, lastOffset + 1);
    const isControl = (attributes & CONTROL) !== 0;
    const isTransactional = (attributes & TRANSACTIONAL) !== 0;
    while (pending.length > 0 && pending[0]!.firstOffset <= lastOffset) abortedProducers.add(pending.shift()!.producerId);
    if (isControl) {
      // an abort marker ends that producer's aborted range (a commit marker for it cannot be in range)
      if (isTransactional) abortedProducers.delete(producerId);
      pos = end;
      continue;
    }
    if (isTransactional && abortedProducers.has(producerId)) {
      pos = end;
      continue;
    }
    let buf = data;
    at = pos + HEADER_SIZE;
    const codec = attributes & 0x07;
    if (codec !== COMPRESSION_NONE) {
      if (codec !== COMPRESSION_GZIP) {
        throw new KafkaClientError(
          `${topic}-${partition} holds records compressed with ${CODEC_NAMES[codec] ?? `codec ${codec}`} at offset ${baseOffset}; Sluice reads uncompressed and gzip batches — have the producers of '${topic}' use compression.type=gzip or none`,
        );
      }
      buf = gunzipSync(data.subarray(pos + HEADER_SIZE, end));
      at = 0;
    }
    const logAppend = (attributes & TIMESTAMP_LOG_APPEND) !== 0;
    for (let i = 0; i < count; i++) {
      varint(buf); // length
      at++; // attributes
      const timestampDelta = varint(buf);
      const offset = baseOffset + varint(buf);
      const key = bytes(buf);
      const value = bytes(buf);
      const headerCount = varint(buf);
      const headers = new Headers();
      for (let h = 0; h < headerCount; h++) {
        const name = bytes(buf);
        headers.add(name === null ? 'null' : name.toString('utf8'), bytes(buf));
      }
      if (offset < from) continue;
      records.push({ topic, partition, offset, timestamp: logAppend ? maxTimestamp : baseTimestamp + timestampDelta, key, value, headers });
    }
    pos = end;
  }
  return { records, nextOffset };
}
