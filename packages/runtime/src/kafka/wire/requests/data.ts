// Owns the data requests as Sluice sends them: Fetch v11 (isolation level, aborted transactions),
// ListOffsets v2 (earliest, latest or by time, with isolation level) and Produce v8 (per-record
// errors). The record batches inside are wire/record-batch.ts's. Field order as in Kafka's
// clients/src/main/resources/common/message/*.json.
import type { Reader, Writer } from '../codec.js';
import type { WireRequest } from '../wire.js';
import { byTopic } from './group.js';

export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

export interface FetchPartitionRequest {
  topic: string;
  partition: number;
  offset: number;
  maxBytes: number;
}
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}
export interface FetchPartitionResponse {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: AbortedTransaction[] | null;
  /** The raw record batches (may end with a partial batch, which the decoder ignores). */
  records: Buffer | null;
}

export function fetch(a: { maxWaitMs: number; minBytes: number; maxBytes: number; isolationLevel: number; partitions: readonly FetchPartitionRequest[] }): WireRequest<{ errorCode: number; partitions: FetchPartitionResponse[] }> {
  return {
    apiKey: 1,
    apiVersion: 11,
    name: 'Fetch',
    flexible: false,
    encode: (w: Writer) => {
      w.int32(-1).int32(a.maxWaitMs).int32(a.minBytes).int32(a.maxBytes).int8(a.isolationLevel);
      w.int32(0).int32(-1); // no fetch session (full fetches)
      w.array(byTopic(a.partitions), (w, [topic, parts]) => {
        w.string(topic);
        w.array(parts, (w, p) => w.int32(p.partition).int32(-1).int64(p.offset).int64(-1).int32(p.maxBytes));
      });
      w.array([], () => undefined); // forgotten topics
      w.string(''); // rack id
    },
    decode: (r: Reader) => {
      r.int32();
      const errorCode = r.int16();
      r.int32(); // session id
      const partitions = r
        .array((r) => {
          const topic = r.string() ?? '';
          return r.array((r): FetchPartitionResponse => {
            const partition = r.int32();
            const errorCode = r.int16();
            const highWatermark = r.int64();
            const lastStableOffset = r.int64();
            const logStartOffset = r.int64();
            const n = r.int32();
            let abortedTransactions: AbortedTransaction[] | null = null;
            if (n >= 0) {
              abortedTransactions = [];
              for (let i = 0; i < n; i++) abortedTransactions.push({ producerId: r.int64(), firstOffset: r.int64() });
            }
            r.int32(); // preferred read replica
            const records = r.bytes();
            return { topic, partition, errorCode, highWatermark, lastStableOffset, logStartOffset, abortedTransactions, records };
          });
        })
        .flat();
      return { errorCode, partitions };
    },
  };
}

export interface ListedOffset {
  topic: string;
  partition: number;
  errorCode: number;
  offset: number;
}

/** `timestamp`: EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, or a time (the first offset at or after it). */
export function listOffsets(a: { isolationLevel: number; partitions: readonly { topic: string; partition: number; timestamp: number }[] }): WireRequest<ListedOffset[]> {
  return {
    apiKey: 2,
    apiVersion: 2,
    name: 'ListOffsets',
    flexible: false,
    encode: (w: Writer) => {
      w.int32(-1).int8(a.isolationLevel);
      w.array(byTopic(a.partitions), (w, [topic, parts]) => {
        w.string(topic);
        w.array(parts, (w, p) => w.int32(p.partition).int64(p.timestamp));
      });
    },
    decode: (r: Reader) => {
      r.int32();
      return r
        .array((r) => {
          const topic = r.string() ?? '';
          return r.array((r) => {
            const partition = r.int32();
            const errorCode = r.int16();
            r.int64(); // timestamp
            return { topic, partition, errorCode, offset: r.int64() };
          });
        })
        .flat();
    },
  };
}

export interface ProducePartitionResponse {
  topic: string;
  partition: number;
  errorCode: number;
  baseOffset: number;
  /** Records the broker refused, by index in the batch, with its message (v8+). */
  recordErrors: { index: number; message: string | null }[];
  errorMessage: string | null;
}

/** `batches`: each partition's encoded record batch (wire/record-batch.ts). */
export function produce(a: { transactionalId: string | null; acks: number; timeoutMs: number; batches: readonly { topic: string; partition: number; batch: Buffer }[] }): WireRequest<ProducePartitionResponse[]> {
  return {
    apiKey: 0,
    apiVersion: 8,
    name: 'Produce',
    flexible: false,
    noResponse: a.acks === 0,
    encode: (w: Writer) => {
      w.string(a.transactionalId).int16(a.acks).int32(a.timeoutMs);
      w.array(byTopic(a.batches), (w, [topic, parts]) => {
        w.string(topic);
        w.array(parts, (w, p) => w.int32(p.partition).bytes(p.batch));
      });
    },
    decode: (r: Reader) => {
      const out = r
        .array((r) => {
          const topic = r.string() ?? '';
          return r.array((r): ProducePartitionResponse => {
            const partition = r.int32();
            const errorCode = r.int16();
            const baseOffset = r.int64();
            r.int64(); // log append time
            r.int64(); // log start offset
            const recordErrors = r.array((r) => ({ index: r.int32(), message: r.string() }));
            const errorMessage = r.string();
            return { topic, partition, errorCode, baseOffset, recordErrors, errorMessage };
          });
        })
        .flat();
      r.int32(); // throttle
      return out;
    },
  };
}
