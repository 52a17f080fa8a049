// Window specifications (which windows a record lands in, validation that says what to fix), the
// topology a windowed count describes, and the DSL's checks of windowed stores. Expectations from
// Kafka Streams' TimeWindowsTest, SlidingWindowsTest, SessionWindowsTest and TopologyTest.
import { describe, expect, it } from 'vitest';
import { Materialized, Serdes, SessionWindows, SlidingWindows, StreamsBuilder, Stores, TimeWindow, TimeWindows, type StoreBuilder, type StateStore } from 'sluice';

const S = Serdes.String();

describe('TimeWindows (TimeWindowsTest)', () => {
  it('computes the epoch-aligned windows of a timestamp', () => {
    expect([...TimeWindows.ofSizeWithNoGrace(12).advanceBy(5).windowsFor(21)]).toEqual([
      [10, new TimeWindow(10, 22)],
      [15, new TimeWindow(15, 27)],
      [20, new TimeWindow(20, 32)],
    ]);
    expect([...TimeWindows.ofSizeWithNoGrace(6).advanceBy(5).windowsFor(7)]).toEqual([[5, new TimeWindow(5, 11)]]);
    expect([...TimeWindows.ofSizeWithNoGrace(12).windowsFor(21)]).toEqual([[12, new TimeWindow(12, 24)]]);
    // near the epoch, windows that would start before 0 are left out
    expect([...TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(3).keys()]).toEqual([0]);
  });

  it('keeps size, advance and grace', () => {
    const w = TimeWindows.ofSizeAndGrace(123, 1024).advanceBy(4);
    expect([w.size(), w.sizeMs, w.advanceMs, w.gracePeriodMs()]).toEqual([123, 123, 4, 1024]);
    expect(TimeWindows.ofSizeWithNoGrace(123).gracePeriodMs()).toBe(0);
    expect(TimeWindows.ofSizeAndGrace(3, 4).equals(TimeWindows.ofSizeAndGrace(3, 4))).toBe(true);
    expect(TimeWindows.ofSizeAndGrace(3, 2).advanceBy(1).equals(TimeWindows.ofSizeAndGrace(3, 2).advanceBy(2))).toBe(false);
  });

  it('rejects a zero or negative size, a bad advance and a negative grace, saying what to use', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(/window size must be larger than zero.*ofSizeWithNoGrace\(60_000\)/);
    expect(() => TimeWindows.ofSizeWithNoGrace(-1)).toThrow(/window size must be a non-negative integer/);
    expect(() => TimeWindows.ofSizeWithNoGrace(123).advanceBy(0)).toThrow(/advance must be more than zero and at most the window size \(123 ms\)/);
    expect(() => TimeWindows.ofSizeWithNoGrace(123).advanceBy(124)).toThrow(/at most the window size \(123 ms\), got 124 ms/);
    expect(() => TimeWindows.ofSizeAndGrace(3, -1)).toThrow(/grace period \(afterWindowEnd\) must be a non-negative integer/);
    expect(() => TimeWindows.ofSizeWithNoGrace(1.5)).toThrow(/integer number of milliseconds/);
  });
});

describe('SlidingWindows (SlidingWindowsTest) and SessionWindows (SessionWindowsTest)', () => {
  it('keep their time difference / gap and grace', () => {
    expect(SlidingWindows.ofTimeDifferenceAndGrace(123, 1024).timeDifferenceMs()).toBe(123);
    expect(SlidingWindows.ofTimeDifferenceAndGrace(10, 123).gracePeriodMs()).toBe(123);
    expect(SlidingWindows.ofTimeDifferenceWithNoGrace(123).gracePeriodMs()).toBe(0);
    expect(SessionWindows.ofInactivityGapAndGrace(3, 1024).inactivityGap()).toBe(3);
    expect(SessionWindows.ofInactivityGapAndGrace(3, 1024).gracePeriodMs()).toBe(1024);
    expect(SessionWindows.ofInactivityGapWithNoGrace(3).gracePeriodMs()).toBe(0);
    expect(SessionWindows.ofInactivityGapAndGrace(3, 4).equals(SessionWindows.ofInactivityGapAndGrace(3, 4))).toBe(true);
    expect(SlidingWindows.ofTimeDifferenceAndGrace(3, 4).equals(SlidingWindows.ofTimeDifferenceAndGrace(3, 5))).toBe(false);
  });

  it('reject negative durations, a zero gap, and a zero time difference (which Kafka only rejects at run time)', () => {
    expect(() => SlidingWindows.ofTimeDifferenceAndGrace(-1, 5)).toThrow(/time difference must be a non-negative integer/);
    expect(() => SlidingWindows.ofTimeDifferenceAndGrace(10, -1)).toThrow(/grace period/);
    expect(() => SlidingWindows.ofTimeDifferenceWithNoGrace(0)).toThrow(/at least 1 ms/);
    expect(() => SessionWindows.ofInactivityGapWithNoGrace(0)).toThrow(/inactivity gap must be larger than zero/);
    expect(() => SessionWindows.ofInactivityGapWithNoGrace(-1)).toThrow(/inactivity gap must be a non-negative integer/);
    expect(() => SessionWindows.ofInactivityGapAndGrace(3, -1)).toThrow(/grace period/);
  });
});

describe('describe() of windowed counts (TopologyTest)', () => {
  const single = (processor: string, store: string) =>
    'Topologies:\n' +
    '   Sub-topology: 0\n' +
    '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
    `      --> ${processor}\n` +
    `    Processor: ${processor} (stores: [${store}])\n` +
    '      --> none\n' +
    '      <-- KSTREAM-SOURCE-0000000000\n\n';
  const grouped = () => new StreamsBuilder().stream('input-topic').groupByKey();

  it('time windows: zero-arg, named and anonymous Materialized (timeWindow…CountShouldPreserveTopologyStructure)', () => {
    let b = new StreamsBuilder();
    b.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1)).count();
    expect(b.build().describe().toString()).toBe(single('KSTREAM-AGGREGATE-0000000002', 'KSTREAM-AGGREGATE-STATE-STORE-0000000001'));

    b = new StreamsBuilder();
    b.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1)).count(Materialized.as<unknown, number>('count-store').withStoreType('in_memory'));
    expect(b.build().describe().toString()).toBe(single('KSTREAM-AGGREGATE-0000000001', 'count-store'));

    // an unnamed Materialized burns a store name first, as Kafka Streams does for compatibility
    b = new StreamsBuilder();
    b.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1)).count(Materialized.with<unknown, number>(undefined, Serdes.Long()).withStoreType('rocksdb'));
    expect(b.build().describe().toString()).toBe(single('KSTREAM-AGGREGATE-0000000003', 'KSTREAM-AGGREGATE-STATE-STORE-0000000002'));

    b = new StreamsBuilder();
    b.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1)).count(Materialized.withStoreType<unknown, number>('in_memory'));
    expect(b.build().describe().toString()).toBe(single('KSTREAM-AGGREGATE-0000000003', 'KSTREAM-AGGREGATE-STATE-STORE-0000000002'));
  });

  it('sliding windows (slidingWindowZeroArgCountWithTopologyConfigShouldPreserveTopologyStructure): no burnt name', () => {
    const b = new StreamsBuilder();
    b.stream('input-topic').groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(1)).count();
    expect(b.build().describe().toString()).toBe(single('KSTREAM-AGGREGATE-0000000002', 'KSTREAM-AGGREGATE-STATE-STORE-0000000001'));
    const b2 = new StreamsBuilder();
    b2.stream('input-topic').groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(1)).count(Materialized.withStoreType<unknown, number>('in_memory'));
    expect(b2.build().describe().toString()).toBe(single('KSTREAM-AGGREGATE-0000000002', 'KSTREAM-AGGREGATE-STATE-STORE-0000000001'));
  });

  it('session windows: zero-arg, named and anonymous Materialized (sessionWindow…CountShouldPreserveTopologyStructure)', () => {
    let b = new StreamsBuilder();
    b.stream('input-topic').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1)).count();
    expect(b.build().describe().toString()).toBe(single('KSTREAM-AGGREGATE-0000000002', 'KSTREAM-AGGREGATE-STATE-STORE-0000000001'));

    b = new StreamsBuilder();
    b.stream('input-topic').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1)).count(Materialized.as<unknown, number>('count-store').withStoreType('in_memory'));
    expect(b.build().describe().toString()).toBe(single('KSTREAM-AGGREGATE-0000000001', 'count-store'));

    b = new StreamsBuilder();
    b.stream('input-topic').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1)).count(Materialized.with<unknown, number>(undefined, Serdes.Long()).withStoreType('rocksdb'));
    expect(b.build().describe().toString()).toBe(single('KSTREAM-AGGREGATE-0000000003', 'KSTREAM-AGGREGATE-STATE-STORE-0000000002'));
  });

  it('reduce and aggregate use KSTREAM-REDUCE-/KSTREAM-AGGREGATE- names', () => {
    const g = grouped();
    const w = g.windowedBy(TimeWindows.ofSizeWithNoGrace(10));
    w.reduce((a) => a);
    w.aggregate(
      () => 0,
      (_k, _v, a) => a,
    );
    const text = g.internals.builder.build().describe().toString();
    expect(text).toContain('Processor: KSTREAM-REDUCE-0000000002 (stores: [KSTREAM-REDUCE-STATE-STORE-0000000001])');
    expect(text).toContain('Processor: KSTREAM-AGGREGATE-0000000004 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000003])');
  });
});

describe('windowed stores', () => {
  function storeOf(b: StreamsBuilder, name: string): StoreBuilder<StateStore> {
    return b.build().stores.get(name)!.builder;
  }

  it('are cached and change-logged by default; the changelog keeps retention + 1 day', () => {
    const b = new StreamsBuilder();
    b.stream('in').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000)).count(Materialized.as('w'));
    b.stream('in2').groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(1_000, 500)).count(Materialized.as('s'));
    b.stream('in3').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(3_000, 1_000)).count(Materialized.as('x'));
    const day = 24 * 3600 * 1000;
    const w = storeOf(b, 'w');
    expect([w.cachingEnabled, w.loggingEnabled]).toEqual([true, true]);
    expect(w.changelogConfig()).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(65_000 + day) });
    // sliding: 2 * time difference + grace; sessions: gap + grace
    expect(storeOf(b, 's').changelogConfig()['retention.ms']).toBe(String(2_500 + day));
    expect(storeOf(b, 'x').changelogConfig()['retention.ms']).toBe(String(4_000 + day));
  });

  it('take the retention from Materialized.withRetention, which must cover size + grace', () => {
    const b = new StreamsBuilder();
    b.stream('in').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(Materialized.as<unknown, number>('w').withRetention(100));
    expect(storeOf(b, 'w').changelogConfig()['retention.ms']).toBe(String(100 + 24 * 3600 * 1000));

    const bad = new StreamsBuilder();
    bad.stream('in').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(Materialized.as<unknown, number>('w').withRetention(14));
    bad.stream('in2').groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).count(Materialized.as<unknown, number>('s').withRetention(24));
    bad.stream('in3').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5)).count(Materialized.as<unknown, number>('x').withRetention(14));
    expect(() => bad.build()).toThrow(/window store 'w' must be no smaller than its window size plus the grace period\. Got size=\[10\], grace=\[5\], retention=\[14\]; use Materialized.withRetention\(15\)/);
    expect(() => bad.build()).toThrow(/window store 's' must be no smaller than 2 \* time difference plus the grace period.*withRetention\(25\)/);
    expect(() => bad.build()).toThrow(/session store 'x' must be no smaller than the session inactivity gap plus the grace period.*withRetention\(15\)/);
  });

  it('refuse a store supplier of the wrong kind', () => {
    const b = new StreamsBuilder();
    b.stream('in').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count(Materialized.as<unknown, number>(Stores.inMemoryKeyValueStore('kv')));
    b.stream('in2').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).count(Materialized.as<unknown, number>(Stores.inMemoryWindowStore('win', 100, 10, false)));
    expect(() => b.build()).toThrow(/needs a window store.*Stores.persistentWindowStore/);
    expect(() => b.build()).toThrow(/needs a session store.*Stores.persistentSessionStore/);
  });

  it('windowedBy() refuses something that is not a window specification', () => {
    expect(() => new StreamsBuilder().stream('in').groupByKey().windowedBy({} as TimeWindows)).toThrow(/windowedBy\(\) needs TimeWindows, SlidingWindows or SessionWindows/);
  });

  it('uses the inner key serde for the windowed table key, in Kafka layout', () => {
    const b = new StreamsBuilder();
    const table = b.stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count(Materialized.with(S, Serdes.Long()));
    expect(table.internals.keySerde?.name).toBe('TimeWindowed<String>');
    const sessions = b.stream<string, string>('in2').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).count(Materialized.with(S, Serdes.Long()));
    expect(sessions.internals.keySerde?.name).toBe('SessionWindowed<String>');
  });
});
