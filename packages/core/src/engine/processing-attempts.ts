// Owns the attempts at processing one record, from its source node to done: the first — with the
// record as the current one, inside its span when tracing is on, and synchronous as long as the
// processors are (the hot path) — then, when it did not finish synchronously, waiting for its
// asynchronous processors and the forwards they left in flight; a failure goes to
// ProcessingFailures, and a record whose processor is to be retried waits here, with the record
// context it failed in, while the task's later records wait behind it (Sluice's own: Kafka's
// StreamTask has neither asynchronous processors nor processing retries).
import { Record } from '../processor/record.js';
import type { EngineConfig } from './config.js';
import type { ConsumedOffsets } from './consumed-offsets.js';
import { withForwarded, type CurrentRecord, type CurrentRecordSlot } from './forwarded-context.js';
import type { RuntimeNode } from './nodes.js';
import type { PendingForwards } from './pending-forwards.js';
import type { FailureOutcome, PendingRetry, ProcessingFailures } from './processing-failures.js';
import type { RawRecord, StampedRecord } from './record-queue.js';
import type { RecordTracer, TracedRecord } from './record-tracer.js';

/** What the attempts at a record work with: the task's parts. */
export interface ProcessingAttemptsOptions {
  readonly taskId: string;
  readonly subtopologyId: number;
  readonly config: EngineConfig;
  /** The task's nodes by name (the source nodes records enter through). */
  readonly nodes: ReadonlyMap<string, RuntimeNode>;
  readonly failures: ProcessingFailures;
  readonly pending: PendingForwards;
  /** Where the record being processed is kept (the task's context). */
  readonly slot: CurrentRecordSlot;
  readonly offsets: ConsumedOffsets;
}

export class ProcessingAttempts {
  /** A record waiting for another attempt at the processor that failed on it (a retry policy applies). */
  private retry: PendingRetry | undefined;
  /** The context of the record a retry waits with (its metadata, timestamp and headers). */
  private savedContext: CurrentRecord | undefined;

  private readonly taskId: string;
  private readonly subtopologyId: number;
  private readonly config: EngineConfig;
  private readonly nodes: ReadonlyMap<string, RuntimeNode>;
  private readonly failures: ProcessingFailures;
  private readonly pending: PendingForwards;
  private readonly slot: CurrentRecordSlot;
  private readonly offsets: ConsumedOffsets;

  constructor(o: ProcessingAttemptsOptions) {
    this.taskId = o.taskId;
    this.subtopologyId = o.subtopologyId;
    this.config = o.config;
    this.nodes = o.nodes;
    this.failures = o.failures;
    this.pending = o.pending;
    this.slot = o.slot;
    this.offsets = o.offsets;
  }

  /** The record waiting for another attempt, if any: the task takes no other record before it. */
  get waiting(): PendingRetry | undefined {
    return this.retry;
  }

  /** Forget the waiting record (its offset is not committed: the consumer fetches it again). */
  clear(): void {
    this.retry = undefined;
    this.savedContext = undefined;
  }

  /** The first attempt at `head`, taken from the queue of source `sourceName`, inside its span; synchronous while the processors are. */
  processTraced(sourceName: string, head: StampedRecord, tracer: RecordTracer): void | Promise<void> {
    const traced = tracer.start(head.raw, this.taskId, this.subtopologyId);
    let r: void | Promise<void>;
    try {
      r = this.process(sourceName, head, traced);
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

  /** The first attempt at `head`, taken from the queue of source `sourceName`; synchronous while the processors are. */
  process(sourceName: string, head: StampedRecord, traced?: TracedRecord): void | Promise<void> {
    const raw = head.raw;
    const headers = traced === undefined ? raw.headers : traced.headers;
    this.slot.current = {
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
      if (this.pending.size > 0) return this.failAfterPending(err, head, 1, this.config.clock.now());
      return this.failed(err, head, 1, this.config.clock.now());
    }
    if (r || this.pending.busy) return this.finishAsync(r, head, 1, this.config.clock.now());
    this.done(raw);
    return undefined;
  }

  /** Calls the processor that failed again with its record. True when the record is done (or skipped). */
  async attemptAgain(): Promise<boolean> {
    const retry = this.retry!;
    this.retry = undefined;
    this.slot.current = this.savedContext;
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
    this.config.logger.info(`processor '${retry.node.name}' succeeded on attempt ${retry.attempt} for the record at topic '${retry.head.raw.topic}' partition ${retry.head.raw.partition} offset ${retry.head.raw.offset}`, { task: this.taskId });
    this.done(retry.head.raw);
    return true;
  }

  private async finishAsync(r: void | Promise<void>, head: StampedRecord, attempt: number, firstFailureAt: number): Promise<void> {
    try {
      if (r) await r;
      await this.pending.drain();
    } catch (err) {
      return this.failAfterPending(err, head, attempt, firstFailureAt);
    }
    this.done(head.raw);
  }

  private async failAfterPending(err: unknown, head: StampedRecord, attempt: number, firstFailureAt: number): Promise<void> {
    await this.pending.settle();
    await this.failed(err, head, attempt, firstFailureAt);
  }

  /** A failure on `head`: wait for a retry, or (the handler continuing) mark it consumed; a failing handler throws. */
  private failed(err: unknown, head: StampedRecord, attempt: number, firstFailureAt: number): void | Promise<void> {
    const saved = this.slot.current;
    this.slot.current = undefined;
    const outcome = this.failures.onFailure(err, head, attempt, firstFailureAt);
    const apply = (o: FailureOutcome) => {
      if (o.kind === 'retry') {
        this.retry = o.retry;
        this.savedContext = saved;
        return;
      }
      this.done(head.raw);
    };
    if (outcome instanceof Promise) return outcome.then(apply);
    apply(outcome);
    return undefined;
  }

  private done(raw: RawRecord): void {
    this.offsets.consumed(raw.topic, raw.offset);
    this.slot.current = undefined;
  }
}
