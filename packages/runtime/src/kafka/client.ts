// Owns the kafkajs implementation of the KafkaClient port: one kafkajs instance per KafkaStreams
// app, an admin client, plain (idempotent) and transactional producers, and the group consumer.
import { kafkajsPatched } from './kafkajs-patches.js';
import { Kafka, Partitioners, type Admin as KafkaAdmin, type Producer as KafkaProducer, type Transaction } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Logger, LogLevel } from '@sluice/common';
import type {
  Admin,
  GroupConsumer,
  KafkaClient,
  NewTopic,
  ProduceAck,
  ProduceRecord,
  Producer,
  TopicDescription,
  TopicPartitionOffset,
  TransactionalProducer,
} from '../ports.js';
import { translate } from './errors.js';
import { createGroupConsumer } from './group-consumer.js';
import { createCluster } from './kafkajs-internals.js';
import { createPartitionReader } from './partition-reader.js';
import { kafkaLogCreator } from './log.js';

export interface KafkaClientOptions {
  clientId: string;
  brokers: readonly string[];
  logger: Logger;
  kafkaLogLevel: LogLevel;
  ssl?: boolean | ConnectionOptions;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

let warnedUnpatched = false;

export function createKafkaClient(o: KafkaClientOptions): KafkaClient {
  if (!kafkajsPatched && !warnedUnpatched) {
    warnedUnpatched = true;
    o.logger.warn("kafkajs was loaded before sluice, so its producer keeps a quadratic message grouping; import 'sluice' before 'kafkajs' for full throughput");
  }
  const kafka = new Kafka({
    clientId: o.clientId,
    brokers: [...o.brokers],
    logCreator: kafkaLogCreator(o.logger, o.kafkaLogLevel),
    ...(o.ssl !== undefined ? { ssl: o.ssl } : {}),
    ...(o.sasl !== undefined ? { sasl: o.sasl as never } : {}),
    connectionTimeout: o.connectionTimeoutMs ?? 3_000,
    requestTimeout: o.requestTimeoutMs ?? 30_000,
  });
  let sharedAdmin: KafkaAdmin | undefined;
  const metadataAdmin = async (): Promise<KafkaAdmin> => {
    if (!sharedAdmin) {
      sharedAdmin = kafka.admin();
      await sharedAdmin.connect();
    }
    return sharedAdmin;
  };
  const partitionCounts = new Map<string, number>();
  const partitionCount = async (topic: string): Promise<number> => {
    const known = partitionCounts.get(topic);
    if (known !== undefined) return known;
    const md = await (await metadataAdmin()).fetchTopicMetadata({ topics: [topic] }).catch((err: unknown) => {
      throw translate(`reading the partition count of topic '${topic}'`, err);
    });
    const n = md.topics[0]?.partitions.length ?? 0;
    if (n > 0) partitionCounts.set(topic, n);
    return n;
  };

  return {
    async admin() {
      const admin = kafka.admin();
      await admin.connect().catch((err: unknown) => {
        throw translate(`connecting to Kafka at ${o.brokers.join(',')}`, err);
      });
      return adminPort(admin);
    },
    async producer({ idempotent }) {
      const p = kafka.producer({
        idempotent,
        maxInFlightRequests: idempotent ? 1 : 5,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await p.connect().catch((err: unknown) => {
        throw translate(`connecting a producer to ${o.brokers.join(',')}`, err);
      });
      return producerPort(p, partitionCount, async () => {
        await p.disconnect();
        await sharedAdmin?.disconnect().catch(() => undefined);
        sharedAdmin = undefined;
      });
    },
    async transactionalProducer(transactionalId, transactionTimeoutMs) {
      const p = kafka.producer({
        transactionalId,
        transactionTimeout: transactionTimeoutMs,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        // CONCURRENT_TRANSACTIONS right after a commit clears within milliseconds: retry quickly
        retry: { initialRetryTime: 20, maxRetryTime: 1_000 },
      });
      await p.connect().catch((err: unknown) => {
        throw translate(`connecting the transactional producer '${transactionalId}'`, err);
      });
      return transactionalPort(p, transactionalId, partitionCount);
    },
    groupConsumer(options): GroupConsumer {
      return createGroupConsumer(kafka, options);
    },
    async partitionReader({ readCommitted }) {
      const cluster = createCluster(kafka, { readCommitted });
      await cluster.connect().catch((err: unknown) => {
        throw translate(`connecting a partition reader to ${o.brokers.join(',')}`, err);
      });
      return { ...createPartitionReader(cluster), close: () => cluster.disconnect() };
    },
  };
}

function toMessages(records: readonly ProduceRecord[]) {
  const byTopic = new Map<string, { key: Buffer | null; value: Buffer | null; partition: number | undefined; timestamp: string; headers: { [key: string]: Buffer | Buffer[] } }[]>();
  for (const r of records) {
    let list = byTopic.get(r.topic);
    if (!list) byTopic.set(r.topic, (list = []));
    // one object shape for every message (partition undefined when the partitioner picks it); the
    // timestamp stays a number: our produce request (kafkajs-patches.ts) takes either
    list.push({ key: r.key, value: r.value, partition: r.partition, timestamp: r.timestamp as unknown as string, headers: r.headers });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function toAcks(meta: { topicName: string; partition: number; baseOffset?: string }[]): ProduceAck[] {
  return meta.map((m) => ({ topic: m.topicName, partition: m.partition, baseOffset: Number(m.baseOffset ?? -1) }));
}

/**
 * Runs sends one after another. kafkajs does not keep the order of concurrent sendBatch calls (each
 * takes its own path to the broker's request queue), and a changelog or repartition topic must
 * receive records in the order they were written.
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

function producerPort(p: KafkaProducer, partitionCount: (t: string) => Promise<number>, close: () => Promise<void>): Producer {
  return {
    send: sequential(async (records: readonly ProduceRecord[]) => {
      if (records.length === 0) return [];
      try {
        return toAcks(await p.sendBatch({ topicMessages: toMessages(records), acks: -1 }));
      } catch (err) {
        throw translate(`producing ${records.length} records`, err);
      }
    }),
    partitionCount,
    close,
  };
}

function transactionalPort(p: KafkaProducer, transactionalId: string, partitionCount: (t: string) => Promise<number>): TransactionalProducer {
  let tx: Transaction | undefined;
  let beginning: Promise<Transaction> | undefined;
  // a transaction begins on first use (send, sendOffsets) or explicitly; concurrent first uses share it
  const ensure = (): Promise<Transaction> => {
    if (tx) return Promise.resolve(tx);
    beginning ??= p.transaction().then(
      (t) => {
        tx = t;
        beginning = undefined;
        return t;
      },
      (err: unknown) => {
        beginning = undefined;
        if ((err as { type?: string }).type === 'INVALID_TRANSACTION_TIMEOUT') {
          throw translate(`starting transactions on '${transactionalId}': transactionTimeoutMs is larger than the brokers' transaction.max.timeout.ms; lower transactionTimeoutMs or raise that broker setting`, err);
        }
        throw translate(`beginning a transaction on '${transactionalId}'`, err);
      },
    );
    return beginning;
  };
  return {
    async beginTransaction() {
      await ensure();
    },
    inTransaction: () => tx !== undefined,
    send: sequential(async (records: readonly ProduceRecord[]) => {
      if (records.length === 0) return [];
      const t = await ensure();
      try {
        return toAcks(await t.sendBatch({ topicMessages: toMessages(records), acks: -1 }));
      } catch (err) {
        throw translate(`producing ${records.length} records in transaction '${transactionalId}'`, err);
      }
    }),
    async sendOffsets(groupId, offsets) {
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const o of offsets) {
        let l = byTopic.get(o.topic);
        if (!l) byTopic.set(o.topic, (l = []));
        l.push({ partition: o.partition, offset: String(o.offset) });
      }
      const t = await ensure();
      // right after a commit the coordinator may still write its markers: kafkajs retries that for
      // produce requests but not for AddOffsetsToTxn, so retry here, briefly
      for (let attempt = 0; ; attempt++) {
        try {
          await t.sendOffsets({ consumerGroupId: groupId, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
          return;
        } catch (err) {
          if ((err as { type?: string }).type !== 'CONCURRENT_TRANSACTIONS' || attempt >= 10) {
            throw translate(`adding consumer offsets to transaction '${transactionalId}'`, err);
          }
          await new Promise((r) => setTimeout(r, Math.min(500, 10 * 2 ** attempt)));
        }
      }
    },
    async commitTransaction() {
      const t = tx;
      tx = undefined;
      if (!t) return;
      try {
        await t.commit();
      } catch (err) {
        throw translate(`committing transaction '${transactionalId}'`, err);
      }
    },
    async abortTransaction() {
      const t = tx;
      tx = undefined;
      if (!t) return;
      try {
        await t.abort();
      } catch (err) {
        throw translate(`aborting transaction '${transactionalId}'`, err);
      }
    },
    partitionCount,
    async close() {
      if (tx) await tx.abort().catch(() => undefined);
      tx = undefined;
      await p.disconnect();
    },
  };
}

function adminPort(a: KafkaAdmin): Admin {
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
        if (!exists) throw translate(`creating topics ${topics.map((t) => t.name).join(', ')}`, err);
      }
    },
    async deleteTopics(names) {
      if (names.length > 0) await a.deleteTopics({ topics: [...names], timeout: 30_000 });
    },
    async topicOffsets(topic) {
      const res = await a.fetchTopicOffsets(topic).catch((err: unknown) => {
        throw translate(`reading the offsets of topic '${topic}'`, err);
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
