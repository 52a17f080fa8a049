// Owns one task = (sub-topology, partition): its stores and processor nodes, the processing of its
// records one after another (which one next: its PartitionGroup; forwards in flight: PendingForwards;
// failures, retries and dead letters: ProcessingFailures), punctuation and the offsets to commit.
// Knows nothing about Kafka: the runtime feeds it fetched records and gives it a RecordCollector;
// TopologyTestDriver does the same in memory.
//
//   CREATED ──initializeStores──▶ RESTORING ──initializeProcessors──▶ RUNNING ──close──▶ CLOSED
//      └─────────────────────────────close──────────────────────────────────────────────▲
import { IllegalStateError, ProcessingError, describeError, monotonicMs, type TaskMetrics } from '@sluice/common';
import type { StateStore, StateStoreContext } from '@sluice/state';
import type { Cancellable, PunctuationType, Punctuator, RecordContext } from '../processor/api.js';
import { Record } from '../processor/record.js';
import type { Headers } from '../processor/headers.js';
import type { Topology, SubtopologyDef } from '../topology/topology.js';
import type { EngineConfig } from './config.js';
import { NodeContext, type TaskHooks } from './node-context.js';
import { NodeFailure, ProcessorRuntimeNode, type RuntimeNode } from './nodes.js';
import { PartitionGroup } from './partition-group.js';
import { PendingForwards } from './pending-forwards.js';
import { ProcessingFailures, type FailureOutcome, type PendingRetry } from './processing-failures.js';
import { PunctuationQueue, type PunctuationSchedule } from './punctuation-queue.js';
import type { RecordCollector } from './record-collector.js';
import type { RawRecord, StampedRecord } from './record-queue.js';
import { buildTaskNodes, type SourceInfo } from './task-nodes.js';
import { stampRecord } from './record-stamper.js';
import { withForwarded, type CurrentRecord, type CurrentRecordSlot } from './forwarded-context.js';
import type { RecordTracer, TracedRecord } from './record-tracer.js';
import { TaskMetering } from './task-metering.js';

export type TaskState = 'CREATED' | 'RESTORING' | 'RUNNING' | 'CLOSED';

const transitions: { [S in TaskState]: readonly TaskState[] } = {
  CREATED: ['RESTORING', 'CLOSED'],
  RESTORING: ['RUNNING', 'CLOSED'],
  RUNNING: ['CLOSED'],
  CLOSED: [],
};

export interface StreamTaskOptions {
  readonly taskId: string;
  readonly subtopology: SubtopologyDef;
  readonly partition: number;
  readonly topology: Topology;
  readonly config: EngineConfig;
  readonly collector: RecordCollector;
  /** Maps a topic name used in the topology to the real topic (application id prefix for internal topics). */
  readonly resolveTopic: (topic: string) => string;
  /** For pattern sources: the real topics each matched, by source node name. */
  readonly patternTopics?: ReadonlyMap<string, readonly string[]>;
  /** max.task.idle.ms (default 0: wait for inputs known to have unfetched records; -1 never waits). */
  readonly maxTaskIdleMs?: number;
  /** Records of this input topic (this task's partition) on the broker not handed to the task yet; undefined: not known yet. */
  readonly lag?: (topic: string) => number | undefined;
  /** The task's metrics (Kafka's task and processor-node metrics); none recorded without. */
  readonly metrics?: TaskMetrics;
  /** Tracing: a span per record, its trace context carried in the record's headers downstream. */
  readonly tracer?: RecordTracer;
}

export class StreamTask {
  readonly id: string;
  readonly partition: number;
  private taskState: TaskState = 'CREATED';
  private readonly inputs: PartitionGroup;
  private readonly nodes = new Map<string, RuntimeNode>();
  private readonly contexts = new Map<string, NodeContext>();
  private readonly storeInstances = new Map<string, StateStore>();
  private readonly streamPunctuations = new PunctuationQueue();
  private readonly wallPunctuations = new PunctuationQueue();
  private readonly consumed = new Map<string, number>();
  private readonly sources: ReadonlyMap<string, SourceInfo>;
  private readonly pending = new PendingForwards();
  private readonly failures: ProcessingFailures;
  private current: CurrentRecord | undefined;
  /** How forwarded records set (and undo) the current record's timestamp and headers. */
  private readonly slot: CurrentRecordSlot = {
    get: () => this.current,
    set: (c) => {
      this.current = c;
    },
  };
  /** A record waiting for another attempt at the processor that failed on it (a retry policy applies). */
  private retry: PendingRetry | undefined;
  private readonly metering: TaskMetering | undefined;
  private commitRequestedFlag = false;
  private needsCommit = false;
  /** Records dropped by the deserialization handler or for invalid timestamps. */
  skippedRecords = 0;
  /** Records operators dropped on purpose (null keys, late records), Kafka Streams' dropped-records metric. */
  droppedRecords = 0;

  constructor(private readonly o: StreamTaskOptions) {
    this.id = o.taskId;
    this.partition = o.partition;
    this.failures = new ProcessingFailures(o.taskId, o.config, o.collector, o.config.clock);
    this.inputs = new PartitionGroup({
      stamp: (q, raw) => stampRecord(q, raw, this.sources.get(q.sourceName)!, this.id, this.o.config, (records) => this.failures.deadLetters(records)),
      skipped: (raw) => {
        // skipped by a handler or the extractor: its offset counts as consumed so it is committed past
        this.consumed.set(raw.topic, raw.offset);
        this.needsCommit = true;
        this.skippedRecords++;
        this.o.metrics?.dropped.mark();
      },
      clock: o.config.clock,
      maxTaskIdleMs: o.maxTaskIdleMs ?? 0,
      ...(o.lag ? { lag: o.lag } : {}),
    });
    const built = buildTaskNodes({
      topology: o.topology,
      subtopology: o.subtopology,
      config: o.config,
      collector: o.collector,
      resolveTopic: o.resolveTopic,
      recordContext: () => this.recordContext(),
      sourceRecord: () => this.current?.raw,
    });
    for (const [name, node] of built.nodes) this.nodes.set(name, node);
    this.sources = built.sources;
    for (const [topic, sourceName] of built.topicToSource) this.inputs.addQueue(topic, sourceName);
    for (const [sourceName, topics] of o.patternTopics ?? []) {
      for (const t of topics) this.inputs.addQueue(t, sourceName);
    }
    this.metering = o.metrics && new TaskMetering(o.metrics, this.nodes, built.sources.keys(), () => this.inputs.enforced);
    const hooks = this.hooks();
    for (const [name, node] of this.nodes) {
      if (node instanceof ProcessorRuntimeNode) this.contexts.set(name, new NodeContext(node, hooks, built.storesByNode.get(name) ?? []));
    }
  }

  get state(): TaskState {
    return this.taskState;
  }

  get subtopologyId(): number {
    return this.o.subtopology.id;
  }

  /** The real topics this task reads (partition = this.partition). */
  get inputTopics(): string[] {
    return this.inputs.topics();
  }

  get stores(): ReadonlyMap<string, StateStore> {
    return this.storeInstances;
  }

  // ---- lifecycle ----

  /** Builds this task's stores and initialises them with the given context (which registers them for restore). */
  async initializeStores(context: StateStoreContext): Promise<void> {
    this.transition('RESTORING');
    const order = this.o.subtopology.stores
      .map((name) => ({ name, first: this.o.subtopology.nodes.findIndex((n) => [...this.o.topology.stores.get(name)!.users].includes(n)) }))
      .sort((a, b) => a.first - b.first);
    for (const { name } of order) {
      const store = this.o.topology.stores.get(name)!.builder.build();
      await store.init(context);
      this.storeInstances.set(name, store);
    }
  }

  /** Calls init() of every processor, parents first. Stores must be restored by now. */
  async initializeProcessors(): Promise<void> {
    if (this.taskState === 'CREATED') this.transition('RESTORING');
    for (const [name, node] of this.nodes) {
      if (!(node instanceof ProcessorRuntimeNode)) continue;
      const init = node.processor.init;
      if (!init) continue;
      try {
        await init.call(node.processor, this.contexts.get(name)! as never);
      } catch (err) {
        throw new ProcessingError(`init() of processor '${name}' in task ${this.id} failed: ${describeError(err)}`, { cause: err, context: { taskId: this.id, node: name } });
      }
    }
    this.transition('RUNNING');
  }

  /** Flush every store (caches forward what they hold), in topological order. */
  async flushState(): Promise<void> {
    for (const store of this.storeInstances.values()) {
      try {
        await store.flush();
        await this.pending.drain();
      } catch (err) {
        if (!(err instanceof NodeFailure)) throw err;
        // a processor reached through the cache's forwarding failed: say which, and why
        throw new ProcessingError(`processor '${err.nodeName}' in task ${this.id} failed on a record forwarded by the cache of store '${store.name}' at commit: ${describeError(err.error)}`, {
          cause: err.error,
          context: { taskId: this.id, node: err.nodeName, store: store.name },
        });
      }
    }
  }

  /** Close processors, then stores. `clean: false` after a failure: skip what could fail again. */
  async close(clean = true): Promise<void> {
    if (this.taskState === 'CLOSED') return;
    const errors: unknown[] = [];
    if (this.taskState === 'RUNNING') {
      for (const [name, node] of this.nodes) {
        if (!(node instanceof ProcessorRuntimeNode) || !node.processor.close) continue;
        try {
          await node.processor.close();
        } catch (err) {
          errors.push(new ProcessingError(`close() of processor '${name}' failed: ${describeError(err)}`, { cause: err }));
        }
      }
    }
    for (const store of this.storeInstances.values()) {
      try {
        if (store.isOpen()) await store.close();
      } catch (err) {
        errors.push(err);
      }
    }
    this.inputs.clear();
    this.retry = undefined;
    this.taskState = 'CLOSED';
    if (clean && errors.length > 0) throw errors[0];
  }

  // ---- input ----

  /** Starts reading `topic` with the pattern source `sourceName` (a topic that appeared after start). */
  addInputTopic(topic: string, sourceName: string): void {
    this.inputs.addQueue(topic, sourceName);
  }

  addRecords(topic: string, records: readonly RawRecord[]): void {
    const q = this.inputs.queue(topic);
    if (!q) throw new IllegalStateError(`task ${this.id} does not read topic '${topic}' (it reads ${this.inputTopics.join(', ')})`);
    q.add(records);
  }

  /** Drop buffered, unprocessed records (the consumer will fetch them again from the committed offsets). */
  clearBuffers(): void {
    this.inputs.clear();
    this.retry = undefined;
  }

  bufferedRecords(): number {
    return this.inputs.buffered() + (this.retry ? 1 : 0);
  }

  /** Timestamp of the record process() would take next, or undefined when nothing is buffered. */
  nextRecordTimestamp(): number | undefined {
    return this.retry?.head.timestamp ?? this.inputs.nextTimestamp();
  }

  /** When a record waits for another attempt at a failed processor: the time of that attempt. */
  retryDueAt(): number | undefined {
    return this.retry?.nextAttemptAt;
  }

  /**
   * The fetch of `topic` reached `nextOffset` (past transaction markers and aborted records, which
   * are never handed to the task): once every record before it is processed, that is the offset to
   * commit, so a caught-up input shows no lag under exactly-once.
   */
  advanceInput(topic: string, nextOffset: number): void {
    const q = this.inputs.queue(topic);
    if (!q || q.size > 0 || this.retry) return;
    const last = this.consumed.get(topic);
    if (last === undefined || nextOffset - 1 > last) {
      this.consumed.set(topic, nextOffset - 1);
      this.needsCommit = true;
    }
  }

  /** Offsets to commit: the next offset to read, per input topic (partition = this.partition). */
  committableOffsets(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [topic, offset] of this.consumed) out.set(topic, offset + 1);
    return out;
  }

  /** True when records were processed (or punctuations ran) since the last markCommitted(). */
  get commitNeeded(): boolean {
    return this.needsCommit;
  }

  get commitRequested(): boolean {
    return this.commitRequestedFlag;
  }

  markCommitted(): void {
    this.needsCommit = false;
    this.commitRequestedFlag = false;
  }

  streamTime(): number {
    return this.inputs.streamTime();
  }

  /** Headers of the record being processed (undefined outside record processing). */
  currentHeaders(): Headers | undefined {
    return this.current?.metadata ? this.current.context.headers : undefined;
  }

  /** Timestamp of the record (or punctuation) being processed; stream time outside processing. */
  currentRecordTimestamp(): number {
    return this.current?.context.timestamp ?? this.inputs.streamTime();
  }

  // ---- processing ----

  /**
   * Process up to `max` buffered records in timestamp order. Resolves to how many were processed; 0
   * when nothing can go on now (nothing buffered, a retry not yet due, waiting for another input).
   */
  async process(max: number): Promise<number> {
    this.checkRunning();
    const m = this.metering?.metrics;
    if (m !== undefined) m.now = this.o.config.clock.now();
    const started = m === undefined ? 0 : monotonicMs();
    const debug = m !== undefined && m.debug;
    let n = 0;
    while (n < max) {
      if (this.retry) {
        if (this.retry.nextAttemptAt > this.o.config.clock.now()) break;
        if (!(await this.attemptAgain())) break;
        n++;
        continue;
      }
      const deciding = this.inputs.waitingForHandler();
      if (deciding) {
        await deciding;
        continue;
      }
      const next = this.inputs.next();
      if (!next) break;
      if (this.metering !== undefined) this.metering.record(next.queue, next.head.timestamp, this.inputs.streamTime());
      const t0 = debug ? monotonicMs() : 0;
      const r = this.o.tracer === undefined ? this.processOne(next.queue.sourceName, next.head) : this.processTraced(next.queue.sourceName, next.head, this.o.tracer);
      if (r) await r;
      if (debug) m.processLatency!.record(monotonicMs() - t0);
      n++;
      if (this.streamPunctuations.nextDue() <= this.inputs.streamTime()) await this.maybePunctuateStreamTime();
    }
    if (m !== undefined) m.activeProcess.add(monotonicMs() - started);
    return n;
  }

  async maybePunctuateStreamTime(): Promise<boolean> {
    const time = this.inputs.streamTime();
    if (time < 0) return false;
    return this.punctuate(this.streamPunctuations, time, 'STREAM_TIME');
  }

  async maybePunctuateSystemTime(): Promise<boolean> {
    return this.punctuate(this.wallPunctuations, this.o.config.clock.now(), 'WALL_CLOCK_TIME');
  }

  /** Earliest wall-clock time a punctuation is due (Infinity when none). */
  nextWallClockPunctuation(): number {
    return this.wallPunctuations.nextDue();
  }

  private async punctuate(queue: PunctuationQueue, now: number, type: PunctuationType): Promise<boolean> {
    if (queue.nextDue() > now) return false;
    let fired = false;
    for (const s of queue.due(now)) {
      if (s.cancelled) continue;
      this.current = { metadata: undefined, context: { topic: undefined, partition: undefined, offset: undefined, timestamp: now, headers: new Record(null, null, 0).headers }, raw: undefined };
      try {
        const r = s.callback(now);
        if (r) await r;
        await this.pending.drain();
      } catch (err) {
        const e = err instanceof NodeFailure ? err : new NodeFailure(s.nodeName, err);
        throw new ProcessingError(
          `${type} punctuator of processor '${s.nodeName}' in task ${this.id} failed at ${now}` +
            (e.nodeName !== s.nodeName ? ` (in downstream processor '${e.nodeName}')` : '') +
            `: ${describeError(e.error)}`,
          { cause: e.error, context: { taskId: this.id, node: e.nodeName, punctuationType: type, timestamp: now } },
        );
      } finally {
        this.current = undefined;
      }
      if (!s.cancelled) PunctuationQueue.advance(s, now);
      fired = true;
    }
    if (fired) this.needsCommit = true;
    return fired;
  }

  /** processOne inside the span of the record (tracing on); synchronous while the processors are. */
  private processTraced(sourceName: string, head: StampedRecord, tracer: RecordTracer): void | Promise<void> {
    const traced = tracer.start(head.raw, this.id, this.o.subtopology.id);
    let r: void | Promise<void>;
    try {
      r = this.processOne(sourceName, head, traced);
    } catch (err) {
      traced.end(err);
      throw err;
    }
    if (!r) return traced.end();
    return r.then(
      () => traced.end(),
      (err: unknown) => {
        traced.end(err);
        throw err;
      },
    );
  }

  private processOne(sourceName: string, head: StampedRecord, traced?: TracedRecord): void | Promise<void> {
    const raw = head.raw;
    const headers = traced === undefined ? raw.headers : traced.headers;
    this.current = {
      metadata: { topic: raw.topic, partition: raw.partition, offset: raw.offset },
      context: { topic: raw.topic, partition: raw.partition, offset: raw.offset, timestamp: head.timestamp, headers },
      raw,
    };
    const record = new Record(head.key, head.value, head.timestamp, headers);
    let r: void | Promise<void>;
    try {
      const source = this.nodes.get(sourceName)!;
      r = traced === undefined ? source.process(record) : traced.run(() => source.process(record));
    } catch (err) {
      if (this.pending.size > 0) return this.failAfterPending(err, head, 1, this.o.config.clock.now());
      return this.failed(err, head, 1, this.o.config.clock.now());
    }
    if (r || this.pending.busy) return this.finishAsync(r, head, 1, this.o.config.clock.now());
    this.markConsumed(raw);
    return undefined;
  }

  private async finishAsync(r: void | Promise<void>, head: StampedRecord, attempt: number, firstFailureAt: number): Promise<void> {
    try {
      if (r) await r;
      await this.pending.drain();
    } catch (err) {
      return this.failAfterPending(err, head, attempt, firstFailureAt);
    }
    this.markConsumed(head.raw);
  }

  private async failAfterPending(err: unknown, head: StampedRecord, attempt: number, firstFailureAt: number): Promise<void> {
    await this.pending.settle();
    await this.failed(err, head, attempt, firstFailureAt);
  }

  /** A failure on `head`: wait for a retry, or (the handler continuing) mark it consumed; a failing handler throws. */
  private failed(err: unknown, head: StampedRecord, attempt: number, firstFailureAt: number): void | Promise<void> {
    const saved = this.current;
    this.current = undefined;
    const outcome = this.failures.onFailure(err, head, attempt, firstFailureAt);
    const apply = (o: FailureOutcome) => {
      if (o.kind === 'retry') {
        this.retry = o.retry;
        this.savedContext = saved;
        return;
      }
      this.markConsumed(head.raw);
    };
    if (outcome instanceof Promise) return outcome.then(apply);
    apply(outcome);
    return undefined;
  }

  /** The context of the record a retry waits with (its metadata, timestamp and headers). */
  private savedContext: StreamTask['current'];

  /** Calls the processor that failed again with its record. True when the record is done (or skipped). */
  private async attemptAgain(): Promise<boolean> {
    const retry = this.retry!;
    this.retry = undefined;
    this.current = this.savedContext;
    this.savedContext = undefined;
    try {
      // the failed processor sees its own record's timestamp and headers again, as when it failed
      const r = withForwarded(this.slot, retry.record, () => retry.node.process(retry.record));
      if (r) await r;
      await this.pending.drain();
    } catch (err) {
      await this.pending.settle();
      await this.failed(err, retry.head, retry.attempt, retry.firstFailureAt);
      return this.retry === undefined;
    }
    this.config.logger.info(`processor '${retry.node.name}' succeeded on attempt ${retry.attempt} for the record at topic '${retry.head.raw.topic}' partition ${retry.head.raw.partition} offset ${retry.head.raw.offset}`, { task: this.id });
    this.markConsumed(retry.head.raw);
    return true;
  }

  private get config(): EngineConfig {
    return this.o.config;
  }

  private markConsumed(raw: RawRecord): void {
    this.consumed.set(raw.topic, raw.offset);
    this.needsCommit = true;
    this.current = undefined;
  }

  // ---- wiring ----

  private recordContext(): RecordContext {
    return this.current?.context ?? { topic: undefined, partition: undefined, offset: undefined, timestamp: this.inputs.streamTime(), headers: new Record(null, null, 0).headers };
  }

  private hooks(): TaskHooks {
    return {
      applicationId: this.o.config.applicationId,
      taskId: this.id,
      partition: this.partition,
      appConfigs: this.o.config.appConfigs,
      recordMetadata: () => this.current?.metadata,
      streamTime: () => this.inputs.streamTime(),
      wallClockTime: () => this.o.config.clock.now(),
      store: (name) => this.storeInstances.get(name),
      globalStore: (name) => this.o.config.globalStore?.(name),
      schedule: (nodeName, intervalMs, type, callback) => this.schedule(nodeName, intervalMs, type, callback),
      requestCommit: () => {
        this.commitRequestedFlag = true;
      },
      withForwarded: (record, run) => withForwarded(this.slot, record, run),
      recordDropped: (node, reason, level) => {
        this.droppedRecords++;
        this.o.metrics?.dropped.mark();
        const m = this.current?.metadata;
        const where = m ? `topic=${m.topic} partition=${m.partition} offset=${m.offset}` : 'outside record processing';
        this.o.config.logger[level](`${node} dropped a record: ${reason} (${where}, task ${this.id})`, { task: this.id, node, topic: m?.topic, partition: m?.partition, offset: m?.offset });
      },
      track: (p) => this.pending.track(p),
    };
  }

  private schedule(nodeName: string, intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable {
    const s: PunctuationSchedule = {
      nodeName,
      intervalMs,
      callback,
      // stream time: aligned to 0, fires as soon as there is data; wall clock: one interval from now
      nextTime: type === 'STREAM_TIME' ? 0 : this.o.config.clock.now() + intervalMs,
      cancelled: false,
    };
    (type === 'STREAM_TIME' ? this.streamPunctuations : this.wallPunctuations).add(s);
    return {
      cancel: () => {
        s.cancelled = true;
      },
    };
  }

  private checkRunning(): void {
    if (this.taskState !== 'RUNNING') throw new IllegalStateError(`task ${this.id} is ${this.taskState}; call initializeProcessors() before process()`);
  }

  private transition(next: TaskState): void {
    if (!transitions[this.taskState].includes(next)) {
      throw new IllegalStateError(`task ${this.id} cannot go from ${this.taskState} to ${next}`);
    }
    this.taskState = next;
  }
}
