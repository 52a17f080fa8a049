// Owns reading partitions outside the consumer group (changelog restoration): direct fetches to the
// partition leader through the group consumer's cluster, with its isolation level, aborted
// transactions and control records filtered as the consumer does.
import { Headers } from '@sluice/core';
import { TaskCorruptedError } from '@sluice/common';
import type { FetchedBatch, PartitionReader, TopicPartition } from '../ports.js';
import { translate } from './errors.js';
import { newBatch, type InternalCluster, type InternalMessage } from './kafkajs-internals.js';

const key = (topic: string, partition: number) => `${topic}:${partition}`;

export function createPartitionReader(cluster: InternalCluster): PartitionReader {
  const known = new Set<string>();
  const ensure = async (topics: string[]) => {
    const missing = topics.filter((t) => !known.has(t));
    if (missing.length === 0) return;
    await cluster.addMultipleTargetTopics(missing);
    for (const t of missing) known.add(t);
  };
  const offsets = async (partitions: readonly TopicPartition[], fromBeginning: boolean) => {
    const out = new Map<string, number>();
    if (partitions.length === 0) return out;
    const topics = [...new Set(partitions.map((p) => p.topic))];
    await ensure(topics);
    const res = await cluster
      .fetchTopicsOffset(topics.map((topic) => ({ topic, fromBeginning, partitions: partitions.filter((p) => p.topic === topic).map((p) => ({ partition: p.partition })) })))
      .catch((err: unknown) => {
        throw translate(`reading ${fromBeginning ? 'beginning' : 'end'} offsets of ${topics.join(', ')}`, err);
      });
    for (const t of res) for (const p of t.partitions) out.set(key(t.topic, p.partition), Number(p.offset));
    return out;
  };
  return {
    endOffsets: (partitions) => offsets(partitions, false),
    beginningOffsets: (partitions) => offsets(partitions, true),
    async fetch(topic, partition, offset, maxBytes): Promise<FetchedBatch> {
      await ensure([topic]);
      const leader = cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition)?.leader;
      if (leader === undefined) throw translate(`reading ${topic}-${partition}`, new Error('no leader known for this partition'));
      const broker = await cluster.findBroker({ nodeId: leader });
      let data;
      try {
        const { responses } = await broker.fetch({
          maxWaitTime: 50,
          minBytes: 1,
          maxBytes,
          isolationLevel: cluster.isolationLevel,
          topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes }] }],
        });
        data = responses[0]?.partitions[0];
      } catch (err) {
        if ((err as { type?: string }).type === 'OFFSET_OUT_OF_RANGE') {
          throw new TaskCorruptedError(`offset ${offset} of ${topic}-${partition} is no longer in the log (compacted or deleted); the store must be restored from the beginning`, { cause: err });
        }
        throw translate(`fetching ${topic}-${partition} at offset ${offset}`, err);
      }
      if (!data) return { topic, partition, records: [], nextOffset: offset, highWatermark: offset };
      const batch = newBatch(topic, offset, data);
      const records = (batch.messages as InternalMessage[]).map((m) => ({
        topic,
        partition,
        offset: Number(m.offset),
        timestamp: Number(m.timestamp),
        key: m.key,
        value: m.value,
        headers: Headers.fromObject(m.headers),
      }));
      const nextOffset = batch.isEmptyIncludingFiltered() ? offset : Number(batch.lastOffset()) + 1;
      return { topic, partition, records, nextOffset, highWatermark: Number(batch.highWatermark) };
    },
  };
}
