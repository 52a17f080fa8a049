// Owns the part of the application configuration that the task engine needs, with Kafka Streams'
// defaults, and the exception handler types shared by runtime and TopologyTestDriver.
import { ConfigError, type Clock, type Logger } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import type { TimestampExtractor } from '../processor/api.js';

export type HandlerResponse = 'CONTINUE' | 'FAIL';

export interface DeserializationErrorContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly taskId: string;
  readonly error: unknown;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
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
}

/** 'logAndFail' (default, as Kafka Streams), 'logAndContinue', or a function deciding per failure. */
export type DeserializationExceptionHandler = 'logAndFail' | 'logAndContinue' | ((ctx: DeserializationErrorContext) => HandlerResponse);
export type ProcessingExceptionHandler = 'logAndFail' | 'logAndContinue' | ((ctx: ProcessingErrorContext) => HandlerResponse);

export interface EngineConfig {
  readonly applicationId: string;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly defaultTimestampExtractor: TimestampExtractor;
  readonly deserializationExceptionHandler: DeserializationExceptionHandler;
  readonly processingExceptionHandler: ProcessingExceptionHandler;
  /** The whole user configuration, visible to processors as context.appConfigs. */
  readonly appConfigs: Readonly<{ [key: string]: unknown }>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function decide<C>(handler: 'logAndFail' | 'logAndContinue' | ((ctx: C) => HandlerResponse), ctx: C): HandlerResponse {
  if (handler === 'logAndFail') return 'FAIL';
  if (handler === 'logAndContinue') return 'CONTINUE';
  return handler(ctx);
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
