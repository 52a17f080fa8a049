// SlidingWindows aggregations on in-order, out-of-order, early (before the time difference) and late
// records, caching on and off. Scenarios and expected values from Kafka Streams'
// KStreamSlidingWindowAggregateTest (ON_WINDOW_UPDATE, reverse iteration); as there, outputs are
// compared per window start (a set of value@timestamp) or sorted by key and window start.
import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, Serdes, SlidingWindows, StreamsBuilder, Stores, WindowedSerdes, type Windowed } from 'sluice';
import { capture, debugLog, gatherByStart, kvt, tw, useDrivers, type Captured } from './window-helpers.js';

const S = Serdes.String();
const drive = useDrivers();
const concat = (_k: string, v: string, agg: string) => `${agg}+${v}`;

/** Fisher-Yates with a small seeded generator (mulberry32), so a failing order can be replayed. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function expected(o: { [start: number]: string[] }): Map<number, Set<string>> {
  return new Map(Object.entries(o).map(([k, v]) => [Number(k), new Set(v)]));
}

function sortByKeyAndStart<V>(records: Captured<Windowed<string>, V>[]): Captured<Windowed<string>, V>[] {
  // stable: records of one window keep their order
  return [...records].sort((a, b) => (a.key.key < b.key.key ? -1 : a.key.key > b.key.key ? 1 : a.key.window.start - b.key.window.start));
}

function aggregateTable(b: StreamsBuilder, windows: SlidingWindows, materialized: Materialized<string, string>) {
  return b.stream('topic', Consumed.with(S, S)).groupByKey(Grouped.with(S, S)).windowedBy(windows).aggregate(() => '0', concat, materialized);
}

async function pipe(d: ReturnType<typeof drive>, records: readonly (readonly [string, string, number])[]): Promise<void> {
  const input = d.createInputTopic('topic', S, S);
  for (const [k, v, t] of records) await input.pipeInput(k, v, t);
}

const reverseStore = () => Materialized.as<string, string>(Stores.inMemoryWindowStore('Reverse1', 50_000, 10, false)).withValueSerde(S);

describe.each([
  ['cache on', {}],
  ['cache off', { cacheMaxBytes: 0 }],
] as const)('sliding windows (%s)', (_label, cacheConfig) => {
  it('aggregates small input (testAggregateSmallInput)', async () => {
    const b = new StreamsBuilder();
    const out = capture(aggregateTable(b, SlidingWindows.ofTimeDifferenceAndGrace(10, 5), reverseStore()).toStream());
    const d = drive(b, cacheConfig);
    await pipe(d, [['A', '1', 10], ['A', '2', 10], ['A', '3', 14], ['A', '4', 15], ['A', '5', 20], ['A', '6', 22], ['A', '7', 30]]);
    expect(gatherByStart(out)).toEqual(
      expected({
        0: ['0+1@10', '0+1+2@10'],
        4: ['0+1+2+3@14'],
        5: ['0+1+2+3+4@15'],
        10: ['0+1+2+3+4+5@20'],
        11: ['0+3@14', '0+3+4@15', '0+3+4+5@20'],
        12: ['0+3+4+5+6@22'],
        15: ['0+4@15', '0+4+5@20', '0+4+5+6@22'],
        16: ['0+5@20', '0+5+6@22'],
        20: ['0+5+6+7@30'],
        21: ['0+6@22', '0+6+7@30'],
        23: ['0+7@30'],
      }),
    );
  });

  it('reduces small input (testReduceSmallInput)', async () => {
    const b = new StreamsBuilder();
    const table = b
      .stream('topic', Consumed.with(S, S))
      .groupByKey(Grouped.with(S, S))
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5))
      .reduce((a, v) => `${a}+${v}`, reverseStore());
    const out = capture(table.toStream());
    const d = drive(b, cacheConfig);
    await pipe(d, [['A', '1', 10], ['A', '2', 14], ['A', '3', 15], ['A', '4', 22], ['A', '5', 26], ['A', '6', 30]]);
    expect(gatherByStart(out)).toEqual(
      expected({
        0: ['1@10'],
        4: ['1+2@14'],
        5: ['1+2+3@15'],
        11: ['2@14', '2+3@15'],
        12: ['2+3+4@22'],
        15: ['3@15', '3+4@22'],
        16: ['4@22', '4+5@26'],
        20: ['4+5+6@30'],
        23: ['5@26', '5+6@30'],
        27: ['6@30'],
      }),
    );
  });

  it('aggregates large out-of-order input per key (testAggregateLargeInput)', async () => {
    const b = new StreamsBuilder();
    const out = capture(aggregateTable(b, SlidingWindows.ofTimeDifferenceAndGrace(10, 50), reverseStore()).toStream());
    const d = drive(b, cacheConfig);
    await pipe(d, [
      ['A', '1', 10], ['A', '2', 20], ['A', '3', 22], ['A', '4', 15],
      ['B', '1', 12], ['B', '2', 13], ['B', '3', 18], ['B', '4', 19], ['B', '5', 25], ['B', '6', 14],
      ['C', '1', 11], ['C', '2', 15], ['C', '3', 16], ['C', '4', 21], ['C', '5', 23],
      ['D', '4', 11], ['D', '2', 12], ['D', '3', 29], ['D', '5', 16],
    ]);
    expect(sortByKeyAndStart(out)).toEqual([
      kvt(tw('A', 0, 10), '0+1', 10),
      kvt(tw('A', 5, 15), '0+1+4', 15),
      kvt(tw('A', 10, 20), '0+1+2', 20),
      kvt(tw('A', 10, 20), '0+1+2+4', 20),
      kvt(tw('A', 11, 21), '0+2', 20),
      kvt(tw('A', 11, 21), '0+2+4', 20),
      kvt(tw('A', 12, 22), '0+2+3', 22),
      kvt(tw('A', 12, 22), '0+2+3+4', 22),
      kvt(tw('A', 16, 26), '0+2+3', 22),
      kvt(tw('A', 21, 31), '0+3', 22),
      kvt(tw('B', 2, 12), '0+1', 12),
      kvt(tw('B', 3, 13), '0+1+2', 13),
      kvt(tw('B', 4, 14), '0+1+2+6', 14),
      kvt(tw('B', 8, 18), '0+1+2+3', 18),
      kvt(tw('B', 8, 18), '0+1+2+3+6', 18),
      kvt(tw('B', 9, 19), '0+1+2+3+4', 19),
      kvt(tw('B', 9, 19), '0+1+2+3+4+6', 19),
      kvt(tw('B', 13, 23), '0+2', 13),
      kvt(tw('B', 13, 23), '0+2+3', 18),
      kvt(tw('B', 13, 23), '0+2+3+4', 19),
      kvt(tw('B', 13, 23), '0+2+3+4+6', 19),
      kvt(tw('B', 14, 24), '0+3', 18),
      kvt(tw('B', 14, 24), '0+3+4', 19),
      kvt(tw('B', 14, 24), '0+3+4+6', 19),
      kvt(tw('B', 15, 25), '0+3+4+5', 25),
      kvt(tw('B', 19, 29), '0+4', 19),
      kvt(tw('B', 19, 29), '0+4+5', 25),
      kvt(tw('B', 20, 30), '0+5', 25),
      kvt(tw('C', 1, 11), '0+1', 11),
      kvt(tw('C', 5, 15), '0+1+2', 15),
      kvt(tw('C', 6, 16), '0+1+2+3', 16),
      kvt(tw('C', 11, 21), '0+1+2+3+4', 21),
      kvt(tw('C', 12, 22), '0+2', 15),
      kvt(tw('C', 12, 22), '0+2+3', 16),
      kvt(tw('C', 12, 22), '0+2+3+4', 21),
      kvt(tw('C', 13, 23), '0+2+3+4+5', 23),
      kvt(tw('C', 16, 26), '0+3', 16),
      kvt(tw('C', 16, 26), '0+3+4', 21),
      kvt(tw('C', 16, 26), '0+3+4+5', 23),
      kvt(tw('C', 17, 27), '0+4', 21),
      kvt(tw('C', 17, 27), '0+4+5', 23),
      kvt(tw('C', 22, 32), '0+5', 23),
      kvt(tw('D', 1, 11), '0+4', 11),
      kvt(tw('D', 2, 12), '0+4+2', 12),
      kvt(tw('D', 6, 16), '0+4+2+5', 16),
      kvt(tw('D', 12, 22), '0+2', 12),
      kvt(tw('D', 12, 22), '0+2+5', 16),
      kvt(tw('D', 13, 23), '0+5', 16),
      kvt(tw('D', 19, 29), '0+3', 29),
    ]);
  });

  it('puts records earlier than the time difference into [0, timeDifference] (testEarlyRecordsSmallInput)', async () => {
    const b = new StreamsBuilder();
    const out = capture(aggregateTable(b, SlidingWindows.ofTimeDifferenceAndGrace(50, 0), Materialized.as<string, string>('topic-Canonized').withValueSerde(S)).toStream());
    const d = drive(b, cacheConfig);
    await pipe(d, [['A', '1', 0], ['A', '2', 5], ['A', '3', 6], ['A', '4', 3], ['A', '5', 13], ['A', '6', 10], ['A', '7', 70]]);
    expect(gatherByStart(out)).toEqual(
      expected({
        0: ['0+1@0', '0+1+2@5', '0+1+2+3@6', '0+1+2+3+4@6', '0+1+2+3+4+5@13', '0+1+2+3+4+5+6@13'],
        1: ['0+2@5', '0+2+3@6', '0+2+3+4@6', '0+2+3+4+5@13', '0+2+3+4+5+6@13'],
        4: ['0+2+3@6', '0+2+3+5@13', '0+2+3+5+6@13'],
        6: ['0+3@6', '0+3+5@13', '0+3+5+6@13'],
        7: ['0+5@13', '0+5+6@13'],
        11: ['0+5@13'],
        20: ['0+7@70'],
      }),
    );
  });

  it('handles early records with repeated timestamps (testEarlyRecordsRepeatedInput)', async () => {
    const b = new StreamsBuilder();
    const out = capture(aggregateTable(b, SlidingWindows.ofTimeDifferenceAndGrace(5, 0), Materialized.as<string, string>('topic-Canonized').withValueSerde(S)).toStream());
    const d = drive(b, cacheConfig);
    await pipe(d, [['A', '1', 0], ['A', '2', 2], ['A', '3', 4], ['A', '4', 0], ['A', '5', 2], ['A', '6', 2], ['A', '7', 0], ['A', '8', 7]]);
    expect(gatherByStart(out)).toEqual(
      expected({
        0: ['0+1@0', '0+1+2@2', '0+1+2+3+4+5@4', '0+1+2+3+4+5+6@4', '0+1+2+3@4', '0+1+2+3+4@4', '0+1+2+3+4+5+6+7@4'],
        1: ['0+2+3+5+6@4', '0+2@2', '0+2+3@4', '0+2+3+5@4'],
        2: ['0+2+3+5+6+8@7'],
        3: ['0+3@4', '0+3+8@7'],
        5: ['0+8@7'],
      }),
    );
  });

  it('handles early records out of order (testEarlyRecordsLargeInput)', async () => {
    const b = new StreamsBuilder();
    const out = capture(aggregateTable(b, SlidingWindows.ofTimeDifferenceAndGrace(10, 50), reverseStore()).toStream());
    const d = drive(b, cacheConfig);
    await pipe(d, [['E', '1', 0], ['E', '3', 5], ['E', '4', 6], ['E', '2', 3], ['E', '6', 13], ['E', '5', 10], ['E', '7', 4], ['E', '8', 2], ['E', '9', 15]]);
    expect(sortByKeyAndStart(out)).toEqual([
      kvt(tw('E', 0, 10), '0+1', 0),
      kvt(tw('E', 0, 10), '0+1+3', 5),
      kvt(tw('E', 0, 10), '0+1+3+4', 6),
      kvt(tw('E', 0, 10), '0+1+3+4+2', 6),
      kvt(tw('E', 0, 10), '0+1+3+4+2+5', 10),
      kvt(tw('E', 0, 10), '0+1+3+4+2+5+7', 10),
      kvt(tw('E', 0, 10), '0+1+3+4+2+5+7+8', 10),
      kvt(tw('E', 1, 11), '0+3', 5),
      kvt(tw('E', 1, 11), '0+3+4', 6),
      kvt(tw('E', 1, 11), '0+3+4+2', 6),
      kvt(tw('E', 1, 11), '0+3+4+2+5', 10),
      kvt(tw('E', 1, 11), '0+3+4+2+5+7', 10),
      kvt(tw('E', 1, 11), '0+3+4+2+5+7+8', 10),
      kvt(tw('E', 3, 13), '0+3+4+2+6', 13),
      kvt(tw('E', 3, 13), '0+3+4+2+6+5', 13),
      kvt(tw('E', 3, 13), '0+3+4+2+6+5+7', 13),
      kvt(tw('E', 4, 14), '0+3+4', 6),
      kvt(tw('E', 4, 14), '0+3+4+6', 13),
      kvt(tw('E', 4, 14), '0+3+4+6+5', 13),
      kvt(tw('E', 4, 14), '0+3+4+6+5+7', 13),
      kvt(tw('E', 5, 15), '0+3+4+6+5', 13),
      kvt(tw('E', 5, 15), '0+3+4+6+5+9', 15),
      kvt(tw('E', 6, 16), '0+4', 6),
      kvt(tw('E', 6, 16), '0+4+6', 13),
      kvt(tw('E', 6, 16), '0+4+6+5', 13),
      kvt(tw('E', 6, 16), '0+4+6+5+9', 15),
      kvt(tw('E', 7, 17), '0+6', 13),
      kvt(tw('E', 7, 17), '0+6+5', 13),
      kvt(tw('E', 7, 17), '0+6+5+9', 15),
      kvt(tw('E', 11, 21), '0+6', 13),
      kvt(tw('E', 11, 21), '0+6+9', 15),
      kvt(tw('E', 14, 24), '0+9', 15),
    ]);
  });

  it('with no grace, drops windows that closed (testNoGracePeriodSmallInput)', async () => {
    const b = new StreamsBuilder();
    const out = capture(aggregateTable(b, SlidingWindows.ofTimeDifferenceWithNoGrace(50), Materialized.as<string, string>('topic-Canonized').withValueSerde(S)).toStream());
    const d = drive(b, cacheConfig);
    await pipe(d, [['A', '1', 100], ['A', '2', 105], ['A', '3', 106], ['A', '4', 103], ['A', '5', 113], ['A', '6', 110]]);
    expect(gatherByStart(out)).toEqual(
      expected({
        50: ['0+1@100'],
        55: ['0+1+2@105'],
        56: ['0+1+2+3@106', '0+1+2+3+4@106'],
        63: ['0+1+2+3+4+5@113', '0+1+2+3+4+5+6@113'],
        101: ['0+2@105', '0+2+3@106', '0+2+3+4@106', '0+2+3+4+5@113', '0+2+3+4+5+6@113'],
        104: ['0+2+3@106', '0+2+3+5@113', '0+2+3+5+6@113'],
        106: ['0+3@106', '0+3+5@113', '0+3+5+6@113'],
        107: ['0+5@113', '0+5+6@113'],
        111: ['0+5@113'],
      }),
    );
  });

  it('drops late records and logs each expired window at debug (shouldLogAndMeterWhenSkippingExpiredWindowByGrace)', async () => {
    const b = new StreamsBuilder();
    aggregateTable(b, SlidingWindows.ofTimeDifferenceAndGrace(10, 90), reverseStore())
      .toStream()
      .to('output', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 10), S));
    const log = debugLog();
    const d = drive(b, { ...cacheConfig, logger: log.logger });
    await pipe(d, [['k', '100', 200], ['k', '0', 100], ['k', '1', 101], ['k', '2', 102], ['k', '3', 103], ['k', '4', 104], ['k', '5', 105], ['k', '6', 15], ['k', '101', 300], ['k', '102', 400]]);
    const dropped = log.debug.filter((m) => m.includes('expired window'));
    expect(dropped).toHaveLength(7);
    expect(dropped[0]).toContain('timestamp=[100] window=[90,100] expiration=[110] streamTime=[200]');
    expect(dropped[5]).toContain('timestamp=[105] window=[95,105] expiration=[110] streamTime=[200]');
    expect(dropped[6]).toContain('timestamp=[15] window=[15,25] expiration=[110] streamTime=[200]');
    const output = d.createOutputTopic('output', WindowedSerdes.timeWindowedSerdeFrom(S, 10), S).readRecordsToList();
    expect(output.map((r) => kvt(r.key, r.value, r.timestamp))).toEqual([kvt(tw('k', 190, 200), '0+100', 200), kvt(tw('k', 290, 300), '0+101', 300), kvt(tw('k', 390, 400), '0+102', 400)]);
  });

  it('ends with the same windows whatever the input order (testAggregateRandomInput, 10 seeded shuffles)', async () => {
    const input: [string, number][] = [
      ['A', 10], ['B', 15], ['C', 16], ['D', 18], ['E', 30], ['F', 40], ['G', 55], ['H', 56], ['I', 58], ['J', 58], ['K', 62],
      ['L', 63], ['M', 63], ['N', 63], ['O', 76], ['P', 77], ['Q', 80], ['R', 2], ['S', 3], ['T', 5], ['U', 8],
    ];
    const final = {
      0: 'ARSTU@10', 3: 'ASTU@10', 4: 'ATU@10', 5: 'ABTU@15', 6: 'ABCU@16', 8: 'ABCDU@18', 9: 'ABCD@18', 11: 'BCD@18', 16: 'CD@18', 17: 'D@18',
      20: 'E@30', 30: 'EF@40', 31: 'F@40', 45: 'G@55', 46: 'GH@56', 48: 'GHIJ@58', 52: 'GHIJK@62', 53: 'GHIJKLMN@63', 56: 'HIJKLMN@63',
      57: 'IJKLMN@63', 59: 'KLMN@63', 63: 'LMN@63', 66: 'O@76', 67: 'OP@77', 70: 'OPQ@80', 77: 'PQ@80', 78: 'Q@80', 171: 'V@181',
    };
    for (let seed = 1; seed <= 10; seed++) {
      const b = new StreamsBuilder();
      const out = capture(
        b
          .stream('topic', Consumed.with(S, S))
          .groupByKey(Grouped.with(S, S))
          .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100))
          // sorted, so a window's final value does not depend on the order its records came in
          .aggregate(() => '', (_k, v, agg) => [...(agg + v)].sort().join(''), Materialized.as<string, string>(Stores.inMemoryWindowStore('Reverse', 50_000, 10, false)).withValueSerde(S))
          .toStream(),
      );
      const d = drive(b, cacheConfig);
      await pipe(d, [...shuffle(input, seed).map(([v, t]) => ['A', v, t] as const), ['A', 'V', 181]]);
      const last = new Map<number, string>();
      for (const r of out) last.set(r.key.window.start, `${r.value}@${r.timestamp}`);
      expect(Object.fromEntries(last), `seed ${seed}`).toEqual(Object.fromEntries(Object.entries(final)));
      await d.close();
    }
  });

  it('skips records with a null key or value (shouldLogAndMeterWhenSkippingNullKey)', async () => {
    const b = new StreamsBuilder();
    const out = capture(aggregateTable(b, SlidingWindows.ofTimeDifferenceAndGrace(10, 100), Materialized.as<string, string>('topic1-Canonized').withValueSerde(S)).toStream());
    const log = debugLog();
    const d = drive(b, { ...cacheConfig, logger: log.logger });
    const input = d.createInputTopic('topic', S, S);
    await input.pipeInput(null, '1', 0);
    await input.pipeInput('k', null, 1);
    expect(out).toEqual([]);
    expect(log.warn.filter((m) => m.includes('null key or value'))).toHaveLength(2);
  });
});
