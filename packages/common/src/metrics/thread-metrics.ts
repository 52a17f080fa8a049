// Owns the metrics of one stream thread (Kafka's ThreadMetrics, all at info level) and of its
// consumer's fetches (Kafka's consumer-fetch-manager-metrics records-lag per partition). The thread
// records per poll, per processed batch, per commit and per punctuation — never per record.
import type { MetricsRegistry, MetricTags } from './metrics-registry.js';
import type { Meter, Sampled, TimeRatio } from './stats.js';
import { TaskMetrics } from './task-metrics.js';

export const THREAD_GROUP = 'stream-thread-metrics';
export const FETCH_GROUP = 'consumer-fetch-manager-metrics';

interface Lag {
  /** The latest lag seen for the partition. */
  value: number;
  readonly stat: Sampled;
}

export class ThreadMetrics {
  private readonly owner: string;
  private readonly tags: MetricTags;
  private readonly pollLatency: Sampled;
  private readonly pollRecords: Sampled;
  private readonly processLatency: Sampled;
  private readonly processRecords: Sampled;
  private readonly processMeter: Meter;
  private readonly commitLatency: Sampled;
  private readonly punctuateLatency: Sampled;
  private readonly created: Meter;
  private readonly closed: Meter;
  private readonly pollRatio: TimeRatio;
  private readonly processRatio: TimeRatio;
  private readonly commitRatio: TimeRatio;
  private readonly punctuateRatio: TimeRatio;
  private readonly lags = new Map<string, Lag>();
  private readonly lagMax: Sampled;
  private readonly consumerTags: MetricTags;

  constructor(
    private readonly registry: MetricsRegistry,
    readonly threadId: string,
  ) {
    this.owner = `thread/${threadId}`;
    this.tags = { 'thread-id': threadId };
    const r = registry;
    const o = this.owner;
    const t = this.tags;
    const G = THREAD_GROUP;
    this.commitLatency = r.sampled(o, G, t, { unit: 'ms', avg: 'commit-latency-avg', max: 'commit-latency-max', rate: { name: 'calls to commit', rate: 'commit-rate', total: 'commit-total' } });
    this.pollLatency = r.sampled(o, G, t, { unit: 'ms', avg: 'poll-latency-avg', max: 'poll-latency-max', rate: { name: 'calls to poll', rate: 'poll-rate', total: 'poll-total' } });
    this.pollRecords = r.sampled(o, G, t, { avg: 'poll-records-avg', max: 'poll-records-max' });
    this.processLatency = r.sampled(o, G, t, { avg: 'process-latency-avg', max: 'process-latency-max', unit: 'ms' });
    this.processRecords = r.sampled(o, G, t, { avg: 'process-records-avg', max: 'process-records-max' });
    this.processMeter = r.meter(o, G, 'process', t, 'processed records');
    this.punctuateLatency = r.sampled(o, G, t, { unit: 'ms', avg: 'punctuate-latency-avg', max: 'punctuate-latency-max', rate: { name: 'calls to punctuate', rate: 'punctuate-rate', total: 'punctuate-total' } });
    this.created = r.meter(o, G, 'task-created', t, 'newly created tasks');
    this.closed = r.meter(o, G, 'task-closed', t, 'closed tasks');
    this.processRatio = r.ratio(o, G, 'process-ratio', t, 'The fraction of time the thread spent on processing active tasks');
    this.punctuateRatio = r.ratio(o, G, 'punctuate-ratio', t, 'The fraction of time the thread spent on punctuating active tasks');
    this.pollRatio = r.ratio(o, G, 'poll-ratio', t, 'The fraction of time the thread spent on polling records from consumer');
    this.commitRatio = r.ratio(o, G, 'commit-ratio', t, 'The fraction of time the thread spent on committing all tasks');
    const started = r.now();
    r.gauge(o, G, 'thread-start-time', t, 'The time that the thread was started', () => started);
    this.consumerTags = { 'client-id': `${threadId}-consumer` };
    this.lagMax = r.sampled(o, FETCH_GROUP, this.consumerTags, { max: 'records-lag-max' });
  }

  /** A consumer poll that waited `ms` and returned `records` records. */
  polled(records: number, ms: number): void {
    this.pollLatency.record(ms);
    this.pollRecords.record(records);
    this.pollRatio.add(ms);
  }

  /** A fetched batch went through its task: `records` processed in `ms`. */
  processed(records: number, ms: number): void {
    this.processMeter.mark(records);
    this.processLatency.record(ms);
    this.processRecords.record(records);
    this.processRatio.add(ms);
  }

  committed(ms: number): void {
    this.commitLatency.record(ms);
    this.commitRatio.add(ms);
  }

  /** `count` tasks punctuated in `ms`. */
  punctuated(count: number, ms: number): void {
    for (let i = 0; i < count; i++) this.punctuateLatency.record(ms / count);
    this.punctuateRatio.add(ms);
  }

  taskCreated(): void {
    this.created.mark();
  }

  /** Task `taskId` closed: counted, and its metrics (nodes, stores, caches) removed. */
  taskClosed(taskId: string): void {
    this.closed.mark();
    this.registry.remove(`task/${this.threadId}/${taskId}`);
  }

  /** The thread's partitions are now `assigned`: lags of the others go. */
  retainLags(assigned: readonly { topic: string; partition: number }[]): void {
    const keep = new Set(assigned.map((tp) => `${tp.topic}:${tp.partition}`));
    for (const key of [...this.lags.keys()]) {
      if (keep.has(key)) continue;
      this.lags.delete(key);
      this.registry.remove(`${this.owner}/lag/${key}`);
    }
  }

  /**
   * Sluice's addition: the records this thread sent to the dead letter queue topic
   * (deadLetterQueueTopicName), whichever exception handler produced them.
   */
  deadLetterRecords(read: () => number): void {
    this.registry.gauge(this.owner, THREAD_GROUP, 'dead-letter-records-total', this.tags, 'The total number of records sent to the dead letter queue topic', read, 'counter');
  }

  /** The metrics of a task of this thread (removed with TaskMetrics.close()). */
  task(taskId: string, standby = false): TaskMetrics {
    return new TaskMetrics(this.registry, this.threadId, taskId, standby);
  }

  /**
   * A fetch of `topic`-`partition` came back: the consumer's position is `position`, the partition's
   * end (high watermark, or last stable offset under read_committed) `end`. Kafka's records-lag.
   */
  fetched(topic: string, partition: number, position: number, end: number): void {
    const key = `${topic}:${partition}`;
    let lag = this.lags.get(key);
    if (lag === undefined) lag = this.addLag(key, topic, partition);
    const value = Math.max(0, end - position);
    lag.value = value;
    lag.stat.record(value);
    this.lagMax.record(value);
  }

  /** The latest lag of every partition this thread fetched. */
  consumerLags(): { topic: string; partition: number; lag: number }[] {
    const out: { topic: string; partition: number; lag: number }[] = [];
    for (const [key, l] of this.lags) {
      const i = key.lastIndexOf(':');
      out.push({ topic: key.slice(0, i), partition: Number(key.slice(i + 1)), lag: l.value });
    }
    return out;
  }

  /** Cumulative counts, for KafkaStreams.metrics()'s summary. */
  totals(): { processed: number; commits: number; punctuations: number } {
    return { processed: this.processMeter.total, commits: this.commitLatency.count, punctuations: this.punctuateLatency.count };
  }

  close(): void {
    this.registry.remove(this.owner);
  }

  private addLag(key: string, topic: string, partition: number): Lag {
    const owner = `${this.owner}/lag/${key}`;
    const tags = { ...this.consumerTags, topic, partition: String(partition) };
    const stat = this.registry.sampled(owner, FETCH_GROUP, tags, { avg: 'records-lag-avg', max: 'records-lag-max' });
    const lag: Lag = { value: 0, stat };
    this.registry.gauge(owner, FETCH_GROUP, 'records-lag', tags, 'The latest lag of the partition', () => lag.value);
    this.lags.set(key, lag);
    return lag;
  }
}
