// Task, processor-node, state-store and record-cache metrics of TopologyTestDriver's tasks against a
// known input: records processed per task and source node, late and null-key records counted as
// dropped, record-e2e-latency from the fake wall clock, lateness of out-of-order records, store
// operations and the cache's hit ratio — and what the recording levels leave out.
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, TimeWindows, TopologyTestDriver, type Metric } from 'sluice';

const S = Serdes.String();
const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
});

function wordCount(): StreamsBuilder {
  const b = new StreamsBuilder();
  b.stream('lines', Consumed.with(S, S))
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, Grouped.with(S, S).withName('words'))
    .count(Materialized.as<string, number>('counts').withKeySerde(S).withValueSerde(Serdes.Long()))
    .toStream()
    .to('word-counts', Produced.with(S, Serdes.Long()));
  return b;
}

function windowedCount(): StreamsBuilder {
  const b = new StreamsBuilder();
  b.stream('clicks', Consumed.with(S, S))
    .groupByKey(Grouped.with(S, S))
    .windowedBy(TimeWindows.ofSizeAndGrace(1_000, 100))
    .count(Materialized.as('clicks-per-second'));
  return b;
}

function drive(b: StreamsBuilder, config: ConstructorParameters<typeof TopologyTestDriver>[1]): TopologyTestDriver {
  const d = new TopologyTestDriver(b.build(), { initialWallClockTimeMs: 1_000_000, ...config });
  drivers.push(d);
  return d;
}

function find(d: TopologyTestDriver, group: string, name: string, tags: Record<string, string> = {}): Metric[] {
  return d.metrics().filter((m) => m.group === group && m.name === name && Object.entries(tags).every(([k, v]) => m.tags[k] === v));
}

function value(d: TopologyTestDriver, group: string, name: string, tags: Record<string, string> = {}): number {
  const found = find(d, group, name, tags);
  if (found.length !== 1) throw new Error(`expected one metric ${group} ${name} ${JSON.stringify(tags)}, found ${found.length}`);
  return found[0]!.value;
}

describe('metrics of a word count at the debug recording level', () => {
  it('counts records per task and source node, store operations and cache hits', async () => {
    const d = drive(wordCount(), { metricsRecordingLevel: 'debug' });
    const lines = d.createInputTopic('lines', S, S);
    await lines.pipeInput(null, 'a b a', 999_000);
    await lines.pipeInput(null, 'c a', 999_500);

    // sub-topology 0 reads the lines, sub-topology 1 the 5 words through the repartition topic
    expect(value(d, 'stream-task-metrics', 'process-total', { 'task-id': '0_0' })).toBe(2);
    expect(value(d, 'stream-task-metrics', 'process-total', { 'task-id': '1_0' })).toBe(5);
    const source1 = find(d, 'stream-processor-node-metrics', 'process-total', { 'task-id': '1_0' });
    expect(source1.map((m) => [m.tags['processor-node-id'], m.value])).toEqual([['words-repartition-source', 5]]);

    // e2e latency at the source: wall clock (1 000 000) − record timestamp
    expect(value(d, 'stream-processor-node-metrics', 'record-e2e-latency-max', { 'task-id': '0_0', 'processor-node-id': 'KSTREAM-SOURCE-0000000000' })).toBe(1_000);
    expect(value(d, 'stream-processor-node-metrics', 'record-e2e-latency-min', { 'task-id': '0_0', 'processor-node-id': 'KSTREAM-SOURCE-0000000000' })).toBe(500);
    expect(value(d, 'stream-processor-node-metrics', 'record-e2e-latency-avg', { 'task-id': '0_0', 'processor-node-id': 'KSTREAM-SOURCE-0000000000' })).toBe(750);
    // the sink is the terminal node of sub-topology 1; its records carry the timestamps of their words
    const sinkE2e = find(d, 'stream-processor-node-metrics', 'record-e2e-latency-max', { 'task-id': '1_0' }).filter((m) => m.tags['processor-node-id']!.includes('SINK'));
    expect(sinkE2e.map((m) => m.value)).toEqual([1_000]);

    // the count store: one get and one put per word; a, b, a, c, a → the cache misses a, b, c and hits a twice
    const store = { 'task-id': '1_0', 'rocksdb-state-id': 'counts' };
    expect(value(d, 'stream-state-metrics', 'put-total', store)).toBe(5);
    expect(value(d, 'stream-state-metrics', 'get-total', store)).toBe(5);
    expect(value(d, 'stream-state-metrics', 'flush-total', store)).toBeGreaterThanOrEqual(5); // the driver commits after every record
    expect(value(d, 'stream-state-metrics', 'put-latency-max', store)).toBeGreaterThan(0);
    const cache = { 'task-id': '1_0', 'record-cache-id': 'counts' };
    expect(value(d, 'stream-record-cache-metrics', 'hit-ratio-min', cache)).toBe(0);
    expect(value(d, 'stream-record-cache-metrics', 'hit-ratio-max', cache)).toBeCloseTo(2 / 5, 10); // 2 hits of 5 reads, at the last read
    const avg = value(d, 'stream-record-cache-metrics', 'hit-ratio-avg', cache);
    expect(avg).toBeGreaterThan(0);
    expect(avg).toBeLessThan(0.4);

    // record-e2e-latency of stores is a trace-level metric
    expect(find(d, 'stream-state-metrics', 'record-e2e-latency-avg')).toEqual([]);
    expect(value(d, 'stream-task-metrics', 'dropped-records-total', { 'task-id': '1_0' })).toBe(0);
  });
});

describe('dropped records and lateness of a windowed count', () => {
  it('counts late records and null keys as dropped, and measures lateness', async () => {
    const d = drive(windowedCount(), { metricsRecordingLevel: 'debug' });
    const clicks = d.createInputTopic('clicks', S, S);
    await clicks.pipeInput('u1', 'x', 10_000);
    await clicks.pipeInput('u1', 'x', 12_000); // stream time 12 000: window [10 000, 11 000) closed at 11 100
    await clicks.pipeInput('u1', 'x', 10_500); // late: its window closed → dropped, lateness 1 500
    await clicks.pipeInput('u2', 'x', 11_950); // in grace of [11 000, 12 000): counted, lateness 50
    await clicks.pipeInput(null, 'x', 12_000); // null key → dropped, lateness 0

    expect(value(d, 'stream-task-metrics', 'dropped-records-total', { 'task-id': '0_0' })).toBe(2);
    expect(value(d, 'stream-task-metrics', 'process-total', { 'task-id': '0_0' })).toBe(5);
    expect(value(d, 'stream-task-metrics', 'record-lateness-max', { 'task-id': '0_0' })).toBe(1_500);
    expect(value(d, 'stream-task-metrics', 'record-lateness-avg', { 'task-id': '0_0' })).toBe((0 + 0 + 1_500 + 50 + 0) / 5);
    expect(value(d, 'stream-task-metrics', 'enforced-processing-total', { 'task-id': '0_0' })).toBe(0); // one input partition
    expect(find(d, 'stream-state-metrics', 'put-total', { 'rocksdb-window-state-id': 'clicks-per-second' })).toHaveLength(1);
  });
});

describe('recording levels', () => {
  it('records only info metrics at the default level: dropped records and e2e latency, no task or store sensors', async () => {
    const d = drive(wordCount(), {});
    await d.createInputTopic('lines', S, S).pipeInput(null, 'a b', 999_000);
    expect(value(d, 'stream-task-metrics', 'dropped-records-total', { 'task-id': '0_0' })).toBe(0);
    expect(value(d, 'stream-processor-node-metrics', 'record-e2e-latency-max', { 'task-id': '0_0', 'processor-node-id': 'KSTREAM-SOURCE-0000000000' })).toBe(1_000);
    expect(find(d, 'stream-task-metrics', 'process-total')).toEqual([]);
    expect(find(d, 'stream-processor-node-metrics', 'process-total')).toEqual([]);
    expect(d.metrics().filter((m) => m.group === 'stream-state-metrics' || m.group === 'stream-record-cache-metrics')).toEqual([]);
  });

  it('adds the stores’ record-e2e-latency at trace', async () => {
    const d = drive(wordCount(), { metricsRecordingLevel: 'trace' });
    await d.createInputTopic('lines', S, S).pipeInput(null, 'a', 999_000);
    expect(value(d, 'stream-state-metrics', 'record-e2e-latency-max', { 'task-id': '1_0', 'rocksdb-state-id': 'counts' })).toBe(1_000);
  });
});
