// count / reduce / aggregate over tumbling TimeWindows through the DSL, caching on and off, and what
// the window store holds afterwards. Scenarios and expected values from Kafka Streams'
// TimeWindowedKStreamImplTest (ON_WINDOW_UPDATE).
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  Materialized,
  Named,
  Produced,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
  type TimestampedWindowStore,
  type TopologyTestDriver,
} from 'sluice';
import { capture, kvt, tw, useDrivers } from './window-helpers.js';

const S = Serdes.String();
const L = Serdes.Long();
const drive = useDrivers();

function windowed(b: StreamsBuilder) {
  return b.stream('input', Consumed.with(S, S)).groupByKey(Grouped.with(S, S)).windowedBy(TimeWindows.ofSizeWithNoGrace(500));
}

async function processData(d: TopologyTestDriver): Promise<void> {
  const input = d.createInputTopic('input', S, S);
  await input.pipeInput('1', '1', 10);
  await input.pipeInput('1', '2', 15);
  await input.pipeInput('1', '3', 500);
  await input.pipeInput('2', '10', 550);
  await input.pipeInput('2', '20', 500);
  await input.pipeInput('2', '30', 1000);
}

async function fetchAll<V>(store: TimestampedWindowStore<string, V>, from: string, to: string, timeFrom: number, timeTo: number) {
  const out: { key: string; start: number; value: V; timestamp: number }[] = [];
  for await (const kv of store.fetch(from, to, timeFrom, timeTo)) out.push({ key: kv.key.key, start: kv.key.window.start, value: kv.value.value, timestamp: kv.value.timestamp });
  return out;
}

describe.each([
  ['cache on', true],
  ['cache off', false],
] as const)('tumbling windows (%s)', (_label, withCache) => {
  const cache = <K, V>(m: Materialized<K, V>) => (withCache ? m.withCachingEnabled() : m.withCachingDisabled());

  it('counts per key and window (shouldCountWindowed)', async () => {
    const b = new StreamsBuilder();
    const out = capture(windowed(b).count().toStream());
    await processData(drive(b, withCache ? {} : { cacheMaxBytes: 0 }));
    expect(out).toEqual([
      kvt(tw('1', 0, 500), 1, 10),
      kvt(tw('1', 0, 500), 2, 15),
      kvt(tw('1', 500, 1000), 1, 500),
      kvt(tw('2', 500, 1000), 1, 550),
      kvt(tw('2', 500, 1000), 2, 550),
      kvt(tw('2', 1000, 1500), 1, 1000),
    ]);
  });

  it('reduces per key and window (shouldReduceWindowed)', async () => {
    const b = new StreamsBuilder();
    const out = capture(windowed(b).reduce((a, v) => `${a}+${v}`).toStream());
    await processData(drive(b, withCache ? {} : { cacheMaxBytes: 0 }));
    expect(out).toEqual([
      kvt(tw('1', 0, 500), '1', 10),
      kvt(tw('1', 0, 500), '1+2', 15),
      kvt(tw('1', 500, 1000), '3', 500),
      kvt(tw('2', 500, 1000), '10', 550),
      kvt(tw('2', 500, 1000), '10+20', 550),
      kvt(tw('2', 1000, 1500), '30', 1000),
    ]);
  });

  it('aggregates per key and window (shouldAggregateWindowed)', async () => {
    const b = new StreamsBuilder();
    const out = capture(
      windowed(b)
        .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, cache(Materialized.with<string, string>(S, S)))
        .toStream(),
    );
    await processData(drive(b));
    expect(out).toEqual([
      kvt(tw('1', 0, 500), '0+1', 10),
      kvt(tw('1', 0, 500), '0+1+2', 15),
      kvt(tw('1', 500, 1000), '0+3', 500),
      kvt(tw('2', 500, 1000), '0+10', 550),
      kvt(tw('2', 500, 1000), '0+10+20', 550),
      kvt(tw('2', 1000, 1500), '0+30', 1000),
    ]);
  });

  it('materializes the count in a queryable window store that keeps only unexpired windows (shouldMaterializeCount)', async () => {
    const b = new StreamsBuilder();
    windowed(b).count(cache(Materialized.as<string, number>('count-store').withKeySerde(S).withValueSerde(L)));
    const d = drive(b);
    await processData(d);
    const store = d.getStateStore<TimestampedWindowStore<string, number>>('count-store')!;
    // retention = size + grace = 500 and the latest window starts at 1000: only [1000,1500) is live.
    // Kafka's caching store also returns expired windows still in its cache; ours never does.
    expect(await fetchAll(store, '1', '2', 0, 1000)).toEqual([{ key: '2', start: 1000, value: 1, timestamp: 1000 }]);
    expect(await store.fetch('2', 1000)).toEqual({ value: 1, timestamp: 1000 });
  });

  it('materializes reduce and aggregate under the given names (shouldMaterializeReduced / shouldMaterializeAggregated)', async () => {
    const b = new StreamsBuilder();
    const w = windowed(b);
    w.reduce((a, v) => `${a}+${v}`, cache(Materialized.as<string, string>('reduced').withKeySerde(S).withValueSerde(S)));
    w.aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, cache(Materialized.as<string, string>('aggregated').withKeySerde(S).withValueSerde(S)));
    const d = drive(b);
    await processData(d);
    expect(await fetchAll(d.getStateStore<TimestampedWindowStore<string, string>>('reduced')!, '1', '2', 0, 1000)).toEqual([{ key: '2', start: 1000, value: '30', timestamp: 1000 }]);
    expect(await fetchAll(d.getStateStore<TimestampedWindowStore<string, string>>('aggregated')!, '1', '2', 0, 1000)).toEqual([
      { key: '2', start: 1000, value: '0+30', timestamp: 1000 },
    ]);
  });
});

describe('windowed tables written to topics', () => {
  it('writes windowed keys in Kafka layout with the default key serde wrapped, never the bare default', async () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('input').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(500)).count().toStream().to('counts', Produced.valueSerde(L));
    const d = drive(b, { defaultKeySerde: S, defaultValueSerde: S });
    await processData(d);
    const raw = d.createOutputTopic('counts', Serdes.Bytes(), L).readRecordsToList();
    // <key bytes><start int64>: exactly what Kafka Streams' TimeWindowedSerializer writes
    const start500 = Buffer.alloc(8);
    start500.writeBigInt64BE(500n);
    expect(raw[2]!.key).toEqual(Buffer.concat([Buffer.from('1'), start500]));
    const serde = WindowedSerdes.timeWindowedSerdeFrom(S, 500);
    expect(raw.map((r) => [serde.deserialize('counts', r.key!), r.value, r.timestamp])).toEqual([
      [tw('1', 0, 500), 1, 10],
      [tw('1', 0, 500), 2, 15],
      [tw('1', 500, 1000), 1, 500],
      [tw('2', 500, 1000), 1, 550],
      [tw('2', 500, 1000), 2, 550],
      [tw('2', 1000, 1500), 1, 1000],
    ]);
  });

  it('names processor and store as Kafka Streams does (Named / Materialized)', () => {
    const b = new StreamsBuilder();
    windowed(b).count(Named.as('counter'), Materialized.as('count-store'));
    expect(b.build().describe().toString()).toContain('Processor: counter (stores: [count-store])');
  });
});
