// OpenTelemetry tracing on the real broker: a record produced inside a span goes through two
// sub-topologies joined by a repartition topic; each processes it in a span of its own, the first a
// child of the producer's span, the second a child of the first (its context carried in the
// repartition record's traceparent header), and the output record carries the second span's context.
// A record without trace context starts a trace of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { context, trace, SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, KafkaStreams, Produced, Repartitioned, Serdes, StreamsBuilder } from 'sluice';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, uniqueName } from '../helpers/kafka.js';

afterAll(closeTestClients);

const S = Serdes.String();

function traceparentOf(headers: Record<string, unknown>): { traceId: string; spanId: string } | undefined {
  const raw = headers['traceparent'];
  if (raw === undefined) return undefined;
  const [, traceId, spanId] = String(raw).split('-');
  return { traceId: traceId!, spanId: spanId! };
}

describe('tracing across a repartition topic', () => {
  it('shows one record’s path through both sub-topologies in one trace', async () => {
    const input = await createTopic('trace-in', { partitions: 2 });
    const output = await createTopic('trace-out', { partitions: 2 });
    const appId = uniqueName('trace');
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
      .selectKey((_k, v) => v.toUpperCase())
      .repartition(Repartitioned.with(S, S).withName('by-value'))
      .mapValues((v) => `${v}!`)
      .to(output, Produced.with(S, S));
    const stateDir = mkdtempSync(path.join(tmpdir(), 'trace-'));
    const app = new KafkaStreams(b.build(), { applicationId: appId, bootstrapServers: kafkaBrokers(), stateDir, commitIntervalMs: 200, logLevel: 'warn', tracing: { enabled: true, tracerProvider: provider } });
    try {
      await app.start();
      // the producing application's span, its context in the record's headers as W3C traceparent
      const producerSpan = provider.getTracer('test-producer').startSpan('orders send', { kind: SpanKind.PRODUCER });
      const p = producerSpan.spanContext();
      producerSpan.end();
      await produce(input, [
        { key: 'k1', value: 'traced', headers: { traceparent: `00-${p.traceId}-${p.spanId}-01`, tracestate: 'vendor=1' } },
        { key: 'k2', value: 'untraced' },
      ]);
      const out = await consumeUntil(output, 2, { settleMs: 300 });
      const traced = out.find((r) => r.value?.toString() === 'traced!')!;
      const untraced = out.find((r) => r.value?.toString() === 'untraced!')!;

      const spans = () => exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === 'sluice');
      const deadline = Date.now() + 10_000;
      while (spans().length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const inTrace = spans().filter((s) => s.spanContext().traceId === p.traceId);
      expect(inTrace).toHaveLength(2);
      const first = inTrace.find((s) => s.attributes['messaging.destination.name'] === input)!;
      const second = inTrace.find((s) => s.attributes['messaging.destination.name'] === `${appId}-by-value-repartition`)!;
      expect(first.parentSpanContext?.spanId).toBe(p.spanId);
      expect(second.parentSpanContext?.spanId).toBe(first.spanContext().spanId);
      expect(first.kind).toBe(SpanKind.CONSUMER);
      expect(first.name).toBe(`${input} process`);
      expect(first.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.consumer.group.name': appId, 'sluice.task.id': expect.stringMatching(/^0_[01]$/) as unknown, 'sluice.subtopology': 0 });
      expect(second.attributes['sluice.subtopology']).toBe(1);
      expect(first.spanContext().traceState?.get('vendor')).toBe('1');

      // the output record continues the trace from the second sub-topology's span
      expect(traceparentOf(traced.headers)).toEqual({ traceId: p.traceId, spanId: second.spanContext().spanId });
      // a record without context starts its own trace, carried across the repartition as well
      const own = traceparentOf(untraced.headers)!;
      expect(own.traceId).not.toBe(p.traceId);
      const ownSpans = spans().filter((s) => s.spanContext().traceId === own.traceId);
      expect(ownSpans).toHaveLength(2);
      expect(ownSpans.find((s) => s.parentSpanContext === undefined)?.attributes['messaging.destination.name']).toBe(input);
      // tracing leaves the application's own active context alone
      expect(trace.getSpan(context.active())).toBeUndefined();
    } finally {
      await app.close();
      await deleteTopicsWithPrefix(appId);
      rmSync(stateDir, { recursive: true, force: true });
      await provider.shutdown();
    }
  });
});
