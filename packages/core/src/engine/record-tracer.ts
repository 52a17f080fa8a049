// Owns the tracing port of a task: when tracing is on, each input record is processed inside a span
// that the runtime starts (OpenTelemetry in @sluice/runtime), and the record carries that span's
// trace context downstream in its headers — to sinks, repartition topics and caches alike. When
// tracing is off the task has no tracer and reads no header.
import type { Headers } from '../processor/headers.js';
import type { RawRecord } from './record-queue.js';

/** The span of one record's processing in one task. */
export interface TracedRecord {
  /** The record's headers with this span's trace context (a copy: the fetched record is not changed). */
  readonly headers: Headers;
  /** Runs `fn` with this span as the active one (processors that trace see it as their parent). */
  run<T>(fn: () => T): T;
  /** Ends the span; `error` marks it failed. */
  end(error?: unknown): void;
}

export interface RecordTracer {
  /** Starts the span of processing `raw` in task `taskId`, child of the trace context in its headers. */
  start(raw: RawRecord, taskId: string, subtopology: number): TracedRecord;
}
