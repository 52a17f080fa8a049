// The Sluice worker: the scenarios' topologies in the Sluice DSL, the same operators, store names,
// repartition name and serdes as bench/java/.../StreamsBench.java, one worker per run.
import { Consumed, Grouped, KafkaStreams, KeyValue, Materialized, Produced, Serdes, StreamsBuilder, TimeWindows, type Topology } from 'sluice';
import { readFileSync } from 'node:fs';
import { emit, fail, firstInputReporter, onShutdown, readRunSpec } from './worker-protocol.js';
import type { RunSpec } from '../adapters/types.js';

const spec = readRunSpec();
const S = Serdes.String();
const firstInput = firstInputReporter();
const version = (JSON.parse(readFileSync(new URL('../../packages/sluice/package.json', import.meta.url), 'utf8')) as { version: string }).version;
emit({ event: 'info', version });

function topology(s: RunSpec): Topology {
  const builder = new StreamsBuilder();
  const input = builder.stream(s.inputTopic, Consumed.with(S, S)).peek(firstInput);
  const output = s.outputTopic ?? '';
  switch (s.scenario) {
    case 's1':
      // values start with a decimal digit; 8 in 10 pass (the harness knows which)
      input
        .filter((_k, v) => v !== null && v.length > 0 && v.charCodeAt(0) < 56)
        .mapValues((v) => v.toUpperCase())
        .to(output, Produced.with(S, S));
      break;
    case 's2':
    case 's4':
      input
        .flatMapValues((v) => v.split(' '))
        .groupBy((_k, word) => word, Grouped.with(S, S).withName('words'))
        .count(Materialized.as<string, number>('word-counts').withKeySerde(S).withValueSerde(Serdes.Long()))
        .toStream()
        .mapValues((c) => String(c))
        .to(output, Produced.with(S, S));
      break;
    case 's3':
      input
        .groupByKey(Grouped.with(S, S))
        .windowedBy(TimeWindows.ofSizeAndGrace(s.windowSizeMs, s.graceMs))
        .count(Materialized.as<string, number>('window-counts').withKeySerde(S).withValueSerde(Serdes.Long()))
        .toStream()
        .map((wk, c) => KeyValue.pair(`${wk.key}@${wk.window.start}`, String(c)))
        .to(output, Produced.with(S, S));
      break;
    case 's5':
      input.toTable(Materialized.as<string, string>('restore-store').withKeySerde(S).withValueSerde(S));
      break;
  }
  return builder.build();
}

const app = new KafkaStreams(topology(spec), {
  applicationId: spec.appId,
  bootstrapServers: spec.brokers,
  processingGuarantee: spec.guarantee === 'exactly_once_v2' ? 'exactly_once' : 'at_least_once',
  commitIntervalMs: spec.commitIntervalMs,
  cacheMaxBytes: spec.cacheMaxBytes,
  stateDir: spec.stateDir,
  logLevel: (process.env['SLUICE_BENCH_LOG_LEVEL'] ?? 'warn') as 'warn',
  // operating features under measurement (bench/adapters/sluice-variants.ts); absent: the defaults
  ...(process.env['SLUICE_BENCH_LOG_FORMAT'] ? { logFormat: process.env['SLUICE_BENCH_LOG_FORMAT'] as 'json' } : {}),
  ...(process.env['SLUICE_BENCH_METRICS_LEVEL'] ? { metricsRecordingLevel: process.env['SLUICE_BENCH_METRICS_LEVEL'] as 'debug' } : {}),
  ...(process.env['SLUICE_BENCH_TRACING'] ? { tracing: { enabled: process.env['SLUICE_BENCH_TRACING'] === 'on' } } : {}),
});

// S5: restoration = every store partition restored before the first RUNNING
let restoreStartedAt = 0;
let restored = 0;
let restoring = 0;
app.onRestoreProgress((p) => {
  if (p.total === 0) return; // an empty changelog: nothing to restore
  if (restoreStartedAt === 0) {
    restoreStartedAt = Date.now();
    emit({ event: 'restore-start', at: restoreStartedAt });
  }
  if (p.restored === 0 && !p.done) restoring++;
  if (p.done) restored += p.restored;
});
app.onStateChange((next) => {
  emit({ event: 'state', state: next, at: Date.now() });
  if (next === 'RUNNING' && restoreStartedAt > 0 && restoring > 0) {
    emit({ event: 'restore-end', at: Date.now(), records: restored, startedAt: restoreStartedAt });
    restoring = 0;
  }
});
app.onError((err) => fail(err));
onShutdown(() => app.close());
await app.start().catch(fail);
