// Record batches: what Sluice writes is byte for byte what kafkajs writes for the same records, and
// what it reads back drops control batches and — under read_committed — aborted transactions the way
// Kafka's consumer does.
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/kafka/wire/crc32c.js';
import { COMPRESSION_GZIP, decodeBatches, encodeBatch, type BatchRecord } from '../../src/kafka/wire/record-batch.js';

const require = createRequire(import.meta.url);
const { RecordBatch } = require('sluice-kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (a: Record<string, unknown>) => Promise<{ buffer: Buffer }> };
const KafkajsRecord = require('sluice-kafkajs/src/protocol/recordBatch/record/v0/index.js') as (a: Record<string, unknown>) => unknown;

const T0 = 1_795_650_000_000;
const records = (n: number): BatchRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    key: i % 7 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 11 === 0 ? null : Buffer.from(`value ${'x'.repeat(i % 50)} ü`),
    timestamp: T0 + ((i * 37) % 500),
    headers: i % 3 === 0 ? { h: Buffer.from(`h${i}`), multi: [Buffer.from('a'), 'b'] } : {},
  }));

async function kafkajsBatch(rs: BatchRecord[], producerId: bigint, producerEpoch: number, firstSequence: number, transactional: boolean): Promise<Buffer> {
  const first = Math.min(...rs.map((r) => r.timestamp));
  const max = Math.max(...rs.map((r) => r.timestamp));
  const encoded = await RecordBatch({
    records: rs.map((r, i) => KafkajsRecord({ offsetDelta: i, timestampDelta: r.timestamp - first, key: r.key, value: r.value, headers: r.headers })),
    firstTimestamp: first,
    maxTimestamp: max,
    partitionLeaderEpoch: -1,
    lastOffsetDelta: rs.length - 1,
    producerId: producerId.toString(),
    producerEpoch,
    firstSequence,
    transactional,
  });
  return encoded.buffer;
}

/** A control batch (commit or abort marker) of a transactional producer. */
function marker(offset: number, producerId: number, abort: boolean): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(abort ? 0 : 1, 2);
  const batch = encodeBatch([{ key, value: Buffer.alloc(6), timestamp: T0, headers: {} }], { producerId: BigInt(producerId), producerEpoch: 0, baseSequence: -1, transactional: true });
  return rebase(withAttributes(batch, 0x10 | 0x20), offset);
}

function rebase(batch: Buffer, offset: number): Buffer {
  const b = Buffer.from(batch);
  b.writeBigInt64BE(BigInt(offset), 0);
  return b;
}

function withAttributes(batch: Buffer, attributes: number): Buffer {
  const b = Buffer.from(batch);
  b.writeInt16BE(attributes, 21);
  b.writeUInt32BE(crc32c(b.subarray(21)), 17);
  return b;
}

function txnBatch(offset: number, producerId: number, values: string[]): Buffer {
  const rs = values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: T0, headers: {} }));
  return rebase(encodeBatch(rs, { producerId: BigInt(producerId), producerEpoch: 0, baseSequence: 0, transactional: true }), offset);
}

const values = (d: ReturnType<typeof decodeBatches>) => d.records.map((r) => `${r.offset}:${r.value?.toString()}`);

describe('record batch encoding', () => {
  it.each([
    ['idempotent, 40 records with headers', records(40), 4711n, 3, 17, false],
    ['transactional, 64-bit producer id, 2000 records', records(2_000), 9_007_199_254_740_993n, 1, 2_000_000, true],
    ['one record', records(1), -1n, -1, -1, false],
  ] as const)('%s: the same bytes as kafkajs', async (_name, rs, pid, epoch, seq, txn) => {
    const ours = encodeBatch(rs, { producerId: pid, producerEpoch: epoch, baseSequence: seq, transactional: txn });
    expect(ours.equals(await kafkajsBatch([...rs], pid, epoch, seq, txn))).toBe(true);
  });

  it('refuses a timestamp that is not an integer, naming it', () => {
    expect(() => encodeBatch([{ key: null, value: null, timestamp: 1.5, headers: {} }])).toThrow(/timestamp 1.5 is not an integer/);
  });

  it('reads back what it writes: offsets, timestamps, keys, values, repeated headers', () => {
    const rs = records(300);
    const d = decodeBatches('t', 0, rebase(encodeBatch(rs), 1_000), 1_000, null);
    expect(d.nextOffset).toBe(1_300);
    expect(d.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual(rs.map((r, i) => [1_000 + i, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null]));
    expect(d.records[3]!.headers.toArray().map((h) => [h.key, h.value?.toString()])).toEqual([
      ['h', 'h3'],
      ['multi', 'a'],
      ['multi', 'b'],
    ]);
  });

  it('reads gzip batches, offsets beyond 2^32, and skips records below the fetch offset', () => {
    const rs = records(10);
    const plain = rebase(encodeBatch(rs), 2 ** 33);
    const body = plain.subarray(61);
    const zipped = Buffer.concat([plain.subarray(0, 61), gzipSync(body)]);
    zipped.writeInt32BE(61 - 12 + gzipSync(body).length, 8);
    const compressed = withAttributes(zipped, COMPRESSION_GZIP);
    const d = decodeBatches('t', 0, compressed, 2 ** 33 + 4, null);
    expect(d.records.map((r) => r.offset)).toEqual([4, 5, 6, 7, 8, 9].map((i) => 2 ** 33 + i));
    expect(d.nextOffset).toBe(2 ** 33 + 10);
  });

  it('ignores a partial batch at the end of a fetch and resumes at it', () => {
    const a = rebase(encodeBatch(records(5)), 0);
    const b = rebase(encodeBatch(records(5)), 5);
    const d = decodeBatches('t', 0, Buffer.concat([a, b.subarray(0, b.length - 3)]), 0, null);
    expect(d.records).toHaveLength(5);
    expect(d.nextOffset).toBe(5);
  });

  it('refuses snappy, lz4 and zstd batches with what to do', () => {
    const b = withAttributes(rebase(encodeBatch(records(2)), 0), 2);
    expect(() => decodeBatches('orders', 1, b, 0, null)).toThrow(/'orders' use compression.type=gzip or none/);
  });
});

describe('read_committed', () => {
  // offsets: 0-1 pid 7 (aborted), 2-3 pid 8 (committed), 4 abort marker pid 7, 5 commit marker pid 8, 6-7 pid 7 again (committed later)
  const log = Buffer.concat([txnBatch(0, 7, ['a0', 'a1']), txnBatch(2, 8, ['c2', 'c3']), marker(4, 7, true), marker(5, 8, false), txnBatch(6, 7, ['n6', 'n7'])]);

  it('drops the batches of an aborted transaction and every control batch', () => {
    const d = decodeBatches('t', 0, log, 0, [{ producerId: 7, firstOffset: 0 }]);
    expect(values(d)).toEqual(['2:c2', '3:c3', '6:n6', '7:n7']);
    expect(d.nextOffset).toBe(8);
  });

  it('keeps everything but control batches under read_uncommitted', () => {
    expect(values(decodeBatches('t', 0, log, 0, null))).toEqual(['0:a0', '1:a1', '2:c2', '3:c3', '6:n6', '7:n7']);
  });

  it('moves the position past a log of only markers, with no records', () => {
    const d = decodeBatches('t', 0, Buffer.concat([marker(10, 7, false), marker(11, 8, true)]), 10, []);
    expect(d.records).toEqual([]);
    expect(d.nextOffset).toBe(12);
  });
});
