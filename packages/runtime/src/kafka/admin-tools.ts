// Owns the kafkajs implementation of AdminTools (../admin-tools.ts). kafkajs' public admin covers
// topics, group descriptions and committed offsets; for what it lacks or does slowly we use its
// cluster object, as a consumer would: ListOffsets with an isolation level, Fetch outside any group
// (read_committed: aborted records and markers filtered by kafkajs' own Batch), OffsetCommit for an
// empty group with generation -1 (what Kafka's AdminClient.alterConsumerGroupOffsets sends; kafkajs'
// admin.setOffsets joins the group instead) and LeaveGroup on behalf of members (--force).
import './kafkajs-patches.js';
import { AssignerProtocol, Kafka, Partitioners, type Admin as KafkaAdmin, type Producer as KafkaProducer } from 'kafkajs';
import { KafkaClientError } from '@sluice/common';
import type { AdminTools, ConsumerRecord, GroupMember, IsolationLevel, OffsetSpec, RecordHeader, ResolvedAdminToolsOptions } from '../admin-tools.js';
import type { TopicPartition } from '../ports.js';
import { translate } from './errors.js';
import { ASSIGNOR_NAME } from './group-consumer.js';
import { newBatch, type InternalMessage, type InternalPartitionData } from './kafkajs-internals.js';
import { kafkaLogCreator } from './log.js';

/** The part of kafkajs' Cluster and Broker (2.2.4, pinned) these tools use. */
interface ToolsBroker {
  listOffsets(args: {
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; timestamp: number }[] }[];
  }): Promise<{ responses: { topic: string; partitions: { partition: number; offset: string }[] }[] }>;
  fetch(args: {
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: InternalPartitionData[] }[] }>;
  offsetCommit(args: { groupId: string; groupGenerationId: number; memberId: string; topics: { topic: string; partitions: { partition: number; offset: string }[] }[] }): Promise<unknown>;
  leaveGroup(args: { groupId: string; memberId: string }): Promise<unknown>;
}
interface ToolsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findLeaderForPartitions(topic: string, partitions: number[]): { [nodeId: string]: number[] };
  findBroker(args: { nodeId: string | number }): Promise<ToolsBroker>;
  findGroupCoordinator(args: { groupId: string }): Promise<ToolsBroker>;
}

const ISOLATION = { read_uncommitted: 0, read_committed: 1 } as const;
const key = (topic: string, partition: number) => `${topic}:${partition}`;

/** kafkajs creates clusters only inside consumer(), producer() and admin(); this is the same factory. */
function createCluster(kafka: Kafka): ToolsCluster {
  const factory = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (factory === undefined) throw new KafkaClientError('this kafkajs version has no cluster factory; Sluice needs kafkajs 2.2.4 exactly');
  const create = (kafka as unknown as { [s: symbol]: (o: object) => ToolsCluster })[factory]!;
  return create({ allowAutoTopicCreation: false, metadataMaxAge: 300_000 });
}

function toHeaders(raw: InternalMessage['headers']): RecordHeader[] {
  const out: RecordHeader[] = [];
  for (const [k, v] of Object.entries(raw ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one === undefined) continue;
      out.push({ key: k, value: one === null ? null : Buffer.isBuffer(one) ? one : Buffer.from(one) });
    }
  }
  return out;
}

function fromHeaders(headers: readonly RecordHeader[] | undefined): { [key: string]: Buffer | Buffer[] } {
  const out: { [key: string]: Buffer | Buffer[] } = {};
  for (const h of headers ?? []) {
    // Sluice's record encoder cannot write a null header value: it becomes empty bytes
    const v = h.value ?? Buffer.alloc(0);
    const seen = out[h.key];
    out[h.key] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  return out;
}

function sluiceMember(protocol: string, m: { memberId: string; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }): GroupMember {
  const assignment: TopicPartition[] = [];
  const decoded = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
  for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) for (const partition of partitions) assignment.push({ topic, partition });
  assignment.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  const member: GroupMember = { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment };
  if (protocol !== ASSIGNOR_NAME || m.memberMetadata.length === 0) return member;
  try {
    const data = JSON.parse(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData?.toString('utf8') ?? '{}') as { processId?: unknown; endpoint?: unknown };
    return {
      ...member,
      ...(typeof data.processId === 'string' ? { processId: data.processId } : {}),
      ...(typeof data.endpoint === 'string' ? { endpoint: data.endpoint } : {}),
    };
  } catch {
    return member; // another version's subscription data: the member is still listed
  }
}

export function createKafkaAdminTools(o: ResolvedAdminToolsOptions): AdminTools {
  const kafka = new Kafka({
    clientId: o.clientId,
    brokers: o.brokers,
    logCreator: kafkaLogCreator(o.logger, o.kafkaLogLevel),
    ...(o.ssl !== undefined ? { ssl: o.ssl } : {}),
    ...(o.sasl !== undefined ? { sasl: o.sasl as never } : {}),
    connectionTimeout: o.connectionTimeoutMs,
    requestTimeout: o.requestTimeoutMs,
    // an operator waits at the terminal: fail within seconds when the cluster cannot be reached
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
  const where = o.brokers.join(',');
  let admin: Promise<KafkaAdmin> | undefined;
  let cluster: Promise<ToolsCluster> | undefined;
  let producer: Promise<KafkaProducer> | undefined;

  const connected = <T extends { connect(): Promise<void> }>(make: () => T, what: string): Promise<T> => {
    const client = make();
    return client.connect().then(
      () => client,
      (err: unknown) => {
        throw translate(`connecting ${what} to Kafka at ${where}`, err);
      },
    );
  };
  const getAdmin = () => (admin ??= connected(() => kafka.admin(), 'an admin client'));
  const getCluster = () => (cluster ??= connected(() => createCluster(kafka), 'a client'));
  const getProducer = () =>
    (producer ??= connected(() => kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner }), 'a producer'));

  /** Metadata for `topics`, failing with the names of those that do not exist. */
  const withMetadata = async (topics: string[]): Promise<ToolsCluster> => {
    const c = await getCluster();
    const existing = new Set(await (await getAdmin()).listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new KafkaClientError(`topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} not found in the cluster at ${where}`);
    await c.addMultipleTargetTopics(topics);
    return c;
  };

  return {
    async listTopics() {
      return (await getAdmin()).listTopics().catch((err: unknown) => {
        throw translate('listing topics', err);
      });
    },

    async partitionsFor(topic) {
      const c = await withMetadata([topic]);
      return c
        .findTopicPartitionMetadata(topic)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b);
    },

    async describeConsumerGroup(groupId) {
      const res = await (await getAdmin()).describeGroups([groupId]).catch((err: unknown) => {
        throw translate(`describing consumer group '${groupId}'`, err);
      });
      const g = res.groups[0];
      if (!g) return { groupId, state: 'Dead', protocolType: '', protocol: '', members: [] };
      return { groupId, state: g.state, protocolType: g.protocolType, protocol: g.protocol, members: g.members.map((m) => sluiceMember(g.protocol, m)) };
    },

    async removeMembersFromConsumerGroup(groupId, memberIds) {
      const coordinator = await (await getCluster()).findGroupCoordinator({ groupId });
      for (const memberId of memberIds) {
        await coordinator.leaveGroup({ groupId, memberId }).catch((err: unknown) => {
          // a member that left by itself meanwhile is what we wanted
          if ((err as { type?: string }).type === 'UNKNOWN_MEMBER_ID') return;
          throw translate(`removing member '${memberId}' from consumer group '${groupId}'`, err);
        });
      }
    },

    async listConsumerGroupOffsets(groupId, topics) {
      const res = await (await getAdmin()).fetchOffsets({ groupId, topics: topics ? [...topics] : [] }).catch((err: unknown) => {
        throw translate(`reading the committed offsets of consumer group '${groupId}'`, err);
      });
      return res
        .flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })))
        .filter((p) => p.offset >= 0)
        .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    },

    async alterConsumerGroupOffsets(groupId, offsets) {
      if (offsets.length === 0) return;
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const x of offsets) {
        if (!Number.isInteger(x.offset) || x.offset < 0) throw new KafkaClientError(`cannot commit offset ${x.offset} for ${x.topic}-${x.partition}: offsets are whole numbers ≥ 0`);
        let l = byTopic.get(x.topic);
        if (!l) byTopic.set(x.topic, (l = []));
        l.push({ partition: x.partition, offset: String(x.offset) });
      }
      const coordinator = await (await getCluster()).findGroupCoordinator({ groupId });
      try {
        await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
      } catch (err) {
        const type = (err as { type?: string }).type;
        if (type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION' || type === 'REBALANCE_IN_PROGRESS') {
          throw translate(`committing offsets for consumer group '${groupId}': the group has active members; stop every instance of the application first`, err);
        }
        throw translate(`committing offsets for consumer group '${groupId}'`, err);
      }
    },

    async listOffsets(partitions, spec: OffsetSpec, isolationLevel: IsolationLevel = 'read_committed') {
      if (partitions.length === 0) return [];
      const timestamp = spec === 'earliest' ? -2 : spec === 'latest' ? -1 : spec.timestamp;
      const topics = [...new Set(partitions.map((p) => p.topic))];
      const c = await withMetadata(topics);
      const perBroker = new Map<string, Map<string, number[]>>();
      for (const topic of topics) {
        const wanted = partitions.filter((p) => p.topic === topic).map((p) => p.partition);
        for (const [nodeId, ps] of Object.entries(c.findLeaderForPartitions(topic, wanted))) {
          let m = perBroker.get(nodeId);
          if (!m) perBroker.set(nodeId, (m = new Map()));
          m.set(topic, ps);
        }
      }
      const found = new Map<string, number>();
      try {
        await Promise.all(
          [...perBroker].map(async ([nodeId, byTopic]) => {
            const broker = await c.findBroker({ nodeId });
            const { responses } = await broker.listOffsets({
              isolationLevel: ISOLATION[isolationLevel],
              topics: [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps.map((partition) => ({ partition, timestamp })) })),
            });
            for (const r of responses) for (const p of r.partitions) found.set(key(r.topic, p.partition), Number(p.offset));
          }),
        );
      } catch (err) {
        throw translate(`listing offsets of ${topics.join(', ')}`, err);
      }
      return partitions.map((p) => {
        const offset = found.get(key(p.topic, p.partition));
        if (offset === undefined) throw new KafkaClientError(`partition ${p.partition} of topic '${p.topic}' does not exist (or has no leader)`);
        return { topic: p.topic, partition: p.partition, offset };
      });
    },

    async deleteTopics(names) {
      if (names.length === 0) return;
      await (await getAdmin()).deleteTopics({ topics: [...names], timeout: 30_000 }).catch((err: unknown) => {
        throw translate(`deleting topic${names.length > 1 ? 's' : ''} ${names.join(', ')}`, err);
      });
    },

    async readPartition(tp, offset, options = {}) {
      const c = await withMetadata([tp.topic]);
      const leader = c.findTopicPartitionMetadata(tp.topic).find((p) => p.partitionId === tp.partition)?.leader;
      if (leader === undefined) throw new KafkaClientError(`partition ${tp.partition} of topic '${tp.topic}' does not exist (or has no leader)`);
      const maxBytes = options.maxBytes ?? 1024 * 1024;
      let data: InternalPartitionData | undefined;
      try {
        const broker = await c.findBroker({ nodeId: leader });
        const { responses } = await broker.fetch({
          maxWaitTime: 100,
          minBytes: 1,
          maxBytes,
          isolationLevel: ISOLATION[options.isolationLevel ?? 'read_committed'],
          topics: [{ topic: tp.topic, partitions: [{ partition: tp.partition, fetchOffset: String(offset), maxBytes }] }],
        });
        data = responses[0]?.partitions[0];
      } catch (err) {
        throw translate(`reading ${tp.topic}-${tp.partition} from offset ${offset}`, err);
      }
      if (!data) return { records: [], nextOffset: offset };
      const batch = newBatch(tp.topic, offset, data);
      const records = batch.messages.map(
        (m): ConsumerRecord => ({ topic: tp.topic, partition: tp.partition, offset: Number(m.offset), timestamp: Number(m.timestamp), key: m.key, value: m.value, headers: toHeaders(m.headers) }),
      );
      return { records, nextOffset: batch.isEmptyIncludingFiltered() ? offset : Number(batch.lastOffset()) + 1 };
    },

    async produce(records) {
      if (records.length === 0) return [];
      const byTopic = new Map<string, { key: Buffer | null; value: Buffer | null; partition?: number; timestamp?: string; headers: { [key: string]: Buffer | Buffer[] } }[]>();
      for (const r of records) {
        let l = byTopic.get(r.topic);
        if (!l) byTopic.set(r.topic, (l = []));
        l.push({
          key: r.key,
          value: r.value,
          ...(r.partition !== undefined ? { partition: r.partition } : {}),
          ...(r.timestamp !== undefined ? { timestamp: String(r.timestamp) } : {}),
          headers: fromHeaders(r.headers),
        });
      }
      const p = await getProducer();
      try {
        const meta = await p.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
        return meta.map((m) => ({ topic: m.topicName, partition: m.partition, baseOffset: Number(m.baseOffset ?? -1) }));
      } catch (err) {
        throw translate(`producing ${records.length} record${records.length === 1 ? '' : 's'} to ${[...byTopic.keys()].join(', ')}`, err);
      }
    },

    async close() {
      const settle = async <T>(p: Promise<T> | undefined, close: (x: T) => Promise<void>) => {
        if (!p) return;
        const x = await p.catch(() => undefined);
        if (x !== undefined) await close(x).catch(() => undefined);
      };
      await Promise.all([settle(producer, (x) => x.disconnect()), settle(admin, (x) => x.disconnect()), settle(cluster, (x) => x.disconnect())]);
      admin = cluster = producer = undefined;
    },
  };
}
