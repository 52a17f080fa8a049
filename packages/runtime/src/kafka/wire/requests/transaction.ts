// Owns the idempotence and transaction requests as Sluice sends them: InitProducerId v1,
// AddPartitionsToTxn v1, AddOffsetsToTxn v1, EndTxn v1 and TxnOffsetCommit v3 (flexible; with the
// consumer group's generation and member id, so the group coordinator fences a zombie's offsets:
// KIP-447). Field order as in Kafka's clients/src/main/resources/common/message/*.json.
import type { Reader, Writer } from '../codec.js';
import type { WireRequest } from '../wire.js';
import { byTopic, type PartitionError } from './group.js';

export interface ProducerIdAndEpoch {
  producerId: bigint;
  producerEpoch: number;
}

export function initProducerId(a: { transactionalId: string | null; transactionTimeoutMs: number }): WireRequest<{ errorCode: number } & ProducerIdAndEpoch> {
  return {
    apiKey: 22,
    apiVersion: 1,
    name: 'InitProducerId',
    flexible: false,
    encode: (w: Writer) => {
      w.string(a.transactionalId).int32(a.transactionTimeoutMs);
    },
    decode: (r: Reader) => {
      r.int32();
      const errorCode = r.int16();
      return { errorCode, producerId: r.bigint64(), producerEpoch: r.int16() };
    },
  };
}

export function addPartitionsToTxn(a: { transactionalId: string; producer: ProducerIdAndEpoch; partitions: { topic: string; partition: number }[] }): WireRequest<PartitionError[]> {
  return {
    apiKey: 24,
    apiVersion: 1,
    name: 'AddPartitionsToTxn',
    flexible: false,
    encode: (w: Writer) => {
      w.string(a.transactionalId).int64(a.producer.producerId).int16(a.producer.producerEpoch);
      w.array(byTopic(a.partitions), (w, [topic, parts]) => {
        w.string(topic);
        w.array(parts, (w, p) => w.int32(p.partition));
      });
    },
    decode: (r: Reader) => {
      r.int32();
      return r
        .array((r) => {
          const topic = r.string() ?? '';
          return r.array((r) => ({ topic, partition: r.int32(), errorCode: r.int16() }));
        })
        .flat();
    },
  };
}

export function addOffsetsToTxn(a: { transactionalId: string; producer: ProducerIdAndEpoch; groupId: string }): WireRequest<{ errorCode: number }> {
  return {
    apiKey: 25,
    apiVersion: 1,
    name: 'AddOffsetsToTxn',
    flexible: false,
    encode: (w: Writer) => {
      w.string(a.transactionalId).int64(a.producer.producerId).int16(a.producer.producerEpoch).string(a.groupId);
    },
    decode: (r: Reader) => {
      r.int32();
      return { errorCode: r.int16() };
    },
  };
}

export function endTxn(a: { transactionalId: string; producer: ProducerIdAndEpoch; commit: boolean }): WireRequest<{ errorCode: number }> {
  return {
    apiKey: 26,
    apiVersion: 1,
    name: 'EndTxn',
    flexible: false,
    encode: (w: Writer) => {
      w.string(a.transactionalId).int64(a.producer.producerId).int16(a.producer.producerEpoch).bool(a.commit);
    },
    decode: (r: Reader) => {
      r.int32();
      return { errorCode: r.int16() };
    },
  };
}

/** The consumer group's view that fences offsets of a zombie (KIP-447); -1 / '' when not known. */
export interface GroupMetadata {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export function txnOffsetCommit(a: {
  transactionalId: string;
  groupId: string;
  producer: ProducerIdAndEpoch;
  group: GroupMetadata;
  offsets: { topic: string; partition: number; offset: number }[];
}): WireRequest<PartitionError[]> {
  return {
    apiKey: 28,
    apiVersion: 3,
    name: 'TxnOffsetCommit',
    flexible: true,
    encode: (w: Writer) => {
      w.compactString(a.transactionalId).compactString(a.groupId).int64(a.producer.producerId).int16(a.producer.producerEpoch);
      w.int32(a.group.generationId).compactString(a.group.memberId).compactString(a.group.groupInstanceId);
      w.compactArray(byTopic(a.offsets), (w, [topic, parts]) => {
        w.compactString(topic);
        w.compactArray(parts, (w, p) => w.int32(p.partition).int64(p.offset).int32(-1).compactString(null).tags());
        w.tags();
      });
      w.tags();
    },
    decode: (r: Reader) => {
      r.int32();
      const out = r
        .compactArray((r) => {
          const topic = r.compactString() ?? '';
          const parts = r.compactArray((r) => {
            const partition = r.int32();
            const errorCode = r.int16();
            r.tags();
            return { topic, partition, errorCode };
          });
          r.tags();
          return parts;
        })
        .flat();
      r.tags();
      return out;
    },
  };
}
