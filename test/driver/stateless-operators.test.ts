// Every stateless KStream operator, run through TopologyTestDriver.
import { afterEach, describe, expect, it } from 'vitest';
import { Branched, Consumed, KeyValue, Named, Produced, Repartitioned, Serdes, StreamsBuilder, TopologyTestDriver } from 'sluice';

const S = Serdes.String();
const drivers: TopologyTestDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});
function driverFor(builder: StreamsBuilder): TopologyTestDriver {
  const d = new TopologyTestDriver(builder.build(), { initialWallClockTimeMs: 1_000 });
  drivers.push(d);
  return d;
}

describe('stateless operators', () => {
  it('filter, filterNot, mapValues, map, selectKey keep order and timestamps', async () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', Consumed.with(S, Serdes.Integer()));
    s.filter((_k, v) => v % 2 === 0).mapValues((v, k) => `${k}:${v * 10}`).to('even', Produced.with(S, S));
    s.filterNot((_k, v) => v % 2 === 0).map((k, v) => KeyValue.pair(`${k}!`, v + 1)).to('odd', Produced.with(S, Serdes.Integer()));
    s.selectKey((_k, v) => `n${v}`).to('rekeyed', Produced.with(S, Serdes.Integer()));
    const d = driverFor(b);
    const input = d.createInputTopic('in', S, Serdes.Integer());
    for (let i = 1; i <= 4; i++) await input.pipeInput(`k${i}`, i, 100 * i);
    expect(d.createOutputTopic('even', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k2', 'k2:20', 200],
      ['k4', 'k4:40', 400],
    ]);
    expect(d.createOutputTopic('odd', S, Serdes.Integer()).readKeyValuesToList()).toEqual([
      { key: 'k1!', value: 2 },
      { key: 'k3!', value: 4 },
    ]);
    expect(d.createOutputTopic('rekeyed', S, Serdes.Integer()).readKeyValuesToList().map((kv) => kv.key)).toEqual(['n1', 'n2', 'n3', 'n4']);
  });

  it('flatMap and flatMapValues emit every element, tuples and KeyValue both work', async () => {
    const b = new StreamsBuilder();
    const s = b.stream('lines', Consumed.with(S, S));
    s.flatMapValues((line) => line.split(' ')).to('words', Produced.with(S, S));
    s.flatMap((k, line) => line.split(' ').map((w, i) => (i % 2 === 0 ? ([w, k] as const) : KeyValue.pair(w, k)))).to('inverted', Produced.with(S, S));
    const d = driverFor(b);
    await d.createInputTopic('lines', S, S).pipeInput('l1', 'a b c', 5);
    expect(d.createOutputTopic('words', S, S).readValuesToList()).toEqual(['a', 'b', 'c']);
    expect(d.createOutputTopic('inverted', S, S).readKeyValuesToList()).toEqual([
      { key: 'a', value: 'l1' },
      { key: 'b', value: 'l1' },
      { key: 'c', value: 'l1' },
    ]);
  });

  it('peek and foreach see every record; merge unions two streams', async () => {
    const seen: string[] = [];
    const b = new StreamsBuilder();
    const a = b.stream('a', Consumed.with(S, S));
    const c = b.stream('c', Consumed.with(S, S));
    a.merge(c).peek((k) => seen.push(`peek:${k}`)).foreach((k, v) => {
      seen.push(`each:${k}=${v}`);
    });
    const d = driverFor(b);
    await d.createInputTopic('a', S, S).pipeInput('x', '1', 1);
    await d.createInputTopic('c', S, S).pipeInput('y', '2', 2);
    expect(seen).toEqual(['peek:x', 'each:x=1', 'peek:y', 'each:y=2']);
  });

  it('split routes to the first matching branch, the default branch gets the rest', async () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream('in', Consumed.with(S, Serdes.Integer()))
      .split(Named.as('route-'))
      .branch((_k, v) => v < 0, Branched.as('negative'))
      .branch((_k, v) => v === 0, Branched.withConsumer((s) => s.to('zero', Produced.with(S, Serdes.Integer())), 'zero'))
      .defaultBranch(Branched.as('positive'));
    expect([...branches.keys()]).toEqual(['route-negative', 'route-positive']);
    branches.get('route-negative')!.to('neg', Produced.with(S, Serdes.Integer()));
    branches.get('route-positive')!.to('pos', Produced.with(S, Serdes.Integer()));
    const d = driverFor(b);
    const input = d.createInputTopic('in', S, Serdes.Integer());
    for (const v of [-2, 0, 3, -1, 7]) await input.pipeInput('k', v);
    expect(d.createOutputTopic('neg', S, Serdes.Integer()).readValuesToList()).toEqual([-2, -1]);
    expect(d.createOutputTopic('zero', S, Serdes.Integer()).readValuesToList()).toEqual([0]);
    expect(d.createOutputTopic('pos', S, Serdes.Integer()).readValuesToList()).toEqual([3, 7]);
  });

  it('noDefaultBranch drops records no predicate matches', async () => {
    const b = new StreamsBuilder();
    const m = b.stream('in', Consumed.with(S, Serdes.Integer())).split().branch((_k, v) => v > 10).noDefaultBranch();
    expect([...m.keys()]).toEqual(['KSTREAM-BRANCH-00000000011']);
    m.get('KSTREAM-BRANCH-00000000011')!.to('big', Produced.with(S, Serdes.Integer()));
    const d = driverFor(b);
    const input = d.createInputTopic('in', S, Serdes.Integer());
    for (const v of [5, 50, 9, 11]) await input.pipeInput('k', v);
    expect(d.createOutputTopic('big', S, Serdes.Integer()).readValuesToList()).toEqual([50, 11]);
  });

  it('to() with a function picks the topic per record', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).to((k) => `out-${k}`, Produced.with(S, S));
    const d = driverFor(b);
    const input = d.createInputTopic('in', S, S);
    await input.pipeInput('a', '1');
    await input.pipeInput('b', '2');
    await input.pipeInput('a', '3');
    expect(d.createOutputTopic('out-a', S, S).readValuesToList()).toEqual(['1', '3']);
    expect(d.createOutputTopic('out-b', S, S).readValuesToList()).toEqual(['2']);
  });

  it('repartition() without serdes after a key change is refused with the fix', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).selectKey((_k, v) => v).repartition().to('out');
    expect(() => new TopologyTestDriver(b.build())).toThrow(/sink 'KSTREAM-SINK-0000000003' \(topic: KSTREAM-REPARTITION-0000000002-repartition\) has no key serde: give one with Repartitioned.with/);
  });

  it('repartition() writes through an internal topic and reads it back', async () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).selectKey((_k, v) => v).repartition(Repartitioned.with(S, S)).mapValues((v) => v.toUpperCase()).to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build(), { applicationId: 'app' });
    drivers.push(d);
    await d.createInputTopic('in', S, S).pipeInput('k', 'v', 7);
    expect(d.createOutputTopic('out', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['v', 'V', 7]]);
    expect(d.producedTopicNames()).toContain('app-KSTREAM-REPARTITION-0000000002-repartition');
  });
});
