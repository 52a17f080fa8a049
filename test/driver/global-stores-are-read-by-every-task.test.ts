// Global stores in the topology and the TopologyTestDriver: StreamsBuilder.globalTable,
// StreamsBuilder.addGlobalStore and Topology.addGlobalStore (Kafka Streams' signature), how
// describe() prints them, piped global topics updating the store, processors of stream tasks
// reading (never writing) them without connecting them, and the errors for misuse.
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Materialized,
  Serdes,
  Stores,
  StreamsBuilder,
  Topology,
  TopologyTestDriver,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type Record,
  type TimestampedKeyValueStore,
} from 'sluice';
import { capture, kvt, useDrivers } from './window-helpers.js';

const S = Serdes.String();
const drive = useDrivers('global');

/** Kafka's usual custom global store processor: puts what it reads. */
const putter = (storeName: string) => (): Processor<string, string, void, void> => {
  let store: KeyValueStore<string, string>;
  return {
    init(ctx) {
      store = ctx.getStateStore<KeyValueStore<string, string>>(storeName);
    },
    async process(r) {
      await store.put(r.key, r.value);
    },
  };
};

describe('global stores', () => {
  it('describe() prints a global store as a sub-topology that generates no tasks, numbered with the others', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).to('out');
    b.globalTable('customers', Consumed.with(S, S), Materialized.as('customers-store'));
    const t = b.build();
    expect(t.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n' +
        '      --> KSTREAM-SINK-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000001 (topic: out)\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '\n' +
        '  Sub-topology: 1 for global store (will not generate tasks)\n' +
        '    Source: KTABLE-SOURCE-0000000002 (topics: [customers])\n' +
        '      --> KTABLE-SOURCE-0000000003\n' +
        '    Processor: KTABLE-SOURCE-0000000003 (stores: [customers-store])\n' +
        '      --> none\n' +
        '      <-- KTABLE-SOURCE-0000000002\n',
    );
    expect(t.subtopologies().map((s) => s.id)).toEqual([0]);
    expect(t.globalStores()).toEqual([
      { id: 1, storeName: 'customers-store', sourceName: 'KTABLE-SOURCE-0000000002', processorName: 'KTABLE-SOURCE-0000000003', topic: 'customers', reprocessOnRestore: false },
    ]);
    expect(t.globalTopics()).toEqual(['customers']);
    expect(t.describe().globalStores.map((g) => g.id)).toEqual([1]);
  });

  it('a global table is updated by its topic, deletes included, and its store queried by name', async () => {
    const b = new StreamsBuilder();
    const table = b.globalTable('customers', Consumed.with(S, S), Materialized.as('customers-store'));
    b.stream('in', Consumed.with(S, S)).to('out');
    expect(table.queryableStoreName()).toBe('customers-store');
    const d = drive(b);
    const customers = d.createInputTopic('customers', S, S);
    await customers.pipeInput('c1', 'Alice', 10);
    await customers.pipeInput('c2', 'Bob', 11);
    await customers.pipeInput('c1', null, 12);
    const store = d.getStateStore<TimestampedKeyValueStore<string, string>>('customers-store')!;
    expect(await store.get('c1')).toBeUndefined();
    expect(await store.get('c2')).toEqual({ value: 'Bob', timestamp: 11 });
  });

  it('a generated global table store is named <topic>-STATE-STORE-<n> and never change-logged', async () => {
    const b = new StreamsBuilder();
    const table = b.globalTable('customers', Consumed.with(S, S));
    expect(table.queryableStoreName()).toBe('customers-STATE-STORE-0000000000');
    const t = b.build();
    expect(t.stores.get('customers-STATE-STORE-0000000000')!.builder.loggingEnabled).toBe(false);
    const d = drive(b);
    await d.createInputTopic('customers', S, S).pipeInput('c1', 'Alice', 1);
    expect(d.producedTopicNames()).toEqual([]);
  });

  it('Topology.addGlobalStore keeps a custom store with the user\'s processor; stream processors read it without connecting it', async () => {
    const storeBuilder = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('rates'), S, S).withLoggingDisabled();
    const seen: string[] = [];
    const t = new Topology()
      .addGlobalStore(storeBuilder, 'rates-source', S, S, 'rates', 'rates-updater', putter('rates'))
      .addSource('orders-source', 'orders', { keySerde: S, valueSerde: S })
      .addProcessor(
        'enrich',
        () => {
          let rates: KeyValueStore<string, string>;
          let ctx: ProcessorContext<string, string>;
          return {
            init(c: ProcessorContext<string, string>) {
              ctx = c;
              rates = c.getStateStore<KeyValueStore<string, string>>('rates');
            },
            async process(r: Record<string, string>) {
              seen.push(`${r.value}@${(await rates.get(r.value)) ?? 'none'}`);
              return ctx.forward(r);
            },
          };
        },
        'orders-source',
      );
    expect(t.describe().toString()).toContain('Sub-topology: 0 for global store (will not generate tasks)\n    Source: rates-source (topics: [rates])\n      --> rates-updater\n    Processor: rates-updater (stores: [rates])');
    expect(t.globalStores()[0]!.reprocessOnRestore).toBe(true);
    const d = new TopologyTestDriver(t, { applicationId: 'global-papi' });
    try {
      await d.createInputTopic('orders', S, S).pipeInput('o1', 'EUR', 1);
      await d.createInputTopic('rates', S, S).pipeInput('EUR', '1.08', 2);
      await d.createInputTopic('orders', S, S).pipeInput('o2', 'EUR', 3);
      expect(seen).toEqual(['EUR@none', 'EUR@1.08']);
    } finally {
      await d.close();
    }
  });

  it('a stream processor cannot write a global store', async () => {
    const b = new StreamsBuilder();
    b.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('g'), S, S), 'g-topic', Consumed.with(S, S), putter('g'));
    b.stream('in', Consumed.with(S, S)).process(() => {
      let store: KeyValueStore<string, string>;
      return {
        init(c) {
          store = c.getStateStore<KeyValueStore<string, string>>('g');
        },
        process: (r) => store.put(r.key, r.value),
      };
    });
    const d = drive(b);
    await expect(d.createInputTopic('in', S, S).pipeInput('k', 'v', 1)).rejects.toThrow(/global store 'g' is read only for processor 'KSTREAM-PROCESSOR-0000000003': only its global processor writes to it/);
  });

  it('StreamsBuilder.addGlobalStore names its nodes as Kafka Streams does and turns logging off', () => {
    const b = new StreamsBuilder();
    const sb = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('g'), S, S);
    b.addGlobalStore(sb, 'g-topic', Consumed.with(S, S), putter('g'));
    expect(sb.loggingEnabled).toBe(false);
    expect(b.build().globalStores()).toEqual([{ id: 0, storeName: 'g', sourceName: 'KSTREAM-SOURCE-0000000000', processorName: 'KTABLE-SOURCE-0000000001', topic: 'g-topic', reprocessOnRestore: true }]);
    const named = new StreamsBuilder();
    named.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('g'), S, S), 'g-topic', Consumed.with(S, S).withName('gs'), putter('g'));
    expect(named.build().globalStores()[0]).toMatchObject({ sourceName: 'gs-table-source', processorName: 'gs' });
  });

  it('refuses a change-logged store, a global store passed to a stream processor, and a topic read twice', () => {
    const logged = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('g'), S, S);
    expect(() => new Topology().addGlobalStore(logged, 'src', S, S, 't', 'proc', putter('g'))).toThrow(/StateStore g for global table must not have logging enabled: its topic 't' is its changelog; call withLoggingDisabled\(\)/);
    const t = new Topology()
      .addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('g'), S, S).withLoggingDisabled(), 'src', S, S, 't', 'proc', putter('g'))
      .addSource('in', 'in')
      .addProcessor('p', () => ({ process() {} }), 'in');
    expect(() => t.connectProcessorAndStateStores('p', 'g')).toThrow(/Global StateStore g can be used by a Processor without being specified; it should not be explicitly passed/);
    expect(() => t.addSource('again', 't')).toThrow(/topic 't' is read by two sources/);
  });

  it('a global table is joined by a timestamp extractor from Consumed and serdes from the app defaults', async () => {
    const b = new StreamsBuilder();
    const g = b.globalTable<string, string>('g', Consumed.withTimestampExtractor(() => 42));
    const out = capture(b.stream<string, string>('s').join(g, (_k, v) => v, (v, gv) => `${v}:${gv}`));
    const d = drive(b, { defaultKeySerde: S as never, defaultValueSerde: S as never });
    await d.createInputTopic('g', S, S).pipeInput('a', 'A', 1);
    await d.createInputTopic('s', S, S).pipeInput('k', 'a', 2);
    expect(out).toEqual([kvt('k', 'a:A', 2)]);
    expect(await d.getStateStore<TimestampedKeyValueStore<string, string>>('g-STATE-STORE-0000000000')!.get('a')).toEqual({ value: 'A', timestamp: 42 });
  });
});
