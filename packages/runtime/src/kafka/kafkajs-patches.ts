// Owns fixes to kafkajs 2.2.4 (pinned, in maintenance mode) that must be in place before kafkajs is
// first loaded, so every module importing 'kafkajs' in the adapter imports this file first.
//
// 1. groupMessagesPerPartition copies the partition's array for every message ([...current, message]):
//    quadratic in the batch size, and the top item of a word-count profile. This is the same
//    grouping in linear time; it keeps message order within a partition.
// 2. The v0 Record encoder builds a growable Encoder per record and does its varints with a Long
//    library: the next item of that profile. This writes the same bytes into one exact-size buffer
//    (tested byte for byte against kafkajs' encoder).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface GroupArgs {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;
}

function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: GroupArgs): { [partition: number]: unknown[] } {
  const result: { [partition: number]: unknown[] } = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

// ---- 2. record encoding ----

type HeaderValue = Buffer | string;
interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: { [key: string]: HeaderValue | HeaderValue[] | undefined };
}

/** Zigzag for any safe integer (kafkajs' 32- and 64-bit variants agree on that range). */
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
function bytesOf(v: Buffer | string): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
}

/** kafkajs' Record v0 with the same output: an object Encoder-like enough for RecordBatch. */
export function encodeRecord({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }: RecordArgs): { buf: Buffer; buffer: Buffer } {
  const k = key == null ? null : bytesOf(key);
  const v = value == null ? null : bytesOf(value);
  const hs: [Buffer, Buffer][] = [];
  for (const name of Object.keys(headers)) {
    const h = headers[name];
    if (h === undefined) continue;
    for (const one of Array.isArray(h) ? h : [h]) hs.push([Buffer.from(name, 'utf8'), bytesOf(one)]);
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
  return { buf: out, buffer: out };
}

const recordPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const ORIGINAL = Symbol.for('sluice.kafkajs.recordEncoder');
const holder = globalThis as { [ORIGINAL]?: (args: RecordArgs) => { buffer: Buffer } };
// this module may be evaluated more than once in a process (test isolation): keep the first original
holder[ORIGINAL] ??= require(recordPath) as (args: RecordArgs) => { buffer: Buffer };
/** kafkajs' own encoder, kept for the byte-for-byte test. */
export const kafkajsRecordEncoder = holder[ORIGINAL];
// the produce requests require it lazily (on first use), so this applies even if kafkajs was loaded
const recordModule = require.cache[recordPath];
if (recordModule) recordModule.exports = encodeRecord;

// ---- 1. grouping ----

const path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
/** False when kafkajs' producer was loaded before this module: the quadratic grouping stays then. */
export const kafkajsPatched = require.cache[require.resolve('kafkajs/src/producer/sendMessages.js')] === undefined;
if (kafkajsPatched) {
  // load it, then replace what sendMessages.js will receive when it requires it
  require(path);
  const cached = require.cache[path];
  if (cached) cached.exports = groupMessagesPerPartition;
}
