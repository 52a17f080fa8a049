// Owns the KafkaClient port as Sluice implements it: its own producers (wire/, produce/) and group
// consumer (group-consumer.ts) on connections of a private kafkajs copy (`sluice-kafkajs`, never the
// application's own `kafkajs`: nothing in it is patched, and import order does not matter), and the
// kafkajs admin client of that copy for topic administration. See docs/decisions/0005.
import { Kafka, type Admin as KafkaAdmin } from 'sluice-kafkajs';
import { systemClock, type Clock, type Logger, type LogLevel } from '@sluice/common';
import type { Admin, GroupConsumer, KafkaClient, NewTopic, ProduceRecord, Producer, TopicDescription, TopicPartitionOffset, TransactionalProducer } from '../ports.js';
import { translate, type ErrorContext } from './errors.js';
import { createGroupConsumer } from './group-consumer.js';
import { kafkaLogCreator, kafkaLogLevel } from './log.js';
import { createPartitionReader } from './partition-reader.js';
import { KafkaProducer } from './produce/producer.js';
import { kafkajsSecurity, securityContext, type SecurityOptions } from './security.js';
import { KafkaWire } from './wire/wire.js';

/** Every client Sluice creates is built from these; `ssl` and `sasl` must reach them all. */
export interface KafkaClientOptions extends SecurityOptions {
  clientId: string;
  brokers: readonly string[];
  logger: Logger;
  kafkaLogLevel: LogLevel;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How long a send, a commit or an offset lookup keeps retrying (Kafka Streams' task.timeout.ms). */
  taskTimeoutMs?: number;
  clock?: Clock;
}

/** Largest record batch per partition and Produce request, before compression (below the brokers' 1 MiB default). */
const MAX_BATCH_BYTES = 512 * 1024;

export function createKafkaClient(o: KafkaClientOptions): KafkaClient {
  const clock = o.clock ?? systemClock;
  const security = kafkajsSecurity(o);
  const errorContext = securityContext(o.brokers, o);
  const ctx = (more: Omit<ErrorContext, 'security'> = {}): ErrorContext => ({ security: errorContext, ...more });
  const requestTimeoutMs = o.requestTimeoutMs ?? 30_000;
  const taskTimeoutMs = o.taskTimeoutMs ?? 300_000;
  const wire = (role: string) =>
    new KafkaWire({
      clientId: `${o.clientId}-${role}`,
      brokers: o.brokers,
      ...security,
      connectionTimeoutMs: o.connectionTimeoutMs ?? 3_000,
      requestTimeoutMs,
      logCreator: kafkaLogCreator(o.logger, o.kafkaLogLevel),
      logLevel: kafkaLogLevel(o.kafkaLogLevel),
    });
  // producers share one set of connections; the group consumer has its own (a JoinGroup may block
  // its connection for a whole rebalance, and fetches long-poll)
  let producerWire: KafkaWire | undefined;
  let producerUsers = 0;
  const acquireProducerWire = async (): Promise<KafkaWire> => {
    producerUsers++;
    if (!producerWire) {
      producerWire = wire('producer');
      try {
        await producerWire.connect();
      } catch (err) {
        producerUsers--;
        const w = producerWire;
        producerWire = undefined;
        await w.close();
        throw translate(`connecting to Kafka at ${o.brokers.join(',')}`, err, ctx());
      }
    }
    return producerWire;
  };
  const releaseProducerWire = async (): Promise<void> => {
    producerUsers--;
    if (producerUsers === 0 && producerWire) {
      const w = producerWire;
      producerWire = undefined;
      await w.close();
    }
  };
  const newProducer = async (transactionalId: string | undefined, transactionTimeoutMs: number): Promise<KafkaProducer> => {
    const w = await acquireProducerWire();
    const p = new KafkaProducer({
      wire: w,
      ...(transactionalId !== undefined ? { transactionalId } : {}),
      transactionTimeoutMs,
      deliveryTimeoutMs: taskTimeoutMs,
      requestTimeoutMs,
      maxBatchBytes: MAX_BATCH_BYTES,
      clock,
      logger: o.logger,
    });
    try {
      await p.init();
    } catch (err) {
      await releaseProducerWire();
      throw translate(transactionalId ? `initializing the transactional producer '${transactionalId}'` : 'initializing the idempotent producer', err, ctx(transactionalId ? { transactionalId } : {}));
    }
    return p;
  };

  return {
    async admin() {
      const kafka = new Kafka({
        clientId: `${o.clientId}-admin`,
        brokers: [...o.brokers],
        logCreator: kafkaLogCreator(o.logger, o.kafkaLogLevel),
        ...security,
        connectionTimeout: o.connectionTimeoutMs ?? 3_000,
        requestTimeout: requestTimeoutMs,
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        // a request, so that refused credentials or a listener that wants SASL/TLS show here
        await admin.describeCluster();
      } catch (err) {
        await admin.disconnect().catch(() => undefined);
        throw translate(`connecting to Kafka at ${o.brokers.join(',')}`, err, ctx());
      }
      return adminPort(admin, ctx);
    },
    async producer() {
      const p = await newProducer(undefined, 60_000);
      return producerPort(p, ctx(), async () => {
        await p.close();
        await releaseProducerWire();
      });
    },
    async transactionalProducer(transactionalId, transactionTimeoutMs) {
      const p = await newProducer(transactionalId, transactionTimeoutMs);
      return transactionalPort(p, transactionalId, ctx({ transactionalId }), async () => {
        await p.close();
        await releaseProducerWire();
      });
    },
    groupConsumer(options): GroupConsumer {
      return createGroupConsumer(options, { groupWire: wire('group'), dataWire: wire('consumer'), requestTimeoutMs, taskTimeoutMs, clock, logger: o.logger, errorContext: ctx({ groupId: options.groupId }) });
    },
    async partitionReader({ readCommitted }) {
      // connections of its own: its fetches long-poll while the group consumer and producers work
      const w = wire('global');
      try {
        await w.connect();
      } catch (err) {
        await w.close();
        throw translate(`connecting a partition reader to ${o.brokers.join(',')}`, err);
      }
      return { ...createPartitionReader(w, readCommitted), close: () => w.close() };
    },
  };
}

/**
 * Runs sends one after another: a changelog or repartition topic must receive records in the order
 * they were written, and a producer's sequence numbers advance one send at a time.
 */
function sequential<A, R>(fn: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (arg) => {
    const result = tail.then(() => fn(arg));
    tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };
}

function producerPort(p: KafkaProducer, ctx: ErrorContext, close: () => Promise<void>): Producer {
  return {
    send: sequential(async (records: readonly ProduceRecord[]) => {
      try {
        return await p.send(records);
      } catch (err) {
        throw translate(`producing ${records.length} records`, err, { ...ctx, topics: [...new Set(records.map((r) => r.topic))], topicOperation: 'WRITE' });
      }
    }),
    partitionCount: (topic) => p.partitionCount(topic),
    close,
  };
}

function transactionalPort(p: KafkaProducer, transactionalId: string, ctx: ErrorContext, close: () => Promise<void>): TransactionalProducer {
  // a transaction begins on first use (send, sendOffsets) or explicitly
  const ensure = () => {
    if (!p.inTransaction()) p.beginTransaction();
  };
  return {
    async beginTransaction() {
      ensure();
    },
    inTransaction: () => p.inTransaction(),
    send: sequential(async (records: readonly ProduceRecord[]) => {
      if (records.length === 0) return [];
      ensure();
      try {
        return await p.send(records);
      } catch (err) {
        throw translate(`producing ${records.length} records in transaction '${transactionalId}'`, err, { ...ctx, topics: [...new Set(records.map((r) => r.topic))], topicOperation: 'WRITE' });
      }
    }),
    async sendOffsets(groupId, offsets, group) {
      ensure();
      try {
        await p.sendOffsets(groupId, offsets, group);
      } catch (err) {
        throw translate(`adding consumer offsets to transaction '${transactionalId}'`, err, { ...ctx, groupId });
      }
    },
    async commitTransaction() {
      try {
        await p.commitTransaction();
      } catch (err) {
        throw translate(`committing transaction '${transactionalId}'`, err, ctx);
      }
    },
    async abortTransaction() {
      try {
        await p.abortTransaction();
      } catch (err) {
        throw translate(`aborting transaction '${transactionalId}'`, err, ctx);
      }
    },
    partitionCount: (topic) => p.partitionCount(topic),
    close,
  };
}

function adminPort(a: KafkaAdmin, ctx: (more?: ErrorContext) => ErrorContext): Admin {
  /** Topics whose metadata kafkajs' admin has loaded (deleteTopicRecords needs their leaders). */
  const adminKnows = new Set<string>();
  return {
    async listTopics() {
      return a.listTopics();
    },
    async describeTopics(names, configNames) {
      const existing = new Set(await a.listTopics());
      const present = names.filter((n) => existing.has(n));
      if (present.length === 0) return [];
      const md = await a.fetchTopicMetadata({ topics: present });
      const configs = new Map<string, { [key: string]: string }>();
      if (configNames.length > 0) {
        const res = await a.describeConfigs({ includeSynonyms: false, resources: present.map((name) => ({ type: 2, name, configNames: [...configNames] })) });
        for (const r of res.resources) {
          const c: { [key: string]: string } = {};
          for (const e of r.configEntries) c[e.configName] = e.configValue;
          configs.set(r.resourceName, c);
        }
      }
      return md.topics.map((t): TopicDescription => ({ name: t.name, partitions: t.partitions.length, config: configs.get(t.name) ?? {} }));
    },
    async createTopics(topics: readonly NewTopic[]) {
      if (topics.length === 0) return;
      try {
        await a.createTopics({
          waitForLeaders: true,
          topics: topics.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            replicationFactor: t.replicationFactor,
            configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
          })),
        });
      } catch (err) {
        const exists = (err as { errors?: { type?: string }[]; type?: string }).errors?.every((e) => e.type === 'TOPIC_ALREADY_EXISTS');
        if (!exists) throw translate(`creating topics ${topics.map((t) => t.name).join(', ')}`, err, ctx({ topics: topics.map((t) => t.name), topicOperation: 'CREATE' }));
      }
    },
    async missingTopics(names, operation, action) {
      const missing: string[] = [];
      const hidden: string[] = [];
      let refusal: unknown;
      for (const topic of names) {
        try {
          await a.fetchTopicMetadata({ topics: [topic] });
        } catch (err) {
          const type = (err as { type?: string }).type;
          if (type === 'UNKNOWN_TOPIC_OR_PARTITION') missing.push(topic);
          else if (type === 'TOPIC_AUTHORIZATION_FAILED') {
            hidden.push(topic);
            refusal = err;
          } else throw translate(action, err, ctx({ topics: [topic] }));
        }
      }
      if (hidden.length > 0) throw translate(action, refusal, ctx({ topics: hidden, topicOperation: operation }));
      return missing;
    },
    async deleteRecords(topic, partitions) {
      if (partitions.length === 0) return;
      // kafkajs' admin finds the partitions' leaders only in topics its metadata holds already
      if (!adminKnows.has(topic)) {
        await a.fetchTopicMetadata({ topics: [topic] }).catch((err: unknown) => {
          throw translate(`reading the metadata of topic '${topic}'`, err, ctx({ topics: [topic] }));
        });
        adminKnows.add(topic);
      }
      await a.deleteTopicRecords({ topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: String(p.offset) })) }).catch((err: unknown) => {
        throw translate(`deleting records of topic '${topic}'${partitionErrors(err)}`, err, ctx({ topics: [topic], topicOperation: 'DELETE' as never }));
      });
    },
    async deleteTopics(names) {
      if (names.length > 0) await a.deleteTopics({ topics: [...names], timeout: 30_000 });
    },
    async topicOffsets(topic) {
      const res = await a.fetchTopicOffsets(topic).catch((err: unknown) => {
        throw translate(`reading the offsets of topic '${topic}'`, err, ctx({ topics: [topic] }));
      });
      return res.map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }));
    },
    async clusterInfo() {
      const cluster = await a.describeCluster();
      const first = cluster.brokers[0];
      let rf: number | undefined;
      let minIsr: number | undefined;
      if (first) {
        const res = await a
          .describeConfigs({
            includeSynonyms: false,
            resources: [{ type: 4, name: String(first.nodeId), configNames: ['transaction.state.log.replication.factor', 'transaction.state.log.min.isr'] }],
          })
          .catch(() => undefined);
        for (const e of res?.resources[0]?.configEntries ?? []) {
          if (e.configName === 'transaction.state.log.replication.factor') rf = Number(e.configValue);
          if (e.configName === 'transaction.state.log.min.isr') minIsr = Number(e.configValue);
        }
      }
      return { brokers: cluster.brokers.length, transactionStateLogReplicationFactor: rf, transactionStateLogMinIsr: minIsr };
    },
    async committedOffsets(groupId, topics): Promise<TopicPartitionOffset[]> {
      const res = await a.fetchOffsets({ groupId, topics: [...topics] });
      return res.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })));
    },
    async close() {
      await a.disconnect();
    },
  };
}

/** What each partition of a failed deleteRecords answered (kafkajs reports them apart from its message). */
function partitionErrors(err: unknown): string {
  const parts = (err as { partitions?: { partition?: number; offset?: string; error?: { type?: string; message?: string } | null }[] }).partitions;
  if (!Array.isArray(parts)) return '';
  const failed = parts.filter((p) => p.error != null).map((p) => `partition ${p.partition} below ${p.offset}: ${p.error?.type ?? p.error?.message ?? 'failed'}`);
  return failed.length > 0 ? ` (${failed.join('; ')})` : '';
}
