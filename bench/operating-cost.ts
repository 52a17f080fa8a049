// Micro-benchmark of what metrics and tracing cost a task's hot path (issue 15 §5), without a broker
// and its noise: the tasks of S1 (filter + mapValues → sink) and S2 (split lines → repartition sink;
// words → count with a record cache → sink) run the same fetched batches through StreamTask.process,
// as the stream thread does, in rounds that alternate the variants; CPU time per record is compared.
//   node --conditions=sluice-source --import tsx bench/operating-cost.ts [--records N] [--rounds N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Headers, Materialized, Stores, StreamsBuilder, Consumed, Grouped, Produced, Serdes, type Topology } from 'sluice';
import { ManualClock, MetricsRegistry, ThreadMetrics, noopLogger, type RecordingLevel } from '@sluice/common';
import { StreamTask, failOnInvalidTimestamp, type EngineConfig, type RawRecord, type RecordTracer } from '@sluice/core';
import { createCacheMemoryPool, defaultRocksDbSharedOptions, type StateStoreContext } from '@sluice/state';
import { OtelRecordTracer } from '../packages/runtime/src/tracing/otel-record-tracer.js';

const S = Serdes.String();
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const RECORDS = arg('--records', 200_000);
const ROUNDS = arg('--rounds', 7);
const BATCH = 500;
const WORDS = Array.from({ length: 5_000 }, (_, i) => `w${i.toString(36)}`);

interface Variant {
  readonly label: string;
  readonly level: RecordingLevel | undefined;
  readonly tracing: boolean;
}
const VARIANTS: readonly Variant[] = [
  { label: 'no metrics, no tracer', level: undefined, tracing: false },
  { label: 'metrics info (default)', level: 'info', tracing: false },
  { label: 'metrics debug', level: 'debug', tracing: false },
  { label: 'metrics info + tracing on (no SDK)', level: 'info', tracing: true },
];

function s1(): Topology {
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(S, S))
    .filter((_k, v) => v !== null && v.charCodeAt(0) < 56)
    .mapValues((v) => v.toUpperCase())
    .to('out', Produced.with(S, S));
  return b.build();
}

function s2(): Topology {
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(S, S))
    .flatMapValues((v) => v.split(' '))
    .groupBy((_k, w) => w, Grouped.with(S, S).withName('words'))
    .count(Materialized.as<string, number>(Stores.inMemoryKeyValueStore('counts')).withKeySerde(S).withValueSerde(Serdes.Long()))
    .toStream()
    .mapValues((c) => String(c))
    .to('out', Produced.with(S, S));
  return b.build();
}

let seed = 42;
function rand(n: number): number {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fff_ffff;
  return seed % n;
}

/** Input records of a sub-topology's source topic. */
function inputs(kind: 's1' | 's1-lines' | 's2-words', topic: string, n: number): RawRecord[] {
  const out: RawRecord[] = [];
  for (let i = 0; i < n; i++) {
    let value: string;
    if (kind === 's1') value = `${i % 10}${'x'.repeat(99)}`;
    else if (kind === 's1-lines') value = Array.from({ length: 13 }, () => WORDS[rand(WORDS.length)]).join(' ');
    else value = WORDS[rand(WORDS.length)]!;
    const key = kind === 's2-words' ? value : `k${i}`;
    out.push({ topic, partition: 0, offset: i, timestamp: 1_000_000 + i, key: Buffer.from(key), value: Buffer.from(value), headers: new Headers() });
  }
  return out;
}

async function task(topology: Topology, sub: number, v: Variant, dir: string): Promise<StreamTask> {
  const clock = new ManualClock(2_000_000);
  const engine: EngineConfig = {
    applicationId: 'cost',
    defaultKeySerde: S,
    defaultValueSerde: S,
    defaultTimestampExtractor: failOnInvalidTimestamp,
    deserializationExceptionHandler: 'logAndFail',
    processingExceptionHandler: 'logAndFail',
    appConfigs: {},
    clock,
    logger: noopLogger,
  };
  const metrics = v.level === undefined ? undefined : new ThreadMetrics(new MetricsRegistry(v.level, () => clock.now()), 'cost-1-StreamThread-1').task(`${sub}_0`);
  const tracer: RecordTracer | undefined = v.tracing ? new OtelRecordTracer({ applicationId: 'cost' }) : undefined;
  const t = new StreamTask({
    taskId: `${sub}_0`,
    subtopology: topology.subtopologies()[sub]!,
    partition: 0,
    topology,
    config: engine,
    collector: { send: () => undefined },
    resolveTopic: (name) => (topology.isInternalTopic(name) ? `cost-${name}` : name),
    ...(metrics ? { metrics } : {}),
    ...(tracer ? { tracer } : {}),
  });
  const ctx: StateStoreContext = {
    applicationId: 'cost',
    taskId: t.id,
    partition: 0,
    taskDir: dir,
    clock,
    logger: noopLogger,
    cache: createCacheMemoryPool(10 * 1024 * 1024),
    rocksdb: defaultRocksDbSharedOptions(),
    register: () => undefined,
    logChange: () => undefined,
    streamTime: () => t.streamTime(),
    recordTimestamp: () => t.currentRecordTimestamp(),
    recordContext: () => t.currentHeaders(),
    ...(metrics ? { metrics } : {}),
  };
  await t.initializeStores(ctx);
  await t.initializeProcessors();
  return t;
}

/** CPU ms to process `records` as fetched batches, with a commit (flush) every 20 batches. */
async function run(t: StreamTask, topic: string, records: readonly RawRecord[]): Promise<number> {
  const cpu = process.cpuUsage();
  for (let i = 0; i < records.length; i += BATCH) {
    t.addRecords(topic, records.slice(i, i + BATCH));
    while (t.bufferedRecords() > 0) await t.process(1_000);
    if ((i / BATCH) % 20 === 19) {
      await t.flushState();
      t.markCommitted();
    }
  }
  await t.flushState();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function scenario(name: string, topology: Topology, sub: number, topic: string, records: RawRecord[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cost-'));
  const ns: number[][] = VARIANTS.map(() => []);
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      // a different variant goes first each round; round 0 warms the JIT and is not counted
      for (let k = 0; k < VARIANTS.length; k++) {
        const i = (k + round) % VARIANTS.length;
        const t = await task(topology, sub, VARIANTS[i]!, path.join(dir, `${round}-${i}`));
        const ms = await run(t, topic, records);
        await t.close();
        if (round > 0) ns[i]!.push((ms * 1e6) / records.length);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const base = median(ns[0]!);
  console.log(`\n${name} (${records.length.toLocaleString('en')} records, ${ROUNDS} rounds, median CPU per record)`);
  console.log('| variant | ns/record | vs no metrics | spread |');
  console.log('|---|---:|---:|---:|');
  VARIANTS.forEach((v, i) => {
    const xs = ns[i]!;
    const m = median(xs);
    console.log(`| ${v.label} | ${m.toFixed(0)} | ${(m / base).toFixed(3)}× | ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} |`);
  });
}

const t1 = s1();
await scenario('S1 stateless (filter + mapValues → sink)', t1, 0, 'in', inputs('s1', 'in', RECORDS));
const t2 = s2();
await scenario('S2 task 0 (split lines → repartition sink)', t2, 0, 'in', inputs('s1-lines', 'in', Math.round(RECORDS / 10)));
await scenario('S2 task 1 (count words, record cache → sink)', t2, 1, 'cost-words-repartition', inputs('s2-words', 'cost-words-repartition', RECORDS));
