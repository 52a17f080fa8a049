// Test helpers for the real broker: unique names, topics that are deleted after the test,
// producing a list of records, and consuming until N records arrive (or failing with what did).
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type IHeaders, type Producer } from 'kafkajs';
import { onTestFinished } from 'vitest';
import { kafkaBrokers } from './env.js';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export function testKafka(clientId = 'sluice-test'): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
}

let sharedAdmin: Admin | undefined;
async function admin(): Promise<Admin> {
  if (!sharedAdmin) {
    sharedAdmin = testKafka('sluice-test-admin').admin();
    await sharedAdmin.connect();
  }
  return sharedAdmin;
}

export interface TopicSpec {
  partitions?: number;
  config?: Record<string, string>;
}

/** Create a uniquely named topic, deleted when the current test finishes. */
export async function createTopic(prefix: string, spec: TopicSpec = {}): Promise<string> {
  const name = uniqueName(prefix);
  await createTopicNamed(name, spec);
  return name;
}

export async function createTopicNamed(name: string, spec: TopicSpec = {}): Promise<void> {
  const a = await admin();
  await a.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: name,
        numPartitions: spec.partitions ?? 1,
        replicationFactor: 1,
        configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
      },
    ],
  });
  onTestFinished(() => deleteTopics([name]));
}

/** Delete topics; missing ones are ignored. Also deletes topics starting with `prefix + '-'` when asked. */
export async function deleteTopics(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const a = await admin();
  const existing = new Set(await a.listTopics());
  const present = names.filter((n) => existing.has(n));
  if (present.length > 0) await a.deleteTopics({ topics: present, timeout: 30_000 });
}

/** Delete every topic whose name starts with `prefix` (internal topics of an app under test). */
export async function deleteTopicsWithPrefix(prefix: string): Promise<void> {
  const a = await admin();
  const topics = (await a.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length > 0) await a.deleteTopics({ topics, timeout: 30_000 });
}

export async function listTopics(): Promise<string[]> {
  return (await admin()).listTopics();
}

export async function topicMetadata(topic: string) {
  const a = await admin();
  const md = await a.fetchTopicMetadata({ topics: [topic] });
  return md.topics[0]!;
}

export async function deleteGroup(groupId: string): Promise<void> {
  const a = await admin();
  await a.deleteGroups([groupId]).catch(() => undefined);
}

export interface TestRecord {
  key: string | Buffer | null;
  value: string | Buffer | null;
  partition?: number;
  timestamp?: number;
  headers?: IHeaders;
}

/**
 * Produce records in order (acks=all) and wait until all are acknowledged. A fresh producer per call:
 * a long-lived one keeps metadata of topics other tests deleted and then fails on new ones.
 */
export async function produce(topic: string, records: TestRecord[]): Promise<void> {
  const producer: Producer = testKafka('sluice-test-producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await sendAll(producer, topic, records);
  } finally {
    await producer.disconnect();
  }
}

async function sendAll(producer: Producer, topic: string, records: TestRecord[]): Promise<void> {
  const chunk = 5_000;
  for (let i = 0; i < records.length; i += chunk) {
    await producer.send({
      topic,
      acks: -1,
      messages: records.slice(i, i + chunk).map((r) => ({
        key: r.key,
        value: r.value,
        ...(r.partition === undefined ? {} : { partition: r.partition }),
        ...(r.timestamp === undefined ? {} : { timestamp: String(r.timestamp) }),
        ...(r.headers === undefined ? {} : { headers: r.headers }),
      })),
    });
  }
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: IHeaders;
}

export interface ConsumeOptions {
  timeoutMs?: number;
  readCommitted?: boolean;
  /** After reaching `count`, keep reading this long to catch extra (duplicate) records. */
  settleMs?: number;
}

/**
 * Read `topic` from the beginning until `count` records arrived, then return them. On timeout the
 * error says how many arrived and shows the last few, which is what a failing test needs to show.
 */
export async function consumeUntil(topic: string, count: number, options: ConsumeOptions = {}): Promise<ConsumedRecord[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const consumer = testKafka('sluice-test-consumer').consumer({
    groupId: uniqueName('test-reader'),
    readUncommitted: !(options.readCommitted ?? true),
    maxWaitTimeInMs: 100,
  });
  const out: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let reached: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (reached = resolve));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          out.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
            timestamp: Number(m.timestamp),
            headers: m.headers ?? {},
          });
        }
        if (out.length >= count) reached();
      },
    });
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs));
    const result = await Promise.race([done.then(() => 'ok' as const), timer]);
    if (result === 'timeout') {
      const tail = out
        .slice(-5)
        .map((r) => `  p${r.partition}@${r.offset} ${r.key?.toString() ?? 'null'} => ${r.value?.toString().slice(0, 80) ?? 'null'}`)
        .join('\n');
      throw new Error(
        `consumeUntil('${topic}'): expected ${count} records within ${timeoutMs} ms but got ${out.length}` +
          (out.length ? `; the last ones:\n${tail}` : ' (the topic stayed empty)'),
      );
    }
    if (options.settleMs) await new Promise((r) => setTimeout(r, options.settleMs));
    return out;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** Close the shared admin client (call from afterAll in files that used the helpers). */
export async function closeTestClients(): Promise<void> {
  await sharedAdmin?.disconnect().catch(() => undefined);
  sharedAdmin = undefined;
}
