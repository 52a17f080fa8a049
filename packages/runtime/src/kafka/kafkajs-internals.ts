// Owns the only places where Sluice reaches into kafkajs' internals (kafkajs 2.2.4 is in maintenance
// mode and pinned). kafkajs has no synchronous "partitions revoked" callback, so we wrap
// ConsumerGroup.joinAndSync: before every (re)join the runtime commits with the still-valid
// generation, after it the runtime restores newly assigned tasks. And we use its Batch class to
// read changelogs without a consumer group. See docs/decisions/0002-kafkajs-rebalance-hooks.md.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface InternalCluster {
  isolationLevel: number;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(args: { nodeId: string | number }): Promise<InternalBroker>;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

export interface InternalBroker {
  fetch(args: {
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: InternalPartitionData[] }[] }>;
}

export interface InternalPartitionData {
  partition: number;
  highWatermark: string;
  messages: unknown[];
  abortedTransactions: unknown[];
}

export interface InternalMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: { [key: string]: Buffer | string | (Buffer | string)[] | undefined };
}

export interface InternalBatch {
  messages: InternalMessage[];
  highWatermark: string;
  lastOffset(): string;
  isEmptyIncludingFiltered(): boolean;
}

export interface InternalConsumerGroup {
  cluster: InternalCluster;
  assigners: unknown[];
  generationId: number | null;
  assigned(): { topic: string; partitions: number[] }[];
  heartbeat(args: { interval: number }): Promise<void>;
  pause(tps: { topic: string; partitions: number[] }[]): void;
  resume(tps: { topic: string; partitions: number[] }[]): void;
  joinAndSync(): Promise<void>;
}

/** What the wrapped joinAndSync calls, found through the consumer group's assigner object. */
export interface JoinHooks {
  beforeJoin(group: InternalConsumerGroup): Promise<void>;
  afterJoin(group: InternalConsumerGroup): Promise<void>;
}

export const JOIN_HOOKS = Symbol.for('sluice.kafkajs.joinHooks');

const BatchClass = require('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, partitionData: InternalPartitionData) => InternalBatch;

export function newBatch(topic: string, fetchedOffset: number, data: InternalPartitionData): InternalBatch {
  return new BatchClass(topic, String(fetchedOffset), data);
}

export function isRebalancing(err: unknown): boolean {
  const e = err as { type?: string; originalError?: { type?: string } } | undefined;
  const type = e?.type ?? e?.originalError?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION';
}

let installed = false;

/** Wraps ConsumerGroup.prototype.joinAndSync once per process; consumers without hooks are untouched. */
export function installJoinHooks(): void {
  if (installed) return;
  installed = true;
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: InternalConsumerGroup };
  const original = ConsumerGroup.prototype.joinAndSync;
  ConsumerGroup.prototype.joinAndSync = async function (this: InternalConsumerGroup): Promise<void> {
    const hooks = (this.assigners as { [JOIN_HOOKS]?: JoinHooks }[]).find((a) => a[JOIN_HOOKS])?.[JOIN_HOOKS];
    if (!hooks) return original.call(this);
    await hooks.beforeJoin(this);
    await original.call(this);
    await hooks.afterJoin(this);
  };
}

/**
 * A kafkajs Cluster of its own, outside any consumer group (global stores read every partition of
 * their topics without one), made by the Kafka instance's private factory: kafkajs 2.2.4 offers no
 * public consumer without a group.
 */
export function createCluster(kafka: object, options: { readCommitted: boolean }): InternalCluster {
  const factory = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = factory === undefined ? undefined : (kafka as { [k: symbol]: unknown })[factory];
  if (typeof create !== 'function') throw new Error('this kafkajs version has no private cluster factory (kafkajs 2.2.4 is required)');
  return (create as (o: object) => InternalCluster)({ allowAutoTopicCreation: false, isolationLevel: options.readCommitted ? 1 : 0, metadataMaxAge: 300_000 });
}
