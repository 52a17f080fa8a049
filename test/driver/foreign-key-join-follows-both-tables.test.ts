// KTable-KTable foreign-key join and leftJoin through the TopologyTestDriver: the scenarios and
// expected values of Kafka's KTableKTableForeignKeyJoinIntegrationTest (results from either side,
// deletes, foreign-key changes, null foreign keys, unnecessary-but-unavoidable tombstones), with the
// result materialized or not and the record cache on and off.
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, type TimestampedKeyValueStore, type TopologyTestDriver } from 'sluice';
import { asMap, fkTopology, LEFT_TABLE, mkMap, OUTPUT, readMap, RIGHT_TABLE, S, useFkDrivers } from './fk-join-helpers.js';

const drive = useFkDrivers();
const base = 1_700_000_000_000;

const cases = [false, true].flatMap((leftJoin) =>
  [true, false].flatMap((materialized) => [10 * 1024 * 1024, 0].map((cacheMaxBytes) => ({ leftJoin, materialized, cacheMaxBytes }))),
);
const label = (c: (typeof cases)[number]) => `${c.leftJoin ? 'leftJoin' : 'join'}, ${c.materialized ? 'materialized' : 'not materialized'}, cache ${c.cacheMaxBytes > 0 ? 'on' : 'off'}`;

function open(d: TopologyTestDriver) {
  return {
    right: d.createInputTopic(RIGHT_TABLE, S, S),
    left: d.createInputTopic(LEFT_TABLE, S, S),
    output: d.createOutputTopic(OUTPUT, S, S),
    store: () => d.getStateStore<TimestampedKeyValueStore<string, string>>('store'),
  };
}

describe.each(cases.map((c) => [label(c), c] as const))('foreign-key %s', (_label, c) => {
  const { leftJoin, materialized } = c;
  const setup = (extractor?: (v: string) => string | null) => open(drive(fkTopology({ leftJoin, materialized, extractor, produced: Produced.with(S, S) }), { cacheMaxBytes: c.cacheMaxBytes }));

  it('joins from the left, then deletes a left row (doJoinFromLeftThenDeleteLeftEntity)', async () => {
    const { right, left, output, store } = setup();
    await right.pipeInput('rhs1', 'rhsValue1', base);
    await right.pipeInput('rhs2', 'rhsValue2', base + 1);
    await right.pipeInput('rhs3', 'rhsValue3', base + 2);
    expect(readMap(output)).toEqual(new Map());
    if (materialized) expect(await asMap(store())).toEqual(new Map());

    await left.pipeInput('lhs1', 'lhsValue1|rhs1', base + 3);
    await left.pipeInput('lhs2', 'lhsValue2|rhs2', base + 4);
    const expected = mkMap(['lhs1', '(lhsValue1|rhs1,rhsValue1)'], ['lhs2', '(lhsValue2|rhs2,rhsValue2)']);
    expect(readMap(output)).toEqual(expected);
    if (materialized) expect(await asMap(store())).toEqual(expected);

    await left.pipeInput('lhs3', 'lhsValue3|rhs1', base + 5);
    expect(readMap(output)).toEqual(mkMap(['lhs3', '(lhsValue3|rhs1,rhsValue1)']));
    if (materialized) expect(await asMap(store())).toEqual(mkMap(['lhs1', '(lhsValue1|rhs1,rhsValue1)'], ['lhs2', '(lhsValue2|rhs2,rhsValue2)'], ['lhs3', '(lhsValue3|rhs1,rhsValue1)']));

    await left.pipeInput('lhs1', null, base + 6);
    expect(readMap(output)).toEqual(mkMap(['lhs1', null]));
    if (materialized) expect(await asMap(store())).toEqual(mkMap(['lhs2', '(lhsValue2|rhs2,rhsValue2)'], ['lhs3', '(lhsValue3|rhs1,rhsValue1)']));
  });

  it('joins from the right, then deletes a right row (doJoinFromRightThenDeleteRightEntity)', async () => {
    const { right, left, output, store } = setup();
    await left.pipeInput('lhs1', 'lhsValue1|rhs1', base);
    await left.pipeInput('lhs2', 'lhsValue2|rhs2', base + 1);
    await left.pipeInput('lhs3', 'lhsValue3|rhs1', base + 2);
    const halves = mkMap(['lhs1', '(lhsValue1|rhs1,null)'], ['lhs2', '(lhsValue2|rhs2,null)'], ['lhs3', '(lhsValue3|rhs1,null)']);
    expect(readMap(output)).toEqual(leftJoin ? halves : new Map());
    if (materialized) expect(await asMap(store())).toEqual(leftJoin ? halves : new Map());

    await right.pipeInput('rhs1', 'rhsValue1', base + 3);
    expect(readMap(output)).toEqual(mkMap(['lhs1', '(lhsValue1|rhs1,rhsValue1)'], ['lhs3', '(lhsValue3|rhs1,rhsValue1)']));
    if (materialized) {
      expect(await asMap(store())).toEqual(
        leftJoin
          ? mkMap(['lhs1', '(lhsValue1|rhs1,rhsValue1)'], ['lhs2', '(lhsValue2|rhs2,null)'], ['lhs3', '(lhsValue3|rhs1,rhsValue1)'])
          : mkMap(['lhs1', '(lhsValue1|rhs1,rhsValue1)'], ['lhs3', '(lhsValue3|rhs1,rhsValue1)']),
      );
    }

    await right.pipeInput('rhs2', 'rhsValue2', base + 4);
    expect(readMap(output)).toEqual(mkMap(['lhs2', '(lhsValue2|rhs2,rhsValue2)']));
    const all = mkMap(['lhs1', '(lhsValue1|rhs1,rhsValue1)'], ['lhs2', '(lhsValue2|rhs2,rhsValue2)'], ['lhs3', '(lhsValue3|rhs1,rhsValue1)']);
    if (materialized) expect(await asMap(store())).toEqual(all);

    await right.pipeInput('rhs3', 'rhsValue3', base + 5);
    expect(readMap(output)).toEqual(new Map());
    if (materialized) expect(await asMap(store())).toEqual(all);

    await right.pipeInput('rhs1', null, base + 6);
    expect(readMap(output)).toEqual(mkMap(['lhs1', leftJoin ? '(lhsValue1|rhs1,null)' : null], ['lhs3', leftJoin ? '(lhsValue3|rhs1,null)' : null]));
    if (materialized) {
      expect(await asMap(store())).toEqual(
        leftJoin ? mkMap(['lhs1', '(lhsValue1|rhs1,null)'], ['lhs2', '(lhsValue2|rhs2,rhsValue2)'], ['lhs3', '(lhsValue3|rhs1,null)']) : mkMap(['lhs2', '(lhsValue2|rhs2,rhsValue2)']),
      );
    }
  });

  it('deleting a row that joined nothing still sends a tombstone, once (shouldEmitTombstoneWhenDeletingNonJoiningRecords)', async () => {
    const { left, output, store } = setup();
    await left.pipeInput('lhs1', 'lhsValue1|rhs1', base);
    const expected = leftJoin ? mkMap(['lhs1', '(lhsValue1|rhs1,null)']) : new Map();
    expect(readMap(output)).toEqual(expected);
    if (materialized) expect(await asMap(store())).toEqual(expected);
    await left.pipeInput('lhs1', null, base + 1);
    expect(readMap(output)).toEqual(mkMap(['lhs1', null]));
    if (materialized) expect(await asMap(store())).toEqual(new Map());
    await left.pipeInput('lhs1', null, base + 2);
    expect(readMap(output)).toEqual(new Map());
    if (materialized) expect(await asMap(store())).toEqual(new Map());
  });

  it('deleting a row that never existed sends nothing (shouldNotEmitTombstonesWhenDeletingNonExistingRecords)', async () => {
    const { left, output, store } = setup();
    await left.pipeInput('lhs1', null, base);
    expect(readMap(output)).toEqual(new Map());
    if (materialized) expect(await asMap(store())).toEqual(new Map());
  });

  it('a foreign key that matches nothing gives nulls, and moving between foreign keys updates the result (joinShouldProduceNullsWhenValueHasNonMatchingForeignKey)', async () => {
    const { right, left, output, store } = setup();
    const half = (fk: string) => `(lhsValue1|${fk},null)`;
    await left.pipeInput('lhs1', 'lhsValue1|rhs1', base);
    expect(readMap(output)).toEqual(leftJoin ? mkMap(['lhs1', half('rhs1')]) : new Map());
    if (materialized) expect(await asMap(store())).toEqual(leftJoin ? mkMap(['lhs1', half('rhs1')]) : new Map());
    // moving to another missing foreign key: an unnecessary tombstone for the inner join (it cannot know)
    await left.pipeInput('lhs1', 'lhsValue1|rhs2', base + 1);
    expect(readMap(output)).toEqual(mkMap(['lhs1', leftJoin ? half('rhs2') : null]));
    if (materialized) expect(await asMap(store())).toEqual(leftJoin ? mkMap(['lhs1', half('rhs2')]) : new Map());
    await left.pipeInput('lhs1', 'lhsValue1|rhs3', base + 2);
    expect(readMap(output)).toEqual(mkMap(['lhs1', leftJoin ? half('rhs3') : null]));
    if (materialized) expect(await asMap(store())).toEqual(leftJoin ? mkMap(['lhs1', half('rhs3')]) : new Map());
    // a foreign row nobody subscribes to any more changes nothing
    await right.pipeInput('rhs1', 'rhsValue1', base + 3);
    expect(readMap(output)).toEqual(new Map());
    if (materialized) expect(await asMap(store())).toEqual(leftJoin ? mkMap(['lhs1', half('rhs3')]) : new Map());
    await left.pipeInput('lhs1', 'lhsValue1|rhs1', base + 4);
    expect(readMap(output)).toEqual(mkMap(['lhs1', '(lhsValue1|rhs1,rhsValue1)']));
    if (materialized) expect(await asMap(store())).toEqual(mkMap(['lhs1', '(lhsValue1|rhs1,rhsValue1)']));
    await left.pipeInput('lhs1', 'lhsValue1|rhs2', base + 5);
    expect(readMap(output)).toEqual(mkMap(['lhs1', leftJoin ? half('rhs2') : null]));
    if (materialized) expect(await asMap(store())).toEqual(leftJoin ? mkMap(['lhs1', half('rhs2')]) : new Map());
  });

  it('unsubscribes from the old foreign key when the left row moves (shouldUnsubscribeOldForeignKeyIfLeftSideIsUpdated)', async () => {
    const { right, left, output, store } = setup();
    await right.pipeInput('rhs1', 'rhsValue1', base);
    await right.pipeInput('rhs2', 'rhsValue2', base + 1);
    expect(readMap(output)).toEqual(new Map());
    await left.pipeInput('lhs1', 'lhsValue1|rhs1', base + 2);
    expect(readMap(output)).toEqual(mkMap(['lhs1', '(lhsValue1|rhs1,rhsValue1)']));
    await left.pipeInput('lhs1', 'lhsValue1|rhs2', base + 3);
    expect(readMap(output)).toEqual(mkMap(['lhs1', '(lhsValue1|rhs2,rhsValue2)']));
    if (materialized) expect(await asMap(store())).toEqual(mkMap(['lhs1', '(lhsValue1|rhs2,rhsValue2)']));
    await right.pipeInput('rhs1', 'rhsValue1Delta', base + 4);
    expect(readMap(output)).toEqual(new Map());
    if (materialized) expect(await asMap(store())).toEqual(mkMap(['lhs1', '(lhsValue1|rhs2,rhsValue2)']));
  });

  if (leftJoin) {
    it('a null foreign key still gives a left-join result (shouldEmitRecordOnNullForeignKeyForLeftJoins)', async () => {
      const { left, output, store } = setup(() => null);
      await left.pipeInput('lhs1', 'lhsValue1|rhs1', base);
      expect(readMap(output)).toEqual(mkMap(['lhs1', '(lhsValue1|rhs1,null)']));
      if (materialized) expect(await asMap(store())).toEqual(mkMap(['lhs1', '(lhsValue1|rhs1,null)']));
    });

    it('moving to a null foreign key updates the result and removes the old subscription (shouldEmitRecordWhenOldAndNewFkDiffer)', async () => {
      const d = drive(fkTopology({ leftJoin, materialized, extractor: (v) => (v.split('|')[1] === 'returnNull' ? null : v.split('|')[1]!), produced: Produced.with(S, S) }), {
        cacheMaxBytes: c.cacheMaxBytes,
      });
      const { left, output, store } = open(d);
      await d.whenReady();
      const subscriptions = d.getStateStore<TimestampedKeyValueStore<Buffer, unknown>>('KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010')!;
      // Kafka's subscriptionStoreKey: {int32 fk length}{fk}{pk}
      const key = Buffer.concat([Buffer.from([0, 0, 0, 4]), Buffer.from('rhs1'), Buffer.from('lhs1')]);
      await left.pipeInput('lhs1', 'lhsValue1|rhs1', base);
      expect(readMap(output)).toEqual(mkMap(['lhs1', '(lhsValue1|rhs1,null)']));
      if (materialized) expect(await asMap(store())).toEqual(mkMap(['lhs1', '(lhsValue1|rhs1,null)']));
      expect(await subscriptions.get(key)).toBeDefined();
      await left.pipeInput('lhs1', 'lhsValue1|returnNull', base);
      expect(readMap(output)).toEqual(mkMap(['lhs1', '(lhsValue1|returnNull,null)']));
      if (materialized) expect(await asMap(store())).toEqual(mkMap(['lhs1', '(lhsValue1|returnNull,null)']));
      expect(await subscriptions.get(key)).toBeUndefined();
    });
  }
});

describe('chained foreign-key joins', () => {
  it('join the result of one foreign-key join with a third table (KTableKTableForeignKeyInnerJoinMultiIntegrationTest)', async () => {
    const I = Serdes.Integer();
    const D = Serdes.Double();
    const L = Serdes.Long();
    const b = new StreamsBuilder();
    const table1 = b.table('table1', Consumed.with(I, D));
    const table2 = b.table('table2', Consumed.with(S, L));
    const table3 = b.table('table3', Consumed.with(I, S));
    table1
      .join(table2, (v: number) => String(Math.trunc(v)), (v1: number, v2: number) => `value1=${v1},value2=${v2}`, Materialized.as<number, string>('INNER-store1').withKeySerde(I).withValueSerde(S).withCachingDisabled())
      .join(table3, (v: string) => (v.includes('value2=10') ? 10 : 0), (v1: string, v2: string) => `${v1},value3=${v2}`, Materialized.as<number, string>('INNER-store2').withKeySerde(I).withValueSerde(S).withCachingDisabled())
      .toStream()
      .to('output', Produced.with(I, S));
    const d = drive(b, { cacheMaxBytes: 0 });
    for (const [k, v] of [[1, 1.33], [2, 2.22], [3, -1.22], [4, -2.22]] as const) await d.createInputTopic('table1', I, D).pipeInput(k, v);
    for (let i = 0; i < 10; i++) await d.createInputTopic('table2', S, L).pipeInput(String(i), i * 10);
    await d.createInputTopic('table3', I, S).pipeInput(10, 'waffle');
    expect(d.createOutputTopic('output', I, S).readKeyValuesToList()).toEqual([{ key: 1, value: 'value1=1.33,value2=10,value3=waffle' }]);
  });
});

describe('foreign-key join result materialization (KTableKTableForeignKeyJoinMaterializationIntegrationTest)', () => {
  it.each([
    [false, false],
    [true, false],
    [true, true],
  ])('materialized=%s queryable=%s: the cache of a stored result drops the tombstone of a row that never joined', async (materialized, queryable) => {
    const b = new StreamsBuilder();
    const left = b.table('left_table', Consumed.with(S, S));
    const right = b.table('right_table', Consumed.with(S, S));
    const extractor = (v: string) => v.split('|')[1]!;
    const joiner = (l: string, r: string) => `(${l},${r})`;
    const mat = queryable ? Materialized.as<string, string>('store').withValueSerde(S) : Materialized.with<string, string>(undefined, S);
    const result = materialized ? left.join(right, extractor, joiner, mat) : left.join(right, extractor, joiner);
    result.toStream().to('output-topic', Produced.with(S, S));
    const d = drive(b);
    const input = d.createInputTopic('left_table', S, S);
    const output = d.createOutputTopic('output-topic', S, S);
    await input.pipeInput('lhs1', 'lhsValue1|rhs1');
    expect(readMap(output)).toEqual(new Map());
    await input.pipeInput('lhs1', null);
    // only a cached result store knows there never was a result: elsewhere an unnecessary tombstone
    expect(readMap(output)).toEqual(materialized && queryable ? new Map() : mkMap(['lhs1', null]));
    if (materialized && queryable) expect(await asMap(d.getStateStore<TimestampedKeyValueStore<string, string>>('store'))).toEqual(new Map());
    await input.pipeInput('lhs1', null);
    expect(readMap(output)).toEqual(new Map());
  });
});
