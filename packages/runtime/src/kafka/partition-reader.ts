// Owns reading partitions outside the consumer group (changelog restoration, standby and global
// stores): direct fetches to the partition leader with the runtime's isolation level, decoded by
// wire/record-batch.ts (aborted transactions and control records dropped), and ListOffsets for the
// beginning and end of a partition (its last stable offset under read_committed).
import { TaskCorruptedError } from '@sluice/common';
import type { FetchedBatch, PartitionReader, TopicPartition } from '../ports.js';
import { translate } from './errors.js';
import { listOffsets } from './fetch/offsets.js';
import { KafkaProtocolError } from './wire/errors.js';
import { decodeBatches } from './wire/record-batch.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, READ_COMMITTED, READ_UNCOMMITTED, fetch } from './wire/requests/data.js';
import type { KafkaWire } from './wire/wire.js';

const key = (topic: string, partition: number) => `${topic}:${partition}`;

export function createPartitionReader(wire: KafkaWire, readCommitted: boolean): PartitionReader {
  const offsets = async (partitions: readonly TopicPartition[], timestamp: number) => {
    const out = new Map<string, number>();
    try {
      for (const o of await listOffsets(wire, partitions.map((p) => ({ topic: p.topic, partition: p.partition, timestamp })), readCommitted)) out.set(key(o.topic, o.partition), o.offset);
    } catch (err) {
      throw translate(`reading ${timestamp === EARLIEST_TIMESTAMP ? 'beginning' : 'end'} offsets of ${[...new Set(partitions.map((p) => p.topic))].join(', ')}`, err);
    }
    return out;
  };
  return {
    endOffsets: (partitions) => offsets(partitions, LATEST_TIMESTAMP),
    beginningOffsets: (partitions) => offsets(partitions, EARLIEST_TIMESTAMP),
    async fetch(topic, partition, offset, maxBytes): Promise<FetchedBatch> {
      try {
        await wire.addTopics([topic]);
        const leader = await wire.leader(topic, partition);
        const res = await wire.send(
          leader,
          fetch({ maxWaitMs: 50, minBytes: 1, maxBytes, isolationLevel: readCommitted ? READ_COMMITTED : READ_UNCOMMITTED, partitions: [{ topic, partition, offset, maxBytes }] }),
        );
        const r = res.partitions[0];
        if (!r) return { topic, partition, records: [], nextOffset: offset, highWatermark: offset };
        if (r.errorCode === 1) {
          throw new TaskCorruptedError(`offset ${offset} of ${topic}-${partition} is no longer in the log (compacted or deleted); the store must be restored from the beginning`, {
            cause: new KafkaProtocolError(1, `fetching ${topic}-${partition}`),
          });
        }
        if (r.errorCode !== 0) {
          const err = new KafkaProtocolError(r.errorCode, `fetching ${topic}-${partition} at offset ${offset}`);
          if (err.retriable) await wire.refreshMetadata().catch(() => undefined);
          throw err;
        }
        const decoded = decodeBatches(topic, partition, r.records, offset, readCommitted ? r.abortedTransactions : null);
        return { topic, partition, records: decoded.records, nextOffset: decoded.nextOffset, highWatermark: readCommitted ? r.lastStableOffset : r.highWatermark };
      } catch (err) {
        if (err instanceof TaskCorruptedError) throw err;
        throw translate(`fetching ${topic}-${partition} at offset ${offset}`, err);
      }
    },
  };
}
