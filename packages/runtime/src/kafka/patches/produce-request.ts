// kafkajs' Produce request v3 (v4-v7 reuse it), encoding each partition's record batch into one
// buffer. kafkajs copies every message with a spread, turns each string timestamp into a number twice
// per message, sorts the timestamps as strings (so its max timestamp is wrong across digit counts),
// and copies the batch through several growable Encoders. Compressed batches still go through
// kafkajs' RecordBatch (the codec is kafkajs'). The bytes are tested against kafkajs' request.
import { createRequire } from 'node:module';
import { encodeRecordBytes, type EncodedBytes, type RecordHeaders } from './record-encoder.js';

const require = createRequire(import.meta.url);

interface KafkajsEncoder extends EncodedBytes {
  writeString(s: string | null): KafkajsEncoder;
  writeInt16(n: number): KafkajsEncoder;
  writeInt32(n: number): KafkajsEncoder;
  writeArray(items: readonly unknown[]): KafkajsEncoder;
  writeEncoder(e: EncodedBytes): KafkajsEncoder;
  size(): number;
}
type Int64 = number | string | bigint | { value: bigint };

const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => KafkajsEncoder;
const apiKey = (require('kafkajs/src/protocol/requests/apiKeys.js') as { Produce: number }).Produce;
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (args: Record<string, unknown>) => Promise<KafkajsEncoder> };
const NO_COMPRESSION = 0;
const TRANSACTIONAL = 16;

export interface ProduceMessage {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  timestamp?: string | number | null;
  headers?: RecordHeaders;
}
interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: ProduceMessage[];
}
export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: Int64;
  producerEpoch?: number;
  compression?: number;
  topicData: { topic: string; partitions: PartitionData[] }[];
}

function int64(v: Int64): bigint {
  if (typeof v === 'bigint') return BigInt.asIntN(64, v);
  if (typeof v === 'object') return BigInt.asIntN(64, v.value);
  return BigInt.asIntN(64, BigInt(typeof v === 'number' ? Math.trunc(v) : v));
}

export function produceRequestV3({ acks, timeout, transactionalId = null, producerId = -1, producerEpoch = 0, compression = NO_COMPRESSION, topicData }: ProduceRequestArgs) {
  return {
    apiKey,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => acks !== 0,
    encode: async (): Promise<KafkajsEncoder> => {
      const topics: KafkajsEncoder[] = [];
      for (const t of topicData) {
        const partitions: EncodedBytes[] = [];
        for (const p of t.partitions) partitions.push(await encodePartition(p, compression, transactionalId !== null && transactionalId !== '', producerId, producerEpoch));
        topics.push(new Encoder().writeString(t.topic).writeArray(partitions));
      }
      return new Encoder().writeString(transactionalId).writeInt16(acks).writeInt32(timeout).writeArray(topics);
    },
  };
}

/** A message without a timestamp gets the time of encoding, as in kafkajs. */
function timestampsOf(messages: readonly ProduceMessage[]): { stamps: Float64Array; first: number; max: number } {
  const now = Date.now();
  const stamps = new Float64Array(messages.length);
  let first = Infinity;
  let max = -Infinity;
  for (let i = 0; i < messages.length; i++) {
    const t = messages[i]!.timestamp;
    const n = t === undefined || t === null || t === '' ? now : Number(t);
    if (!Number.isSafeInteger(n)) throw new Error(`record timestamp ${String(t)} is not an integer number of milliseconds`);
    stamps[i] = n;
    if (n < first) first = n;
    if (n > max) max = n;
  }
  if (messages.length === 0) first = max = now;
  return { stamps, first, max };
}

async function encodePartition(p: PartitionData, compression: number, transactional: boolean, producerId: Int64, producerEpoch: number): Promise<EncodedBytes> {
  const { messages } = p;
  const { stamps, first, max } = timestampsOf(messages);
  const records: Buffer[] = new Array<Buffer>(messages.length);
  let recordBytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const r = encodeRecordBytes(i, stamps[i]! - first, m.key, m.value, m.headers);
    records[i] = r;
    recordBytes += r.length;
  }
  if (compression !== NO_COMPRESSION) {
    const batch = await RecordBatch({
      compression,
      records: records.map((r) => ({ buf: r, buffer: r })),
      firstTimestamp: first,
      maxTimestamp: max,
      producerId,
      producerEpoch,
      firstSequence: p.firstSequence,
      transactional,
      lastOffsetDelta: messages.length - 1,
    });
    return new Encoder().writeInt32(p.partition).writeInt32(batch.size()).writeEncoder(batch);
  }
  // partition, record set size, then the v2 record batch: base offset, batch length, leader epoch,
  // magic, crc (over what follows it), attributes, last offset delta, first and max timestamp,
  // producer id and epoch, base sequence, record count, records
  const crcFrom = 4 + 4 + 8 + 4 + 4 + 1 + 4;
  const bodyLength = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4 + recordBytes;
  const batchLength = 4 + 1 + 4 + bodyLength; // after the batch length field
  const out = Buffer.allocUnsafe(crcFrom + bodyLength);
  let at = out.writeInt32BE(p.partition, 0);
  at = out.writeInt32BE(8 + 4 + batchLength, at);
  at = out.writeBigInt64BE(0n, at);
  at = out.writeInt32BE(batchLength, at);
  at = out.writeInt32BE(0, at); // partition leader epoch
  at = out.writeInt8(2, at); // magic
  const crcAt = at;
  at += 4;
  at = out.writeInt16BE(transactional ? TRANSACTIONAL : 0, at);
  at = out.writeInt32BE(messages.length - 1, at);
  at = out.writeBigInt64BE(BigInt(first), at);
  at = out.writeBigInt64BE(BigInt(max), at);
  at = out.writeBigInt64BE(int64(producerId), at);
  at = out.writeInt16BE(producerEpoch, at);
  at = out.writeInt32BE(p.firstSequence ?? 0, at);
  at = out.writeInt32BE(messages.length, at);
  for (const r of records) at += r.copy(out, at);
  out.writeUInt32BE(crc32C(out.subarray(crcFrom)), crcAt);
  return { buf: out, buffer: out };
}
