// The Sluice application of the bench scenarios (built in every stream thread of the worker,
// KafkaStreams.fromModule): the same operators, store names, repartition name and serdes as
// bench/java/.../StreamsBench.java.
import { Consumed, Grouped, Joined, JoinWindows, KeyValue, Materialized, Produced, Serdes, StreamJoined, StreamsBuilder, TimeWindows, type StreamsConfig, type TimestampExtractor, type Topology } from 'sluice';
import { firstInputReporter, readRunSpec } from './worker-protocol.js';
import type { RunSpec } from '../adapters/types.js';

const S = Serdes.String();
const firstInput = firstInputReporter();
/** A KTable has no peek(): its source reports first input from its timestamp extractor instead. */
const firstInputExtractor: TimestampExtractor = (record) => {
  firstInput();
  return record.timestamp;
};

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
    case 's6': {
      // orders ⋈ payments: both window stores (and their changelogs) named after 'order-payments'
      const payments = builder.stream(s.otherInputTopic ?? '', Consumed.with(S, S)).peek(firstInput);
      input
        .join(payments, (order: string, payment: string) => `${order}|${payment}`, JoinWindows.ofTimeDifferenceAndGrace(s.joinWindowMs, s.graceMs), StreamJoined.with(S, S, S).withStoreName('order-payments'))
        .to(output, Produced.with(S, S));
      break;
    }
    case 's7': {
      const customers = builder.table(s.otherInputTopic ?? '', Consumed.with(S, S, firstInputExtractor), Materialized.as<string, string>('customers-store').withKeySerde(S).withValueSerde(S));
      input.join(customers, (click: string, customer: string) => `${click}|${customer}`, Joined.with(S, S, S)).to(output, Produced.with(S, S));
      break;
    }
  }
  return builder.build();
}

export default function benchApp(): { topology: Topology; config: StreamsConfig } {
  const spec = readRunSpec();
  const config: StreamsConfig = {
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
    numStreamThreads: spec.streamThreads ?? 1,
    // experiments: any settings as JSON, e.g. SLUICE_BENCH_CONFIG='{"maxPartitionFetchBytes":131072}'
    ...(process.env['SLUICE_BENCH_CONFIG'] ? (JSON.parse(process.env['SLUICE_BENCH_CONFIG']) as object) : {}),
    ...(process.env['SLUICE_BENCH_MAX_TASK_IDLE_MS'] ? { maxTaskIdleMs: Number(process.env['SLUICE_BENCH_MAX_TASK_IDLE_MS']) } : {}),
  };
  return { topology: topology(spec), config };
}
