// Owns the metrics of one task and what it holds (Kafka's TaskMetrics, ProcessorNodeMetrics,
// StateStoreMetrics and NamedCacheMetrics): their groups, names, tags and recording levels. Sensors
// above the recording level are left undefined, so the task's hot path tests a field and moves on.
// Every metric of the task goes when close() is called (Kafka removes a task's sensors with it).
import type { MetricsRegistry, MetricTags } from './metrics-registry.js';
import type { Meter, Sampled, TimeRatio } from './stats.js';

export const TASK_GROUP = 'stream-task-metrics';
export const NODE_GROUP = 'stream-processor-node-metrics';
export const STATE_GROUP = 'stream-state-metrics';
export const CACHE_GROUP = 'stream-record-cache-metrics';

/** A source or terminal node: its record-e2e-latency (info) and, for sources, process-rate/total (debug). */
export interface NodeMetrics {
  readonly e2e: Sampled;
  readonly process: Meter | undefined;
}

/** The sensors of one state store (debug; record-e2e-latency at trace), recorded by the metered layer. */
export interface StoreMetrics {
  /** The task's metrics (its cached wall-clock time feeds record-e2e-latency). */
  readonly task: TaskMetrics;
  readonly put: Sampled;
  readonly putIfAbsent: Sampled;
  readonly get: Sampled;
  readonly delete: Sampled;
  readonly putAll: Sampled;
  readonly all: Sampled;
  readonly range: Sampled;
  readonly prefixScan: Sampled;
  readonly flush: Sampled;
  readonly restore: Sampled;
  readonly e2e: Sampled | undefined;
}

type StoreOperation = 'put' | 'put-if-absent' | 'get' | 'delete' | 'put-all' | 'all' | 'range' | 'prefix-scan' | 'flush' | 'restore';

export class TaskMetrics {
  /**
   * Wall-clock time of the records being processed, set once per processing chunk (Kafka's cached
   * system time): record-e2e-latency = now − record timestamp, with no clock read per record.
   */
  now = 0;
  readonly debug: boolean;
  readonly trace: boolean;
  /** dropped-records (info): skipped by handlers, late, null keys — every record a task drops on purpose. */
  readonly dropped: Meter;
  /** active-process-ratio (info): the share of the thread's time spent processing this task. */
  readonly activeProcess: TimeRatio;
  /** process-rate/total (debug): records processed by this task. */
  readonly process: Meter | undefined;
  /** process-latency (debug, ns): per record. */
  readonly processLatency: Sampled | undefined;
  /** record-lateness (debug): stream time − record timestamp, 0 for records in order. */
  readonly lateness: Sampled | undefined;
  /** enforced-processing (debug): records processed while another input of the task had nothing buffered. */
  readonly enforced: Meter | undefined;
  /** restore-rate/total (debug): changelog records restored into this task's stores; update-rate/total for a standby. */
  readonly restored: Meter | undefined;
  private readonly owner: string;
  private readonly tags: MetricTags;

  constructor(
    private readonly registry: MetricsRegistry,
    readonly threadId: string,
    readonly taskId: string,
    standby = false,
  ) {
    this.debug = registry.debug;
    this.trace = registry.trace;
    this.owner = `task/${threadId}/${taskId}`;
    this.tags = { 'thread-id': threadId, 'task-id': taskId };
    this.now = registry.now();
    registry.remove(this.owner); // a task built again (rebuilt, or a standby made active) starts afresh
    const r = registry;
    this.dropped = r.meter(this.owner, TASK_GROUP, 'dropped-records', this.tags, 'records dropped within this task');
    this.activeProcess = r.ratio(this.owner, TASK_GROUP, 'active-process-ratio', this.tags, 'The fraction of time the stream thread spent on processing this task among all assigned active tasks');
    if (!this.debug) return;
    this.process = r.meter(this.owner, TASK_GROUP, 'process', this.tags, 'records processed by this task');
    this.processLatency = r.sampled(this.owner, TASK_GROUP, this.tags, { avg: 'process-latency-avg', max: 'process-latency-max', unit: 'ns' });
    this.lateness = r.sampled(this.owner, TASK_GROUP, this.tags, { avg: 'record-lateness-avg', max: 'record-lateness-max', unit: 'ms' });
    this.enforced = r.meter(this.owner, TASK_GROUP, 'enforced-processing', this.tags, 'enforced processings');
    this.restored = standby ? r.meter(this.owner, TASK_GROUP, 'update', this.tags, 'records updated') : r.meter(this.owner, TASK_GROUP, 'restore', this.tags, 'records restored');
  }

  /** restore-remaining-records-total (info): records still to restore into this task's stores. */
  remainingRecords(read: () => number): void {
    this.registry.gauge(this.owner, TASK_GROUP, 'restore-remaining-records-total', this.tags, 'The total number of records remaining to be restored', read);
  }

  /** The metrics of a source node or a node without successors (record-e2e-latency, in ms). */
  node(name: string, source: boolean): NodeMetrics {
    const owner = `${this.owner}/node/${name}`;
    const tags = { ...this.tags, 'processor-node-id': name };
    const e2e = this.registry.sampled(owner, NODE_GROUP, tags, { avg: 'record-e2e-latency-avg', min: 'record-e2e-latency-min', max: 'record-e2e-latency-max', unit: 'ms' });
    const process = source && this.debug ? this.registry.meter(owner, NODE_GROUP, 'process', tags, 'records processed by this source node') : undefined;
    return { e2e, process };
  }

  /** A state store's sensors, or undefined below debug. `scope` is Kafka's store scope, e.g. 'rocksdb-state'. */
  store(name: string, scope: string): StoreMetrics | undefined {
    if (!this.debug) return undefined;
    const owner = `${this.owner}/store/${name}`;
    const tags = { ...this.tags, [`${scope}-id`]: name };
    const op = (o: StoreOperation) =>
      this.registry.sampled(owner, STATE_GROUP, tags, { avg: `${o}-latency-avg`, max: `${o}-latency-max`, rate: { name: `${o} operations`, rate: `${o}-rate`, total: `${o}-total` }, unit: 'ns' });
    return {
      task: this,
      put: op('put'),
      putIfAbsent: op('put-if-absent'),
      get: op('get'),
      delete: op('delete'),
      putAll: op('put-all'),
      all: op('all'),
      range: op('range'),
      prefixScan: op('prefix-scan'),
      flush: op('flush'),
      restore: op('restore'),
      e2e: this.trace ? this.registry.sampled(owner, STATE_GROUP, tags, { avg: 'record-e2e-latency-avg', min: 'record-e2e-latency-min', max: 'record-e2e-latency-max', unit: 'ms' }) : undefined,
    };
  }

  /** A record cache's hit-ratio (debug), or undefined below debug. */
  cache(storeName: string): Sampled | undefined {
    if (!this.debug) return undefined;
    const tags = { ...this.tags, 'record-cache-id': storeName };
    return this.registry.sampled(`${this.owner}/cache/${storeName}`, CACHE_GROUP, tags, { avg: 'hit-ratio-avg', min: 'hit-ratio-min', max: 'hit-ratio-max' });
  }

  /** Remove every metric of this task, its nodes, stores and caches. */
  close(): void {
    this.registry.remove(this.owner);
  }
}
