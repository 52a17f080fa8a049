// Session windows: a record joins the sessions within the inactivity gap, a record bridging two
// sessions merges them (merger called, tombstones for the replaced sessions), late records are
// dropped; caching on and off. Scenarios and expected values from Kafka Streams'
// SessionWindowedKStreamImplTest and KStreamSessionWindowAggregateProcessorTest (ON_WINDOW_UPDATE).
import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Serdes, SessionWindows, StreamsBuilder, type SessionStore, type TopologyTestDriver, type Windowed } from 'sluice';
import { capture, debugLog, kvt, sw, useDrivers } from './window-helpers.js';

const S = Serdes.String();
const drive = useDrivers('sessions');
const GAP = 5 * 60 * 1000;

function sessions(b: StreamsBuilder, windows = SessionWindows.ofInactivityGapWithNoGrace(500)) {
  return b.stream('input', Consumed.with(S, S)).groupByKey(Grouped.with(S, S)).windowedBy(windows);
}

async function processData(d: TopologyTestDriver): Promise<void> {
  const input = d.createInputTopic('input', S, S);
  await input.pipeInput('1', '1', 10);
  await input.pipeInput('1', '2', 15);
  await input.pipeInput('1', '3', 600);
  await input.pipeInput('2', '1', 600);
  await input.pipeInput('2', '2', 599);
}

async function all<V>(store: SessionStore<string, V>, key: string): Promise<[Windowed<string>, V][]> {
  const out: [Windowed<string>, V][] = [];
  for await (const kv of store.fetch(key)) out.push([kv.key, kv.value]);
  return out;
}

describe.each([
  ['cache on', {}],
  ['cache off', { cacheMaxBytes: 0 }],
] as const)('session windows through the DSL (%s)', (_label, cacheConfig) => {
  it('counts per session; a merged session replaces the old one with a tombstone (shouldCountSessionWindowed)', async () => {
    const b = new StreamsBuilder();
    const out = capture(sessions(b).count().toStream());
    await processData(drive(b, cacheConfig));
    expect(out).toEqual([
      kvt(sw('1', 10, 10), 1, 10),
      kvt(sw('1', 10, 10), null, 10),
      kvt(sw('1', 10, 15), 2, 15),
      kvt(sw('1', 600, 600), 1, 600),
      kvt(sw('2', 600, 600), 1, 600),
      kvt(sw('2', 600, 600), null, 600),
      kvt(sw('2', 599, 600), 2, 600),
    ]);
  });

  it('reduces per session (shouldReduceWindowed)', async () => {
    const b = new StreamsBuilder();
    const out = capture(sessions(b).reduce((a, v) => `${a}+${v}`).toStream());
    await processData(drive(b, cacheConfig));
    expect(out).toEqual([
      kvt(sw('1', 10, 10), '1', 10),
      kvt(sw('1', 10, 10), null, 10),
      kvt(sw('1', 10, 15), '1+2', 15),
      kvt(sw('1', 600, 600), '3', 600),
      kvt(sw('2', 600, 600), '1', 600),
      kvt(sw('2', 600, 600), null, 600),
      kvt(sw('2', 599, 600), '1+2', 600),
    ]);
  });

  it('aggregates per session, merging with the merger (shouldAggregateSessionWindowed)', async () => {
    const b = new StreamsBuilder();
    const out = capture(
      sessions(b)
        .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, (_k, a1, a2) => `${a1}+${a2}`, Materialized.with<string, string>(S, S))
        .toStream(),
    );
    await processData(drive(b, cacheConfig));
    expect(out).toEqual([
      kvt(sw('1', 10, 10), '0+1', 10),
      kvt(sw('1', 10, 10), null, 10),
      kvt(sw('1', 10, 15), '0+0+1+2', 15),
      kvt(sw('1', 600, 600), '0+3', 600),
      kvt(sw('2', 600, 600), '0+1', 600),
      kvt(sw('2', 600, 600), null, 600),
      kvt(sw('2', 599, 600), '0+0+1+2', 600),
    ]);
  });

  it('materializes count, reduce and aggregate in queryable session stores (shouldMaterializeCount/Reduced/Aggregated)', async () => {
    const b = new StreamsBuilder();
    const s = sessions(b);
    s.count(Materialized.as('count-store'));
    s.reduce((a, v) => `${a}+${v}`, Materialized.as('reduced'));
    s.aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, (_k, a1, a2) => `${a1}+${a2}`, Materialized.as<string, string>('aggregated').withValueSerde(S));
    const d = drive(b, cacheConfig);
    await processData(d);
    // Retention is gap + grace = 500 and sessions up to 600 were written: [10,15] has expired. Kafka's
    // test still finds it because its caching store also returns expired sessions held in the record
    // cache; without the cache (its emit-final variant) it expects exactly these.
    const counts = d.getStateStore<SessionStore<string, number>>('count-store')!;
    expect([...(await all(counts, '1')), ...(await all(counts, '2'))]).toEqual([
      [sw('1', 600, 600), 1],
      [sw('2', 599, 600), 2],
    ]);
    const reduced = d.getStateStore<SessionStore<string, string>>('reduced')!;
    expect([...(await all(reduced, '1')), ...(await all(reduced, '2'))]).toEqual([
      [sw('1', 600, 600), '3'],
      [sw('2', 599, 600), '1+2'],
    ]);
    const aggregated = d.getStateStore<SessionStore<string, string>>('aggregated')!;
    expect([...(await all(aggregated, '1')), ...(await all(aggregated, '2'))]).toEqual([
      [sw('1', 600, 600), '0+3'],
      [sw('2', 599, 600), '0+0+1+2'],
    ]);
  });
});

describe.each([
  ['cache on', {}],
  ['cache off', { cacheMaxBytes: 0 }],
] as const)('session merging and late records (%s)', (_label, cacheConfig) => {
  // Kafka's processor test keeps sessions for 3 * GAP (its store), longer than the DSL default
  function counting(b: StreamsBuilder, windows: SessionWindows) {
    return b
      .stream('input', Consumed.with(S, S))
      .groupByKey(Grouped.with(S, S))
      .windowedBy(windows)
      .aggregate(
        () => 0,
        (_k, _v, agg) => agg + 1,
        (_k, a1, a2) => a1 + a2,
        Materialized.as<string, number>('session-store').withValueSerde(Serdes.Long()).withRetention(3 * GAP),
      );
  }

  function concatenating(b: StreamsBuilder, materialized: Materialized<string, string>) {
    return b
      .stream('input', Consumed.with(S, S))
      .groupByKey(Grouped.with(S, S))
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
      .aggregate(() => '', (_k, v, agg) => `${agg}${v}`, (_k, a1, a2) => `${a1}|${a2}`, materialized)
      .toStream();
  }

  it('merges a session with a record that arrives out of order between two sessions (shouldMergeSessions)', async () => {
    const b = new StreamsBuilder();
    const out = capture(counting(b, SessionWindows.ofInactivityGapWithNoGrace(GAP)).toStream());
    const d = drive(b, cacheConfig);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('mel', 'first', 0);
    await input.pipeInput('mel', 'second', GAP + 1);
    await input.pipeInput('mel', 'third', GAP / 2);
    expect(await all(d.getStateStore<SessionStore<string, number>>('session-store')!, 'mel')).toEqual([[sw('mel', 0, GAP + 1), 3]]);
    expect(out).toEqual([
      kvt(sw('mel', 0, 0), 1, 0),
      kvt(sw('mel', GAP + 1, GAP + 1), 1, GAP + 1),
      // the record at GAP/2 bridges both sessions: both are removed and merged into one
      kvt(sw('mel', 0, 0), null, 0),
      kvt(sw('mel', GAP + 1, GAP + 1), null, GAP + 1),
      kvt(sw('mel', 0, GAP + 1), 3, GAP + 1),
    ]);
  });

  it('calls the merger in session order and forwards a tombstone per replaced session', async () => {
    const b = new StreamsBuilder();
    const out = capture(concatenating(b, Materialized.with<string, string>(S, S).withRetention(100)));
    const d = drive(b, cacheConfig);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('k', 'a', 0);
    await input.pipeInput('k', 'b', 20);
    await input.pipeInput('k', 'c', 10);
    expect(out).toEqual([
      kvt(sw('k', 0, 0), 'a', 0),
      kvt(sw('k', 20, 20), 'b', 20),
      kvt(sw('k', 0, 0), null, 0),
      kvt(sw('k', 20, 20), null, 20),
      kvt(sw('k', 0, 20), '|a|bc', 20),
    ]);
  });

  it('does not merge into a session already past the default retention (gap + grace)', async () => {
    const b = new StreamsBuilder();
    const out = capture(concatenating(b, Materialized.with<string, string>(S, S)));
    const d = drive(b, cacheConfig);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('k', 'a', 0);
    await input.pipeInput('k', 'b', 20);
    // [0,0] closed at stream time 10; at 20 it is past retention, so 'c' only joins [20,20].
    // (Kafka without caching does the same; with caching it may still find [0,0] in its record cache.)
    await input.pipeInput('k', 'c', 10);
    expect(out).toEqual([kvt(sw('k', 0, 0), 'a', 0), kvt(sw('k', 20, 20), 'b', 20), kvt(sw('k', 20, 20), null, 20), kvt(sw('k', 10, 20), '|bc', 20)]);
  });

  it('updates a session when a record has the same time (shouldUpdateSessionIfTheSameTime)', async () => {
    const b = new StreamsBuilder();
    const out = capture(counting(b, SessionWindows.ofInactivityGapWithNoGrace(GAP)).toStream());
    const d = drive(b, cacheConfig);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('mel', 'first', 0);
    await input.pipeInput('mel', 'second', 0);
    expect(out).toEqual([kvt(sw('mel', 0, 0), 1, 0), kvt(sw('mel', 0, 0), 2, 0)]);
  });

  it('keeps sessions apart by more than the gap separate (shouldHaveMultipleSessionsForSameIdWhenTimestampApartBySessionGap)', async () => {
    const b = new StreamsBuilder();
    const out = capture(counting(b, SessionWindows.ofInactivityGapWithNoGrace(GAP)).toStream());
    const d = drive(b, cacheConfig);
    const input = d.createInputTopic('input', S, S);
    let now = 0;
    await input.pipeInput('mel', 'first', now);
    now += GAP + 1;
    await input.pipeInput('mel', 'second', now);
    await input.pipeInput('mel', 'second', now);
    now += GAP + 1;
    for (let i = 0; i < 3; i++) await input.pipeInput('mel', 'third', now);
    expect(out).toEqual([
      kvt(sw('mel', 0, 0), 1, 0),
      kvt(sw('mel', GAP + 1, GAP + 1), 1, GAP + 1),
      kvt(sw('mel', GAP + 1, GAP + 1), 2, GAP + 1),
      kvt(sw('mel', now, now), 1, now),
      kvt(sw('mel', now, now), 2, now),
      kvt(sw('mel', now, now), 3, now),
    ]);
  });

  it('handles several keys merging at once (shouldHandleMultipleSessionsAndMerging)', async () => {
    const b = new StreamsBuilder();
    const out = capture(counting(b, SessionWindows.ofInactivityGapWithNoGrace(GAP)).toStream());
    const d = drive(b, cacheConfig);
    const input = d.createInputTopic('input', S, S);
    for (const [k, t] of [['a', 0], ['b', 0], ['c', 0], ['d', 0], ['d', GAP / 2], ['a', GAP + 1], ['b', GAP + 1], ['a', GAP + 1 + GAP / 2], ['c', GAP + 1 + GAP / 2]] as const) {
      await input.pipeInput(k, '1', t);
    }
    // Kafka's processor test flushes once at the end; the driver commits after every record, so the
    // sessions later merged away are seen (then removed) too
    expect(out).toEqual([
      kvt(sw('a', 0, 0), 1, 0),
      kvt(sw('b', 0, 0), 1, 0),
      kvt(sw('c', 0, 0), 1, 0),
      kvt(sw('d', 0, 0), 1, 0),
      kvt(sw('d', 0, 0), null, 0),
      kvt(sw('d', 0, GAP / 2), 2, GAP / 2),
      kvt(sw('a', GAP + 1, GAP + 1), 1, GAP + 1),
      kvt(sw('b', GAP + 1, GAP + 1), 1, GAP + 1),
      kvt(sw('a', GAP + 1, GAP + 1), null, GAP + 1),
      kvt(sw('a', GAP + 1, GAP + 1 + GAP / 2), 2, GAP + 1 + GAP / 2),
      kvt(sw('c', GAP + 1 + GAP / 2, GAP + 1 + GAP / 2), 1, GAP + 1 + GAP / 2),
    ]);
  });

  it('drops a record whose session closed, with zero grace (shouldLogAndMeterWhenSkippingLateRecordWithZeroGrace)', async () => {
    const b = new StreamsBuilder();
    const out = capture(counting(b, SessionWindows.ofInactivityGapAndGrace(10, 0)).toStream());
    const log = debugLog();
    const d = drive(b, { ...cacheConfig, logger: log.logger });
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('dummy', 'dummy', 0);
    await input.pipeInput('OnTime1', '1', 0);
    await input.pipeInput('dummy', 'dummy', 11);
    await input.pipeInput('Late1', '1', 0);
    const dropped = log.debug.filter((m) => m.includes('expired window'));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toContain('timestamp=[0] window=[0,0] expiration=[1] streamTime=[11]');
    expect(out.map((r) => r.key.key)).not.toContain('Late1');
    expect(out.map((r) => r.key.key)).toContain('OnTime1');
  });

  it('drops a record whose session closed, with a grace period (shouldLogAndMeterWhenSkippingLateRecordWithNonzeroGrace)', async () => {
    const b = new StreamsBuilder();
    const out = capture(counting(b, SessionWindows.ofInactivityGapAndGrace(10, 1)).toStream());
    const log = debugLog();
    const d = drive(b, { ...cacheConfig, logger: log.logger });
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('dummy', 'dummy', 0);
    await input.pipeInput('OnTime1', '1', 0);
    await input.pipeInput('dummy', 'dummy', 11);
    await input.pipeInput('OnTime2', '1', 0);
    await input.pipeInput('dummy', 'dummy', 12);
    await input.pipeInput('Late1', '1', 0);
    const dropped = log.debug.filter((m) => m.includes('expired window'));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toContain('timestamp=[0] window=[0,0] expiration=[1] streamTime=[12]');
    expect(out.map((r) => r.key.key).filter((k) => k !== 'dummy')).toEqual(['OnTime1', 'OnTime2']);
  });

  it('skips records with a null key (shouldLogAndMeterWhenSkippingNullKeyWithBuiltInMetrics)', async () => {
    const b = new StreamsBuilder();
    const out = capture(counting(b, SessionWindows.ofInactivityGapWithNoGrace(GAP)).toStream());
    const log = debugLog();
    const d = drive(b, { ...cacheConfig, logger: log.logger });
    await d.createInputTopic('input', S, S).pipeInput(null, '1', 0);
    expect(out).toEqual([]);
    expect(log.warn.filter((m) => m.includes('null key'))).toHaveLength(1);
  });
});
