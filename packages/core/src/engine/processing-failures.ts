// Owns what happens when a processor fails on a record: first retries with exponential backoff when a
// retry policy covers the processor (Sluice's addition: the processor that threw is called again with
// the record it was given, while the task's later records wait), then the processing exception
// handler's decision — continue (writing the dead-letter records it returns, KIP-1034) or fail the task
// with the record's coordinates. Dead-letter records leave through the task's record collector, so
// under exactly-once they are in the task's transaction.
import { ProcessingError, SerdeError, describeError, type Clock } from '@sluice/common';
import { Headers } from '../processor/headers.js';
import type { Record } from '../processor/record.js';
import { decide, type DeadLetterRecord, type EngineConfig, type HandlerDecision, type RetryPolicy, type SourceRecordContext } from './config.js';
import { deadLetterRecord } from './dead-letter.js';
import { NodeFailure, type RuntimeNode } from './nodes.js';
import type { RecordCollector } from './record-collector.js';
import type { StampedRecord } from './record-queue.js';

/** A record waiting for its next attempt at the processor that failed on it. */
export interface PendingRetry {
  readonly node: RuntimeNode;
  readonly record: Record<unknown, unknown>;
  readonly head: StampedRecord;
  readonly attempt: number;
  readonly firstFailureAt: number;
  readonly nextAttemptAt: number;
  readonly lastError: unknown;
}

export interface FailureOutcome {
  /** 'retry': wait for `retry.nextAttemptAt`; 'continue': the record is done (skipped). Fail throws. */
  readonly kind: 'retry' | 'continue';
  readonly retry?: PendingRetry;
}

const RETRY: { kind: 'retry' } = { kind: 'retry' };
const CONTINUE: FailureOutcome = { kind: 'continue' };

export class ProcessingFailures {
  constructor(
    private readonly taskId: string,
    private readonly config: EngineConfig,
    private readonly collector: RecordCollector,
    private readonly clock: Clock,
  ) {}

  /**
   * Decides the failure `err` of the record `head` (attempt `attempt`, the first failing at
   * `firstFailureAt`): schedule a retry, or continue, or throw the task's ProcessingError.
   */
  onFailure(err: unknown, head: StampedRecord, attempt: number, firstFailureAt: number): FailureOutcome | Promise<FailureOutcome> {
    const f = err instanceof NodeFailure ? err : new NodeFailure('(unknown)', err);
    const policy = f.node && f.record ? this.policyFor(f.nodeName, f.error) : undefined;
    if (policy) {
      const now = this.clock.now();
      const maxAttempts = policy.maxAttempts ?? 3;
      const elapsed = now - firstFailureAt;
      if (attempt < maxAttempts && elapsed < (policy.maxElapsedMs ?? 60_000)) {
        const backoff = Math.min(policy.maxBackoffMs ?? 10_000, (policy.initialBackoffMs ?? 100) * (policy.multiplier ?? 2) ** (attempt - 1));
        this.config.logger.warn(`processor '${f.nodeName}' failed on the record at ${where(head)} (attempt ${attempt} of ${maxAttempts}): ${describeError(f.error)}; trying again in ${Math.round(backoff)} ms`, {
          task: this.taskId,
          node: f.nodeName,
          topic: head.raw.topic,
          partition: head.raw.partition,
          offset: head.raw.offset,
        });
        return { ...RETRY, retry: { node: f.node!, record: f.record!, head, attempt: attempt + 1, firstFailureAt, nextAttemptAt: now + backoff, lastError: f.error } };
      }
    }
    return this.decide(f, head, attempt);
  }

  /** The processing exception handler decides (after retries, if any). */
  private decide(f: NodeFailure, head: StampedRecord, attempts: number): FailureOutcome | Promise<FailureOutcome> {
    const raw = head.raw;
    const dlq = this.config.deadLetterQueueTopic;
    const decision = decide(
      this.config.processingExceptionHandler,
      {
        taskId: this.taskId,
        nodeName: f.nodeName,
        topic: raw.topic,
        partition: raw.partition,
        offset: raw.offset,
        error: f.error,
        key: head.key,
        value: head.value,
        source: raw,
        deadLetterQueueTopic: dlq,
      },
      () => (dlq === undefined ? undefined : deadLetterRecord(dlq, raw, f.error)),
    );
    const apply = (d: HandlerDecision): FailureOutcome => {
      const message = `processor '${f.nodeName}' in task ${this.taskId} failed on the record at ${where(head)} (timestamp ${head.timestamp})${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${describeError(f.error)}`;
      if (d.response === 'CONTINUE') {
        const n = d.deadLetterQueueRecords?.length ?? 0;
        this.config.logger.warn(`${message}; continuing (processingExceptionHandler said CONTINUE${n > 0 ? `; ${n} dead-letter record${n > 1 ? 's' : ''} written` : ''})`, {
          task: this.taskId,
          node: f.nodeName,
          topic: raw.topic,
          partition: raw.partition,
          offset: raw.offset,
        });
        if (n > 0) this.deadLetters(d.deadLetterQueueRecords!);
        return CONTINUE;
      }
      throw new ProcessingError(message, {
        cause: f.error,
        context: { taskId: this.taskId, node: f.nodeName, topic: raw.topic, partition: raw.partition, offset: raw.offset },
      });
    };
    if (decision instanceof Promise) return decision.then(apply);
    return apply(decision);
  }

  /** Sends dead-letter records through the task's collector. */
  deadLetters(records: readonly DeadLetterRecord[]): void {
    for (const r of records) {
      this.collector.send({
        topic: r.topic,
        key: r.key,
        value: r.value,
        timestamp: r.timestamp ?? this.clock.now(),
        headers: Headers.fromObject(r.headers as never),
        partition: r.partition,
        partitioner: undefined,
      });
    }
  }

  /** A dead-letter record of `source` to the configured topic, if there is one. */
  deadLetterOf(source: SourceRecordContext, error: unknown): DeadLetterRecord | undefined {
    const dlq = this.config.deadLetterQueueTopic;
    return dlq === undefined ? undefined : deadLetterRecord(dlq, source, error);
  }

  private policyFor(nodeName: string, error: unknown): RetryPolicy | undefined {
    const cfg = this.config.processingRetry;
    if (!cfg) return undefined;
    const own = cfg.processors?.[nodeName];
    if (own === false) return undefined;
    const policy = own ?? cfg;
    // a record that cannot be written will not be written on a second try either
    const retryOn = policy.retryOn ?? ((e: unknown) => !(e instanceof SerdeError));
    return retryOn(error) ? policy : undefined;
  }
}

function where(head: StampedRecord): string {
  return `topic '${head.raw.topic}' partition ${head.raw.partition} offset ${head.raw.offset}`;
}
