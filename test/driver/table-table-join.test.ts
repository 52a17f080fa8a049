// KTable-KTable join/leftJoin/outerJoin, ported from Kafka Streams' KTableKTableInnerJoinTest,
// KTableKTableLeftJoinTest and KTableKTableOuterJoinTest (testJoin, with Kafka's expected keys,
// values and timestamps), with the record cache off and on, unmaterialized and materialized; and
// old values reaching a downstream aggregation, versioned inputs, names and stores.
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, KeyValue, Materialized, Named, Produced, Serdes, Stores, StreamsBuilder, TopologyTestDriver, type KTable, type TimestampedKeyValueStore } from 'sluice';

const I = Serdes.Integer();
const S = Serdes.String();
const joiner = (a: unknown, b: unknown) => `${String(a)}+${String(b)}`;
const keys = [0, 1, 2, 3];

const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

type Op = 'join' | 'leftJoin' | 'outerJoin';
type Row = [number | null, string | null, number];

function join(op: Op, t1: KTable<number, string>, t2: KTable<number, string>, materialized?: Materialized<number, string>): KTable<number, string> {
  if (op === 'join') return t1.join(t2, joiner, undefined, materialized);
  if (op === 'leftJoin') return t1.leftJoin(t2, joiner, undefined, materialized);
  return t1.outerJoin(t2, joiner, undefined, materialized);
}

/** Kafka's testJoin input; `expected` holds what each step must produce. */
async function testJoin(op: Op, cacheMaxBytes: number, materialized: boolean, expected: Row[][]): Promise<void> {
  const b = new StreamsBuilder();
  const t1 = b.table('topic1', Consumed.with(I, S));
  const t2 = b.table('topic2', Consumed.with(I, S));
  join(op, t1, t2, materialized ? Materialized.as<number, string>('anyQueryableName').withValueSerde(S) : undefined)
    .toStream()
    .to('output', Produced.with(I, S));
  const d = new TopologyTestDriver(b.build(), { cacheMaxBytes });
  drivers.push(d);
  const in1 = d.createInputTopic('topic1', I, S);
  const in2 = d.createInputTopic('topic2', I, S);
  const out = d.createOutputTopic('output', I, S);
  const steps: (() => Promise<void>)[] = [
    async () => {
      for (let i = 0; i < 2; i++) await in1.pipeInput(keys[i]!, `X${keys[i]}`, 5 + i);
      await in1.pipeInput(null as unknown as number, 'SomeVal', 42);
    },
    async () => {
      for (let i = 0; i < 2; i++) await in2.pipeInput(keys[i]!, `Y${keys[i]}`, 10 * i);
      await in2.pipeInput(null as unknown as number, 'AnotherVal', 73);
    },
    async () => {
      for (const k of keys) await in1.pipeInput(k, `XX${k}`, 7);
    },
    async () => {
      for (const k of keys) await in2.pipeInput(k, `YY${k}`, k * 5);
    },
    async () => {
      for (const k of keys) await in1.pipeInput(k, `XXX${k}`, 6);
    },
    async () => {
      await in2.pipeInput(0, null, 5);
      await in2.pipeInput(1, null, 7);
    },
    async () => {
      for (const k of keys) await in1.pipeInput(k, `XXXX${k}`, 13);
    },
    async () => {
      await in1.pipeInput(0, null, 0);
      await in1.pipeInput(1, null, 42);
      await in1.pipeInput(2, null, 5);
      await in1.pipeInput(3, null, 20);
    },
  ];
  for (let i = 0; i < steps.length; i++) {
    await steps[i]!();
    const got = out.readRecordsToList().map((r): Row => [r.key, r.value, r.timestamp]);
    expect(got, `step ${i + 1}`).toEqual(expected[i]);
  }
}

const INNER: Row[][] = [
  [],
  [[0, 'X0+Y0', 5], [1, 'X1+Y1', 10]],
  [[0, 'XX0+Y0', 7], [1, 'XX1+Y1', 10]],
  [[0, 'XX0+YY0', 7], [1, 'XX1+YY1', 7], [2, 'XX2+YY2', 10], [3, 'XX3+YY3', 15]],
  [[0, 'XXX0+YY0', 6], [1, 'XXX1+YY1', 6], [2, 'XXX2+YY2', 10], [3, 'XXX3+YY3', 15]],
  [[0, null, 6], [1, null, 7]],
  [[2, 'XXXX2+YY2', 13], [3, 'XXXX3+YY3', 15]],
  [[2, null, 10], [3, null, 20]],
];
const LEFT: Row[][] = [
  [[0, 'X0+null', 5], [1, 'X1+null', 6]],
  [[0, 'X0+Y0', 5], [1, 'X1+Y1', 10]],
  [[0, 'XX0+Y0', 7], [1, 'XX1+Y1', 10], [2, 'XX2+null', 7], [3, 'XX3+null', 7]],
  [[0, 'XX0+YY0', 7], [1, 'XX1+YY1', 7], [2, 'XX2+YY2', 10], [3, 'XX3+YY3', 15]],
  [[0, 'XXX0+YY0', 6], [1, 'XXX1+YY1', 6], [2, 'XXX2+YY2', 10], [3, 'XXX3+YY3', 15]],
  [[0, 'XXX0+null', 6], [1, 'XXX1+null', 7]],
  [[0, 'XXXX0+null', 13], [1, 'XXXX1+null', 13], [2, 'XXXX2+YY2', 13], [3, 'XXXX3+YY3', 15]],
  [[0, null, 0], [1, null, 42], [2, null, 10], [3, null, 20]],
];
const OUTER: Row[][] = LEFT.map((rows, i) => (i === 7 ? [[0, null, 0], [1, null, 42], [2, 'null+YY2', 10], [3, 'null+YY3', 20]] : rows));

describe.each([
  ['cache off', 0],
  ['cache on', 10 * 1024 * 1024],
])('table-table joins (%s)', (_name, cache) => {
  for (const materialized of [false, true]) {
    const how = materialized ? 'materialized' : 'not materialized';
    it(`join, ${how} (KTableKTableInnerJoinTest.testJoin)`, () => testJoin('join', cache, materialized, INNER));
    it(`leftJoin, ${how} (KTableKTableLeftJoinTest.testJoin)`, () => testJoin('leftJoin', cache, materialized, LEFT));
    it(`outerJoin, ${how} (KTableKTableOuterJoinTest.testJoin)`, () => testJoin('outerJoin', cache, materialized, OUTER));
  }

  it('old joined values reach a downstream aggregation, which subtracts them (testSendingOldValues)', async () => {
    const b = new StreamsBuilder();
    const t1 = b.table('topic1', Consumed.with(I, S));
    const t2 = b.table('topic2', Consumed.with(I, S));
    t1.leftJoin(t2, joiner)
      .groupBy((_k, v) => KeyValue.pair('all', v), { keySerde: S, valueSerde: S } as never)
      .aggregate(
        () => '',
        (_k, v, agg) => `${agg}+[${v}]`,
        (_k, v, agg) => `${agg}-[${v}]`,
        Materialized.with<string, string>(S, S),
      )
      .toStream()
      .to('output', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), { cacheMaxBytes: cache });
    drivers.push(d);
    const in1 = d.createInputTopic('topic1', I, S);
    const in2 = d.createInputTopic('topic2', I, S);
    const out = d.createOutputTopic('output', S, S);
    await in1.pipeInput(0, 'X0', 1);
    await in2.pipeInput(0, 'Y0', 2);
    await in1.pipeInput(0, null, 3);
    expect(out.readValuesToList().at(-1)).toBe('+[X0+null]-[X0+null]+[X0+Y0]-[X0+Y0]');
  });
});

describe('table-table join topology', () => {
  it('names its processors after Named, keeps the result in the Materialized store, and reads both inputs\' stores', () => {
    const b = new StreamsBuilder();
    const t1 = b.table('topic1', Consumed.with(I, S));
    const t2 = b.table('topic2', Consumed.with(I, S), Materialized.as<number, string>('right-store'));
    t1.outerJoin(t2, joiner, Named.as('people'), Materialized.as<number, string>('people-store').withValueSerde(S)).toStream().to('out', Produced.with(I, S));
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: people-join-this (stores: [right-store])');
    expect(text).toMatch(/Processor: people-join-other \(stores: \[topic1-STATE-STORE-0000000000\]\)/);
    expect(text).toContain('Processor: people (stores: [people-store])');
    expect(text).toContain('<-- people-join-this, people-join-other');
  });

  it('a materialized join result can be queried', async () => {
    const b = new StreamsBuilder();
    b.table('topic1', Consumed.with(I, S)).join(b.table('topic2', Consumed.with(I, S)), joiner, Materialized.as<number, string>('joined').withValueSerde(S));
    const d = new TopologyTestDriver(b.build());
    drivers.push(d);
    await d.createInputTopic('topic1', I, S).pipeInput(1, 'a', 5);
    await d.createInputTopic('topic2', I, S).pipeInput(1, 'b', 9);
    const store = d.getStateStore<TimestampedKeyValueStore<number, string>>('joined')!;
    expect(await store.get(1)).toEqual({ value: 'a+b', timestamp: 9 });
  });

  it('out-of-order updates of versioned tables are skipped; the latest values are joined', async () => {
    const b = new StreamsBuilder();
    const versioned = (name: string) => Materialized.as<number, string>(Stores.persistentVersionedKeyValueStore(name, 100));
    const t1 = b.table('topic1', Consumed.with(I, S), versioned('v1'));
    const t2 = b.table('topic2', Consumed.with(I, S), versioned('v2'));
    t1.join(t2, joiner).toStream().to('out', Produced.with(I, S));
    const d = new TopologyTestDriver(b.build());
    drivers.push(d);
    const in1 = d.createInputTopic('topic1', I, S);
    const in2 = d.createInputTopic('topic2', I, S);
    const out = d.createOutputTopic('out', I, S);
    await in1.pipeInput(1, 'a10', 10);
    await in2.pipeInput(1, 'b10', 10);
    await in1.pipeInput(1, 'a5', 5); // out of order: skipped
    await in2.pipeInput(1, 'b20', 20);
    expect(out.readValuesToList()).toEqual(['a10+b10', 'a10+b20']);
  });
});
