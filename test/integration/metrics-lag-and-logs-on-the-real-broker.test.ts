// Metrics, consumer lag and structured logs of a KafkaStreams app on the real broker: a word count
// (input and repartition topics) processes exactly the records it was given, its lag per partition
// reaches 0 under at-least-once and exactly-once (transaction markers are not lag), the Prometheus
// text says the same; a record that cannot be deserialized is logged as a JSON line (pino) with its
// coordinates and error code, and counted as dropped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, Grouped, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder, prometheusText, type StreamsConfig } from 'sluice';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, uniqueName } from '../helpers/kafka.js';

afterAll(closeTestClients);

const S = Serdes.String();

async function eventually<T>(what: string, read: () => T, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = read();
  while (!done(v)) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
    v = read();
  }
  return v;
}

function logLines(): { lines: Record<string, unknown>[]; logger: ReturnType<typeof pino> } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.length > 0) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

async function withApp(appId: string, build: StreamsBuilder, config: Partial<StreamsConfig>, body: (app: KafkaStreams) => Promise<void>): Promise<void> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'metrics-'));
  const app = new KafkaStreams(build.build(), { applicationId: appId, bootstrapServers: kafkaBrokers(), stateDir, commitIntervalMs: 200, logLevel: 'warn', ...config });
  try {
    await app.start();
    await body(app);
  } finally {
    await app.close();
    await deleteTopicsWithPrefix(appId);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

describe.each(['at_least_once', 'exactly_once'] as const)('a word count under %s', (guarantee) => {
  it('counts every record processed and its lag per partition reaches 0', async () => {
    const input = await createTopic('metrics-in', { partitions: 2 });
    const output = await createTopic('metrics-out', { partitions: 2 });
    const appId = uniqueName('metrics');
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
      .flatMapValues((line) => line.split(' '))
      .groupBy((_k, word) => word, Grouped.with(S, S).withName('words'))
      .count(Materialized.as<string, number>('counts').withKeySerde(S).withValueSerde(Serdes.Long()))
      .toStream()
      .to(output, Produced.with(S, Serdes.Long()));
    const lines = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: ['alpha', 'beta', 'gamma', 'delta'].slice(0, 1 + (i % 4)).join(' ') }));
    const words = lines.reduce((n, l) => n + l.value.split(' ').length, 0);
    await withApp(appId, b, { processingGuarantee: guarantee }, async (app) => {
      await produce(input, lines);
      const metrics = await eventually(
        'processing every line and word',
        () => app.metrics(),
        (m) => m.processed >= lines.length + words,
      );
      expect(metrics.processed).toBe(lines.length + words);
      expect(metrics.value('stream-thread-metrics', 'process-total')).toBe(lines.length + words);
      expect(metrics.tasks).toBe(4);
      expect(metrics.value('stream-thread-metrics', 'task-created-total')).toBe(4);

      const repartition = `${appId}-words-repartition`;
      const lags = await eventually(
        'lag 0 on every input and repartition partition',
        () => app.consumerLags(),
        (l) => l.length === 4 && l.every((p) => p.lag === 0),
      );
      expect(lags.map((l) => `${l.topic}:${l.partition}`).sort()).toEqual([`${input}:0`, `${input}:1`, `${repartition}:0`, `${repartition}:1`].sort());
      await eventually('a commit', () => app.metrics().commits, (n) => n > 0);

      const text = await prometheusText(app);
      const sample = (name: string, labels: string) => new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1];
      const thread = app.metrics().find('stream-thread-metrics', 'process-total')[0]!.tags['thread-id']!;
      expect(sample('kafka_stream_thread_process_total', `thread_id="${thread}"`)).toBe(String(lines.length + words));
      for (const p of [0, 1]) {
        expect(sample('kafka_consumer_fetch_manager_records_lag', `client_id="${thread}-consumer",topic="${input}",partition="${p}"`)).toBe('0');
        expect(sample('kafka_consumer_fetch_manager_records_lag', `client_id="${thread}-consumer",topic="${repartition}",partition="${p}"`)).toBe('0');
      }
      expect(text).toMatch(/^# TYPE kafka_stream_thread_commit_latency_max_seconds gauge$/m);
      const client = thread.replace(/-StreamThread-1$/, '');
      expect(sample('kafka_stream_state', `client_id="${client}",state="RUNNING"`)).toBe('1');
      expect(sample('kafka_stream_state', `client_id="${client}",state="ERROR"`)).toBe('0');
      expect(sample('kafka_stream_alive_stream_threads', `client_id="${client}"`)).toBe('1');
      // what was counted is what came out
      const out = await consumeUntil(output, 4, { readCommitted: true, settleMs: 500 });
      expect(out.length).toBeGreaterThanOrEqual(4);
    });
  });
});

describe('a record that cannot be deserialized', () => {
  it('is logged as a JSON line with its coordinates and error code, and counted as dropped', async () => {
    const input = await createTopic('metrics-bad-in');
    const output = await createTopic('metrics-bad-out');
    const appId = uniqueName('metrics-bad');
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, Serdes.Json<{ n: number }>()))
      .mapValues((v) => String(v.n * 2))
      .to(output, Produced.with(S, S));
    const { lines, logger } = logLines();
    await withApp(appId, b, { logger, deserializationExceptionHandler: 'logAndContinue' }, async (app) => {
      await produce(input, [
        { key: 'a', value: '{"n":1}' },
        { key: 'b', value: 'not json' },
        { key: 'c', value: '{"n":3}' },
      ]);
      await eventually('lag 0', () => app.consumerLags(), (l) => l.length === 1 && l[0]!.lag === 0);
      await eventually('2 records processed', () => app.metrics().processed, (n) => n === 2);
      expect(app.metrics().value('stream-task-metrics', 'dropped-records-total', { 'task-id': '0_0' })).toBe(1);

      const warn = lines.find((l) => l['errorCode'] === 'DESERIALIZATION_FAILED');
      expect(warn).toMatchObject({ level: 40, applicationId: appId, task: '0_0', topic: input, partition: 0, offset: 1 });
      expect(warn!['thread']).toMatch(new RegExp(`^${appId}-\\d+-StreamThread-1$`));
      expect(warn!['err']).toMatchObject({ type: 'SerdeError' });
      const started = lines.find((l) => typeof l['msg'] === 'string' && (l['msg'] as string).startsWith('started:'));
      expect(started).toMatchObject({ level: 30, applicationId: appId });
    });
  });
});
