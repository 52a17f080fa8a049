// suppress(untilWindowCloses): one final result per window, emitted once stream time passes window
// end + grace; tombstones of replaced sessions are never emitted; late records reach neither output.
// Scenarios and expected values from Kafka Streams' SuppressScenarioTest, KTableSuppressProcessorTest
// and SuppressTopologyTest (node and store names).
import { describe, expect, it } from 'vitest';
import {
  BufferConfig,
  Consumed,
  Grouped,
  KeyValue,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  WindowedSerdes,
  type KTable,
  type TopologyTestDriver,
  type Windowed,
} from 'sluice';
import { useDrivers } from './window-helpers.js';

const S = Serdes.String();
const L = Serdes.Long();
const drive = useDrivers('suppress');

/** Both outputs of Kafka's scenarios: the raw table updates and the suppressed ones. */
function outputs(table: KTable<Windowed<string>, number>): void {
  table
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .map((k, v) => KeyValue.pair(k.toString(), v))
    .to('output-suppressed', Produced.with(S, L));
  table
    .toStream()
    .map((k, v) => KeyValue.pair(k.toString(), v))
    .to('output-raw', Produced.with(S, L));
}

function drain(d: TopologyTestDriver, topic: string): [string | null, number | null, number][] {
  return d
    .createOutputTopic(topic, S, L)
    .readRecordsToList()
    .map((r) => [r.key, r.value, r.timestamp]);
}

async function pipe(d: TopologyTestDriver, records: readonly (readonly [string, number])[]): Promise<void> {
  const input = d.createInputTopic('input', S, S);
  for (const [k, t] of records) await input.pipeInput(k, 'v1', t);
}

function grouped(b: StreamsBuilder) {
  return b.stream('input', Consumed.with(S, S)).groupBy((k) => k, Grouped.with(S, S));
}

describe.each([
  ['cache on', {}],
  ['cache off', { cacheMaxBytes: 0 }],
] as const)('final results (%s)', (_label, cacheConfig) => {
  it('time windows: one result per window once it closes; the late record is dropped (shouldSupportFinalResultsForTimeWindows)', async () => {
    const b = new StreamsBuilder();
    outputs(grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(2, 1)).count(Materialized.as<string, number>('counts').withCachingDisabled()));
    const d = drive(b, cacheConfig);
    await pipe(d, [['k1', 0], ['k1', 1], ['k1', 2], ['k1', 1], ['k1', 0], ['k1', 5], ['k1', 0]]);
    expect(drain(d, 'output-raw')).toEqual([
      ['[k1@0/2]', 1, 0],
      ['[k1@0/2]', 2, 1],
      ['[k1@2/4]', 1, 2],
      ['[k1@0/2]', 3, 1],
      ['[k1@0/2]', 4, 1],
      ['[k1@4/6]', 1, 5],
    ]);
    expect(drain(d, 'output-suppressed')).toEqual([
      ['[k1@0/2]', 4, 1],
      ['[k1@2/4]', 1, 2],
    ]);
  });

  it('time windows: a large jump in stream time closes several windows at once (shouldSupportFinalResultsForTimeWindowsWithLargeJump)', async () => {
    const b = new StreamsBuilder();
    outputs(grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(2, 2)).count(Materialized.as<string, number>('counts').withCachingDisabled().withKeySerde(S)));
    const d = drive(b, cacheConfig);
    await pipe(d, [['k1', 0], ['k1', 1], ['k1', 2], ['k1', 0], ['k1', 3], ['k1', 0], ['k1', 4], ['k1', 0], ['k1', 30]]);
    expect(drain(d, 'output-raw')).toEqual([
      ['[k1@0/2]', 1, 0],
      ['[k1@0/2]', 2, 1],
      ['[k1@2/4]', 1, 2],
      ['[k1@0/2]', 3, 1],
      ['[k1@2/4]', 2, 3],
      ['[k1@0/2]', 4, 1],
      ['[k1@4/6]', 1, 4],
      ['[k1@30/32]', 1, 30],
    ]);
    expect(drain(d, 'output-suppressed')).toEqual([
      ['[k1@0/2]', 4, 1],
      ['[k1@2/4]', 2, 3],
      ['[k1@4/6]', 1, 4],
    ]);
  });

  it('sliding windows (shouldSupportFinalResultsForSlidingWindows)', async () => {
    const b = new StreamsBuilder();
    outputs(grouped(b).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(5, 15)).count(Materialized.as<string, number>('counts').withCachingDisabled().withKeySerde(S)));
    const d = drive(b, cacheConfig);
    await pipe(d, [['k1', 10], ['k1', 11], ['k1', 10], ['k1', 13], ['k1', 10], ['k1', 24], ['k1', 5], ['k1', 7], ['k1', 90]]);
    const raw = drain(d, 'output-raw').sort((a, c) => (a[0]! < c[0]! ? -1 : a[0]! > c[0]! ? 1 : a[2] - c[2]));
    expect(raw).toEqual([
      ['[k1@11/16]', 1, 11],
      ['[k1@11/16]', 2, 13],
      ['[k1@12/17]', 1, 13],
      ['[k1@19/24]', 1, 24],
      ['[k1@5/10]', 1, 10],
      ['[k1@5/10]', 2, 10],
      ['[k1@5/10]', 3, 10],
      ['[k1@5/10]', 4, 10],
      ['[k1@5/10]', 5, 10],
      ['[k1@6/11]', 2, 11],
      ['[k1@6/11]', 3, 11],
      ['[k1@6/11]', 4, 11],
      ['[k1@6/11]', 5, 11],
      ['[k1@8/13]', 4, 13],
      ['[k1@8/13]', 5, 13],
      ['[k1@85/90]', 1, 90],
    ]);
    expect(drain(d, 'output-suppressed')).toEqual([
      ['[k1@5/10]', 5, 10],
      ['[k1@6/11]', 5, 11],
      ['[k1@8/13]', 5, 13],
      ['[k1@11/16]', 2, 13],
      ['[k1@12/17]', 1, 13],
      ['[k1@19/24]', 1, 24],
    ]);
  });

  it('session windows: merged-away sessions are not emitted (shouldSupportFinalResultsForSessionWindows)', async () => {
    const b = new StreamsBuilder();
    outputs(grouped(b).windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5)).count(Materialized.as<string, number>('counts').withCachingDisabled()));
    const d = drive(b, cacheConfig);
    // k1@1 is out of order but its session is still open; k2@11 moves stream time for every key;
    // then k1@5 is late (its session closed at 10) and k1@30 pushes the rest out
    await pipe(d, [['k1', 0], ['k1', 5], ['k1', 1], ['k2', 11], ['k1', 5], ['k1', 30]]);
    expect(drain(d, 'output-raw')).toEqual([
      ['[k1@0/0]', 1, 0],
      ['[k1@0/0]', null, 0],
      ['[k1@0/5]', 2, 5],
      ['[k1@0/5]', null, 5],
      ['[k1@0/5]', 3, 5],
      ['[k2@11/11]', 1, 11],
      ['[k1@30/30]', 1, 30],
    ]);
    expect(drain(d, 'output-suppressed')).toEqual([
      ['[k1@0/5]', 3, 5],
      ['[k2@11/11]', 1, 11],
    ]);
  });

  it('gives the same final results when the aggregation caches (the cache flush feeds the buffer)', async () => {
    const b = new StreamsBuilder();
    outputs(grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(2, 1)).count(Materialized.as<string, number>('counts')));
    const d = drive(b, cacheConfig);
    await pipe(d, [['k1', 0], ['k1', 1], ['k1', 2], ['k1', 1], ['k1', 0], ['k1', 5], ['k1', 0]]);
    expect(drain(d, 'output-suppressed')).toEqual([
      ['[k1@0/2]', 4, 1],
      ['[k1@2/4]', 1, 2],
    ]);
  });
});

describe('final results: when a window is final (KTableSuppressProcessorTest)', () => {
  function counts(b: StreamsBuilder, windows: TimeWindows): string[] {
    const out: string[] = [];
    b.stream('input', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(windows)
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .foreach((k, v) => void out.push(`${k.toString()}=${v}`));
    return out;
  }

  it('waits for window end + grace, by the stream time of the records it sees (finalResultsSuppressionShouldBufferAndEmitAtGraceExpiration)', async () => {
    const b = new StreamsBuilder();
    const out = counts(b, TimeWindows.ofSizeAndGrace(1, 1));
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('hey', 'v', 99);
    expect(out).toEqual([]);
    // stream time 100 = the window's end, but the grace period is 1 ms more
    await input.pipeInput('dummyKey1', 'v', 100);
    expect(out).toEqual([]);
    await input.pipeInput('dummyKey2', 'v', 101);
    expect(out).toEqual(['[hey@99/100]=1']);
  });

  it('with zero grace still buffers until the window end (finalResultsWithZeroGraceShouldStillBufferUntilTheWindowEnd)', async () => {
    const b = new StreamsBuilder();
    const out = counts(b, TimeWindows.ofSizeWithNoGrace(100));
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('hey', 'v', 5);
    expect(out).toEqual([]);
    await input.pipeInput('dummyKey', 'v', 100);
    expect(out).toEqual(['[hey@0/100]=1']);
  });

  it('drops the tombstone of a deleted window instead of emitting it (finalResultsShouldDropTombstonesForTimeWindows)', async () => {
    const b = new StreamsBuilder();
    const out: (string | null)[] = [];
    b.stream('input', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100))
      // a reducer returning null deletes the window's aggregate (a tombstone downstream)
      .reduce((agg, v) => (v === 'delete' ? (null as unknown as string) : agg + v), Materialized.with(S, S))
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .foreach((k, v) => void out.push(`${k.toString()}=${v}`));
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('hey', 'a', 5);
    await input.pipeInput('hey', 'delete', 6);
    await input.pipeInput('dummyKey', 'v', 100);
    expect(out).toEqual([]);
  });
});

describe('suppress() topology', () => {
  const finalTopology = (suppressName: string, store: string, toStream: string, map: string, sink: string) =>
    'Topologies:\n' +
    '   Sub-topology: 0\n' +
    '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
    '      --> KSTREAM-KEY-SELECT-0000000001\n' +
    '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n' +
    '      --> counts-repartition-filter\n' +
    '      <-- KSTREAM-SOURCE-0000000000\n' +
    '    Processor: counts-repartition-filter (stores: [])\n' +
    '      --> counts-repartition-sink\n' +
    '      <-- KSTREAM-KEY-SELECT-0000000001\n' +
    '    Sink: counts-repartition-sink (topic: counts-repartition)\n' +
    '      <-- counts-repartition-filter\n' +
    '\n' +
    '  Sub-topology: 1\n' +
    '    Source: counts-repartition-source (topics: [counts-repartition])\n' +
    '      --> KSTREAM-AGGREGATE-0000000002\n' +
    '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [counts])\n' +
    `      --> ${suppressName}\n` +
    '      <-- counts-repartition-source\n' +
    `    Processor: ${suppressName} (stores: [${store}])\n` +
    `      --> ${toStream}\n` +
    '      <-- KSTREAM-AGGREGATE-0000000002\n' +
    `    Processor: ${toStream} (stores: [])\n` +
    `      --> ${map}\n` +
    `      <-- ${suppressName}\n` +
    `    Processor: ${map} (stores: [])\n` +
    `      --> ${sink}\n` +
    `      <-- ${toStream}\n` +
    `    Sink: ${sink} (topic: output-suppressed)\n` +
    `      <-- ${map}\n` +
    '\n';

  function finalResults(suppressed: Suppressed<Windowed<string>>): string {
    const b = new StreamsBuilder();
    b.stream('input', Consumed.with(S, S))
      .groupBy((k) => k, Grouped.with(S, S))
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 5))
      .count(Materialized.as<string, number>('counts').withCachingDisabled())
      .suppress(suppressed)
      .toStream()
      .map((k, v) => KeyValue.pair(k.toString(), v))
      .to('output-suppressed', Produced.with(S, L));
    return b.build().describe().toString();
  }

  it('numbers an anonymous suppression node and its store (shouldUseNumberingForAnonymousFinalSuppressionNode)', () => {
    expect(finalResults(Suppressed.untilWindowCloses(BufferConfig.unbounded()))).toBe(
      finalTopology('KTABLE-SUPPRESS-0000000006', 'KTABLE-SUPPRESS-STATE-STORE-0000000007', 'KTABLE-TOSTREAM-0000000008', 'KSTREAM-MAP-0000000009', 'KSTREAM-SINK-0000000010'),
    );
  });

  it('names the node and its store <name>-store (shouldApplyNameToFinalSuppressionNode)', () => {
    expect(finalResults(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('myname'))).toBe(
      finalTopology('myname', 'myname-store', 'KTABLE-TOSTREAM-0000000006', 'KSTREAM-MAP-0000000007', 'KSTREAM-SINK-0000000008'),
    );
  });

  it('names intermediate suppression like Kafka (shouldUseNumberingForAnonymousSuppressionNode / shouldApplyNameToSuppressionNode)', () => {
    const intermediate = (suppressName: string, store: string, toStream: string, sink: string) =>
      'Topologies:\n' +
      '   Sub-topology: 0\n' +
      '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
      '      --> KSTREAM-AGGREGATE-0000000002\n' +
      '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n' +
      `      --> ${suppressName}\n` +
      '      <-- KSTREAM-SOURCE-0000000000\n' +
      `    Processor: ${suppressName} (stores: [${store}])\n` +
      `      --> ${toStream}\n` +
      '      <-- KSTREAM-AGGREGATE-0000000002\n' +
      `    Processor: ${toStream} (stores: [])\n` +
      `      --> ${sink}\n` +
      `      <-- ${suppressName}\n` +
      `    Sink: ${sink} (topic: output)\n` +
      `      <-- ${toStream}\n` +
      '\n';
    const build = (suppressed: Suppressed<string>) => {
      const b = new StreamsBuilder();
      b.stream('input', Consumed.with(S, S)).groupByKey().count().suppress(suppressed).toStream().to('output', Produced.with(S, L));
      return b.build().describe().toString();
    };
    expect(build(Suppressed.untilTimeLimit(1000, BufferConfig.unbounded()))).toBe(
      intermediate('KTABLE-SUPPRESS-0000000003', 'KTABLE-SUPPRESS-STATE-STORE-0000000004', 'KTABLE-TOSTREAM-0000000005', 'KSTREAM-SINK-0000000006'),
    );
    expect(build(Suppressed.untilTimeLimit<string>(1000, BufferConfig.unbounded()).withName('asdf'))).toBe(
      intermediate('asdf', 'asdf-store', 'KTABLE-TOSTREAM-0000000003', 'KSTREAM-SINK-0000000004'),
    );
  });

  it('rejects untilWindowCloses on a table that is not windowed, saying what to use instead', () => {
    const b = new StreamsBuilder();
    const table = b.stream('input', Consumed.with(S, S)).groupByKey().count() as unknown as KTable<Windowed<string>, number>;
    table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
    expect(() => b.build()).toThrow(/window close time is only defined for windowed computations.*untilTimeLimit/);
  });

  it('finds the grace period through filter and mapValues of the windowed table', async () => {
    const b = new StreamsBuilder();
    const out: string[] = [];
    b.stream('input', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count()
      .filter((_k, v) => v > 0)
      .mapValues((v) => `n=${v}`, undefined, Materialized.with(undefined, S))
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .foreach((k, v) => void out.push(`${k.toString()}=${v}`));
    const d = drive(b, { defaultKeySerde: S, defaultValueSerde: S });
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('a', 'x', 14);
    expect(out).toEqual([]);
    await input.pipeInput('a', 'x', 15);
    expect(out).toEqual(['[a@0/10]=n=1']);
  });

  it('writes the buffer to <app>-<store>-changelog at each commit: entries, then a tombstone once emitted', async () => {
    const b = new StreamsBuilder();
    b.stream('input', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final'))
      .toStream()
      .foreach(() => undefined);
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('a', 'x', 10);
    const windowed = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
    const changelog = d
      .createOutputTopic('suppress-final-store-changelog', windowed, Serdes.Bytes())
      .readRecordsToList()
      .map((r) => `${r.key!.toString()} ${r.value === null ? 'tombstone' : 'entry'}`);
    // first commit: [0,10) buffered; second: [10,20) buffered and [0,10) emitted
    expect(changelog).toEqual(['[a@0/10] entry', '[a@10/20] entry', '[a@0/10] tombstone']);
  });
});
