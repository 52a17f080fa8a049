// Owns tracing a task's records with OpenTelemetry (only @opentelemetry/api: the SDK and exporters
// are the application's): one CONSUMER span per record per sub-topology, the child of the context in
// the record's `traceparent` header (the producer's span, or the upstream sub-topology's across a
// repartition topic). The record carries the new span's context downstream in its headers, so output
// and repartition records continue the trace and Jaeger or Zipkin show one record's whole path.
import { context, isSpanContextValid, SpanKind, SpanStatusCode, trace, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { RawRecord, RecordTracer, TracedRecord } from '@sluice/core';
import { extractSpanContext, injectSpanContext } from './trace-context.js';

export const TRACER_NAME = 'sluice';

export interface OtelRecordTracerOptions {
  readonly applicationId: string;
  /** Default: the global TracerProvider (the one the application's SDK registered). */
  readonly tracerProvider?: TracerProvider | undefined;
}

export class OtelRecordTracer implements RecordTracer {
  private readonly tracer: Tracer;

  constructor(private readonly o: OtelRecordTracerOptions) {
    this.tracer = (o.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
  }

  start(raw: RawRecord, taskId: string, subtopology: number): TracedRecord {
    const remote = extractSpanContext(raw.headers);
    const parent = remote === undefined ? context.active() : trace.setSpanContext(context.active(), remote);
    const span: Span = this.tracer.startSpan(
      `${raw.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.destination.name': raw.topic,
          'messaging.destination.partition.id': String(raw.partition),
          'messaging.kafka.offset': raw.offset,
          'messaging.consumer.group.name': this.o.applicationId,
          'sluice.task.id': taskId,
          'sluice.subtopology': subtopology,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    // no SDK (a no-op span has no valid context): the record keeps the context it came with
    const own = span.spanContext();
    const headers = isSpanContextValid(own) ? injectSpanContext(raw.headers, own) : raw.headers;
    return {
      headers,
      run: (fn) => context.with(active, fn),
      end: (error?: unknown) => {
        if (error !== undefined) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        }
        span.end();
      },
    };
  }
}
