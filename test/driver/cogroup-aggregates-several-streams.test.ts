// KGroupedStream.cogroup → CogroupedKStream through the TopologyTestDriver: describe() and the
// results of Kafka's CogroupedKStreamImplTest (names, repartitions per cogroup, shared keys,
// different value types), and the windowed forms of TimeWindowedCogroupedKStreamImplTest and
// SessionWindowedCogroupedKStreamImplTest, with the record cache on and off.
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  KeyValue,
  Materialized,
  Named,
  Produced,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
  Suppressed,
  BufferConfig,
  type TimestampedKeyValueStore,
} from 'sluice';
import { useDrivers } from './window-helpers.js';

const S = Serdes.String();
const I = Serdes.Integer();
const drive = useDrivers('cogroup');
const STRING_AGGREGATOR = (_k: string, v: string, agg: string) => agg + v;
const STRING_INITIALIZER = () => '';
const STRING_SUM_AGGREGATOR = (_k: string, v: string, agg: number) => agg + Number(v);
const SUM_AGGREGATOR = (_k: string, v: number, agg: number) => agg + v;
const SUM_INITIALIZER = () => 0;
const defaults = { defaultKeySerde: S as never, defaultValueSerde: S as never };

describe('cogroup topology', () => {
  it('names processors and the store after Named and Materialized (shouldNameProcessorsAndStoreBasedOnNamedParameter)', () => {
    const b = new StreamsBuilder();
    const one = b.stream('one', Consumed.with(S, S)).groupByKey();
    const two = b.stream('two', Consumed.with(S, S)).groupByKey();
    one.cogroup(STRING_AGGREGATOR).cogroup(two, STRING_AGGREGATOR).aggregate(STRING_INITIALIZER, Named.as('test'), Materialized.as('store')).toStream().to('output');
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [one])\n' +
        '      --> test-cogroup-agg-0\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [two])\n' +
        '      --> test-cogroup-agg-1\n' +
        '    Processor: test-cogroup-agg-0 (stores: [store])\n' +
        '      --> test-cogroup-merge\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: test-cogroup-agg-1 (stores: [store])\n' +
        '      --> test-cogroup-merge\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: test-cogroup-merge (stores: [])\n' +
        '      --> KTABLE-TOSTREAM-0000000005\n' +
        '      <-- test-cogroup-agg-0, test-cogroup-agg-1\n' +
        '    Processor: KTABLE-TOSTREAM-0000000005 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000006\n' +
        '      <-- test-cogroup-merge\n' +
        '    Sink: KSTREAM-SINK-0000000006 (topic: output)\n' +
        '      <-- KTABLE-TOSTREAM-0000000005\n\n',
    );
  });

  it('names the repartition topic after Grouped (shouldNameRepartitionTopic)', () => {
    const b = new StreamsBuilder();
    const stream1 = b.stream('one', Consumed.with(S, S));
    const stream2 = b.stream('two', Consumed.with(S, S));
    const one = stream1.map((k, v) => KeyValue.pair(v, k)).groupByKey(Grouped.as('repartition-test'));
    const two = stream2.groupByKey();
    one.cogroup(STRING_AGGREGATOR).cogroup(two, STRING_AGGREGATOR).aggregate(STRING_INITIALIZER).toStream().to('output');
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [one])\n' +
        '      --> KSTREAM-MAP-0000000002\n' +
        '    Processor: KSTREAM-MAP-0000000002 (stores: [])\n' +
        '      --> repartition-test-repartition-filter\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: repartition-test-repartition-filter (stores: [])\n' +
        '      --> repartition-test-repartition-sink\n' +
        '      <-- KSTREAM-MAP-0000000002\n' +
        '    Sink: repartition-test-repartition-sink (topic: repartition-test-repartition)\n' +
        '      <-- repartition-test-repartition-filter\n\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [two])\n' +
        '      --> COGROUPKSTREAM-AGGREGATE-0000000008\n' +
        '    Source: repartition-test-repartition-source (topics: [repartition-test-repartition])\n' +
        '      --> COGROUPKSTREAM-AGGREGATE-0000000007\n' +
        '    Processor: COGROUPKSTREAM-AGGREGATE-0000000007 (stores: [COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000003])\n' +
        '      --> COGROUPKSTREAM-MERGE-0000000009\n' +
        '      <-- repartition-test-repartition-source\n' +
        '    Processor: COGROUPKSTREAM-AGGREGATE-0000000008 (stores: [COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000003])\n' +
        '      --> COGROUPKSTREAM-MERGE-0000000009\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: COGROUPKSTREAM-MERGE-0000000009 (stores: [])\n' +
        '      --> KTABLE-TOSTREAM-0000000010\n' +
        '      <-- COGROUPKSTREAM-AGGREGATE-0000000007, COGROUPKSTREAM-AGGREGATE-0000000008\n' +
        '    Processor: KTABLE-TOSTREAM-0000000010 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000011\n' +
        '      <-- COGROUPKSTREAM-MERGE-0000000009\n' +
        '    Sink: KSTREAM-SINK-0000000011 (topic: output)\n' +
        '      <-- KTABLE-TOSTREAM-0000000010\n\n',
    );
    // the repartitioned stream is co-partitioned with the other input
    expect(b.build().copartitionGroups()).toEqual([['repartition-test-repartition', 'two']]);
  });

  it('repartitions a grouped stream once per cogroup, even when reused in two (…WithGroupedReusedInSameCogroups)', () => {
    const b = new StreamsBuilder();
    const stream1 = b.stream('one', Consumed.with(S, S));
    const stream2 = b.stream('two', Consumed.with(S, S));
    const one = stream1.map((k, v) => KeyValue.pair(v, k)).groupByKey();
    const two = stream2.groupByKey();
    const cogroupedTwo = one.cogroup(STRING_AGGREGATOR).cogroup(two, STRING_AGGREGATOR).aggregate(STRING_INITIALIZER);
    const cogroupedOne = one.cogroup(STRING_AGGREGATOR).cogroup(two, STRING_AGGREGATOR).aggregate(STRING_INITIALIZER);
    cogroupedOne.toStream().to('output');
    cogroupedTwo.toStream().to('OUTPUT2');
    const text = b.build().describe().toString();
    for (const line of [
      '    Processor: KSTREAM-MAP-0000000002 (stores: [])\n      --> COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000010-repartition-filter, COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition-filter\n',
      '    Source: KSTREAM-SOURCE-0000000001 (topics: [two])\n      --> COGROUPKSTREAM-AGGREGATE-0000000008, COGROUPKSTREAM-AGGREGATE-0000000015\n',
      '    Processor: COGROUPKSTREAM-AGGREGATE-0000000014 (stores: [COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000010])\n      --> COGROUPKSTREAM-MERGE-0000000016\n      <-- COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000010-repartition-source\n',
      '    Processor: COGROUPKSTREAM-MERGE-0000000009 (stores: [])\n      --> KTABLE-TOSTREAM-0000000019\n',
      '    Sink: KSTREAM-SINK-0000000020 (topic: OUTPUT2)\n',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('one cogroup aggregated twice shares its repartition topic but uses up its names (shouldInsertRepartitionsTopicForCogroupsUsedTwice)', () => {
    const b = new StreamsBuilder();
    const one = b
      .stream('one', Consumed.with(S, S))
      .map((k, v) => KeyValue.pair(v, k))
      .groupByKey(Grouped.as('foo'));
    const cogrouped = one.cogroup(STRING_AGGREGATOR);
    cogrouped.aggregate(STRING_INITIALIZER);
    cogrouped.aggregate(STRING_INITIALIZER);
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [one])\n' +
        '      --> KSTREAM-MAP-0000000001\n' +
        '    Processor: KSTREAM-MAP-0000000001 (stores: [])\n' +
        '      --> foo-repartition-filter\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: foo-repartition-filter (stores: [])\n' +
        '      --> foo-repartition-sink\n' +
        '      <-- KSTREAM-MAP-0000000001\n' +
        '    Sink: foo-repartition-sink (topic: foo-repartition)\n' +
        '      <-- foo-repartition-filter\n\n' +
        '  Sub-topology: 1\n' +
        '    Source: foo-repartition-source (topics: [foo-repartition])\n' +
        '      --> COGROUPKSTREAM-AGGREGATE-0000000006, COGROUPKSTREAM-AGGREGATE-0000000012\n' +
        '    Processor: COGROUPKSTREAM-AGGREGATE-0000000006 (stores: [COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> COGROUPKSTREAM-MERGE-0000000007\n' +
        '      <-- foo-repartition-source\n' +
        '    Processor: COGROUPKSTREAM-AGGREGATE-0000000012 (stores: [COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000008])\n' +
        '      --> COGROUPKSTREAM-MERGE-0000000013\n' +
        '      <-- foo-repartition-source\n' +
        '    Processor: COGROUPKSTREAM-MERGE-0000000007 (stores: [])\n' +
        '      --> none\n' +
        '      <-- COGROUPKSTREAM-AGGREGATE-0000000006\n' +
        '    Processor: COGROUPKSTREAM-MERGE-0000000013 (stores: [])\n' +
        '      --> none\n' +
        '      <-- COGROUPKSTREAM-AGGREGATE-0000000012\n\n',
    );
  });

  it('a grouped stream also aggregated alone gets its own repartition topic (…WithGroupedReused)', () => {
    const b = new StreamsBuilder();
    const stream1 = b.stream('one', Consumed.with(S, S));
    const stream2 = b.stream('two', Consumed.with(S, S));
    const one = stream1.map((k, v) => KeyValue.pair(v, k)).groupByKey();
    const two = stream2.groupByKey();
    one.cogroup(STRING_AGGREGATOR).cogroup(two, STRING_AGGREGATOR).aggregate(STRING_INITIALIZER);
    one.aggregate(STRING_INITIALIZER, STRING_AGGREGATOR);
    const text = b.build().describe().toString();
    expect(text).toContain('      --> COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition-filter, KSTREAM-FILTER-0000000013\n');
    expect(text).toContain('    Sink: KSTREAM-SINK-0000000012 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000010-repartition)\n');
    expect(text).toContain('    Processor: KSTREAM-AGGREGATE-0000000011 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000010])\n');
  });

  it('refuses what is not a grouped stream of the same builder, and a missing aggregator or initializer', () => {
    const b = new StreamsBuilder();
    const one = b.stream('one', Consumed.with(S, S)).groupByKey();
    const other = new StreamsBuilder().stream('x', Consumed.with(S, S)).groupByKey();
    one.cogroup(STRING_AGGREGATOR).cogroup(other, STRING_AGGREGATOR).cogroup(one, null as never).aggregate(null as never);
    expect(() => b.build()).toThrow(/cogroup\(\) needs a KGroupedStream built by the same StreamsBuilder[\s\S]*needs an aggregator function[\s\S]*needs an initializer function/);
  });
});

describe.each([
  ['cache on', 10 * 1024 * 1024],
  ['cache off', 0],
] as const)('cogroup results (%s)', (_label, cacheMaxBytes) => {
  it('aggregates a single stream (shouldCogroupAndAggregateSingleKStreams, testCogroupHandleNullValues)', async () => {
    const b = new StreamsBuilder();
    b.stream('one', Consumed.with(S, S)).groupByKey().cogroup(STRING_AGGREGATOR).aggregate(STRING_INITIALIZER).toStream().to('output');
    const d = drive(b, { ...defaults, cacheMaxBytes });
    const input = d.createInputTopic('one', S, S);
    for (const [k, v] of [['k1', 'A'], ['k2', 'B'], ['k2', null], ['k2', 'B'], ['k1', 'A']] as const) await input.pipeInput(k, v, 0);
    expect(d.createOutputTopic('output', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k1', 'A', 0],
      ['k2', 'B', 0],
      ['k2', 'BB', 0],
      ['k1', 'AA', 0],
    ]);
  });

  it('aggregates two streams with shared keys; the result carries the highest timestamp (shouldCogroupAndAggregateTwoKStreamsWithSharedKeys)', async () => {
    const b = new StreamsBuilder();
    const g1 = b.stream('one', Consumed.with(S, S)).groupByKey();
    const g2 = b.stream('two', Consumed.with(S, S)).groupByKey();
    g1.cogroup(STRING_AGGREGATOR).cogroup(g2, STRING_AGGREGATOR).aggregate(STRING_INITIALIZER).toStream().to('output');
    const d = drive(b, { ...defaults, cacheMaxBytes });
    const one = d.createInputTopic('one', S, S);
    const two = d.createInputTopic('two', S, S);
    await one.pipeInput('k1', 'A', 0);
    await one.pipeInput('k2', 'A', 1);
    await one.pipeInput('k1', 'A', 10);
    await one.pipeInput('k2', 'A', 100);
    for (const [k, t] of [['k2', 100], ['k2', 200], ['k1', 1], ['k2', 500], ['k1', 500], ['k2', 500], ['k3', 500], ['k2', 100]] as const) await two.pipeInput(k, 'B', t);
    expect(d.createOutputTopic('output', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k1', 'A', 0],
      ['k2', 'A', 1],
      ['k1', 'AA', 10],
      ['k2', 'AA', 100],
      ['k2', 'AAB', 100],
      ['k2', 'AABB', 200],
      ['k1', 'AAB', 10],
      ['k2', 'AABBB', 500],
      ['k1', 'AABB', 500],
      ['k2', 'AABBBB', 500],
      ['k3', 'B', 500],
      ['k2', 'AABBBBB', 500],
    ]);
  });

  it('aggregates streams of different value types into another type (shouldCoGroupStreamsWithDifferentInputTypes)', async () => {
    const b = new StreamsBuilder();
    const g1 = b.stream('one', Consumed.with(S, S)).groupByKey();
    const g2 = b.stream('two', Consumed.with(S, I)).groupByKey();
    g1.cogroup(STRING_SUM_AGGREGATOR)
      .cogroup(g2, SUM_AGGREGATOR)
      .aggregate(SUM_INITIALIZER, Materialized.as<string, number>('store1').withValueSerde(I))
      .toStream()
      .to('output', Produced.with(S, I));
    const d = drive(b, { ...defaults, cacheMaxBytes });
    const one = d.createInputTopic('one', S, S);
    const two = d.createInputTopic('two', S, I);
    for (const [k, t] of [['k1', 0], ['k2', 1], ['k1', 10], ['k2', 100]] as const) await one.pipeInput(k, '1', t);
    for (const [k, v, t] of [['k2', 2, 100], ['k2', 2, 200], ['k1', 2, 1], ['k2', 2, 500], ['k1', 2, 500], ['k2', 3, 500], ['k3', 2, 500], ['k2', 2, 100]] as const) await two.pipeInput(k, v, t);
    expect(d.createOutputTopic('output', S, I).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k1', 1, 0],
      ['k2', 1, 1],
      ['k1', 2, 10],
      ['k2', 2, 100],
      ['k2', 4, 100],
      ['k2', 6, 200],
      ['k1', 4, 10],
      ['k2', 8, 500],
      ['k1', 6, 500],
      ['k2', 11, 500],
      ['k3', 2, 500],
      ['k2', 13, 500],
    ]);
    expect((await d.getStateStore<TimestampedKeyValueStore<string, number>>('store1')!.get('k2'))?.value).toBe(13);
  });

  it('windowed by time windows, with an aggregator per stream (timeWindowAggregateTestStreamsTest)', async () => {
    const b = new StreamsBuilder();
    const g1 = b.stream('topic', Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
    const g2 = b.stream('topic2', Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
    g1.cogroup((_k, v, agg: string) => `${agg}+${v}`)
      .cogroup(g2, (_k, v, agg: string) => `${agg}-${v}`)
      .windowedBy(TimeWindows.ofSizeWithNoGrace(500))
      .aggregate(() => '0', Materialized.with<string, string>(S, S))
      .toStream()
      .to('output');
    const d = drive(b, { cacheMaxBytes });
    const topic = d.createInputTopic('topic', S, S);
    for (const [k, v, t] of [['k1', 'A', 0], ['k2', 'A', 0], ['k2', 'A', 1], ['k1', 'A', 2], ['k1', 'B', 3], ['k2', 'B', 3], ['k2', 'B', 4], ['k1', 'B', 4]] as const) await topic.pipeInput(k, v, t);
    await d.createInputTopic('topic2', S, S).pipeInput('k1', 'C', 5);
    const out = d.createOutputTopic('output', WindowedSerdes.timeWindowedSerdeFrom(S, 500), S).readRecordsToList();
    expect(out.map((r) => [r.key!.key, r.key!.window.start, r.value, r.timestamp])).toEqual([
      ['k1', 0, '0+A', 0],
      ['k2', 0, '0+A', 0],
      ['k2', 0, '0+A+A', 1],
      ['k1', 0, '0+A+A', 2],
      ['k1', 0, '0+A+A+B', 3],
      ['k2', 0, '0+A+A+B', 3],
      ['k2', 0, '0+A+A+B+B', 4],
      ['k1', 0, '0+A+A+B+B', 4],
      ['k1', 0, '0+A+A+B+B-C', 5],
    ]);
  });

  it('windowed by sessions: sessions merge with the merger (sessionWindowAggregateTest2StreamsTest)', async () => {
    const b = new StreamsBuilder();
    const g1 = b.stream('topic', Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
    const g2 = b.stream('topic2', Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
    g1.cogroup((_k, v, agg: string) => `${agg}+${v}`)
      .cogroup(g2, (_k, v, agg: string) => `${agg}-${v}`)
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(100, 24 * 3600 * 1000))
      .aggregate(() => '0', (_k, a1, a2) => `${a1}+${a2}`, Materialized.with<string, string>(S, S))
      .toStream()
      .to('output');
    const d = drive(b, { cacheMaxBytes });
    const topic = d.createInputTopic('topic', S, S);
    for (const [k, v, t] of [['k1', 'A', 0], ['k1', 'A', 84], ['k1', 'A', 113], ['k1', 'A', 199], ['k1', 'B', 300], ['k2', 'B', 301], ['k2', 'B', 400], ['k1', 'B', 400]] as const) {
      await topic.pipeInput(k, v, t);
    }
    const out = d.createOutputTopic('output', WindowedSerdes.sessionWindowedSerdeFrom(S), S).readRecordsToList();
    expect(out.map((r) => [r.key!.key, r.value, r.timestamp])).toEqual([
      ['k1', '0+A', 0],
      ['k1', null, 0],
      ['k1', '0+0+A+A', 84],
      ['k1', null, 84],
      ['k1', '0+0+0+A+A+A', 113],
      ['k1', null, 113],
      ['k1', '0+0+0+0+A+A+A+A', 199],
      ['k1', '0+B', 300],
      ['k2', '0+B', 301],
      ['k2', null, 301],
      ['k2', '0+0+B+B', 400],
      ['k1', null, 300],
      ['k1', '0+0+B+B', 400],
    ]);
  });

  it('windowed by sliding windows, and a cogroup result can be suppressed until its windows close', async () => {
    const b = new StreamsBuilder();
    const g1 = b.stream('topic', Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
    const g2 = b.stream('topic2', Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
    const sliding = g1
      .cogroup((_k, v, agg: string) => `${agg}+${v}`)
      .cogroup(g2, (_k, v, agg: string) => `${agg}-${v}`)
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(100))
      .aggregate(() => '0', Materialized.with<string, string>(S, S));
    sliding.toStream().to('output');
    sliding.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('final');
    const d = drive(b, { cacheMaxBytes });
    await d.createInputTopic('topic', S, S).pipeInput('k1', 'A', 500);
    await d.createInputTopic('topic2', S, S).pipeInput('k1', 'B', 550);
    const out = d.createOutputTopic('output', WindowedSerdes.timeWindowedSerdeFrom(S, 100), S).readRecordsToList();
    expect(out.map((r) => [r.key!.window.start, r.value, r.timestamp])).toEqual([
      [400, '0+A', 500],
      [501, '0-B', 550],
      [450, '0+A-B', 550],
    ]);
    // stream time 550, no grace: the windows ending by then are final (as Kafka's suppress buffer
    // times windows by their end); [501,601] is still open
    const final = d.createOutputTopic('final', WindowedSerdes.timeWindowedSerdeFrom(S, 100), S).readRecordsToList();
    expect(final.map((r) => [r.key!.window.start, r.value])).toEqual([
      [400, '0+A'],
      [450, '0+A-B'],
    ]);
  });
});
