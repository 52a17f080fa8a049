// Hopping and tumbling TimeWindows aggregations on out-of-order and late input, caching on and off.
// Scenarios and expected values from Kafka Streams' KStreamWindowAggregateTest (emit strategy
// ON_WINDOW_UPDATE). The driver commits after every record, so caching changes nothing here: each
// record updates a window at most once.
import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, KeyValue, Materialized, Produced, Serdes, StreamsBuilder, TimeWindows, type Windowed } from 'sluice';
import { capture, debugLog, kvt, tw, useDrivers, type Captured } from './window-helpers.js';

const S = Serdes.String();
const drive = useDrivers();
const CACHE = [
  ['cache on', {}],
  ['cache off', { cacheMaxBytes: 0 }],
] as const;

describe.each(CACHE)('hopping windows (%s)', (_label, cacheConfig) => {
  it('aggregates every window a record falls in; out-of-order records update old windows (testAggBasic)', async () => {
    const b = new StreamsBuilder();
    const table = b
      .stream('topic1', Consumed.with(S, S))
      .groupByKey(Grouped.with(S, S))
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5))
      .aggregate(
        () => '0',
        (_k, v, agg) => `${agg}+${v}`,
        Materialized.as<string, string>('topic1-Canonized').withValueSerde(S),
      );
    const out = capture(table.toStream());
    const d = drive(b, cacheConfig);
    const input = d.createInputTopic('topic1', S, S);
    const records: [string, string, number][] = [
      ['A', '1', 0], ['B', '2', 1], ['C', '3', 2], ['D', '4', 3], ['A', '1', 4],
      ['A', '1', 5], ['B', '2', 6], ['D', '4', 7], ['B', '2', 8], ['C', '3', 9],
      ['A', '1', 10], ['B', '2', 11], ['D', '4', 12], ['B', '2', 13], ['C', '3', 14],
      ['B', '1', 3], ['B', '2', 2], ['B', '3', 9],
    ];
    for (const [k, v, t] of records) await input.pipeInput(k, v, t);

    expect(out).toEqual([
      kvt(tw('A', 0, 10), '0+1', 0),
      kvt(tw('B', 0, 10), '0+2', 1),
      kvt(tw('C', 0, 10), '0+3', 2),
      kvt(tw('D', 0, 10), '0+4', 3),
      kvt(tw('A', 0, 10), '0+1+1', 4),
      kvt(tw('A', 0, 10), '0+1+1+1', 5),
      kvt(tw('A', 5, 15), '0+1', 5),
      kvt(tw('B', 0, 10), '0+2+2', 6),
      kvt(tw('B', 5, 15), '0+2', 6),
      kvt(tw('D', 0, 10), '0+4+4', 7),
      kvt(tw('D', 5, 15), '0+4', 7),
      kvt(tw('B', 0, 10), '0+2+2+2', 8),
      kvt(tw('B', 5, 15), '0+2+2', 8),
      kvt(tw('C', 0, 10), '0+3+3', 9),
      kvt(tw('C', 5, 15), '0+3', 9),
      kvt(tw('A', 5, 15), '0+1+1', 10),
      kvt(tw('A', 10, 20), '0+1', 10),
      kvt(tw('B', 5, 15), '0+2+2+2', 11),
      kvt(tw('B', 10, 20), '0+2', 11),
      kvt(tw('D', 5, 15), '0+4+4', 12),
      kvt(tw('D', 10, 20), '0+4', 12),
      kvt(tw('B', 5, 15), '0+2+2+2+2', 13),
      kvt(tw('B', 10, 20), '0+2+2', 13),
      kvt(tw('C', 5, 15), '0+3+3', 14),
      kvt(tw('C', 10, 20), '0+3', 14),
      // out of order: B@3, B@2 and B@9 go to windows still open (grace 100), keeping the max timestamp
      kvt(tw('B', 0, 10), '0+2+2+2+1', 8),
      kvt(tw('B', 0, 10), '0+2+2+2+1+2', 8),
      kvt(tw('B', 0, 10), '0+2+2+2+1+2+3', 9),
      kvt(tw('B', 5, 15), '0+2+2+2+2+3', 13),
    ]);
  });

  it('drops records for windows already closed, once per window, at debug (shouldLogAndMeterWhenSkippingExpiredWindow)', async () => {
    const b = new StreamsBuilder();
    b.stream('topic', Consumed.with(S, S))
      .groupByKey(Grouped.with(S, S))
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 90).advanceBy(5))
      .aggregate(
        () => '',
        (_k, v, agg) => `${agg}+${v}`,
        Materialized.as<string, string>('topic1-Canonicalized').withValueSerde(S).withLoggingDisabled().withRetention(100),
      )
      .toStream()
      .map((key, value) => KeyValue.pair(key.toString(), value))
      .to('output', Produced.with(S, S));
    const log = debugLog();
    const d = drive(b, { ...cacheConfig, logger: log.logger });
    const input = d.createInputTopic('topic', S, S);
    for (const [v, t] of [['100', 100], ['0', 0], ['1', 1], ['2', 2], ['3', 3], ['4', 4], ['5', 5], ['6', 6], ['105', 105], ['106', 106]] as const) {
      await input.pipeInput('k', v, t);
    }
    const dropped = log.debug.filter((m) => m.includes('expired window'));
    // k@0..k@4 fall in [0,10) only; k@5 and k@6 also in [5,15), which is still open
    expect(dropped).toHaveLength(7);
    expect(dropped[0]).toContain('timestamp=[0] window=[0,10) expiration=[10] streamTime=[100]');
    expect(dropped[0]).toContain('offset=1');
    expect(dropped[6]).toContain('timestamp=[6] window=[0,10) expiration=[10] streamTime=[100]');
    const output = d.createOutputTopic('output', S, S).readRecordsToList();
    expect(output.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['[k@95/105]', '+100', 100],
      ['[k@100/110]', '+100', 100],
      ['[k@5/15]', '+5', 5],
      ['[k@5/15]', '+5+6', 6],
      ['[k@100/110]', '+100+105', 105],
      ['[k@105/115]', '+105', 105],
      ['[k@100/110]', '+100+105+106', 106],
      ['[k@105/115]', '+105+106', 106],
    ]);
  });

  it('drops a record once the grace period after its window has passed (shouldLogAndMeterWhenSkippingExpiredWindowByGrace)', async () => {
    const b = new StreamsBuilder();
    b.stream('topic', Consumed.with(S, S))
      .groupByKey(Grouped.with(S, S))
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 90).advanceBy(10))
      .aggregate(
        () => '',
        (_k, v, agg) => `${agg}+${v}`,
        Materialized.as<string, string>('topic1-Canonicalized').withValueSerde(S).withLoggingDisabled(),
      )
      .toStream()
      .map((key, value) => KeyValue.pair(key.toString(), value))
      .to('output', Produced.with(S, S));
    const log = debugLog();
    const d = drive(b, { ...cacheConfig, logger: log.logger });
    const input = d.createInputTopic('topic', S, S);
    for (const [v, t] of [['100', 200], ['0', 100], ['1', 101], ['2', 102], ['3', 103], ['4', 104], ['5', 105], ['6', 6]] as const) {
      await input.pipeInput('k', v, t);
    }
    const dropped = log.debug.filter((m) => m.includes('expired window'));
    expect(dropped).toHaveLength(7);
    expect(dropped[0]).toContain('timestamp=[100] window=[100,110) expiration=[110] streamTime=[200]');
    expect(dropped[6]).toContain('timestamp=[6] window=[0,10) expiration=[110] streamTime=[200]');
    expect(d.createOutputTopic('output', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['[k@200/210]', '+100', 200]]);
  });

  it('skips records with a null key, with a warning (shouldLogAndMeterWhenSkippingNullKey)', async () => {
    const b = new StreamsBuilder();
    const out: Captured<Windowed<string>, string | null>[] = capture(
      b
        .stream('topic', Consumed.with(S, S))
        .groupByKey(Grouped.with(S, S))
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5))
        .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, Materialized.as<string, string>('topic1-Canonicalized').withValueSerde(S))
        .toStream(),
    );
    const log = debugLog();
    const d = drive(b, { ...cacheConfig, logger: log.logger });
    await d.createInputTopic('topic', S, S).pipeInput(null, '1', 0);
    expect(out).toEqual([]);
    expect(log.warn.some((m) => m.includes('null key') && m.includes('offset=0'))).toBe(true);
  });
});
