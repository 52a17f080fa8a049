// The harness's own Kafka client work: topics (created per run, deleted after it), loading the
// input, committed-offset lag of a system's consumer group, and reading a run's output back
// (OutputReader) to check it and to take the append times that the metrics are computed from.
import { Kafka, logLevel, type Admin, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import type { InputRecord } from './data.js';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

/** Header the live producer stamps on every latency-phase input record: its send time, epoch ms. */
export const LATENCY_HEADER = 'bench-ts';

export class BenchKafka {
  readonly kafka: Kafka;
  private adminClient: Admin | undefined;
  /** one producer per input topic: a kafkajs producer keeps asking for the metadata of every topic
   *  it ever wrote to, and fails once one of them is deleted */
  private readonly producers = new Map<string, Producer>();

  constructor(readonly brokers: string[]) {
    this.kafka = new Kafka({ clientId: 'sluice-bench', brokers, logLevel: logLevel.NOTHING });
  }

  async admin(): Promise<Admin> {
    if (!this.adminClient) {
      const a = this.kafka.admin();
      await a.connect();
      this.adminClient = a;
    }
    return this.adminClient;
  }

  /** The producer that writes `topic` (and nothing else). */
  async producer(topic: string): Promise<Producer> {
    let p = this.producers.get(topic);
    if (!p) {
      p = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 5 });
      await p.connect();
      this.producers.set(topic, p);
    }
    return p;
  }

  /** topics this harness created and has not deleted yet (deleted on exit, even on Ctrl-C) */
  readonly created = new Set<string>();
  /** name prefixes of the applications running now (their internal topics go on Ctrl-C too) */
  readonly activePrefixes = new Set<string>();

  async createTopic(name: string, partitions: number, config: Record<string, string> = {}): Promise<void> {
    const a = await this.admin();
    this.created.add(name);
    await a.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: name,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: Object.entries(config).map(([n, value]) => ({ name: n, value })),
        },
      ],
    });
  }

  async topicExists(name: string): Promise<boolean> {
    return (await (await this.admin()).listTopics()).includes(name);
  }

  /** Delete the named topics and every topic whose name starts with one of `prefixes`. */
  async deleteTopics(names: string[], prefixes: string[] = []): Promise<string[]> {
    const a = await this.admin();
    const all = await a.listTopics();
    const doomed = all.filter((t) => names.includes(t) || prefixes.some((p) => t.startsWith(p)));
    for (const t of doomed) {
      await this.producers.get(t)?.disconnect().catch(() => undefined);
      this.producers.delete(t);
    }
    if (doomed.length > 0) await a.deleteTopics({ topics: doomed, timeout: 60_000 });
    for (const t of doomed) this.created.delete(t);
    return doomed;
  }

  async listTopics(prefix: string): Promise<string[]> {
    return (await (await this.admin()).listTopics()).filter((t) => t.startsWith(prefix));
  }

  async deleteGroup(groupId: string): Promise<void> {
    await (await this.admin()).deleteGroups([groupId]).catch(() => undefined);
  }

  /** High watermarks (log end offsets) per partition. */
  async endOffsets(topic: string): Promise<Map<number, number>> {
    const offsets = await (await this.admin()).fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  }

  /** Committed offsets of `groupId` per topic and partition (-1 when none yet). */
  async committed(groupId: string, topics: string[]): Promise<Map<string, Map<number, number>>> {
    const res = await (await this.admin()).fetchOffsets({ groupId, topics });
    return new Map(res.map((t) => [t.topic, new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]))]));
  }

  /**
   * Write records in order, one request at a time: concurrent kafkajs sends can reach the broker
   * in either order, and S3's event time must be (almost) ordered within each partition. Records
   * marked `other` go to `otherTopic` (S6's payments, S7's customers).
   */
  async produceAll(topic: string, chunks: Iterable<InputRecord[]>, otherTopic: string | null = null, onProgress?: (n: number) => void): Promise<number> {
    const p = await this.producer(topic);
    let n = 0;
    const message = (r: InputRecord) => ({ key: r.key, value: r.value, partition: r.partition, timestamp: String(r.timestamp) });
    for (const chunk of chunks) {
      const mine = chunk.filter((r) => !r.other);
      const others = chunk.filter((r) => r.other);
      if (others.length > 0 && otherTopic === null) throw new Error(`the input has records for a second topic, but no second topic was given to produce them to (${topic})`);
      const topicMessages = [...(mine.length > 0 ? [{ topic, messages: mine.map(message) }] : []), ...(others.length > 0 ? [{ topic: otherTopic!, messages: others.map(message) }] : [])];
      await p.sendBatch({ acks: 1, topicMessages });
      n += chunk.length;
      onProgress?.(n);
    }
    return n;
  }

  /** Delete what is left of the topics this harness created (after a failure or an interrupt). */
  async deleteCreated(): Promise<void> {
    if (this.created.size > 0 || this.activePrefixes.size > 0) await this.deleteTopics([...this.created], [...this.activePrefixes]);
  }

  async close(): Promise<void> {
    for (const p of this.producers.values()) await p.disconnect().catch(() => undefined);
    this.producers.clear();
    await this.adminClient?.disconnect().catch(() => undefined);
    this.adminClient = undefined;
  }
}

export interface OutputRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  /** the output topic is LogAppendTime: this is when the broker appended the record */
  appendTime: number;
  headers: IHeaders;
}

export interface OutputReaderOptions {
  topic: string;
  /** read_committed (for exactly-once outputs) */
  readCommitted: boolean;
  /** where to start per partition; partitions not listed start at the beginning */
  startAt?: Map<number, number>;
  decode: boolean;
  onRecord: (r: OutputRecord) => void;
}

/**
 * Reads an output topic with a throw-away consumer group from given offsets until stopped.
 * Keys and values are decoded only when asked (S1's outputs need none of it).
 */
export class OutputReader {
  private consumer: Consumer | undefined;
  /** highest offset seen + 1 per partition */
  readonly positions = new Map<number, number>();
  records = 0;

  constructor(
    private readonly bk: BenchKafka,
    private readonly options: OutputReaderOptions,
  ) {}

  async start(groupId: string): Promise<void> {
    const o = this.options;
    const c = this.bk.kafka.consumer({ groupId, readUncommitted: !o.readCommitted, maxWaitTimeInMs: 50, maxBytesPerPartition: 4 << 20 });
    this.consumer = c;
    await c.connect();
    await c.subscribe({ topic: o.topic, fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          this.records++;
          this.positions.set(batch.partition, offset + 1);
          o.onRecord({
            partition: batch.partition,
            offset,
            key: o.decode && m.key ? m.key.toString() : null,
            value: o.decode && m.value ? m.value.toString() : null,
            appendTime: Number(m.timestamp),
            headers: m.headers ?? {},
          });
        }
      },
    });
    for (const [partition, offset] of o.startAt ?? []) c.seek({ topic: o.topic, partition, offset: String(offset) });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
  }
}

/** A header value as a number, or null when absent or not numeric. */
export function headerNumber(headers: IHeaders, name: string): number | null {
  const h = headers[name];
  const v = Array.isArray(h) ? h[h.length - 1] : h;
  if (v === undefined || v === null) return null;
  const n = Number(typeof v === 'string' ? v : v.toString());
  return Number.isFinite(n) ? n : null;
}
