// The Prometheus text exposition (prom-client) of a TopologyTestDriver's metrics, parsed: every
// family is `kafka_<group>_<metric>` in snake_case with a HELP and a TYPE line, `_total` counters are
// counters, gauges never end in `_total`, `-rate` metrics are left out, time is in seconds, and the
// tags are labels.
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Serdes, StreamsBuilder, TopologyTestDriver, prometheusName, prometheusRegistry, prometheusText } from 'sluice';

const S = Serdes.String();
const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
});

interface Family {
  type: string;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

/** A small parser of the text format 0.0.4: families by name, with their samples. */
function parse(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { type: '', help: '', samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) {
      family(m[1]!).help = m[2]!;
      continue;
    }
    m = /^# TYPE (\S+) (counter|gauge|summary|histogram|untyped)$/.exec(line);
    if (m) {
      family(m[1]!).type = m[2]!;
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    family(m[1]!).samples.push({ labels, value: Number(m[3]) });
  }
  return families;
}

async function wordCount(): Promise<TopologyTestDriver> {
  const b = new StreamsBuilder();
  b.stream('lines', Consumed.with(S, S))
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, Grouped.with(S, S))
    .count(Materialized.as<string, number>('counts').withKeySerde(S).withValueSerde(Serdes.Long()));
  const d = new TopologyTestDriver(b.build(), { metricsRecordingLevel: 'debug', initialWallClockTimeMs: 50_000 });
  drivers.push(d);
  const lines = d.createInputTopic('lines', S, S);
  await lines.pipeInput(null, 'x y x', 48_000);
  await lines.pipeInput(null, 'x', 49_500);
  return d;
}

describe('Prometheus text of Kafka Streams metrics', () => {
  it('names, types, units and labels', async () => {
    const d = await wordCount();
    const families = parse(await prometheusText(d));

    for (const [name, f] of families) {
      expect(name).toMatch(/^kafka_(stream_task|stream_processor_node|stream_state|stream_record_cache|stream_thread|consumer_fetch_manager)_[a-z0-9_]+$/);
      expect(name).not.toMatch(/_rate$/);
      expect(f.help.length).toBeGreaterThan(0);
      expect(['counter', 'gauge']).toContain(f.type);
      if (f.type === 'gauge') expect(name).not.toMatch(/_total$/);
      if (f.type === 'counter') expect(name).toMatch(/_total$/);
    }

    const processed = families.get('kafka_stream_task_process_total')!;
    expect(processed.type).toBe('counter');
    expect(processed.samples.map((s) => [s.labels['task_id'], s.value]).sort()).toEqual([
      ['0_0', 2],
      ['1_0', 4],
    ]);
    expect(processed.samples[0]!.labels['thread_id']).toBe('topology-test-driver-StreamThread-1');

    const puts = families.get('kafka_stream_state_put_total')!;
    expect(puts.samples).toEqual([{ labels: { thread_id: 'topology-test-driver-StreamThread-1', task_id: '1_0', rocksdb_state_id: 'counts' }, value: 4 }]);
    expect(families.get('kafka_stream_state_put_latency_max_seconds')!.type).toBe('gauge');

    // e2e latency in seconds: wall clock 50 000 ms − timestamps 48 000 and 49 500
    const e2e = families.get('kafka_stream_processor_node_record_e2e_latency_max_seconds')!;
    const source0 = e2e.samples.find((s) => s.labels['task_id'] === '0_0' && s.labels['processor_node_id'] === 'KSTREAM-SOURCE-0000000000');
    expect(source0?.value).toBe(2);
    expect(families.get('kafka_stream_processor_node_record_e2e_latency_min_seconds')!.samples.find((s) => s.labels['processor_node_id'] === 'KSTREAM-SOURCE-0000000000')?.value).toBe(0.5);

    // the record cache's hit ratio: x, y, x, x → misses x and y, then two hits
    const hitMax = families.get('kafka_stream_record_cache_hit_ratio_max')!;
    expect(hitMax.samples.map((s) => s.value)).toEqual([0.5]);
    expect(families.get('kafka_stream_task_restore_remaining_records')).toBeUndefined(); // the driver restores nothing
  });

  it('maps Kafka metric names by one rule', () => {
    expect(prometheusName({ group: 'stream-thread-metrics', name: 'process-total', type: 'counter' })).toBe('kafka_stream_thread_process_total');
    expect(prometheusName({ group: 'stream-thread-metrics', name: 'process-rate', type: 'gauge' })).toBeUndefined();
    expect(prometheusName({ group: 'stream-thread-metrics', name: 'commit-latency-avg', type: 'gauge', unit: 'ms' })).toBe('kafka_stream_thread_commit_latency_avg_seconds');
    expect(prometheusName({ group: 'stream-task-metrics', name: 'restore-remaining-records-total', type: 'gauge' })).toBe('kafka_stream_task_restore_remaining_records');
    expect(prometheusName({ group: 'consumer-fetch-manager-metrics', name: 'records-lag', type: 'gauge' })).toBe('kafka_consumer_fetch_manager_records_lag');
  });

  it('reads the metrics again at every scrape, and serves them with prom-client’s content type', async () => {
    const d = await wordCount();
    const registry = prometheusRegistry(d);
    expect(registry.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const before = parse(await registry.metrics()).get('kafka_stream_task_process_total')!;
    await d.createInputTopic('lines', S, S).pipeInput(null, 'z', 49_900);
    const after = parse(await registry.metrics()).get('kafka_stream_task_process_total')!;
    const of = (f: Family, task: string) => f.samples.find((s) => s.labels['task_id'] === task)!.value;
    expect(of(after, '0_0') - of(before, '0_0')).toBe(1);
    expect(of(after, '1_0') - of(before, '1_0')).toBe(1);
  });
});
