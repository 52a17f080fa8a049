// Owns the implementation of AdminTools (../admin-tools.ts) for operators' commands: topics, group
// descriptions and committed offsets through the admin client of Sluice's private kafkajs copy; and
// through Sluice's own requests what that admin lacks — ListOffsets with an isolation level, Fetch
// outside any group (read_committed: aborted records and markers dropped), OffsetCommit for an empty
// group with generation -1 (what Kafka's AdminClient.alterConsumerGroupOffsets sends) and LeaveGroup
// on behalf of members (--force).
import { Kafka, type Admin as KafkaAdmin } from 'sluice-kafkajs';
import { KafkaClientError, systemClock } from '@sluice/common';
import type { AdminTools, ConsumerRecord, GroupMember, IsolationLevel, OffsetSpec, RecordHeader, ResolvedAdminToolsOptions } from '../admin-tools.js';
import type { TopicPartition } from '../ports.js';
import { translate } from './errors.js';
import { listOffsets } from './fetch/offsets.js';
import { decodeAssignment, decodeSubscription } from './group/consumer-protocol.js';
import { ASSIGNOR_NAME } from './group-consumer.js';
import { kafkaLogCreator, kafkaLogLevel } from './log.js';
import { KafkaProducer } from './produce/producer.js';
import { kafkajsSecurity } from './security.js';
import { resolveSasl } from '../security-config.js';
import { createPartitionReader } from './partition-reader.js';
import { check } from './wire/errors.js';
import { leaveGroup, offsetCommit } from './wire/requests/group.js';
import { COORDINATOR_GROUP, KafkaWire } from './wire/wire.js';

function sluiceMember(protocol: string, m: { memberId: string; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }): GroupMember {
  const assignment: TopicPartition[] = [...decodeAssignment(m.memberAssignment).partitions].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  const member: GroupMember = { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment };
  if (protocol !== ASSIGNOR_NAME || m.memberMetadata.length === 0) return member;
  try {
    const data = JSON.parse(decodeSubscription(m.memberMetadata).userData?.toString('utf8') ?? '{}') as { processId?: unknown; endpoint?: unknown };
    return {
      ...member,
      ...(typeof data.processId === 'string' ? { processId: data.processId } : {}),
      ...(typeof data.endpoint === 'string' ? { endpoint: data.endpoint } : {}),
    };
  } catch {
    return member; // another version's subscription data: the member is still listed
  }
}

function toHeaders(headers: Iterable<{ key: string; value: Buffer | null }>): RecordHeader[] {
  return [...headers].map((h) => ({ key: h.key, value: h.value }));
}

function fromHeaders(headers: readonly RecordHeader[] | undefined): { [key: string]: Buffer | Buffer[] } {
  const out: { [key: string]: Buffer | Buffer[] } = {};
  for (const h of headers ?? []) {
    // the record encoder writes header values as bytes: a null value becomes empty bytes
    const v = h.value ?? Buffer.alloc(0);
    const seen = out[h.key];
    out[h.key] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  return out;
}

export function createKafkaAdminTools(o: ResolvedAdminToolsOptions): AdminTools {
  const logCreator = kafkaLogCreator(o.logger, o.kafkaLogLevel);
  const security = kafkajsSecurity({ ssl: o.ssl, sasl: resolveSasl(o.sasl) });
  const kafka = new Kafka({
    clientId: o.clientId,
    brokers: o.brokers,
    logCreator,
    ...security,
    connectionTimeout: o.connectionTimeoutMs,
    requestTimeout: o.requestTimeoutMs,
    // an operator waits at the terminal: fail within seconds when the cluster cannot be reached
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
  const where = o.brokers.join(',');
  let admin: Promise<KafkaAdmin> | undefined;
  let wire: Promise<KafkaWire> | undefined;
  let producer: Promise<KafkaProducer> | undefined;

  const getAdmin = () =>
    (admin ??= (async () => {
      const a = kafka.admin();
      await a.connect().catch((err: unknown) => {
        throw translate(`connecting an admin client to Kafka at ${where}`, err);
      });
      return a;
    })());
  const getWire = () =>
    (wire ??= (async () => {
      const w = new KafkaWire({
        clientId: o.clientId,
        brokers: o.brokers,
        ...security,
        connectionTimeoutMs: o.connectionTimeoutMs,
        requestTimeoutMs: o.requestTimeoutMs,
        logCreator,
        logLevel: kafkaLogLevel(o.kafkaLogLevel),
      });
      await w.connect().catch((err: unknown) => {
        throw translate(`connecting a client to Kafka at ${where}`, err);
      });
      return w;
    })());
  const getProducer = () =>
    (producer ??= (async () => {
      const p = new KafkaProducer({ wire: await getWire(), transactionTimeoutMs: 60_000, deliveryTimeoutMs: 30_000, requestTimeoutMs: o.requestTimeoutMs, maxBatchBytes: 512 * 1024, clock: systemClock, logger: o.logger });
      await p.init().catch((err: unknown) => {
        throw translate(`starting a producer on Kafka at ${where}`, err);
      });
      return p;
    })());

  /** Metadata for `topics`, failing with the names of those that do not exist. */
  const withMetadata = async (topics: string[]): Promise<KafkaWire> => {
    const existing = new Set(await (await getAdmin()).listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new KafkaClientError(`topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} not found in the cluster at ${where}`);
    const w = await getWire();
    await w.addTopics(topics);
    return w;
  };

  return {
    async listTopics() {
      return (await getAdmin()).listTopics().catch((err: unknown) => {
        throw translate('listing topics', err);
      });
    },

    async partitionsFor(topic) {
      const w = await withMetadata([topic]);
      return (await w.partitions(topic)).map((p) => p.partitionId).sort((a, b) => a - b);
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
      const w = await getWire();
      for (const memberId of memberIds) {
        try {
          const res = await w.send(await w.coordinator(groupId, COORDINATOR_GROUP), leaveGroup({ groupId, memberId, groupInstanceId: null }));
          const code = res.errorCode || res.memberErrors.find((e) => e !== 0) || 0;
          // a member that left by itself meanwhile is what we wanted
          if (code !== 25) check(code, `removing member '${memberId}' from consumer group '${groupId}'`);
        } catch (err) {
          throw translate(`removing member '${memberId}' from consumer group '${groupId}'`, err);
        }
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
      for (const x of offsets) {
        if (!Number.isInteger(x.offset) || x.offset < 0) throw new KafkaClientError(`cannot commit offset ${x.offset} for ${x.topic}-${x.partition}: offsets are whole numbers ≥ 0`);
      }
      const action = `committing offsets for consumer group '${groupId}'`;
      const w = await getWire();
      try {
        const errors = await w.send(await w.coordinator(groupId, COORDINATOR_GROUP), offsetCommit({ groupId, generationId: -1, memberId: '', groupInstanceId: null, offsets: [...offsets] }));
        const failed = errors.find((e) => e.errorCode !== 0);
        if (failed?.errorCode === 25 || failed?.errorCode === 22 || failed?.errorCode === 27) {
          check(failed.errorCode, `${action}: the group has active members; stop every instance of the application first`);
        }
        if (failed) check(failed.errorCode, action, `${failed.topic}-${failed.partition}`);
      } catch (err) {
        throw translate(action, err);
      }
    },

    async listOffsets(partitions, spec: OffsetSpec, isolationLevel: IsolationLevel = 'read_committed') {
      if (partitions.length === 0) return [];
      const timestamp = spec === 'earliest' ? -2 : spec === 'latest' ? -1 : spec.timestamp;
      const topics = [...new Set(partitions.map((p) => p.topic))];
      const w = await withMetadata(topics);
      for (const p of partitions) {
        if (w.leaderIdOf(p.topic, p.partition) === undefined) throw new KafkaClientError(`partition ${p.partition} of topic '${p.topic}' does not exist (or has no leader)`);
      }
      try {
        const listed = await listOffsets(w, partitions.map((p) => ({ topic: p.topic, partition: p.partition, timestamp })), isolationLevel === 'read_committed');
        const found = new Map(listed.map((l) => [`${l.topic}:${l.partition}`, l.offset]));
        return partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: found.get(`${p.topic}:${p.partition}`)! }));
      } catch (err) {
        throw translate(`listing offsets of ${topics.join(', ')}`, err);
      }
    },

    async deleteTopics(names) {
      if (names.length === 0) return;
      await (await getAdmin()).deleteTopics({ topics: [...names], timeout: 30_000 }).catch((err: unknown) => {
        throw translate(`deleting topic${names.length > 1 ? 's' : ''} ${names.join(', ')}`, err);
      });
    },

    async readPartition(tp, offset, options = {}) {
      const w = await withMetadata([tp.topic]);
      if (w.leaderIdOf(tp.topic, tp.partition) === undefined) throw new KafkaClientError(`partition ${tp.partition} of topic '${tp.topic}' does not exist (or has no leader)`);
      const reader = createPartitionReader(w, (options.isolationLevel ?? 'read_committed') === 'read_committed');
      const batch = await reader.fetch(tp.topic, tp.partition, offset, options.maxBytes ?? 1024 * 1024);
      const records = batch.records.map((r): ConsumerRecord => ({ topic: tp.topic, partition: tp.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: toHeaders(r.headers) }));
      return { records, nextOffset: batch.nextOffset };
    },

    async produce(records) {
      if (records.length === 0) return [];
      const p = await getProducer();
      try {
        return await p.send(
          records.map((r) => ({ topic: r.topic, partition: r.partition, key: r.key, value: r.value, timestamp: r.timestamp ?? Date.now(), headers: fromHeaders(r.headers) })),
        );
      } catch (err) {
        throw translate(`producing ${records.length} record${records.length === 1 ? '' : 's'} to ${[...new Set(records.map((r) => r.topic))].join(', ')}`, err);
      }
    },

    async close() {
      const settle = async <T>(p: Promise<T> | undefined, close: (x: T) => Promise<void>) => {
        if (!p) return;
        const x = await p.catch(() => undefined);
        if (x !== undefined) await close(x).catch(() => undefined);
      };
      await settle(producer, (x) => x.close());
      await Promise.all([settle(admin, (x) => x.disconnect()), settle(wire, (x) => x.close())]);
      admin = wire = producer = undefined;
    },
  };
}
