// Owns one task = (sub-topology, partition): its lifecycle, and taking its records one after another
// with the punctuations that come due between them; the rest it hands to its parts, as Kafka's
// StreamTask does — which record next: PartitionGroup; processing it, retries included:
// ProcessingAttempts (failures and dead letters: ProcessingFailures; forwards in flight:
// PendingForwards); what its processors reach: TaskContext; punctuation: TaskPunctuation; stores:
// TaskStores; offsets to commit: ConsumedOffsets. Knows nothing about Kafka: the runtime feeds it
// fetched records and gives it a RecordCollector; TopologyTestDriver does the same in memory.
//
//   CREATED ──initializeStores──▶ RESTORING ──initializeProcessors──▶ RUNNING ──close──▶ CLOSED
//      └─────────────────────────────close──────────────────────────────────────────────▲
import { IllegalStateError, monotonicMs, type TaskMetrics } from '@sluice/common';
import type { StateStore, StateStoreContext } from '@sluice/state';
import type { Headers } from '../processor/headers.js';
import type { Topology, SubtopologyDef } from '../topology/topology.js';
import type { DeadLetterRecord, EngineConfig } from './config.js';
import { ConsumedOffsets } from './consumed-offsets.js';
import type { NodeContext, TaskHooks } from './node-context.js';
import type { RuntimeNode } from './nodes.js';
import { PartitionGroup } from './partition-group.js';
import { PendingForwards } from './pending-forwards.js';
import { ProcessingAttempts } from './processing-attempts.js';
import { ProcessingFailures } from './processing-failures.js';
import type { RecordCollector } from './record-collector.js';
import type { RawRecord } from './record-queue.js';
import { stampRecord } from './record-stamper.js';
import type { RecordTracer } from './record-tracer.js';
import { TaskMetering } from './task-metering.js';
import { TaskContext } from './task-context.js';
import { buildTaskNodes, closeProcessors, initProcessors, type SourceInfo } from './task-nodes.js';
import { TaskPunctuation } from './task-punctuation.js';
import { checkTransition, type TaskState } from './task-state.js';
import { TaskStores } from './task-stores.js';

export type { TaskState };

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
  private readonly nodes: ReadonlyMap<string, RuntimeNode>;
  private readonly contexts: ReadonlyMap<string, NodeContext>;
  private readonly storeInstances: TaskStores;
  private readonly punctuation: TaskPunctuation;
  private readonly offsets = new ConsumedOffsets();
  private readonly sources: ReadonlyMap<string, SourceInfo>;
  private readonly pending = new PendingForwards();
  private readonly attempts: ProcessingAttempts;
  /** The record being processed, and what the processors' contexts reach of the task. */
  private readonly context: TaskContext;
  private readonly metering: TaskMetering | undefined;
  /** Records dropped by the deserialization handler or for invalid timestamps. */
  skippedRecords = 0;

  constructor(private readonly o: StreamTaskOptions) {
    const { taskId, config } = o;
    this.id = taskId;
    this.partition = o.partition;
    const failures = new ProcessingFailures(taskId, config, o.collector, config.clock);
    const deadLetters = (records: readonly DeadLetterRecord[]) => failures.deadLetters(records);
    this.inputs = new PartitionGroup({
      stamp: (q, raw) => stampRecord(q, raw, this.sources.get(q.sourceName)!, this.id, this.o.config, deadLetters),
      skipped: (raw) => {
        // skipped by a handler or the extractor: its offset counts as consumed so it is committed past
        this.offsets.consumed(raw.topic, raw.offset);
        this.skippedRecords++;
        this.o.metrics?.dropped.mark();
      },
      clock: config.clock,
      maxTaskIdleMs: o.maxTaskIdleMs ?? 0,
      ...(o.lag ? { lag: o.lag } : {}),
    });
    this.storeInstances = new TaskStores(taskId, o.topology, o.subtopology, this.pending);
    const schedule: TaskHooks['schedule'] = (nodeName, intervalMs, type, callback) => this.punctuation.schedule(nodeName, intervalMs, type, callback);
    this.context = new TaskContext({ taskId, partition: o.partition, config, metrics: o.metrics, inputs: this.inputs, stores: this.storeInstances, pending: this.pending, offsets: this.offsets, schedule });
    this.punctuation = new TaskPunctuation(taskId, config.clock, this.context, this.pending, this.offsets);
    const built = buildTaskNodes({ ...o, recordContext: () => this.context.recordContext(), sourceRecord: () => this.context.current?.raw, hooks: this.context });
    this.nodes = built.nodes;
    this.contexts = built.contexts;
    this.sources = built.sources;
    this.attempts = new ProcessingAttempts({ taskId, subtopologyId: o.subtopology.id, config, nodes: this.nodes, failures, pending: this.pending, slot: this.context, offsets: this.offsets });
    for (const [topic, sourceName] of built.topicToSource) this.inputs.addQueue(topic, sourceName);
    for (const [sourceName, topics] of o.patternTopics ?? []) for (const t of topics) this.inputs.addQueue(t, sourceName);
    this.metering = o.metrics && new TaskMetering(o.metrics, this.nodes, built.sources.keys(), () => this.inputs.enforced);
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
    return this.storeInstances.all;
  }

  /** Records operators dropped on purpose (null keys, late records), Kafka Streams' dropped-records metric. */
  get droppedRecords(): number {
    return this.context.droppedRecords;
  }

  // ---- lifecycle ----

  /** Builds this task's stores and initialises them with the given context (which registers them for restore). */
  async initializeStores(context: StateStoreContext): Promise<void> {
    this.transition('RESTORING');
    await this.storeInstances.init(context);
  }

  /** Calls init() of every processor, parents first. Stores must be restored by now. */
  async initializeProcessors(): Promise<void> {
    if (this.taskState === 'CREATED') this.transition('RESTORING');
    await initProcessors(this.id, this.nodes, this.contexts);
    this.transition('RUNNING');
  }

  /** Flush every store (caches forward what they hold), in topological order. */
  flushState(): Promise<void> {
    return this.storeInstances.flush();
  }

  /** Close processors, then stores. `clean: false` after a failure: skip what could fail again. */
  async close(clean = true): Promise<void> {
    if (this.taskState === 'CLOSED') return;
    const errors: unknown[] = [];
    if (this.taskState === 'RUNNING') await closeProcessors(this.nodes, errors);
    await this.storeInstances.close(errors);
    this.inputs.clear();
    this.attempts.clear();
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
    this.attempts.clear();
  }

  bufferedRecords(): number {
    return this.inputs.buffered() + (this.attempts.waiting ? 1 : 0);
  }

  /** Records of input `topic` buffered and not processed yet. */
  bufferedRecordsOf(topic: string): number {
    return this.inputs.queue(topic)?.size ?? 0;
  }

  /** Timestamp of the record process() would take next, or undefined when nothing is buffered. */
  nextRecordTimestamp(): number | undefined {
    return this.attempts.waiting?.head.timestamp ?? this.inputs.nextTimestamp();
  }

  /** When a record waits for another attempt at a failed processor: the time of that attempt. */
  retryDueAt(): number | undefined {
    return this.attempts.waiting?.nextAttemptAt;
  }

  /**
   * The fetch of `topic` reached `nextOffset` (past transaction markers and aborted records, which
   * are never handed to the task): once every record before it is processed, that is the offset to
   * commit, so a caught-up input shows no lag under exactly-once.
   */
  advanceInput(topic: string, nextOffset: number): void {
    const q = this.inputs.queue(topic);
    if (!q || q.size > 0 || this.attempts.waiting) return;
    this.offsets.advance(topic, nextOffset);
  }

  /** Offsets to commit: the next offset to read, per input topic (partition = this.partition). */
  committableOffsets(): Map<string, number> {
    return this.offsets.committable();
  }

  /** True when records were processed (or punctuations ran) since the last markCommitted(). */
  get commitNeeded(): boolean {
    return this.offsets.commitNeeded;
  }

  get commitRequested(): boolean {
    return this.offsets.commitRequested;
  }

  markCommitted(): void {
    this.offsets.committed();
  }

  streamTime(): number {
    return this.inputs.streamTime();
  }

  /** Headers of the record being processed (undefined outside record processing). */
  currentHeaders(): Headers | undefined {
    return this.context.currentHeaders();
  }

  /** Timestamp of the record (or punctuation) being processed; stream time outside processing. */
  currentRecordTimestamp(): number {
    return this.context.currentRecordTimestamp();
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
      const retry = this.attempts.waiting;
      if (retry) {
        if (retry.nextAttemptAt > this.o.config.clock.now()) break;
        if (!(await this.attempts.attemptAgain())) break;
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
      const r = this.o.tracer === undefined ? this.attempts.process(next.queue.sourceName, next.head) : this.attempts.processTraced(next.queue.sourceName, next.head, this.o.tracer);
      if (r) await r;
      if (debug) m.processLatency!.record(monotonicMs() - t0);
      n++;
      if (this.punctuation.nextStreamTimeDue() <= this.inputs.streamTime()) await this.punctuation.maybePunctuateStreamTime(this.inputs.streamTime());
    }
    if (m !== undefined) m.activeProcess.add(monotonicMs() - started);
    return n;
  }

  maybePunctuateStreamTime(): Promise<boolean> {
    return this.punctuation.maybePunctuateStreamTime(this.inputs.streamTime());
  }

  maybePunctuateSystemTime(): Promise<boolean> {
    return this.punctuation.maybePunctuateSystemTime();
  }

  /** Earliest wall-clock time a punctuation is due (Infinity when none). */
  nextWallClockPunctuation(): number {
    return this.punctuation.nextWallClockDue();
  }

  // ---- state ----

  private checkRunning(): void {
    if (this.taskState !== 'RUNNING') throw new IllegalStateError(`task ${this.id} is ${this.taskState}; call initializeProcessors() before process()`);
  }

  private transition(next: TaskState): void {
    this.taskState = checkTransition(this.id, this.taskState, next);
  }
}
