// topology.describe() prints what Kafka Streams prints for the same DSL program (expected strings
// are copied from Kafka Streams' own tests: StreamsGraphTest, TopologyTest).
import { describe, expect, it } from 'vitest';
import { Consumed, Named, Produced, Serdes, StreamsBuilder, Topology } from 'sluice';

const S = Serdes.String();

describe('topology.describe()', () => {
  it('names nodes with a shared 10-digit counter and prints the Kafka Streams text format', () => {
    const b = new StreamsBuilder();
    b.stream<string, { amount: number }>('orders', Consumed.with(S, Serdes.Json<{ amount: number }>()))
      .filter((_k, o) => o.amount > 0)
      .mapValues((o) => ({ ...o, amount: Math.round(o.amount * 100) }))
      .to('orders-cents', Produced.with(S, Serdes.Json<{ amount: number }>()));
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [orders])\n' +
        '      --> KSTREAM-FILTER-0000000001\n' +
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [])\n' +
        '      --> KSTREAM-MAPVALUES-0000000002\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000002 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000003\n' +
        '      <-- KSTREAM-FILTER-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000003 (topic: orders-cents)\n' +
        '      <-- KSTREAM-MAPVALUES-0000000002\n\n',
    );
  });

  it('orders merged DAG branches as Kafka Streams does (StreamsGraphTest expectedMergeOptimizedTopology)', () => {
    const b = new StreamsBuilder();
    const keyed = b.stream('input_topic', Consumed.with(S, S)).selectKey((_k, v) => v);
    const m1 = keyed.mapValues((v) => v);
    const m2 = keyed.mapValues((v) => v);
    const m3 = keyed.mapValues((v) => v);
    m1.merge(m2).merge(m3).to('output_topic');
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input_topic])\n' +
        '      --> KSTREAM-KEY-SELECT-0000000001\n' +
        '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n' +
        '      --> KSTREAM-MAPVALUES-0000000002, KSTREAM-MAPVALUES-0000000003, KSTREAM-MAPVALUES-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000002 (stores: [])\n' +
        '      --> KSTREAM-MERGE-0000000005\n' +
        '      <-- KSTREAM-KEY-SELECT-0000000001\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000003 (stores: [])\n' +
        '      --> KSTREAM-MERGE-0000000005\n' +
        '      <-- KSTREAM-KEY-SELECT-0000000001\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000004 (stores: [])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-KEY-SELECT-0000000001\n' +
        '    Processor: KSTREAM-MERGE-0000000005 (stores: [])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-MAPVALUES-0000000002, KSTREAM-MAPVALUES-0000000003\n' +
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000007\n' +
        '      <-- KSTREAM-MERGE-0000000005, KSTREAM-MAPVALUES-0000000004\n' +
        '    Sink: KSTREAM-SINK-0000000007 (topic: output_topic)\n' +
        '      <-- KSTREAM-MERGE-0000000006\n\n',
    );
  });

  it('a repartition step splits the topology into two sub-topologies', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).repartition().to('out');
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n' +
        '      --> KSTREAM-FILTER-0000000003\n' +
        '    Processor: KSTREAM-FILTER-0000000003 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000002\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Sink: KSTREAM-SINK-0000000002 (topic: KSTREAM-REPARTITION-0000000001-repartition)\n' +
        '      <-- KSTREAM-FILTER-0000000003\n\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000004 (topics: [KSTREAM-REPARTITION-0000000001-repartition])\n' +
        '      --> KSTREAM-SINK-0000000005\n' +
        '    Sink: KSTREAM-SINK-0000000005 (topic: out)\n' +
        '      <-- KSTREAM-SOURCE-0000000004\n\n',
    );
  });

  it('uses Named/Consumed/Produced names, and names repartition nodes after a named topic', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S).withName('read-in'))
      .filter(() => true, Named.as('keep'))
      .to('out', Produced.as('write-out'));
    const text = b.build().describe().toString();
    expect(text).toContain('Source: read-in (topics: [in])\n      --> keep');
    expect(text).toContain('Sink: write-out (topic: out)\n      <-- keep');
  });

  it('describes a hand-built Processor API topology with stores and a topic-name function', () => {
    const t = new Topology()
      .addSource('src', ['b-topic', 'a-topic'])
      .addProcessor('proc', () => ({ process() {} }), 'src')
      .addSink('sink', function byKey() {
        return 'x';
      }, 'proc');
    expect(t.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: src (topics: [a-topic, b-topic])\n' +
        '      --> proc\n' +
        '    Processor: proc (stores: [])\n' +
        '      --> sink\n' +
        '      <-- src\n' +
        '    Sink: sink (extractor class: byKey)\n' +
        '      <-- proc\n\n',
    );
  });
});
