// Owns the part of the application configuration that the task engine needs, with Kafka Streams'
// defaults, and the exception handler types shared by runtime and TopologyTestDriver.
import type { Clock, Logger } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import type { StateStore } from '@sluice/state';
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
  /** This worker's copy of a global store by name (undefined when there is none); any processor may read it. */
  readonly globalStore?: (name: string) => StateStore | undefined;
}

export function decide<C>(handler: 'logAndFail' | 'logAndContinue' | ((ctx: C) => HandlerResponse), ctx: C): HandlerResponse {
  if (handler === 'logAndFail') return 'FAIL';
  if (handler === 'logAndContinue') return 'CONTINUE';
  return handler(ctx);
}
