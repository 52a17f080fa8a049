// Sources by pattern, timestamp extractors, headers, and Processor API steps with stores inside the
// DSL (KStream.process with stores added to the builder or returned by the supplier).
import { afterEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  Headers,
  Produced,
  type Record,
  Serdes,
  Stores,
  StreamsBuilder,
  TestRecord,
  TopologyTestDriver,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
} from 'sluice';

const S = Serdes.String();
const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});
function drive(b: StreamsBuilder): TopologyTestDriver {
  const d = new TopologyTestDriver(b.build(), { applicationId: 'src-sink' });
  drivers.push(d);
  return d;
}

describe('sources and sinks', () => {
  it('a RegExp source reads every topic that matches', async () => {
    const b = new StreamsBuilder();
    b.stream(/^orders-.*/, Consumed.with(S, S)).mapValues((v, k) => `${k}=${v}`).to('all-orders', Produced.with(S, S));
    const d = drive(b);
    await d.createInputTopic('orders-eu', S, S).pipeInput('a', '1', 1);
    await d.createInputTopic('orders-us', S, S).pipeInput('b', '2', 2);
    expect(() => d.createInputTopic('payments', S, S)).toThrow(/'payments' is not an input topic of this topology/);
    expect(d.createOutputTopic('all-orders', S, S).readValuesToList()).toEqual(['a=1', 'b=2']);
  });

  it('a timestamp extractor sets event time from the value; sinks write the record timestamp', async () => {
    const b = new StreamsBuilder();
    b.stream('events', Consumed.with(S, Serdes.Json<{ at: number }>()).withTimestampExtractor((r) => (r.value as { at: number }).at)).to('out', Produced.with(S, Serdes.Json<{ at: number }>()));
    const d = drive(b);
    await d.createInputTopic('events', S, Serdes.Json<{ at: number }>()).pipeInput('k', { at: 12_345 }, 99);
    expect(d.createOutputTopic('out', S, Serdes.Json<{ at: number }>()).readRecord().timestamp).toBe(12_345);
  });

  it('headers travel from input to output', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).mapValues((v) => v.toUpperCase()).to('out', Produced.with(S, S));
    const d = drive(b);
    await d.createInputTopic('in', S, S).pipeRecord(new TestRecord('k', 'v', 5, new Headers().add('trace', 'abc')));
    expect(d.createOutputTopic('out', S, S).readRecord().headers.lastHeader('trace')?.value?.toString()).toBe('abc');
  });
});

describe('headers through stateful steps', () => {
  it('survive a repartition topic and a cached count (the latest update keeps its record\'s headers)', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S))
      .groupBy((_k, v) => v, Grouped.with(S, S))
      .count()
      .toStream()
      .to('out', Produced.with(S, Serdes.Long()));
    const d = drive(b);
    const input = d.createInputTopic('in', S, S);
    await input.pipeRecord(new TestRecord('k1', 'word', 1, new Headers().add('trace', 'first')));
    await input.pipeRecord(new TestRecord('k2', 'word', 2, new Headers().add('trace', 'second')));
    const out = d.createOutputTopic('out', S, Serdes.Long()).readRecordsToList();
    expect(out.map((r) => [r.value, r.headers.lastHeader('trace')?.value?.toString()])).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
  });
});

describe('Processor API inside the DSL', () => {
  class Dedup implements Processor<string, string, string, string> {
    private ctx!: ProcessorContext<string, string>;
    private seen!: KeyValueStore<string, number>;
    constructor(private readonly storeName: string) {}
    init(ctx: ProcessorContext<string, string>) {
      this.ctx = ctx;
      this.seen = ctx.getStateStore(this.storeName);
    }
    async process(r: Record<string, string>) {
      if ((await this.seen.putIfAbsent(r.value, r.timestamp)) !== undefined) return;
      return this.ctx.forward(r);
    }
  }

  it('process() with a store added to the builder', async () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('seen'), S, Serdes.Long()));
    b.stream('in', Consumed.with(S, S)).process(() => new Dedup('seen'), 'seen').to('out', Produced.with(S, S));
    const d = drive(b);
    await d.createInputTopic('in', S, S).pipeValueList(['a', 'b', 'a', 'c', 'b']);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['a', 'b', 'c']);
  });

  it('process() with a supplier that brings its own store (persistent)', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S))
      .process({ get: () => new Dedup('seen-rocks'), stores: () => [Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('seen-rocks'), S, Serdes.Long())] })
      .to('out', Produced.with(S, S));
    const d = drive(b);
    await d.createInputTopic('in', S, S).pipeValueList(['x', 'x', 'y']);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['x', 'y']);
    const store = d.getStateStore<KeyValueStore<string, number>>('seen-rocks')!;
    expect(await store.approximateNumEntries()).toBeGreaterThanOrEqual(2);
  });
});
