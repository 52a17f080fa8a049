// Owns the kafkajs group consumer behind the GroupConsumer port: the Sluice assignor (tasks, not
// partitions, are what get balanced), the rebalance hooks, and turning fetched batches into
// RawRecords. Offsets are never auto-committed: the runtime commits what it has processed.
import './kafkajs-patches.js';
import { AssignerProtocol, type Consumer, type Kafka, type PartitionAssigner } from 'kafkajs';
import { Headers } from '@sluice/core';
import type { BatchControl, GroupConsumerSettings, FetchedBatch, GroupConsumer, GroupControl, GroupHandlers, MemberInfo, PartitionReader, TopicPartition } from '../ports.js';
import { translate } from './errors.js';
import { JOIN_HOOKS, installJoinHooks, isRebalancing, takeSyncedAssignment, type InternalConsumerGroup, type JoinHooks } from './kafkajs-internals.js';
import { createPartitionReader } from './partition-reader.js';

export const ASSIGNOR_NAME = 'sluice-streams';
const ASSIGNOR_VERSION = 1;

interface SubscriptionUserData {
  processId: string;
  endpoint?: string;
  previousTasks: string[];
}

interface AssignmentUserData {
  taskOwners: [string, { processId: string; endpoint?: string }][];
  /** Every member (interactive-query metadata lists workers without tasks too). */
  clients?: { processId: string; endpoint?: string }[];
}

/** The task owners and members the leader sent with this member's assignment. */
function receivedAssignment(raw: Buffer | undefined): { owners: Map<string, { processId: string; endpoint: string | undefined }>; clients: { processId: string; endpoint: string | undefined }[] } | undefined {
  const userData = raw ? AssignerProtocol.MemberAssignment.decode(raw)?.userData : undefined;
  if (!userData?.length) return undefined;
  const data = JSON.parse(userData.toString('utf8')) as AssignmentUserData;
  return {
    owners: new Map(data.taskOwners.map(([task, o]) => [task, { processId: o.processId, endpoint: o.endpoint }])),
    clients: (data.clients ?? []).map((c) => ({ processId: c.processId, endpoint: c.endpoint })),
  };
}

function toTopicPartitions(assigned: { topic: string; partitions: number[] }[]): TopicPartition[] {
  return assigned.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));
}

function grouped(tps: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const m = new Map<string, number[]>();
  for (const tp of tps) {
    let l = m.get(tp.topic);
    if (!l) m.set(tp.topic, (l = []));
    l.push(tp.partition);
  }
  return [...m].map(([topic, partitions]) => ({ topic, partitions }));
}

export function createGroupConsumer(kafka: Kafka, o: GroupConsumerSettings): GroupConsumer {
  installJoinHooks();
  let handlers: GroupHandlers | undefined;
  let rebalanceSeen: unknown;
  let lastReader: PartitionReader | undefined;

  /** A heartbeat that reports a rebalance as `false` (remembering it) instead of throwing. */
  const guarded =
    (heartbeat: () => Promise<void>) =>
    async (): Promise<boolean> => {
      try {
        await heartbeat();
        return true;
      } catch (err) {
        if (isRebalancing(err)) {
          rebalanceSeen = err;
          return false;
        }
        throw err;
      }
    };

  const controlFor = (group: InternalConsumerGroup, heartbeat: () => Promise<void>): GroupControl => ({
    heartbeat: guarded(heartbeat),
    reader: createPartitionReader(group.cluster),
    pause: (tps) => group.pause(grouped(tps)),
    resume: (tps) => group.resume(grouped(tps)),
    generationId: () => group.generationId ?? -1,
  });

  const hooks: JoinHooks = {
    async beforeJoin() {
      if (handlers) await handlers.onRevoking();
    },
    async afterJoin(group) {
      rebalanceSeen = undefined;
      lastReader ??= createPartitionReader(group.cluster);
      const received = receivedAssignment(takeSyncedAssignment(group));
      if (received) o.assignor.onAssignment(received.owners, received.clients);
      if (!handlers) return;
      const assignment = toTopicPartitions(group.assigned());
      // fetching may have been paused for restoring tasks of an earlier generation
      if (assignment.length > 0) group.resume(grouped(assignment));
      await handlers.onAssigned(assignment, controlFor(group, () => group.heartbeat({ interval: o.heartbeatIntervalMs })));
    },
  };

  const assigner: PartitionAssigner = ({ cluster }) => {
    const a = {
      name: ASSIGNOR_NAME,
      version: ASSIGNOR_VERSION,
      async assign({ members, topics }: { members: { memberId: string; memberMetadata: Buffer }[]; topics: string[] }) {
        const infos: MemberInfo[] = members.map((m) => {
          const md = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
          const data = md?.userData?.length ? (JSON.parse(md.userData.toString('utf8')) as SubscriptionUserData) : { processId: m.memberId, previousTasks: [] };
          return { memberId: m.memberId, processId: data.processId, endpoint: data.endpoint, previousTasks: data.previousTasks ?? [] };
        });
        await cluster.refreshMetadata();
        const counts = new Map<string, number>();
        for (const t of topics) {
          try {
            counts.set(t, cluster.findTopicPartitionMetadata(t).length);
          } catch {
            // unknown topic: the assignor gets undefined and leaves its tasks out
          }
        }
        const result = o.assignor.assign(infos, (t: string) => counts.get(t));
        const userData = Buffer.from(
          JSON.stringify({
            taskOwners: [...result.taskOwners].map(([task, owner]) => [task, owner.endpoint === undefined ? { processId: owner.processId } : owner]),
            clients: infos.map((m) => (m.endpoint === undefined ? { processId: m.processId } : { processId: m.processId, endpoint: m.endpoint })),
          } satisfies AssignmentUserData),
        );
        return members.map((m) => ({
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: ASSIGNOR_VERSION,
            assignment: Object.fromEntries(grouped(result.memberPartitions.get(m.memberId) ?? []).map((g) => [g.topic, g.partitions])),
            userData,
          }),
        }));
      },
      protocol({ topics }: { topics: string[] }) {
        const info = o.assignor.memberInfo();
        const userData: SubscriptionUserData = { processId: info.processId, previousTasks: [...info.previousTasks], ...(info.endpoint ? { endpoint: info.endpoint } : {}) };
        return {
          name: ASSIGNOR_NAME,
          metadata: AssignerProtocol.MemberMetadata.encode({ version: ASSIGNOR_VERSION, topics, userData: Buffer.from(JSON.stringify(userData)) }),
        };
      },
      [JOIN_HOOKS]: hooks,
    };
    return a;
  };

  const consumer: Consumer = kafka.consumer({
    groupId: o.groupId,
    partitionAssigners: [assigner],
    sessionTimeout: o.sessionTimeoutMs,
    heartbeatInterval: o.heartbeatIntervalMs,
    rebalanceTimeout: o.rebalanceTimeoutMs,
    maxWaitTimeInMs: o.maxWaitTimeMs,
    readUncommitted: !o.readCommitted,
    allowAutoTopicCreation: false,
    retry: { retries: 10 },
    maxBytes: o.fetchMaxBytes,
    maxBytesPerPartition: o.maxPartitionFetchBytes,
  });

  let crashed = false;
  consumer.on(consumer.events.CRASH, (e) => {
    if (crashed) return;
    const error = e.payload.error;
    if (e.payload.restart) return;
    crashed = true;
    handlers?.onCrash(translate('the Kafka consumer stopped', error));
  });

  return {
    async subscribe(topics) {
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      } catch (err) {
        throw translate(`subscribing to ${topics.map(String).join(', ')}`, err);
      }
    },
    async run(h) {
      handlers = h;
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          const records = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(m.offset),
            timestamp: Number(m.timestamp),
            key: m.key,
            value: m.value,
            headers: Headers.fromObject(m.headers),
          }));
          const fetched: FetchedBatch = {
            topic: batch.topic,
            partition: batch.partition,
            records,
            nextOffset: Number(batch.lastOffset()) + 1,
            highWatermark: Number(batch.highWatermark),
          };
          const control: BatchControl = { heartbeat: guarded(heartbeat) };
          await h.onBatch(fetched, control);
          resolveOffset(batch.lastOffset());
          // a rebalance seen while processing: let kafkajs rejoin now (our beforeJoin commits first)
          if (rebalanceSeen) {
            const err = rebalanceSeen;
            rebalanceSeen = undefined;
            throw err;
          }
        },
      });
    },
    async commitOffsets(offsets) {
      try {
        await consumer.commitOffsets(offsets.map((x) => ({ topic: x.topic, partition: x.partition, offset: String(x.offset) })));
      } catch (err) {
        throw translate(`committing offsets of group '${o.groupId}'`, err);
      }
    },
    pause(tps) {
      if (tps.length > 0) consumer.pause(grouped(tps));
    },
    resume(tps) {
      if (tps.length > 0) consumer.resume(grouped(tps));
    },
    seek(tp, offset) {
      consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) });
    },
    reader: () => lastReader,
    async close() {
      await consumer.disconnect();
    },
  };
}
