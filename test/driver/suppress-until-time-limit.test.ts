// suppress(untilTimeLimit): the latest update of a key goes downstream once stream time is the time
// limit past that key's first buffered update, or earlier when a bounded buffer is full (emit early)
// — or the app stops (shut down when full). Tombstones are never dropped. Scenarios and expected
// values from Kafka Streams' SuppressScenarioTest and KTableSuppressProcessorTest.
import { describe, expect, it } from 'vitest';
import {
  BufferConfig,
  Consumed,
  Grouped,
  KeyValue,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type KTable,
  type TopologyTestDriver,
} from 'sluice';
import { useDrivers } from './window-helpers.js';

const S = Serdes.String();
const L = Serdes.Long();
const drive = useDrivers('suppress');

/** Kafka's scenario: a table of k → v, counted by value; raw and suppressed counts both written out. */
function valueCounts(b: StreamsBuilder, suppressed: Suppressed<string>): void {
  const counts: KTable<string, number> = b
    .table('input', Consumed.with(S, S), Materialized.with<string, string>(S, S).withCachingDisabled().withLoggingDisabled())
    .groupBy((k, v) => KeyValue.pair(v, k), Grouped.with(S, S))
    .count(undefined, Materialized.with(S, L));
  counts.suppress(suppressed).toStream().to('output-suppressed', Produced.with(S, L));
  counts.toStream().to('output-raw', Produced.with(S, L));
}

/** Messages of an error and what it wraps (the engine wraps processor failures once per layer). */
function errorChain(err: unknown): string {
  const out: string[] = [];
  for (let e: unknown = err; e instanceof Error && out.length < 5; e = (e as { cause?: unknown; error?: unknown }).cause ?? (e as { error?: unknown }).error) {
    out.push(e.message);
  }
  return out.join(' <- ');
}

function drain(d: TopologyTestDriver, topic: string): [string | null, number | null, number][] {
  return d
    .createOutputTopic(topic, S, L)
    .readRecordsToList()
    .map((r) => [r.key, r.value, r.timestamp]);
}

async function firstThree(d: TopologyTestDriver) {
  const input = d.createInputTopic('input', S, S);
  await input.pipeInput('k1', 'v1', 0);
  await input.pipeInput('k1', 'v2', 1);
  await input.pipeInput('k2', 'v1', 2);
  expect(drain(d, 'output-raw')).toEqual([
    ['v1', 1, 0],
    ['v1', 0, 1],
    ['v2', 1, 1],
    ['v1', 1, 2],
  ]);
  return input;
}

describe.each([
  ['cache on', {}],
  ['cache off', { cacheMaxBytes: 0 }],
] as const)('time limit (%s)', (_label, cacheConfig) => {
  it('with a zero time limit emits every update at once (shouldImmediatelyEmitEventsWithZeroEmitAfter)', async () => {
    const b = new StreamsBuilder();
    valueCounts(b, Suppressed.untilTimeLimit(0, BufferConfig.unbounded()));
    const d = drive(b, cacheConfig);
    const input = await firstThree(d);
    expect(drain(d, 'output-suppressed')).toEqual([
      ['v1', 1, 0],
      ['v1', 0, 1],
      ['v2', 1, 1],
      ['v1', 1, 2],
    ]);
    await input.pipeInput('x', 'x', 3);
    expect(drain(d, 'output-raw')).toEqual([['x', 1, 3]]);
    expect(drain(d, 'output-suppressed')).toEqual([['x', 1, 3]]);
    await input.pipeInput('x', 'y', 4);
    expect(drain(d, 'output-raw')).toEqual([
      ['x', 0, 4],
      ['y', 1, 4],
    ]);
    expect(drain(d, 'output-suppressed')).toEqual([
      ['x', 0, 4],
      ['y', 1, 4],
    ]);
  });

  it('holds each key from its first buffered update for the time limit (shouldSuppressIntermediateEventsWithTimeLimit)', async () => {
    const b = new StreamsBuilder();
    valueCounts(b, Suppressed.untilTimeLimit(2, BufferConfig.unbounded()));
    const d = drive(b, cacheConfig);
    const input = await firstThree(d);
    expect(drain(d, 'output-suppressed')).toEqual([['v1', 1, 2]]);
    // a dummy "tick" record just to advance stream time
    await input.pipeInput('tick', 'tick', 3);
    expect(drain(d, 'output-raw')).toEqual([['tick', 1, 3]]);
    // stream time is now 3, so it is time to emit v2 (buffered at 1)
    expect(drain(d, 'output-suppressed')).toEqual([['v2', 1, 1]]);
    await input.pipeInput('tick', 'tock', 4);
    expect(drain(d, 'output-raw')).toEqual([
      ['tick', 0, 4],
      ['tock', 1, 4],
    ]);
    // tick is still buffered: first inserted at 3, and it is only 4 now
    expect(drain(d, 'output-suppressed')).toEqual([]);
  });

  it('emits the oldest early when over maxRecords (shouldSuppressIntermediateEventsWithRecordLimit)', async () => {
    const b = new StreamsBuilder();
    valueCounts(b, Suppressed.untilTimeLimit(Number.MAX_SAFE_INTEGER, BufferConfig.maxRecords(1).emitEarlyWhenFull()));
    const d = drive(b, cacheConfig);
    const input = await firstThree(d);
    // consecutive updates to v1 get suppressed into only the latter; the last update waits for another key
    expect(drain(d, 'output-suppressed')).toEqual([
      ['v1', 0, 1],
      ['v2', 1, 1],
    ]);
    await input.pipeInput('x', 'x', 3);
    expect(drain(d, 'output-raw')).toEqual([['x', 1, 3]]);
    expect(drain(d, 'output-suppressed')).toEqual([['v1', 1, 2]]);
  });

  it('emits the oldest early when over maxBytes (shouldSuppressIntermediateEventsWithBytesLimit)', async () => {
    const b = new StreamsBuilder();
    // Kafka's estimate counts key, values and the record context including its topic name: ~106 bytes
    // per entry here, so 200 holds one entry but not two. With caching the counts reach suppress in
    // the commit's cache flush, where we know no source topic (Kafka does): 38-46 bytes, so 60.
    const limit = 'cacheMaxBytes' in cacheConfig ? 200 : 60;
    valueCounts(b, Suppressed.untilTimeLimit(Infinity, BufferConfig.maxBytes(limit).emitEarlyWhenFull()));
    const d = drive(b, cacheConfig);
    const input = await firstThree(d);
    expect(drain(d, 'output-suppressed')).toEqual([
      ['v1', 0, 1],
      ['v2', 1, 1],
    ]);
    await input.pipeInput('x', 'x', 3);
    expect(drain(d, 'output-raw')).toEqual([['x', 1, 3]]);
    expect(drain(d, 'output-suppressed')).toEqual([['v1', 1, 2]]);
  });

  it('works on a source table before groupBy (shouldWorkBeforeGroupBy)', async () => {
    const b = new StreamsBuilder();
    b.table('topic', Consumed.with(S, S))
      .suppress(Suppressed.untilTimeLimit(10, BufferConfig.unbounded()))
      .groupBy((k, v) => KeyValue.pair(k, v), Grouped.with(S, S))
      .count()
      .toStream()
      .to('output', Produced.with(S, L));
    const d = drive(b, cacheConfig);
    const input = d.createInputTopic('topic', S, S);
    await input.pipeInput('A', 'a', 0);
    await input.pipeInput('tick', 'tick', 10);
    expect(drain(d, 'output')).toEqual([['A', 1, 0]]);
  });
});

describe('time limit: buffer bounds and tombstones (KTableSuppressProcessorTest)', () => {
  function suppressedTable(b: StreamsBuilder, suppressed: Suppressed<string>): (string | null)[] {
    const out: (string | null)[] = [];
    b.table('input', Consumed.with(S, S))
      .suppress(suppressed)
      .toStream()
      .foreach((k, v) => void out.push(`${k}=${v}`));
    return out;
  }

  it('emits at once with a zero time limit (zeroTimeLimitShouldImmediatelyEmit)', async () => {
    const b = new StreamsBuilder();
    const out = suppressedTable(b, Suppressed.untilTimeLimit(0, BufferConfig.unbounded()));
    const d = drive(b);
    await d.createInputTopic('input', S, S).pipeInput('hey', '7', 5);
    expect(out).toEqual(['hey=7']);
  });

  it('buffers, and emits once stream time moves on (intermediateSuppressionShouldBufferAndEmitLater)', async () => {
    const b = new StreamsBuilder();
    const out = suppressedTable(b, Suppressed.untilTimeLimit(1, BufferConfig.unbounded()));
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('hey', '1', 0);
    expect(out).toEqual([]);
    await input.pipeInput('tick', 'x', 1);
    expect(out).toEqual(['hey=1']);
  });

  it('does not drop tombstones of a table (suppressShouldNotDropTombstonesForKTable)', async () => {
    const b = new StreamsBuilder();
    const out = suppressedTable(b, Suppressed.untilTimeLimit(0, BufferConfig.maxRecords(0)));
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('hey', '5', 100);
    await input.pipeInput('hey', null, 100);
    expect(out).toEqual(['hey=5', 'hey=null']);
  });

  it('emits the oldest when over maxRecords (suppressShouldEmitWhenOverRecordCapacity)', async () => {
    const b = new StreamsBuilder();
    const out = suppressedTable(b, Suppressed.untilTimeLimit(100 * 24 * 3600 * 1000, BufferConfig.maxRecords(1)));
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('hey', '5', 100);
    await input.pipeInput('dummyKey', '5', 101);
    expect(out).toEqual(['hey=5']);
  });

  it('emits the oldest when over maxBytes (suppressShouldEmitWhenOverByteCapacity)', async () => {
    const b = new StreamsBuilder();
    const out = suppressedTable(b, Suppressed.untilTimeLimit(100 * 24 * 3600 * 1000, BufferConfig.maxBytes(60)));
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('hey', '5', 100);
    expect(out).toEqual([]);
    await input.pipeInput('dummyKey', '5', 101);
    expect(out).toEqual(['hey=5']);
  });

  it.each([
    ['maxRecords', BufferConfig.maxRecords(1).shutDownWhenFull(), /\[2\/1\] records/],
    ['maxBytes', BufferConfig.maxBytes(60).shutDownWhenFull(), /\/60\] bytes/],
  ])('stops with an error naming the buffer and its limit when over %s and shutting down when full (suppressShouldShutDownWhenOver…Capacity)', async (_what, config, limit) => {
    const b = new StreamsBuilder();
    suppressedTable(b, Suppressed.untilTimeLimit<string>(100 * 24 * 3600 * 1000, config).withName('hold'));
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('hey', '5', 100);
    const message = await input.pipeInput('dummyKey', '5', 100).then(
      () => 'no error',
      (err: unknown) => errorChain(err),
    );
    expect(message).toMatch(/hold buffer exceeded its max capacity/);
    expect(message).toMatch(limit);
    expect(message).toMatch(/buffer store 'hold-store'.*emitEarlyWhenFull/);
  });

  it('does not drop tombstones of merged-away sessions (suppressShouldNotDropTombstonesForSessionWindows)', async () => {
    const b = new StreamsBuilder();
    const out: string[] = [];
    b.stream('input', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .count()
      .suppress(Suppressed.untilTimeLimit(0, BufferConfig.maxRecords(0)))
      .toStream()
      .foreach((k, v) => void out.push(`${k.toString()}=${v}`));
    const d = drive(b, { cacheMaxBytes: 0 });
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('hey', 'v', 0);
    await input.pipeInput('hey', 'v', 1);
    expect(out).toEqual(['[hey@0/0]=1', '[hey@0/0]=null', '[hey@0/1]=2']);
  });

  it('does not drop tombstones of time windows (suppressShouldNotDropTombstonesForTimeWindows)', async () => {
    const b = new StreamsBuilder();
    const out: string[] = [];
    b.stream('input', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100))
      .reduce((agg, v) => (v === 'delete' ? (null as unknown as string) : agg + v), Materialized.with(S, S))
      .suppress(Suppressed.untilTimeLimit(0, BufferConfig.maxRecords(0)))
      .toStream()
      .foreach((k, v) => void out.push(`${k.toString()}=${v}`));
    const d = drive(b);
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('hey', 'a', 5);
    await input.pipeInput('hey', 'delete', 6);
    expect(out).toEqual(['[hey@0/100]=a', '[hey@0/100]=null']);
  });
});

describe('Suppressed and BufferConfig validation', () => {
  it('rejects a negative time limit or limit, saying what is expected', () => {
    expect(() => Suppressed.untilTimeLimit(-1, BufferConfig.unbounded())).toThrow(/non-negative time to wait/);
    expect(() => BufferConfig.maxRecords(-1)).toThrow(/record limit must be a non-negative integer/);
    expect(() => BufferConfig.maxBytes(1.5)).toThrow(/byte limit must be a non-negative integer/);
  });

  it('accepts Kafka spelling Suppressed.BufferConfig and keeps strict and eager configs apart', () => {
    const strict = Suppressed.BufferConfig.maxRecords(10).shutDownWhenFull();
    expect(strict.bufferFullStrategy).toBe('SHUT_DOWN');
    expect(strict.emitEarlyWhenFull().bufferFullStrategy).toBe('EMIT');
    expect(BufferConfig.unbounded().withMaxBytes(5).maxBytes).toBe(5);
    expect(BufferConfig.unbounded().withLoggingDisabled().logConfig).toBeUndefined();
  });

  it('refuses, at compile time too, final results for a table without windows or with an eager buffer', () => {
    const b = new StreamsBuilder();
    const plain = b.stream('input', Consumed.with(S, S)).groupByKey().count();
    // @ts-expect-error a table keyed by plain strings has no windows to close
    plain.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
    expect(() => b.build()).toThrow(/only defined for windowed computations/);
    // @ts-expect-error an eager buffer could emit a window's result before the window closes
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(5))).toThrow(/strict buffer config/);
  });
});
