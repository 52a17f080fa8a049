// Owns the part of the application configuration that the task engine needs, with Kafka Streams'
// defaults, and the exception handler types shared by runtime and TopologyTestDriver.
import { ConfigError, type Clock, type Logger } from '@sluice/common';
import type { Headers } from '../processor/headers.js';
import type { Serde } from '@sluice/serdes';
import type { StateStore } from '@sluice/state';
import type { TimestampExtractor } from '../processor/api.js';

export type HandlerResponse = 'CONTINUE' | 'FAIL';

/** A record for the dead letter queue, as a handler returns it (Kafka's KIP-1034 handler responses). */
export interface DeadLetterRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Headers as name → bytes (repeated names as arrays). */
  readonly headers?: { readonly [name: string]: Buffer | string | readonly (Buffer | string)[] };
  readonly partition?: number;
  readonly timestamp?: number;
}

/** A handler's decision: go on or fail, and dead-letter records to write (in the task's transaction). */
export interface HandlerDecision {
  readonly response: HandlerResponse;
  readonly deadLetterQueueRecords?: readonly DeadLetterRecord[];
}

/** What a custom handler may return: a response, a decision with dead-letter records, or a promise of either. */
export type HandlerResult = HandlerResponse | HandlerDecision | Promise<HandlerResponse | HandlerDecision>;

/** Where a failed record came from: the source record as read, before deserialization. */
export interface SourceRecordContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
}

export interface DeserializationErrorContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly taskId: string;
  readonly error: unknown;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
  /** The configured dead letter queue topic (deadLetterQueueTopicName), if any. */
  readonly deadLetterQueueTopic: string | undefined;
}

export interface ProcessingErrorContext {
  readonly taskId: string;
  readonly nodeName: string;
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: number | undefined;
  readonly error: unknown;
  readonly key: unknown;
  readonly value: unknown;
  /** The source record that led to the failure (undefined in a punctuation). */
  readonly source: SourceRecordContext | undefined;
  readonly deadLetterQueueTopic: string | undefined;
}

/** 'logAndFail' (default, as Kafka Streams), 'logAndContinue', or a function deciding per failure (may be async). */
export type DeserializationExceptionHandler = 'logAndFail' | 'logAndContinue' | ((ctx: DeserializationErrorContext) => HandlerResult);
export type ProcessingExceptionHandler = 'logAndFail' | 'logAndContinue' | ((ctx: ProcessingErrorContext) => HandlerResult);

/**
 * Retries of a failing processor (not in Kafka Streams): the processor that threw is called again
 * with the same record after a backoff, while the task's other records wait (order kept) and other
 * tasks go on. When the attempts or the time run out, the processing exception handler decides.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included; default 3. */
  readonly maxAttempts?: number;
  /** Wait before the second attempt; default 100 ms, then multiplied each time. */
  readonly initialBackoffMs?: number;
  /** Longest wait between attempts; default 10 000 ms. */
  readonly maxBackoffMs?: number;
  /** Default 2. */
  readonly multiplier?: number;
  /** Give up once this much time has passed since the first failure; default 60 000 ms. */
  readonly maxElapsedMs?: number;
  /** Which errors are worth retrying; default all. */
  readonly retryOn?: (error: unknown) => boolean;
}

export interface ProcessingRetryConfig extends RetryPolicy {
  /** Per processor name: its own policy, or false for no retries. Processors not named use the policy above. */
  readonly processors?: { readonly [processorName: string]: RetryPolicy | false };
}

export interface EngineConfig {
  readonly applicationId: string;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly defaultTimestampExtractor: TimestampExtractor;
  readonly deserializationExceptionHandler: DeserializationExceptionHandler;
  readonly processingExceptionHandler: ProcessingExceptionHandler;
  /** Kafka's errors.dead.letter.queue.topic.name: where the built-in handlers send records they skip. */
  readonly deadLetterQueueTopic?: string | undefined;
  /** Retries of failing processors before the processing exception handler decides; none by default. */
  readonly processingRetry?: ProcessingRetryConfig | undefined;
  /** The whole user configuration, visible to processors as context.appConfigs. */
  readonly appConfigs: Readonly<{ [key: string]: unknown }>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This worker's copy of a global store by name (undefined when there is none); any processor may read it. */
  readonly globalStore?: (name: string) => StateStore | undefined;
}

/**
 * A handler's decision for one failure, as a HandlerDecision (or a promise of one when the handler is
 * async). The built-in handlers add a dead-letter record of the source record when a dead letter
 * queue topic is configured and they continue (KIP-1034).
 */
export function decide<C>(handler: 'logAndFail' | 'logAndContinue' | ((ctx: C) => HandlerResult), ctx: C, deadLetter: () => DeadLetterRecord | undefined): HandlerDecision | Promise<HandlerDecision> {
  if (handler === 'logAndFail') return FAIL;
  if (handler === 'logAndContinue') {
    const dlq = deadLetter();
    return dlq ? { response: 'CONTINUE', deadLetterQueueRecords: [dlq] } : CONTINUE;
  }
  const r = handler(ctx);
  if (r && typeof (r as Promise<unknown>).then === 'function') return (r as Promise<HandlerResponse | HandlerDecision>).then(asDecision);
  return asDecision(r as HandlerResponse | HandlerDecision);
}

const FAIL: HandlerDecision = { response: 'FAIL' };
const CONTINUE: HandlerDecision = { response: 'CONTINUE' };

function asDecision(r: HandlerResponse | HandlerDecision): HandlerDecision {
  if (r === 'CONTINUE') return CONTINUE;
  if (r === 'FAIL') return FAIL;
  if (r && (r.response === 'CONTINUE' || r.response === 'FAIL')) return r;
  throw new ConfigError(`an exception handler returned ${JSON.stringify(r)}; it must return 'CONTINUE', 'FAIL' or { response: 'CONTINUE' | 'FAIL', deadLetterQueueRecords }`);
}

/** The built-in exception handlers, by name (Kafka's LogAndFail/LogAndContinue...ExceptionHandler). */
export const EXCEPTION_HANDLER_NAMES = ['logAndFail', 'logAndContinue'] as const;

/**
 * Checks an exception handler setting when the app (or test driver) is created, so that a misspelt
 * name fails then, with the valid choices, instead of at the first bad record.
 */
export function checkExceptionHandler(setting: string, handler: unknown): void {
  if (handler === undefined || typeof handler === 'function') return;
  if (typeof handler === 'string' && (EXCEPTION_HANDLER_NAMES as readonly string[]).includes(handler)) return;
  const shown = typeof handler === 'string' ? `'${handler}'` : handler === null ? 'null' : `a ${typeof handler}`;
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
  // 'log_and_continue', 'LogAndFail', 'logAndContinu': the same words in another spelling
  const guess =
    typeof handler === 'string' && squash(handler).length >= 7
      ? (EXCEPTION_HANDLER_NAMES.find((n) => squash(n) === squash(handler)) ?? EXCEPTION_HANDLER_NAMES.find((n) => squash(n).startsWith(squash(handler)) || squash(handler).startsWith(squash(n))))
      : undefined;
  throw new ConfigError(
    `${setting} ${shown} is not a handler${guess ? ` (did you mean '${guess}'?)` : ''}; use 'logAndFail' (stop the app, the default), 'logAndContinue' (log and skip the record) or a function (context) => 'CONTINUE' | 'FAIL'`,
    { context: { setting, choices: EXCEPTION_HANDLER_NAMES } },
  );
}
