// Bad input is refused with errors that name what was wrong and what to do; nothing is dropped
// silently. Invalid topologies fail at build().
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Named, Produced, ProcessingError, Serdes, StreamsBuilder, Topology, TopologyError, TopologyTestDriver, type ProcessorContext } from 'sluice';

const S = Serdes.String();
const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

describe('records that fail', () => {
  it('a value that cannot be deserialized fails with topic, partition, offset and serde (log-and-fail)', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, Serdes.Json<{ a: number }>())).to('out', Produced.with(S, Serdes.Json<{ a: number }>()));
    const d = new TopologyTestDriver(b.build());
    drivers.push(d);
    const raw = d.createInputTopic('in', S, S);
    await raw.pipeInput('k', '{"a":1}');
    const err = await raw.pipeInput('k', 'not json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessingError);
    expect((err as Error).message).toMatch(/could not deserialize the value of the record at topic 'in' partition 0 offset 1 with serde Json/);
    expect((err as Error).message).toMatch(/deserializationExceptionHandler: 'logAndContinue'/);
  });

  it("deserializationExceptionHandler 'logAndContinue' skips the bad record and keeps going", async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, Serdes.Integer())).to('out', Produced.with(S, Serdes.Integer()));
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {}, child() { return logger; } };
    const d = new TopologyTestDriver(b.build(), { deserializationExceptionHandler: 'logAndContinue', logger });
    drivers.push(d);
    const raw = d.createInputTopic('in', S, Serdes.ByteArray());
    await raw.pipeInput('a', Buffer.from([0, 0, 0, 1]));
    await raw.pipeInput('b', Buffer.from([1, 2])); // 2 bytes: not an Integer
    await raw.pipeInput('c', Buffer.from([0, 0, 0, 3]));
    expect(d.createOutputTopic('out', S, Serdes.Integer()).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'c', value: 3 },
    ]);
    expect(warnings.join('\n')).toMatch(/offset 1 .*Integer serde expects exactly 4 bytes but got 2.*skipping it/);
  });

  it('a user function that throws fails with the record coordinates and the processor name', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S))
      .mapValues((v) => {
        if (v === 'boom') throw new Error('cannot handle boom');
        return v;
      }, Named.as('risky'))
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build());
    drivers.push(d);
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('k', 'ok', 1);
    const err = (await input.pipeInput('k', 'boom', 2).catch((e: unknown) => e)) as ProcessingError;
    expect(err).toBeInstanceOf(ProcessingError);
    expect(err.message).toBe("processor 'risky' in task 0_0 failed on the record at topic 'in' partition 0 offset 1 (timestamp 2): Error: cannot handle boom");
    expect(err.context).toMatchObject({ topic: 'in', partition: 0, offset: 1, node: 'risky' });
  });

  it("processingExceptionHandler 'logAndContinue' drops the failing record only", async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S))
      .mapValues((v) => {
        if (v === 'boom') throw new Error('no');
        return v;
      })
      .to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), { processingExceptionHandler: 'logAndContinue', logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } });
    drivers.push(d);
    const input = d.createInputTopic('in', S, S);
    await input.pipeKeyValueList([['a', '1'], ['b', 'boom'], ['c', '3']]);
    expect(d.createOutputTopic('out', S, S).readValuesToList()).toEqual(['1', '3']);
  });

  it('a negative record timestamp fails unless the extractor skips it', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build());
    drivers.push(d);
    // the driver refuses negative timestamps when records are created: Record validates them
    await expect(d.createInputTopic('in', S, S).pipeInput('k', 'v', -5)).rejects.toThrow(/invalid \(negative\) timestamp -5/);
  });
});

describe('invalid topologies fail at build()', () => {
  it('lists every problem: a stream from no topic, a sink to nothing, duplicate names', () => {
    const b = new StreamsBuilder();
    b.stream([], Consumed.with(S, S));
    const s = b.stream('in', Consumed.with(S, S));
    s.to('', Produced.with(S, S));
    s.filter(() => true, Named.as('dup')).to('a');
    s.filter(() => true, Named.as('dup')).to('b');
    let err: unknown;
    try {
      b.build();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TopologyError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/stream\(\) of source 'KSTREAM-SOURCE-0000000000' reads from no topic/);
    expect(msg).toMatch(/to\(\) of 'KSTREAM-SOURCE-0000000001' has no topic: sink 'KSTREAM-SINK-0000000002' would write to nothing/);
    expect(msg).toMatch(/a node named 'dup' already exists; node names must be unique/);
  });

  it('Topology refuses unknown parents, sinks without parents, and two sources for one topic', () => {
    expect(() => new Topology().addSource('s', 'in').addProcessor('p', () => ({ process() {} }), 'nope')).toThrow(/parent 'nope' of 'p' is not added yet/);
    expect(() => new Topology().addSource('s', 'in').addSink('k', 'out')).toThrow(/sink 'k' has no parent/);
    expect(() => new Topology().addSource('s1', 'in').addSource('s2', 'in')).toThrow(/topic 'in' is read by two sources/);
    expect(() => new Topology().validate()).toThrow(/the topology has no source/);
  });

  it('a processor asking for a store it is not connected to gets told how to connect it', async () => {
    const t = new Topology().addSource('s', 'in').addProcessor('p', () => ({
      init(ctx: ProcessorContext) {
        ctx.getStateStore('counts');
      },
      process() {},
    }), 's');
    const d = new TopologyTestDriver(t, { defaultKeySerde: S, defaultValueSerde: S });
    drivers.push(d);
    await expect(d.whenReady()).rejects.toThrow(/processor 'p' has no access to store 'counts'.*connectProcessorAndStateStores\('p', 'counts'\)/);
  });
});
