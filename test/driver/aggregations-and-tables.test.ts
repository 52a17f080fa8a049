// count / reduce / aggregate on grouped streams and tables, KTable filter / mapValues / toStream,
// toTable and builder.table — with Kafka Streams' expected outputs (caching on: the driver commits
// after every record, so each input yields its final update; caching off: every update is sent).
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Grouped, KeyValue, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver, type KeyValueStore, type ValueAndTimestamp } from 'sluice';

const S = Serdes.String();
const L = Serdes.Long();
const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});
function drive(b: StreamsBuilder, config: ConstructorParameters<typeof TopologyTestDriver>[1] = {}): TopologyTestDriver {
  const d = new TopologyTestDriver(b.build(), { applicationId: 'agg', ...config });
  drivers.push(d);
  return d;
}

describe('grouped streams', () => {
  it('word count: flatMapValues → groupBy → count, through a repartition topic', async () => {
    const b = new StreamsBuilder();
    b.stream('lines', Consumed.with(S, S))
      .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
      .groupBy((_k, word) => word, Grouped.with(S, S))
      .count(undefined, Materialized.as<string, number>('word-counts'))
      .toStream()
      .to('counts', Produced.with(S, L));
    const d = drive(b);
    const input = d.createInputTopic('lines', S, S);
    await input.pipeInput(null, 'Hello Kafka Streams', 1);
    await input.pipeInput(null, 'hello sluice', 2);
    await input.pipeInput(null, 'Streams, streams!', 3);
    expect(d.createOutputTopic('counts', S, L).readKeyValuesToList()).toEqual([
      { key: 'hello', value: 1 },
      { key: 'kafka', value: 1 },
      { key: 'streams', value: 1 },
      { key: 'hello', value: 2 },
      { key: 'sluice', value: 1 },
      { key: 'streams', value: 2 },
      { key: 'streams', value: 3 },
    ]);
    const store = d.getStateStore<KeyValueStore<string, ValueAndTimestamp<number>>>('word-counts')!;
    expect((await store.get('streams'))?.value).toBe(3);
    expect((await store.get('streams'))?.timestamp).toBe(3);
    expect(d.producedTopicNames()).toContain('agg-word-counts-repartition');
    expect(d.producedTopicNames()).toContain('agg-word-counts-changelog');
  });

  it('describe() of groupBy().count() matches Kafka Streams (StreamsGraphTest)', () => {
    const b = new StreamsBuilder();
    b.stream('input', Consumed.with(S, S)).groupBy((_k, v) => v, Grouped.with(S, S)).count();
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> KSTREAM-KEY-SELECT-0000000001\n' +
        '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n' +
        '      --> KSTREAM-FILTER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000004\n' +
        '      <-- KSTREAM-KEY-SELECT-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)\n' +
        '      <-- KSTREAM-FILTER-0000000005\n\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000006\n\n',
    );
  });

  it('count(Materialized) without a name burns a store name as Kafka Streams does (TopologyTest)', () => {
    const b = new StreamsBuilder();
    b.stream('input-topic', Consumed.with(S, S)).groupByKey().count(undefined, Materialized.with<string, number>(undefined, L).withStoreType('rocksdb'));
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    );
  });

  it('reduce and aggregate keep the highest timestamp and skip null keys and values', async () => {
    const b = new StreamsBuilder();
    const grouped = b.stream('in', Consumed.with(S, Serdes.Integer())).groupByKey();
    grouped.reduce((a, v) => a + v).toStream().to('sum', Produced.with(S, Serdes.Integer()));
    grouped
      .aggregate(
        () => '',
        (_k, v, agg) => `${agg}[${v}]`,
        undefined,
        Materialized.with(S, S),
      )
      .toStream()
      .to('trail', Produced.with(S, S));
    const d = drive(b, { logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } });
    const input = d.createInputTopic('in', S, Serdes.Integer());
    await input.pipeInput('a', 1, 10);
    await input.pipeInput('a', 2, 5);
    await input.pipeInput(null, 7, 11);
    await input.pipeInput('a', null, 12);
    await input.pipeInput('b', 4, 20);
    expect(d.createOutputTopic('sum', S, Serdes.Integer()).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 1, 10],
      ['a', 3, 10],
      ['b', 4, 20],
    ]);
    expect(d.createOutputTopic('trail', S, S).readValuesToList()).toEqual(['[1]', '[1][2]', '[4]']);
  });

  it('with caching off every update goes downstream; with caching on, updates between commits collapse', async () => {
    // three updates of one key while processing one input record (no repartition in between: a
    // repartition topic would make them three records, each followed by the driver's commit)
    const build = (caching: boolean) => {
      const b = new StreamsBuilder();
      const m = Materialized.as<string, number>('c');
      b.stream('in', Consumed.with(S, S))
        .flatMapValues((v) => v.split(','))
        .groupByKey(Grouped.with(S, S))
        .count(undefined, caching ? m : m.withCachingDisabled())
        .toStream()
        .to('out', Produced.with(S, L));
      return b;
    };
    const off = drive(build(false));
    await off.createInputTopic('in', S, S).pipeInput('k', 'x,y,z');
    expect(off.createOutputTopic('out', S, L).readValuesToList()).toEqual([1, 2, 3]);
    const on = drive(build(true));
    await on.createInputTopic('in', S, S).pipeInput('k', 'x,y,z');
    expect(on.createOutputTopic('out', S, L).readValuesToList()).toEqual([3]);
  });
});

describe('tables', () => {
  it('builder.table + filter + mapValues + toStream; tombstones delete (KTableFilterTest semantics)', async () => {
    const b = new StreamsBuilder();
    const t = b.table('t', Consumed.with(S, Serdes.Integer()));
    t.filter((_k, v) => v % 2 === 0).toStream().to('even', Produced.with(S, Serdes.Integer()));
    t.mapValues((v) => v * 10).toStream().to('x10', Produced.with(S, Serdes.Integer()));
    const d = drive(b);
    const input = d.createInputTopic('t', S, Serdes.Integer());
    await input.pipeInput('A', 1, 1);
    await input.pipeInput('B', 2, 2);
    await input.pipeInput('A', 4, 3);
    await input.pipeInput('B', null, 4);
    // the source is not materialized: the filter forwards a tombstone for every non-matching update
    expect(d.createOutputTopic('even', S, Serdes.Integer()).readKeyValuesToList()).toEqual([
      { key: 'A', value: null },
      { key: 'B', value: 2 },
      { key: 'A', value: 4 },
      { key: 'B', value: null },
    ]);
    expect(d.createOutputTopic('x10', S, Serdes.Integer()).readKeyValuesToList()).toEqual([
      { key: 'A', value: 10 },
      { key: 'B', value: 20 },
      { key: 'A', value: 40 },
      { key: 'B', value: null },
    ]);
  });

  it('a filter below a materialized table sends no needless tombstones (old values are known)', async () => {
    const b = new StreamsBuilder();
    b.table('t', Consumed.with(S, Serdes.Integer()), Materialized.as('source-store'))
      .filter((_k, v) => v > 5)
      .toStream()
      .to('big', Produced.with(S, Serdes.Integer()));
    const d = drive(b);
    const input = d.createInputTopic('t', S, Serdes.Integer());
    await input.pipeInput('A', 1, 1); // neither old nor new passes: nothing forwarded
    await input.pipeInput('A', 9, 2);
    await input.pipeInput('A', 3, 3); // was 9, now filtered out: tombstone
    await input.pipeInput('A', 2, 4); // neither: nothing
    expect(d.createOutputTopic('big', S, Serdes.Integer()).readKeyValuesToList()).toEqual([
      { key: 'A', value: 9 },
      { key: 'A', value: null },
    ]);
  });

  it('table.groupBy().aggregate subtracts the old value from the old key (KTableAggregateTest)', async () => {
    const b = new StreamsBuilder();
    b.table('topic1', Consumed.with(S, S))
      .groupBy((k, v) => KeyValue.pair(v, k), Grouped.with(S, S))
      .aggregate(
        () => '0',
        (_k, v, agg) => `${agg}+${v}`,
        (_k, v, agg) => `${agg}-${v}`,
        undefined,
        Materialized.as<string, string>('topic1-Canonized').withValueSerde(S),
      )
      .toStream()
      .to('out', Produced.with(S, S));
    const d = drive(b);
    const input = d.createInputTopic('topic1', S, S);
    await input.pipeInput('A', '1', 10);
    await input.pipeInput('B', '2', 15);
    await input.pipeInput('A', '2', 20); // A moves from group 1 to group 2
    await input.pipeInput('C', '1', 12);
    await input.pipeInput('A', null, 30); // A leaves group 2
    expect(d.createOutputTopic('out', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['1', '0+A', 10],
      ['2', '0+B', 15],
      ['1', '0+A-A', 20],
      ['2', '0+B+A', 20],
      ['1', '0+A-A+C', 20],
      ['2', '0+B+A-A', 30],
    ]);
  });

  it('table.groupBy().count() and reduce(adder, subtractor)', async () => {
    const b = new StreamsBuilder();
    const byRegion = b.table('users', Consumed.with(S, S)).groupBy((user, region) => [region, user] as const, Grouped.with(S, S));
    byRegion.count().toStream().to('count', Produced.with(S, L));
    const d = drive(b);
    const input = d.createInputTopic('users', S, S);
    await input.pipeInput('alice', 'eu', 1);
    await input.pipeInput('bob', 'eu', 2);
    await input.pipeInput('alice', 'us', 3);
    await input.pipeInput('bob', null, 4);
    expect(d.createOutputTopic('count', S, L).readKeyValuesToList()).toEqual([
      { key: 'eu', value: 1 },
      { key: 'eu', value: 2 },
      { key: 'eu', value: 1 },
      { key: 'us', value: 1 },
      { key: 'eu', value: 0 },
    ]);
  });

  it('toTable() keeps the latest value per key and is queryable when named', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).toTable(undefined, Materialized.as<string, string>('latest')).toStream().to('out', Produced.with(S, S));
    const d = drive(b);
    const input = d.createInputTopic('in', S, S);
    await input.pipeKeyValueList([
      ['a', '1'],
      ['b', '2'],
      ['a', '3'],
    ]);
    expect(d.createOutputTopic('out', S, S).readKeyValuesToMap()).toEqual(new Map([['a', '3'], ['b', '2']]));
    const store = d.getStateStore<KeyValueStore<string, ValueAndTimestamp<string>>>('latest')!;
    expect((await store.get('a'))?.value).toBe('3');
  });

  it('a stateful operation without serdes tells which store and how to fix it', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).groupBy((_k, v) => v.length).count();
    expect(() => new TopologyTestDriver(b.build())).toThrow(/store 'KSTREAM-AGGREGATE-STATE-STORE-0000000002' of count\(\) 'KSTREAM-AGGREGATE-0000000003' has no key serde/);
  });
});
