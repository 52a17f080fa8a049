// Owns the only places where Sluice reaches into kafkajs' internals (kafkajs 2.2.4 is in maintenance
// mode and pinned). kafkajs has no synchronous "partitions revoked" callback, so we wrap
// ConsumerGroup.joinAndSync: before every (re)join the runtime commits with the still-valid
// generation, after it the runtime restores newly assigned tasks. And we use its Batch class to
// read changelogs without a consumer group. See docs/decisions/0002-kafkajs-rebalance-hooks.md.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface InternalCluster {
  isolationLevel: number;
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
  groupId: string;
  memberId: string | null;
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
/** The raw member assignment of each group member's last SyncGroup (kafkajs decodes it and drops its user data). */
const syncedAssignments = new Map<string, Buffer>();

/** The member's assignment bytes from its last SyncGroup response (taken once). */
export function takeSyncedAssignment(group: InternalConsumerGroup): Buffer | undefined {
  const key = `${group.groupId}\u0000${group.memberId ?? ''}`;
  const raw = syncedAssignments.get(key);
  syncedAssignments.delete(key);
  return raw;
}

/** Wraps ConsumerGroup.prototype.joinAndSync once per process; consumers without hooks are untouched. */
export function installJoinHooks(): void {
  if (installed) return;
  installed = true;
  // keep what SyncGroup returned (read only; the response is passed on unchanged)
  const Broker = require('kafkajs/src/broker/index.js') as { prototype: { syncGroup(args: { groupId: string; memberId: string }): Promise<{ memberAssignment: Buffer }> } };
  const syncGroup = Broker.prototype.syncGroup;
  Broker.prototype.syncGroup = async function (this: unknown, args) {
    const response = await syncGroup.call(this, args);
    if (Buffer.isBuffer(response?.memberAssignment)) syncedAssignments.set(`${args.groupId}\u0000${args.memberId}`, response.memberAssignment);
    return response;
  };
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
