// EmitStrategy.onWindowClose() for windowed aggregations through the TopologyTestDriver: one final
// result per window once it closes, throttled by the emit interval of wall-clock time, and resumed
// from the last emitted close time after a restart. Scenarios and expected values of Kafka's
// KStreamWindowAggregateTest (ON_WINDOW_CLOSE cases) and KStreamSessionWindowAggregateProcessorTest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  EmitStrategy,
  Grouped,
  Materialized,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  TopologyTestDriver,
  WindowedSerdes,
  type KeyValueStore,
  type Windowed,
} from 'sluice';
import { capture, kvt, sw, tw, type Captured } from './window-helpers.js';

const S = Serdes.String();
const EMIT_INTERVAL = '__emit.interval.ms.kstreams.windowed.aggregation__';
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
function driver(b: StreamsBuilder, config: ConstructorParameters<typeof TopologyTestDriver>[1]): TopologyTestDriver {
  const d = new TopologyTestDriver(b.build(), { applicationId: 'emit-final', initialWallClockTimeMs: 0, ...config });
  cleanup.push(() => d.close());
  return d;
}

/** Kafka's tests: hopping windows of 10 advancing by 5, grace 5, "0+…" string aggregation. */
function hopping(b: StreamsBuilder, emit: EmitStrategy, cached: boolean): Captured<Windowed<string>, string | null>[] {
  const mat = Materialized.as<string, string>('window-store').withValueSerde(S);
  const table = b
    .stream('input', Consumed.with(S, S))
    .groupByKey(Grouped.with(S, S))
    .windowedBy(TimeWindows.ofSizeAndGrace(10, 5).advanceBy(5))
    .emitStrategy(emit)
    .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, cached ? mat.withCachingEnabled() : mat.withCachingDisabled());
  const out: Captured<Windowed<string>, string | null>[] = [];
  table.toStream().process(() => ({ process: (r) => void out.push({ key: r.key, value: r.value, timestamp: r.timestamp }) }));
  return out;
}

describe.each([
  ['cache on', true],
  ['cache off', false],
] as const)('emit on window close, time windows (%s)', (_label, cached) => {
  const close = EmitStrategy.onWindowClose();

  it('emits nothing while no window has closed (testAggBasic: grace 100)', async () => {
    const b = new StreamsBuilder();
    const out = capture(
      b
        .stream('topic1', Consumed.with(S, S))
        .groupByKey(Grouped.with(S, S))
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5))
        .emitStrategy(close)
        .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, Materialized.as<string, string>('topic1-Canonized').withValueSerde(S))
        .toStream(),
    );
    const d = driver(b, { [EMIT_INTERVAL]: 0 });
    const input = d.createInputTopic('topic1', S, S);
    for (const [k, v, t] of [['A', '1', 0], ['B', '2', 1], ['C', '3', 2], ['D', '4', 3], ['A', '1', 4], ['A', '1', 5], ['B', '2', 6], ['D', '4', 7], ['B', '2', 8], ['C', '3', 9], ['A', '1', 10], ['B', '2', 11], ['D', '4', 12], ['B', '2', 13], ['C', '3', 14], ['B', '1', 3], ['B', '2', 2], ['B', '3', 9]] as const) {
      await input.pipeInput(k, v, t);
    }
    expect(out).toEqual([]);
  });

  it('emits only when the close time passes another window\'s end (shouldNotEmitFinalIfNotProgressEnough)', async () => {
    const b = new StreamsBuilder();
    const out = hopping(b, close, cached);
    const d = driver(b, { [EMIT_INTERVAL]: 0 });
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('A', '1', 0);
    await input.pipeInput('B', '2', 5);
    await input.pipeInput('C', '3', 15);
    expect(out.splice(0)).toEqual([kvt(tw('A', 0, 10), '0+1', 0), kvt(tw('B', 0, 10), '0+2', 5)]);
    await input.pipeInput('D', '4', 15); // stream time does not move
    expect(out.splice(0)).toEqual([]);
    await input.pipeInput('E', '5', 19); // moves, but closes no other window
    expect(out.splice(0)).toEqual([]);
  });

  it('emits every closed window once, with its own timestamp (shouldEmitWithInterval0)', async () => {
    const b = new StreamsBuilder();
    const out = hopping(b, close, cached);
    const d = driver(b, { [EMIT_INTERVAL]: 0 });
    const input = d.createInputTopic('input', S, S);
    for (const [k, v, t] of [['A', '1', 0], ['A', '1', 5], ['B', '2', 10], ['C', '3', 15], ['D', '4', 20]] as const) await input.pipeInput(k, v, t);
    expect(out).toEqual([kvt(tw('A', 0, 10), '0+1+1', 5), kvt(tw('A', 5, 15), '0+1', 5), kvt(tw('B', 5, 15), '0+2', 10)]);
  });

  it('scans closed windows at most once per emit interval of wall-clock time (shouldEmitWithLargeInterval)', async () => {
    const b = new StreamsBuilder();
    const out = hopping(b, close, cached);
    const d = driver(b, { [EMIT_INTERVAL]: 1000 });
    const input = d.createInputTopic('input', S, S);
    for (const [k, v, t] of [['A', '1', 0], ['A', '1', 5], ['B', '2', 10], ['C', '3', 15]] as const) await input.pipeInput(k, v, t);
    // the first record scanned (nothing closed yet); the next scan is due a second later
    expect(out.splice(0)).toEqual([]);
    await d.advanceWallClockTime(10_000);
    await input.pipeInput('D', '4', 20);
    expect(out.splice(0)).toEqual([kvt(tw('A', 0, 10), '0+1+1', 5), kvt(tw('A', 5, 15), '0+1', 5), kvt(tw('B', 5, 15), '0+2', 10)]);
    await d.advanceWallClockTime(100);
    await input.pipeInput('E', '5', 40);
    expect(out.splice(0)).toEqual([]);
  });

  it('after a restart, emits from the last emitted close time on (shouldEmitFromLastEmitTime)', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'emit-final-'));
    cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const first = new StreamsBuilder();
    const out1 = hopping(first, close, cached);
    const d1 = new TopologyTestDriver(first.build(), { applicationId: 'emit-final', stateDir, initialWallClockTimeMs: 0, [EMIT_INTERVAL]: 0 });
    const input1 = d1.createInputTopic('input', S, S);
    for (const [k, v, t] of [['A', '1', 0], ['B', '2', 5], ['C', '3', 15]] as const) await input1.pipeInput(k, v, t);
    expect(out1).toEqual([kvt(tw('A', 0, 10), '0+1', 0), kvt(tw('B', 0, 10), '0+2', 5)]);
    const metadata = d1.getStateStore<KeyValueStore<string, number>>('window-store-emit-metadata')!;
    expect(await metadata.get('window-store')).toBe(10);
    await d1.close();

    const second = new StreamsBuilder();
    const out2 = hopping(second, close, cached);
    const d2 = driver(second, { stateDir, [EMIT_INTERVAL]: 0 });
    await d2.createInputTopic('input', S, S).pipeInput('D', '4', 25);
    // windows emitted before the restart are not emitted again
    expect(out2).toEqual([kvt(tw('B', 5, 15), '0+2', 5), kvt(tw('C', 10, 20), '0+3', 15)]);
  });

  it('sliding windows emit each closed window once (KStreamSlidingWindowAggregate on close)', async () => {
    const b = new StreamsBuilder();
    const out = capture(
      b
        .stream('input', Consumed.with(S, S))
        .groupByKey(Grouped.with(S, S))
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5))
        .emitStrategy(close)
        .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, (cached ? Materialized.with<string, string>(S, S).withCachingEnabled() : Materialized.with<string, string>(S, S).withCachingDisabled()))
        .toStream(),
    );
    const d = driver(b, { [EMIT_INTERVAL]: 0 });
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('A', '1', 10);
    await input.pipeInput('A', '2', 15);
    expect(out.splice(0)).toEqual([]);
    await input.pipeInput('B', '3', 40); // close time 35: windows ending before it are final
    expect(out.splice(0)).toEqual([kvt(tw('A', 0, 10), '0+1', 10), kvt(tw('A', 5, 15), '0+1+2', 15), kvt(tw('A', 11, 21), '0+2', 15)]);
  });

  it('a windowed count with emit on close writes one final count per window to a topic', async () => {
    const b = new StreamsBuilder();
    b.stream('input', Consumed.with(S, S))
      .groupByKey(Grouped.with(S, S))
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .emitStrategy(close)
      .count()
      .toStream()
      .to('counts');
    const d = driver(b, { [EMIT_INTERVAL]: 0, cacheMaxBytes: cached ? 1024 * 1024 : 0 });
    const input = d.createInputTopic('input', S, S);
    for (const t of [1, 2, 3, 11, 12, 25]) await input.pipeInput('k', 'v', t);
    const out = d.createOutputTopic('counts', WindowedSerdes.timeWindowedSerdeFrom(S, 10), Serdes.Long()).readRecordsToList();
    expect(out.map((r) => [r.key!.window.start, r.value])).toEqual([
      [0, 3],
      [10, 2],
    ]);
  });
});

describe('emit on window close, sessions (KStreamSessionWindowAggregateProcessorTest)', () => {
  const GAP = 5 * 60 * 1000;
  function sessions(b: StreamsBuilder): Captured<Windowed<string>, number | null>[] {
    return capture(
      b
        .stream('input', Consumed.with(S, S))
        .groupByKey(Grouped.with(S, S))
        .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(GAP))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count(Materialized.as<string, number>('sessions').withCachingDisabled())
        .toStream(),
    );
  }

  it('emits each session once it has closed (shouldHaveMultipleSessionsForSameIdWhenTimestampApartBySessionGap)', async () => {
    const b = new StreamsBuilder();
    const out = sessions(b);
    const d = driver(b, { [EMIT_INTERVAL]: 0 });
    const input = d.createInputTopic('input', S, S);
    let now = 0;
    await input.pipeInput('mel', 'first', now);
    now += GAP + 1;
    await input.pipeInput('mel', 'second', now);
    await input.pipeInput('mel', 'second', now);
    now += GAP + 1;
    for (let i = 0; i < 3; i++) await input.pipeInput('mel', 'third', now);
    expect(out).toEqual([kvt(sw('mel', 0, 0), 1, 0), kvt(sw('mel', GAP + 1, GAP + 1), 2, GAP + 1)]);
  });

  it('emits merged sessions of several keys in end-time order (shouldHandleMultipleSessionsAndMerging)', async () => {
    const b = new StreamsBuilder();
    const out = sessions(b);
    const d = driver(b, { [EMIT_INTERVAL]: 0 });
    const input = d.createInputTopic('input', S, S);
    for (const [k, t] of [['a', 0], ['b', 0], ['c', 0], ['d', 0], ['d', GAP / 2], ['a', GAP + 1], ['b', GAP + 1], ['a', GAP + 1 + GAP / 2], ['c', GAP + 1 + GAP / 2]] as const) {
      await input.pipeInput(k, '1', t);
    }
    expect(out).toEqual([kvt(sw('a', 0, 0), 1, 0), kvt(sw('b', 0, 0), 1, 0), kvt(sw('c', 0, 0), 1, 0), kvt(sw('d', 0, GAP / 2), 2, GAP / 2)]);
  });
});

describe('EmitStrategy', () => {
  it('names its types as Kafka Streams does, and emitStrategy() refuses anything else', () => {
    expect(EmitStrategy.onWindowClose().type()).toBe('ON_WINDOW_CLOSE');
    expect(EmitStrategy.onWindowUpdate().type()).toBe('ON_WINDOW_UPDATE');
    const windowed = new StreamsBuilder().stream('i', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10));
    expect(() => windowed.emitStrategy('close' as never)).toThrow(/emitStrategy\(\) needs EmitStrategy.onWindowClose\(\) or EmitStrategy.onWindowUpdate\(\)/);
  });

  it('adds the change-logged metadata store <store>-emit-metadata to the aggregation', () => {
    const b = new StreamsBuilder();
    b.stream('i', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10)).emitStrategy(EmitStrategy.onWindowClose()).count(Materialized.as('counts'));
    const t = b.build();
    expect(t.describe().toString()).toContain('Processor: KSTREAM-AGGREGATE-0000000001 (stores: [counts, counts-emit-metadata])');
    expect(t.stores.get('counts-emit-metadata')!.builder.loggingEnabled).toBe(true);
  });
});
