// KStream.processValues with fixed-key processors (Kafka's KStreamNewProcessorApiTest) and
// KTable.transformValues (Kafka's KTableTransformValuesTest): stores, old values, materialization,
// and what the processors may not do (change the key, forward from a value transformer).
import { afterEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  FixedKeyRecord,
  Grouped,
  Materialized,
  Named,
  Produced,
  Serdes,
  Stores,
  StreamsBuilder,
  TopologyTestDriver,
  type FixedKeyProcessorContext,
  type KeyValueStore,
  type TimestampedKeyValueStore,
  type ValueTransformerWithKey,
} from 'sluice';
import { capture, kvt } from './window-helpers.js';

const S = Serdes.String();
const I = Serdes.Integer();
const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});
function drive(b: StreamsBuilder, config: ConstructorParameters<typeof TopologyTestDriver>[1] = {}): TopologyTestDriver {
  const d = new TopologyTestDriver(b.build(), { applicationId: 'fixed-key', ...config });
  drivers.push(d);
  return d;
}

describe('processValues', () => {
  const updating = (withStores: boolean) => ({
    get() {
      let store: KeyValueStore<string, string>;
      let ctx: FixedKeyProcessorContext<string, string>;
      return {
        init(c: FixedKeyProcessorContext<string, string>) {
          ctx = c;
          store = c.getStateStore<KeyValueStore<string, string>>('store');
        },
        async process(r: FixedKeyRecord<string, string>) {
          await store.putIfAbsent(r.key, `${r.value}Updated`);
          return ctx.forward(r.withValue(`${r.value}Updated`));
        },
      };
    },
    ...(withStores ? { stores: () => [Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('store'), S, S)] } : {}),
  });

  it.each([
    ['added to the builder', true],
    ['returned by the supplier', false],
  ])('uses a store %s (shouldGetStateStoreWith…)', async (_label, addDirectly) => {
    const b = new StreamsBuilder();
    if (addDirectly) b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('store'), S, S));
    b.stream('input', Consumed.with(S, S)).processValues(updating(!addDirectly), 'store').to('output', Produced.with(S, S));
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    for (const [k, v] of [['a', 'foo'], ['b', 'bar'], ['c', 'baz']] as const) await input.pipeInput(k, v);
    expect(d.createOutputTopic('output', S, S).readValuesToList()).toEqual(['fooUpdated', 'barUpdated', 'bazUpdated']);
    const store = d.getStateStore<KeyValueStore<string, string>>('store')!;
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual(['fooUpdated', 'barUpdated', 'bazUpdated']);
  });

  it('keeps the key, so a following aggregation needs no repartition topic', () => {
    const b = new StreamsBuilder();
    b.stream('input', Consumed.with(S, S))
      .processValues(() => ({ process() {} }), Named.as('values'))
      .groupByKey()
      .count();
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: values (stores: [])');
    expect(text).not.toContain('repartition');
    expect(b.build().subtopologies()).toHaveLength(1);
  });

  it('after a key change it still repartitions before an aggregation (as Kafka Streams: processValues keeps the flag)', () => {
    const b = new StreamsBuilder();
    b.stream('input', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .processValues(() => ({ process() {} }))
      .groupByKey(Grouped.with(S, S))
      .count();
    expect(b.build().describe().toString()).toContain('repartition');
  });

  it('forwards new timestamps and headers; records cannot be made with another key', async () => {
    const b = new StreamsBuilder();
    const out = capture(
      b.stream('input', Consumed.with(S, S)).processValues<number>(() => {
        let ctx: FixedKeyProcessorContext<string, number>;
        return {
          init: (c) => {
            ctx = c;
          },
          process: (r) => ctx.forward(r.withValue(r.value.length).withTimestamp(r.timestamp + 1)),
        };
      }),
    );
    const d = drive(b);
    await d.createInputTopic('input', S, S).pipeInput('k', 'four', 10);
    expect(out).toEqual([kvt('k', 4, 11)]);
    expect(() => new (FixedKeyRecord as unknown as new (...a: unknown[]) => unknown)(Symbol('x'), 'k', 'v', 1, undefined)).toThrow(/derived from the record a FixedKeyProcessor receives/);
  });

  it('names the node KSTREAM-PROCESSVALUES-<n> and refuses a missing supplier', () => {
    const b = new StreamsBuilder();
    b.stream('input', Consumed.with(S, S)).processValues(() => ({ process() {} }));
    expect(b.build().describe().toString()).toContain('Processor: KSTREAM-PROCESSVALUES-0000000001');
    const bad = new StreamsBuilder();
    bad.stream('input', Consumed.with(S, S)).processValues(undefined as never);
    expect(() => bad.build()).toThrow(/processValues\(\) needs a fixed-key processor supplier/);
  });
});

describe('KTable.transformValues', () => {
  const exclamation = (...expectedStores: string[]) => () =>
    ({
      init(ctx) {
        for (const s of expectedStores) ctx.getStateStore(s);
      },
      transform: (key: string, value: string | null) => `${key}->${value}!`,
    }) satisfies ValueTransformerWithKey<string, string, string>;
  const longStore = (name: string) => Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Long(), Serdes.Long());

  it('transforms values with the key, deletes included, using connected stores (shouldTransformValuesWithKey)', async () => {
    const b = new StreamsBuilder();
    b.addStateStore(longStore('store')).addStateStore(longStore('other'));
    const out = capture(b.table('input', Consumed.with(S, S)).transformValues(exclamation('store', 'other'), 'store', 'other').toStream());
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('A', 'a', 5);
    await input.pipeInput('B', 'b', 10);
    await input.pipeInput('D', null, 15);
    expect(out).toEqual([kvt('A', 'A->a!', 5), kvt('B', 'B->b!', 10), kvt('D', 'D->null!', 15)]);
    expect(d.getStateStore('queryable')).toBeUndefined();
  });

  it('materializes under the given name, the transformer seeing that store too (shouldTransformValuesWithKeyAndMaterialize)', async () => {
    const b = new StreamsBuilder();
    b.addStateStore(longStore('store'));
    const out = capture(
      b
        .table('input', Consumed.with(S, S))
        .transformValues(exclamation('store', 'queryable'), Materialized.as<string, string>('queryable').withKeySerde(S).withValueSerde(S), 'store')
        .toStream(),
    );
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('A', 'a', 5);
    await input.pipeInput('B', 'b', 10);
    await input.pipeInput('C', null, 15);
    expect(out).toEqual([kvt('A', 'A->a!', 5), kvt('B', 'B->b!', 10), kvt('C', 'C->null!', 15)]);
    const store = d.getStateStore<TimestampedKeyValueStore<string, string>>('queryable')!;
    expect(await store.get('A')).toEqual({ value: 'A->a!', timestamp: 5 });
    expect(await store.get('C')).toEqual({ value: 'C->null!', timestamp: 15 });
  });

  const forceOldValues = (k: string, v: number) => [k, v] as const;
  const adder = (a: number, v: number) => a + v;
  const subtractor = (a: number, v: number) => a - v;

  it('old values come from the store when materialized, even for a stateful transformer (shouldCalculateCorrectOldValuesIfMaterializedEvenIfStateful)', async () => {
    const b = new StreamsBuilder();
    const out = capture(
      b
        .table('input', Consumed.with(S, S))
        .transformValues<number>(() => {
          let counter = 0;
          return { transform: () => ++counter };
        }, Materialized.as<string, number>('queryable').withKeySerde(S).withValueSerde(I))
        .groupBy(forceOldValues, Grouped.with(S, I))
        .reduce(adder, subtractor)
        .mapValues((v) => String(v))
        .toStream(),
    );
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('A', 'ignored', 5);
    await input.pipeInput('A', 'ignored1', 15);
    await input.pipeInput('A', 'ignored2', 10);
    expect(out).toEqual([kvt('A', '1', 5), kvt('A', '2', 15), kvt('A', '3', 15)]);
    expect((await d.getStateStore<TimestampedKeyValueStore<string, number>>('queryable')!.get('A'))?.value).toBe(3);
  });

  it('old values are transformed again when not materialized, for a stateless transformer (shouldCalculateCorrectOldValuesIfNotStatefulEvenIfNotMaterialized)', async () => {
    const b = new StreamsBuilder();
    const out = capture(
      b
        .table('input', Consumed.with(S, S))
        .transformValues<number>(() => ({ transform: (_k, v) => (v === null ? null : v.length) }))
        .groupBy(forceOldValues, Grouped.with(S, I))
        .reduce(adder, subtractor)
        .mapValues((v) => String(v))
        .toStream(),
    );
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('A', 'a', 5);
    await input.pipeInput('A', 'aa', 15);
    await input.pipeInput('A', 'aaa', 10);
    expect(out).toEqual([kvt('A', '1', 5), kvt('A', '2', 15), kvt('A', '3', 15)]);
  });

  it('a transformer cannot forward (shouldInitializeTransformerWithForwardDisabledProcessorContext)', async () => {
    const b = new StreamsBuilder();
    b.table('input', Consumed.with(S, S)).transformValues(() => {
      let ctx: { forward(r: unknown): void };
      return {
        init(c) {
          ctx = c as unknown as { forward(r: unknown): void };
        },
        transform(_k: string, v: string | null) {
          ctx.forward(v);
          return v;
        },
      };
    });
    const d = drive(b);
    await expect(d.createInputTopic('input', S, S).pipeInput('A', 'a', 1)).rejects.toThrow(/cannot forward records; return the new value from transform\(\) instead/);
  });

  it('names the node KTABLE-TRANSFORMVALUES-<n> and closes transformers with the task', async () => {
    const closed: string[] = [];
    const b = new StreamsBuilder();
    b.table('input', Consumed.with(S, S)).transformValues(() => ({ transform: (_k: string, v: string | null) => v, close: () => void closed.push('closed') }));
    expect(b.build().describe().toString()).toContain('Processor: KTABLE-TRANSFORMVALUES-0000000003 (stores: [])');
    const d = drive(b);
    await d.whenReady();
    await d.close();
    expect(closed).toEqual(['closed']);
  });
});
