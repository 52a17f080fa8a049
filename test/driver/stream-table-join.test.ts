// Stream-table join/leftJoin, ported from Kafka Streams' KStreamKTableJoinTest and
// KStreamKTableLeftJoinTest with Kafka's expected results (cache off and on), and the versioned-table
// cases: values as of each record's time, the grace period buffer, and the checks Kafka makes.
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Joined, Materialized, Produced, Serdes, Stores, StreamsBuilder, TopologyTestDriver, type KTable, type TestInputTopic } from 'sluice';

const I = Serdes.Integer();
const S = Serdes.String();
const joiner = (a: unknown, b: unknown) => `${String(a)}+${String(b)}`;
const keys = [0, 1, 2, 3];

const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

function setUp(left: boolean, cacheMaxBytes: number, versioned?: { historyMs: number; graceMs?: number }) {
  const b = new StreamsBuilder();
  const stream = b.stream('streamTopic', Consumed.with(I, S));
  const table: KTable<number, string> = versioned
    ? b.table('tableTopic', Consumed.with(I, S), Materialized.as<number, string>(Stores.persistentVersionedKeyValueStore('V-grace', versioned.historyMs)))
    : b.table('tableTopic', Consumed.with(I, S));
  const joined = Joined.with(I, S, S, versioned?.graceMs !== undefined ? 'Grace' : undefined, versioned?.graceMs);
  (left ? stream.leftJoin(table, joiner, joined) : stream.join(table, joiner, joined)).to('out', Produced.with(I, S));
  const d = new TopologyTestDriver(b.build(), { cacheMaxBytes });
  drivers.push(d);
  const streamIn = d.createInputTopic('streamTopic', I, S);
  const tableIn = d.createInputTopic('tableTopic', I, S);
  const out = d.createOutputTopic('out', I, S);
  const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  const pushToStream = async (n: number, prefix: string) => {
    for (let i = 0; i < n; i++) await streamIn.pipeInput(keys[i]!, `${prefix}${keys[i]}`, i);
  };
  const pushToTable = async (n: number, prefix: string, ts?: (i: number) => number) => {
    for (let i = 0; i < n; i++) await tableIn.pipeInput(keys[i]!, `${prefix}${keys[i]}`, ts ? ts(i) : 1000 + i * 17);
  };
  const pushNullValueToTable = async (n = 2) => {
    for (let i = 0; i < n; i++) await tableIn.pipeInput(keys[i]!, null, 0);
  };
  return { d, streamIn: streamIn as TestInputTopic<number | null, string | null>, read, pushToStream, pushToTable, pushNullValueToTable };
}

describe.each([
  ['cache off', 0],
  ['cache on', 10 * 1024 * 1024],
])('stream-table join (%s)', (_name, cache) => {
  it('does not join with an empty table, nor on table updates (KStreamKTableJoinTest.shouldNotJoinOnTableUpdates)', async () => {
    const h = setUp(false, cache);
    await h.pushToStream(2, 'X');
    expect(h.read()).toEqual([]);
    await h.pushToTable(2, 'Y');
    expect(h.read()).toEqual([]);
    await h.pushToStream(4, 'X');
    expect(h.read()).toEqual([[0, 'X0+Y0', 0], [1, 'X1+Y1', 1]]);
    await h.pushToTable(4, 'YY');
    expect(h.read()).toEqual([]);
    await h.pushToStream(4, 'X');
    expect(h.read()).toEqual([[0, 'X0+YY0', 0], [1, 'X1+YY1', 1], [2, 'X2+YY2', 2], [3, 'X3+YY3', 3]]);
  });

  it('a table tombstone removes the entry (KStreamKTableJoinTest.shouldClearTableEntryOnNullValueUpdates)', async () => {
    const h = setUp(false, cache);
    await h.pushToTable(4, 'Y');
    await h.pushToStream(4, 'X');
    expect(h.read()).toEqual([[0, 'X0+Y0', 0], [1, 'X1+Y1', 1], [2, 'X2+Y2', 2], [3, 'X3+Y3', 3]]);
    await h.pushNullValueToTable();
    expect(h.read()).toEqual([]);
    await h.pushToStream(4, 'XX');
    expect(h.read()).toEqual([[2, 'XX2+Y2', 2], [3, 'XX3+Y3', 3]]);
  });

  it('skips stream records with a null key or value', async () => {
    const h = setUp(false, cache);
    await h.pushToTable(2, 'Y');
    await h.streamIn.pipeInput(null, 'A', 5);
    await h.streamIn.pipeInput(1, null, 6);
    expect(h.read()).toEqual([]);
  });

  it('leftJoin joins every stream record, with null when the table has no value (KStreamKTableLeftJoinTest)', async () => {
    const h = setUp(true, cache);
    await h.pushToStream(2, 'X');
    expect(h.read()).toEqual([[0, 'X0+null', 0], [1, 'X1+null', 1]]);
    await h.pushToTable(2, 'Y');
    expect(h.read()).toEqual([]);
    await h.pushToStream(4, 'X');
    expect(h.read()).toEqual([[0, 'X0+Y0', 0], [1, 'X1+Y1', 1], [2, 'X2+null', 2], [3, 'X3+null', 3]]);
    await h.pushNullValueToTable();
    await h.pushToStream(4, 'XX');
    expect(h.read()).toEqual([[0, 'XX0+null', 0], [1, 'XX1+null', 1], [2, 'XX2+null', 2], [3, 'XX3+null', 3]]);
  });

  it('leftJoin still joins a record without a key (with no table value)', async () => {
    const h = setUp(true, cache);
    await h.streamIn.pipeInput(null, 'A', 5);
    expect(h.read()).toEqual([[null, 'A+null', 5]]);
  });

  it('a versioned table is read as of each record\'s time', async () => {
    const h = setUp(false, cache, { historyMs: 300_000 });
    await h.pushToTable(2, 'Y', () => 10);
    await h.pushToTable(2, 'YY', () => 20);
    await h.streamIn.pipeInput(0, 'at15', 15);
    await h.streamIn.pipeInput(0, 'at25', 25);
    await h.streamIn.pipeInput(1, 'at5', 5);
    expect(h.read()).toEqual([[0, 'at15+Y0', 15], [0, 'at25+YY0', 25]]);
  });

  it('with a grace period, records wait and join in time order (KStreamKTableJoinTest.shouldDelayJoinByGracePeriod)', async () => {
    const h = setUp(false, cache, { historyMs: 300_000, graceMs: 2 });
    await h.pushToTable(4, 'Y', () => 0);
    await h.pushToStream(4, 'X');
    expect(h.read()).toEqual([[0, 'X0+Y0', 0], [1, 'X1+Y1', 1]]);
    await h.pushToTable(4, 'YY', () => 0);
    await h.pushToStream(4, 'X');
    expect(h.read()).toEqual([[0, 'X0+YY0', 0], [1, 'X1+YY1', 1]]);
    await h.streamIn.pipeInput(5, 'test', 7);
    expect(h.read()).toEqual([[2, 'X2+YY2', 2], [2, 'X2+YY2', 2], [3, 'X3+YY3', 3], [3, 'X3+YY3', 3]]);
  });

  it('a record older than the grace period joins at once (KStreamKTableJoinTest.shouldHandleLateJoinsWithGracePeriod)', async () => {
    const h = setUp(false, cache, { historyMs: 300_000, graceMs: 2 });
    await h.pushToTable(4, 'Y', () => 0);
    await h.pushToStream(4, 'X');
    expect(h.read()).toEqual([[0, 'X0+Y0', 0], [1, 'X1+Y1', 1]]);
    await h.pushToStream(1, 'X');
    expect(h.read()).toEqual([[0, 'X0+Y0', 0]]);
  });
});

describe('stream-table join checks', () => {
  function build(table: (b: StreamsBuilder) => KTable<string, string>, grace: number) {
    const b = new StreamsBuilder();
    const stream = b.stream('topic', Consumed.with(S, S));
    stream.join(table(b), joiner, Joined.with(S, S, S, 'first-join', grace)).to('out-one');
    return b;
  }

  it('a grace period needs a versioned table (KStreamKTableJoinTest.shouldFailIfTableIsNotVersioned)', () => {
    expect(() => build((b) => b.table('topic2', Consumed.with(S, S)), 6).build()).toThrow(/must be versioned to use a grace period/);
  });

  it('…also when the table inherits its store through a filter (shouldFailIfTableIsNotVersionedButMaterializationIsInherited)', () => {
    const b = build((b) => b.table('topic2', Consumed.with(S, S), Materialized.as<string, string>(Stores.inMemoryKeyValueStore('tableB'))).filter(() => true), 6);
    expect(() => b.build()).toThrow(/must be versioned/);
  });

  it('a versioned table read through a filter is fine (shouldNotFailIfTableIsVersionedButMaterializationIsInherited)', () => {
    const b = build((b) => b.table('topic2', Consumed.with(S, S), Materialized.as<string, string>(Stores.persistentVersionedKeyValueStore('tableB', 300_000))).filter(() => true), 6);
    expect(() => b.build()).not.toThrow();
  });

  it('the history retention must cover the grace period (shouldFailIfGracePeriodIsLongerThanHistoryRetention)', () => {
    const b = build((b) => b.table('topic2', Consumed.with(S, S), Materialized.as<string, string>(Stores.persistentVersionedKeyValueStore('tableB', 300_000))), 360_000);
    expect(() => b.build()).toThrow(/history retention of store 'tableB' \(300000 ms\) must be at least the grace period \(360000 ms\)/);
  });

  it('a windowed table cannot be joined yet, and says so', async () => {
    const { TimeWindows } = await import('sluice');
    const b = new StreamsBuilder();
    const counts = b.stream('words', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1000)).count();
    b.stream('topic', Consumed.with(S, S)).join(counts as never, joiner);
    expect(() => b.build()).toThrow(/cannot read table .*not supported yet/);
  });
});
