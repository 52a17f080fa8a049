// Stream-stream join/leftJoin/outerJoin, ported from Kafka Streams' KStreamKStreamJoinTest,
// KStreamKStreamLeftJoinTest and KStreamKStreamOuterJoinTest with Kafka's expected results, each
// run with the record cache off and on (join stores are never cached, so both give the same).
import { afterEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  Headers,
  JoinWindows,
  Produced,
  Serdes,
  StreamJoined,
  Stores,
  StreamsBuilder,
  TestRecord,
  TopologyTestDriver,
  type KStream,
  type TestInputTopic,
  type TestOutputTopic,
} from 'sluice';

const I = Serdes.Integer();
const S = Serdes.String();
const L = Serdes.Long();
const EMIT_NOW = { '__emit.interval.ms.kstreams.outer.join.spurious.results.fix__': 0 };
const joiner = (a: unknown, b: unknown) => `${String(a)}+${String(b)}`;

const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

type Kind = 'join' | 'leftJoin' | 'outerJoin';

interface Harness {
  left: TestInputTopic<number, string>;
  right: TestInputTopic<number, string>;
  out: TestOutputTopic<number, string>;
  /** What came out since the last call, as [key, value, timestamp]. */
  read(): [number | null, string | null, number][];
}

function run(kind: Kind, windows: JoinWindows, cacheMaxBytes: number, streamJoined = StreamJoined.with(I, S, S)): Harness {
  const b = new StreamsBuilder();
  const s1 = b.stream('topic1', Consumed.with(I, S));
  const s2 = b.stream('topic2', Consumed.with(I, S));
  const joined = kind === 'join' ? s1.join(s2, joiner, windows, streamJoined) : kind === 'leftJoin' ? s1.leftJoin(s2, joiner, windows, streamJoined) : s1.outerJoin(s2, joiner, windows, streamJoined);
  joined.to('out', Produced.with(I, S));
  const d = new TopologyTestDriver(b.build(), { ...EMIT_NOW, cacheMaxBytes, initialWallClockTimeMs: 0 });
  drivers.push(d);
  const out = d.createOutputTopic('out', I, S);
  return {
    left: d.createInputTopic('topic1', I, S),
    right: d.createInputTopic('topic2', I, S),
    out,
    read: () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]),
  };
}

async function pipe(topic: TestInputTopic<number, string>, keys: readonly number[], prefix: string, ts: number): Promise<void> {
  for (const k of keys) await topic.pipeInput(k, `${prefix}${k}`, ts);
}

describe.each([
  ['cache off', 0],
  ['cache on', 10 * 1024 * 1024],
])('stream-stream joins (%s)', (_name, cache) => {
  it('join pairs every record with each record of the other side in the window, duplicates included (KStreamKStreamJoinTest.testJoin)', async () => {
    const h = run('join', JoinWindows.ofTimeDifferenceWithNoGrace(100), cache);
    await pipe(h.left, [0, 1], 'A', 0);
    expect(h.read()).toEqual([]);
    await pipe(h.right, [0, 1], 'a', 0);
    expect(h.read()).toEqual([[0, 'A0+a0', 0], [1, 'A1+a1', 0]]);
    await pipe(h.left, [0, 1, 2, 3], 'B', 0);
    expect(h.read()).toEqual([[0, 'B0+a0', 0], [1, 'B1+a1', 0]]);
    await pipe(h.right, [0, 1, 2, 3], 'b', 0);
    expect(h.read()).toEqual([[0, 'A0+b0', 0], [0, 'B0+b0', 0], [1, 'A1+b1', 0], [1, 'B1+b1', 0], [2, 'B2+b2', 0], [3, 'B3+b3', 0]]);
    await pipe(h.left, [0, 1, 2, 3], 'C', 0);
    expect(h.read()).toEqual([[0, 'C0+a0', 0], [0, 'C0+b0', 0], [1, 'C1+a1', 0], [1, 'C1+b1', 0], [2, 'C2+b2', 0], [3, 'C3+b3', 0]]);
    await pipe(h.right, [0, 1], 'c', 0);
    expect(h.read()).toEqual([[0, 'A0+c0', 0], [0, 'B0+c0', 0], [0, 'C0+c0', 0], [1, 'A1+c1', 0], [1, 'B1+c1', 0], [1, 'C1+c1', 0]]);
  });

  it('outerJoin within a 24 h grace period emits only joined records (KStreamKStreamJoinTest.testOuterJoin)', async () => {
    const h = run('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 24 * 3600_000), cache);
    await pipe(h.left, [0, 1], 'A', 0);
    await pipe(h.right, [0, 1], 'a', 0);
    await pipe(h.left, [0, 1, 2, 3], 'B', 0);
    expect(h.read()).toEqual([[0, 'A0+a0', 0], [1, 'A1+a1', 0], [0, 'B0+a0', 0], [1, 'B1+a1', 0]]);
    await pipe(h.right, [0, 1, 2, 3], 'b', 0);
    expect(h.read()).toEqual([[0, 'A0+b0', 0], [0, 'B0+b0', 0], [1, 'A1+b1', 0], [1, 'B1+b1', 0], [2, 'B2+b2', 0], [3, 'B3+b3', 0]]);
  });

  it('leftJoin emits expired unmatched left records when the left side moves stream time (KStreamKStreamLeftJoinTest)', async () => {
    const h = run('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0), cache);
    await h.left.pipeInput(0, 'A0', 1);
    await h.left.pipeInput(1, 'A1', 2);
    await h.left.pipeInput(0, 'A0-0', 3);
    expect(h.read()).toEqual([]);
    await h.right.pipeInput(1, 'a1', 3);
    expect(h.read()).toEqual([[1, 'A1+a1', 3]]);
    await h.left.pipeInput(2, 'dummy', 401);
    expect(h.read()).toEqual([[0, 'A0+null', 1], [0, 'A0-0+null', 3]]);
    await h.right.pipeInput(2, 'dummy', 401);
    expect(h.read()).toEqual([[2, 'dummy+dummy', 401]]);
  });

  it('leftJoin emits expired unmatched left records when the right side moves stream time (KStreamKStreamLeftJoinTest)', async () => {
    const h = run('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0), cache);
    await h.left.pipeInput(0, 'A0', 1);
    await h.left.pipeInput(1, 'A1', 2);
    await h.left.pipeInput(0, 'A0-0', 3);
    await h.right.pipeInput(1, 'a1', 3);
    expect(h.read()).toEqual([[1, 'A1+a1', 3]]);
    await h.right.pipeInput(2, 'dummy', 401);
    expect(h.read()).toEqual([[0, 'A0+null', 1], [0, 'A0-0+null', 3]]);
  });

  it('leftJoin never emits unmatched right records (KStreamKStreamLeftJoinTest.testRightNonJoinedRecordsAreNeverEmittedByTheLeftProcessor)', async () => {
    const h = run('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0), cache);
    await h.right.pipeInput(0, 'A0', 1);
    await h.right.pipeInput(1, 'A1', 2);
    await h.right.pipeInput(0, 'A0-0', 3);
    expect(h.read()).toEqual([]);
    await h.left.pipeInput(1, 'a1', 3);
    expect(h.read()).toEqual([[1, 'a1+A1', 3]]);
    await h.left.pipeInput(2, 'dummy', 401);
    expect(h.read()).toEqual([]);
    await h.right.pipeInput(2, 'dummy', 402);
    expect(h.read()).toEqual([[2, 'dummy+dummy', 402]]);
  });

  it('leftJoin emits an expired unmatched record before the joined record that closed its window (KStreamKStreamLeftJoinTest.testOrdering)', async () => {
    const h = run('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100), cache);
    await h.left.pipeInput(0, 'A0', 0);
    await h.left.pipeInput(1, 'A1', 100);
    expect(h.read()).toEqual([]);
    await h.right.pipeInput(1, 'a1', 110);
    expect(h.read()).toEqual([[0, 'A0+null', 0], [1, 'A1+a1', 110]]);
  });

  it('leftJoin waits for the grace period, and a record after the window ended but before it closed joins nothing (KStreamKStreamLeftJoinTest.testGracePeriod)', async () => {
    const h = run('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10), cache);
    await pipe(h.left, [0, 1], 'A', 0);
    expect(h.read()).toEqual([]);
    await pipe(h.right, [0, 1, 2, 3], 'a', 101);
    expect(h.read()).toEqual([]);
    await h.right.pipeInput(0, 'dummy', 1201);
    expect(h.read()).toEqual([[0, 'A0+null', 0], [1, 'A1+null', 0]]);
  });

  it('outerJoin with an asymmetric window emits each side once its own window closed (KStreamKStreamOuterJoinTest.testEmitAllNonJoinedResultsForAsymmetricWindow)', async () => {
    const b = new StreamsBuilder();
    const s1 = b.stream('topic1', Consumed.with(I, S));
    const s2 = b.stream('topic2', Consumed.with(I, L));
    s1.outerJoin(s2, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(5).after(20), StreamJoined.with(I, S, L)).to('out', Produced.with(I, S));
    const d = new TopologyTestDriver(b.build(), { ...EMIT_NOW, cacheMaxBytes: cache, initialWallClockTimeMs: 0 });
    drivers.push(d);
    const t1 = d.createInputTopic('topic1', I, S);
    const t2 = d.createInputTopic('topic2', I, L);
    const out = d.createOutputTopic('out', I, S);
    const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
    await t1.pipeInput(0, 'A0', 29);
    await t1.pipeInput(1, 'A1', 30);
    await t2.pipeInput(2, 12, 31);
    await t2.pipeInput(3, 13, 36);
    expect(read()).toEqual([]);
    await t2.pipeInput(4, 14, 37);
    expect(read()).toEqual([[2, 'null+12', 31]]);
    await t2.pipeInput(5, 15, 50);
    expect(read()).toEqual([[0, 'A0+null', 29], [3, 'null+13', 36], [4, 'null+14', 37]]);
  });

  it('unmatched records carry the headers of the record that closed their window (KStreamKStreamOuterJoinTest.testShouldForwardCurrentHeaders)', async () => {
    const h = run('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10), cache);
    await h.left.pipeRecord(new TestRecord(0, 'A0', 0, new Headers().add('h', Buffer.from([1]))));
    await h.right.pipeRecord(new TestRecord(1, 'b1', 0, new Headers().add('h', Buffer.from([2]))));
    await h.right.pipeRecord(new TestRecord(3, 'b3', 211, new Headers().add('h', Buffer.from([3]))));
    const records = h.out.readRecordsToList();
    expect(records.map((r) => [r.key, r.value, r.timestamp])).toEqual([[1, 'null+b1', 0], [0, 'A0+null', 0]]);
    for (const r of records) expect(r.headers.lastHeader('h')?.value).toEqual(Buffer.from([3]));
  });

  it('unmatched records wait for the emit interval of wall-clock time (KStreamKStreamJoinTest.shouldThrottleEmitNonJoinedOuterRecords…)', async () => {
    const b = new StreamsBuilder();
    b.stream('topic1', Consumed.with(I, S))
      .leftJoin(b.stream('topic2', Consumed.with(I, S)), joiner, JoinWindows.ofTimeDifferenceWithNoGrace(10), StreamJoined.with(I, S, S))
      .to('out', Produced.with(I, S));
    const d = new TopologyTestDriver(b.build(), { cacheMaxBytes: cache, initialWallClockTimeMs: 0 }); // default interval: 1000 ms
    drivers.push(d);
    const t1 = d.createInputTopic('topic1', I, S);
    const out = d.createOutputTopic('out', I, S);
    await t1.pipeInput(0, 'A0', 0); // the first look at the (empty) store starts the interval
    await d.advanceWallClockTime(1000);
    await t1.pipeInput(1, 'A1', 20); // A0 is due
    expect(out.readValuesToList()).toEqual(['A0+null']);
    await t1.pipeInput(2, 'A2', 40); // A1 is due, but the last look was less than 1 s of wall-clock time ago
    expect(out.readValuesToList()).toEqual([]);
    await d.advanceWallClockTime(1000);
    await t1.pipeInput(3, 'A3', 60);
    expect(out.readValuesToList()).toEqual(['A1+null', 'A2+null']);
  });
});

describe('StreamJoined options', () => {
  function build(streamJoined: StreamJoined<string, number, number>) {
    const b = new StreamsBuilder();
    const left = b.stream('left', Consumed.with(S, L));
    left.join(b.stream('right', Consumed.with(S, L)), (a: number, c: number) => a + c, JoinWindows.ofTimeDifferenceAndGrace(100, 50), streamJoined);
    return b;
  }

  it('withLoggingDisabled turns off both window stores\' changelogs (KStreamKStreamJoinTest.shouldDisableLoggingOnStreamJoined)', () => {
    const t = build(StreamJoined.with(S, L, L).withStoreName('store').withLoggingDisabled()).build();
    expect(t.stores.get('store-this-join-store')!.builder.loggingEnabled).toBe(false);
    expect(t.stores.get('store-other-join-store')!.builder.loggingEnabled).toBe(false);
  });

  it('withLoggingEnabled(config) adds the config to both changelogs, never compacted (KStreamKStreamJoinTest.shouldEnableLoggingWithCustomConfigOnStreamJoined)', () => {
    const t = build(StreamJoined.with(S, L, L).withStoreName('store').withLoggingEnabled({ test: 'property' })).build();
    for (const name of ['store-this-join-store', 'store-other-join-store']) {
      const store = t.stores.get(name)!.builder;
      expect(store.loggingEnabled).toBe(true);
      expect(store.changelogConfig()).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': String(250 + 24 * 3600_000), test: 'property' });
    }
  });

  it.each([
    ['a retention that is not size + grace', Stores.inMemoryWindowStore('this', 500, 200, true), /window settings mismatch.*'this'/],
    ['a window size that is not the join window size', Stores.inMemoryWindowStore('this', 250, 100, true), /window settings mismatch.*'this'/],
    ['no duplicates kept', Stores.inMemoryWindowStore('this', 250, 200, false), /'this'.*must keep duplicates/],
  ])('a this-side store supplier with %s is refused at build()', (_what, supplier, message) => {
    const b = build(StreamJoined.with(supplier, Stores.inMemoryWindowStore('other', 250, 200, true)));
    expect(() => b.build()).toThrow(message);
  });

  it('store suppliers with the same name are refused (KStreamKStreamJoinTest.shouldExceptionWhenJoinStoresDoNotHaveUniqueNames)', () => {
    const b = build(StreamJoined.with(Stores.inMemoryWindowStore('same', 250, 200, true), Stores.inMemoryWindowStore('same', 250, 200, true)));
    expect(() => b.build()).toThrow(/both store suppliers.*'same'/);
  });

  it('withStoreType picks the kind of all three stores; a this-side supplier picks the outer store\'s kind', async () => {
    const b = new StreamsBuilder();
    b.stream('left', Consumed.with(S, L)).outerJoin(b.stream('right', Consumed.with(S, L)), (a, c) => `${a}+${c}`, JoinWindows.ofTimeDifferenceWithNoGrace(100), StreamJoined.with(S, L, L).withStoreName('s').withStoreType('in_memory'));
    b.stream('l2', Consumed.with(S, L)).leftJoin(
      b.stream('r2', Consumed.with(S, L)),
      (a, c) => `${a}+${c}`,
      JoinWindows.ofTimeDifferenceWithNoGrace(100),
      StreamJoined.with<string, number, number>(Stores.inMemoryWindowStore('mine', 200, 200, true), Stores.persistentWindowStore('theirs', 200, 200, true)).withKeySerde(S).withValueSerde(L).withOtherValueSerde(L),
    );
    const d = new TopologyTestDriver(b.build());
    drivers.push(d);
    await d.whenReady();
    for (const name of ['s-outer-this-join-store', 's-outer-other-join-store', 's-outer-shared-join-store', 'mine', 'mine-left-shared-join-store']) {
      expect(d.getStateStore(name)?.persistent, name).toBe(false);
    }
    expect(d.getStateStore('theirs')?.persistent).toBe(true);
  });

  it('JoinWindows refuses a negative interval and bad durations', () => {
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(10).before(-20)).toThrow(/must not be negative/);
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(-1)).toThrow(/non-negative integer/);
    expect(() => JoinWindows.ofTimeDifferenceAndGrace(10, 1.5)).toThrow(/grace period/);
    expect(JoinWindows.ofTimeDifferenceWithNoGrace(10).before(-5).size()).toBe(5);
  });

  it('a join of a stream with something that is not a KStream or KTable says so at build()', () => {
    const b = new StreamsBuilder();
    const left = b.stream('left', Consumed.with(S, S));
    left.join({} as KStream<string, string>, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(10));
    expect(() => b.build()).toThrow(/join\(\) needs a KStream or KTable/);
  });
});
