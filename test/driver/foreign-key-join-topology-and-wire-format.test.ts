// What a foreign-key join puts into the topology and onto its internal topics, compared with Kafka
// Streams: describe() as Kafka's KStreamImplTest prints it, names derived from TableJoined, the
// (pseudo) topics its serdes are called with (KTableKTableForeignKeyJoinScenarioTest), the bytes of
// subscriptions and responses, stale responses dropped by their hash, and default serdes.
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, TableJoined, type Serde } from 'sluice';
import { murmur3 } from './fk-join-murmur3.js';
import { readMap, S, useFkDrivers } from './fk-join-helpers.js';

const drive = useFkDrivers();
const B = Serdes.ByteArray();
const I = Serdes.Integer();

describe('foreign-key join topology', () => {
  it('is described exactly as Kafka Streams describes it (shouldSupportForeignKeyTableTableJoinWithKTableFromKStream)', async () => {
    const b = new StreamsBuilder();
    const consumed = Consumed.with(S, S);
    const leftTable = b.stream('input1', consumed).toTable();
    const rightTable = b.stream('input2', consumed).toTable();
    leftTable.join(rightTable, (v: string) => v.split('|')[1]!, (v1: string, v2: string) => `(${v1},${v2})`).toStream().to('output', Produced.with(S, S));
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KTABLE-SOURCE-0000000016 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic])\n' +
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input1])\n' +
        '      --> KSTREAM-TOTABLE-0000000001\n' +
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])\n' +
        '      --> KTABLE-FK-JOIN-OUTPUT-0000000018\n' +
        '      <-- KTABLE-SOURCE-0000000016\n' +
        '    Processor: KSTREAM-TOTABLE-0000000001 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])\n' +
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KTABLE-FK-JOIN-OUTPUT-0000000018 (stores: [])\n' +
        '      --> KTABLE-TOSTREAM-0000000020\n' +
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017\n' +
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007 (stores: [])\n' +
        '      --> KTABLE-SINK-0000000008\n' +
        '      <-- KSTREAM-TOTABLE-0000000001\n' +
        '    Processor: KTABLE-TOSTREAM-0000000020 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000021\n' +
        '      <-- KTABLE-FK-JOIN-OUTPUT-0000000018\n' +
        '    Sink: KSTREAM-SINK-0000000021 (topic: output)\n' +
        '      <-- KTABLE-TOSTREAM-0000000020\n' +
        '    Sink: KTABLE-SINK-0000000008 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic)\n' +
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000003 (topics: [input2])\n' +
        '      --> KSTREAM-TOTABLE-0000000004\n' +
        '    Source: KTABLE-SOURCE-0000000009 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic])\n' +
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011\n' +
        '    Processor: KSTREAM-TOTABLE-0000000004 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])\n' +
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013\n' +
        '      <-- KSTREAM-SOURCE-0000000003\n' +
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])\n' +
        '      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012\n' +
        '      <-- KTABLE-SOURCE-0000000009\n' +
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])\n' +
        '      --> KTABLE-SINK-0000000015\n' +
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011\n' +
        '    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])\n' +
        '      --> KTABLE-SINK-0000000015\n' +
        '      <-- KSTREAM-TOTABLE-0000000004\n' +
        '    Sink: KTABLE-SINK-0000000015 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic)\n' +
        '      <-- KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012, KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013\n\n',
    );
    const d = drive(b);
    const right = d.createInputTopic('input2', S, S);
    const left = d.createInputTopic('input1', S, S);
    const out = d.createOutputTopic('output', S, S);
    await right.pipeInput('rhs1', 'rhsValue1');
    await right.pipeInput('rhs2', 'rhsValue2');
    await right.pipeInput('rhs3', 'rhsValue3');
    expect(readMap(out)).toEqual(new Map());
    await left.pipeInput('lhs1', 'lhsValue1|rhs1');
    await left.pipeInput('lhs2', 'lhsValue2|rhs2');
    expect(readMap(out)).toEqual(new Map([['lhs1', '(lhsValue1|rhs1,rhsValue1)'], ['lhs2', '(lhsValue2|rhs2,rhsValue2)']]));
    await left.pipeInput('lhs3', 'lhsValue3|rhs1');
    expect(readMap(out)).toEqual(new Map([['lhs3', '(lhsValue3|rhs1,rhsValue1)']]));
    await left.pipeInput('lhs1', null);
    expect(readMap(out)).toEqual(new Map([['lhs1', null]]));
  });

  it('derives topic, store and processor names from TableJoined.as(name)', () => {
    const b = new StreamsBuilder();
    const l = b.table('l', Consumed.with(S, S));
    const r = b.table('r', Consumed.with(S, S));
    l.join(r, (v: string) => v, (a: string, c: string) => a + c, TableJoined.as('orders-by-customer')).toStream().to('out', Produced.with(S, S));
    const t = b.build();
    expect([...t.internalTopics.keys()].sort()).toEqual(['orders-by-customer-subscription-registration-topic', 'orders-by-customer-subscription-response-topic']);
    expect([...t.stores.keys()]).toContain('orders-by-customer-subscription-store');
    const nodes = [...t.nodes.keys()];
    for (const suffix of [
      'subscription-registration-processor',
      'subscription-registration-sink',
      'subscription-registration-source',
      'subscription-receive',
      'subscription-join-foreign',
      'foreign-join-subscription',
      'subscription-response-sink',
      'subscription-response-source',
      'subscription-response-resolver',
      'result',
    ]) {
      expect(nodes).toContain(`orders-by-customer-${suffix}`);
    }
  });

  it('serializes for the topics and pseudo topics Kafka Streams uses (shouldUseExpectedTopicsWithSerde)', async () => {
    // as Kafka's UniqueTopicSerdeScope: the topics serializers are called with
    const seen = new Set<string>();
    const scoped = <T>(serde: Serde<T>, isKey: boolean): Serde<T> => ({
      name: serde.name,
      serialize(topic, data) {
        seen.add(`${topic}--${isKey ? 'key' : 'value'}`);
        return serde.serialize(topic, data);
      },
      deserialize: (topic, data) => serde.deserialize(topic, data),
    });
    const b = new StreamsBuilder();
    const left = b.table('left_table', Consumed.with(scoped(I, true), scoped(S, false)));
    const right = b.table('right_table', Consumed.with(scoped(I, true), scoped(S, false)));
    left
      .join(right, (v: string) => Number(v.split('|')[1]), (v1: string, v2: string) => `(${v1},${v2})`, Materialized.with<number, string>(undefined, scoped(S, false)))
      .toStream()
      .to('output-topic');
    const appId = 'ktable-ktable-joinOnForeignKey';
    const d = drive(b, { applicationId: appId });
    await d.createInputTopic('left_table', I, S).pipeInput(2, 'lhsValue1|1');
    await d.createInputTopic('right_table', I, S).pipeInput(1, 'rhsValue1');
    const prefix = `${appId}-KTABLE-FK-JOIN-`;
    expect([...seen].sort()).toEqual(
      [
        `${prefix}SUBSCRIPTION-REGISTRATION-0000000006-topic-fk--key`,
        `${prefix}SUBSCRIPTION-REGISTRATION-0000000006-topic-pk--key`,
        `${prefix}SUBSCRIPTION-REGISTRATION-0000000006-topic-vh--value`,
        `${prefix}SUBSCRIPTION-REGISTRATION-0000000006-topic--key`,
        `${prefix}SUBSCRIPTION-RESPONSE-0000000014-topic--key`,
        `${prefix}SUBSCRIPTION-RESPONSE-0000000014-topic--value`,
        `${appId}-left_table-STATE-STORE-0000000000-changelog--key`,
        `${appId}-left_table-STATE-STORE-0000000000-changelog--value`,
        `${appId}-right_table-STATE-STORE-0000000003-changelog--key`,
        `${appId}-right_table-STATE-STORE-0000000003-changelog--value`,
        'output-topic--key',
        'output-topic--value',
      ].sort(),
    );
  });

  it('works with the application\'s default serdes (KTableKTableForeignKeyJoinScenarioTest.validateTopologyCanProcessData)', async () => {
    const b = new StreamsBuilder();
    const a = b.table<number, string>('A');
    const bt = b.table<number, string>('B');
    a.join(bt, (v: string) => Number(v.split('-')[0]), (x: string, y: string) => `(${x},${y})`, Materialized.as('asdf')).toStream().to('output');
    const d = drive(b, { defaultKeySerde: I as Serde<unknown>, defaultValueSerde: S as Serde<unknown> });
    await d.createInputTopic('A', I, S).pipeInput(1, '999-alpha');
    await d.createInputTopic('B', I, S).pipeInput(999, 'beta');
    expect(d.createOutputTopic('output', I, S).readKeyValuesToMap()).toEqual(new Map([[1, '(999-alpha,beta)']]));
  });

  it('reports missing serdes before running', () => {
    const b = new StreamsBuilder();
    b.table<number, string>('A').join(b.table<number, string>('B'), (v: string) => Number(v), (x: string, y: string) => x + y);
    expect(() => drive(b)).toThrow(/missing serdes/);
  });

  it('refuses bad arguments with the reason', () => {
    const b = new StreamsBuilder();
    const t = b.table('A', Consumed.with(S, S));
    t.join('nope' as never, (v: string) => v, (x: string) => x);
    t.leftJoin(t, 'x' as never, (x: string) => x);
    t.join(t, (v: string) => v, (x: string) => x, 'bad' as never);
    expect(() => b.build()).toThrow(/needs the other table, a KTable built by the same StreamsBuilder[\s\S]*needs a foreign-key extractor function[\s\S]*takes TableJoined and Materialized after the joiner/);
  });
});

describe('foreign-key join wire format', () => {
  const appId = 'fk-wire';
  const subscriptionTopic = `${appId}-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic`;
  const responseTopic = `${appId}-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic`;
  const build = () => {
    const b = new StreamsBuilder();
    const left = b.table('left', Consumed.with(S, S));
    const right = b.table('right', Consumed.with(S, S));
    left.join(right, (v: string) => v.split('|')[1]!, (v1: string, v2: string) => `(${v1},${v2})`).toStream().to('out', Produced.with(S, S));
    return drive(b, { applicationId: appId });
  };

  it('writes subscriptions as {version 1}{instruction}{murmur3-128 of the value}{primary key}{partition}', async () => {
    const d = build();
    await d.createInputTopic('left', S, S).pipeInput('lhs1', 'v|rhs1');
    await d.createInputTopic('left', S, S).pipeInput('lhs1', 'v|rhs2');
    const subscriptions = d.createOutputTopic(subscriptionTopic, S, B).readRecordsToList();
    const hash1 = murmur3(Buffer.from('v|rhs1'));
    const hash2 = murmur3(Buffer.from('v|rhs2'));
    expect(subscriptions.map((r) => [r.key, r.value!.toString('hex')])).toEqual([
      // insert: PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE (3)
      ['rhs1', Buffer.concat([Buffer.from([0x01, 0x03]), hash1, Buffer.from('lhs1'), Buffer.from([0, 0, 0, 0])]).toString('hex')],
      // foreign key changed: DELETE_KEY_NO_PROPAGATE (0) to the old one, PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE (2) to the new
      ['rhs1', Buffer.concat([Buffer.from([0x01, 0x00]), hash2, Buffer.from('lhs1'), Buffer.from([0, 0, 0, 0])]).toString('hex')],
      ['rhs2', Buffer.concat([Buffer.from([0x01, 0x02]), hash2, Buffer.from('lhs1'), Buffer.from([0, 0, 0, 0])]).toString('hex')],
    ]);
    // a delete has no hash: the high bit of the version byte says so
    await d.createInputTopic('left', S, S).pipeInput('lhs1', null);
    expect(d.createOutputTopic(subscriptionTopic, S, B).readValuesToList().map((v) => v!.toString('hex'))).toEqual([
      Buffer.concat([Buffer.from([0x81, 0x01]), Buffer.from('lhs1'), Buffer.from([0, 0, 0, 0])]).toString('hex'),
    ]);
  });

  it('writes responses as {version 0}{hash}{foreign value}, and the result follows only responses for the current value', async () => {
    const d = build();
    await d.createInputTopic('right', S, S).pipeInput('rhs1', 'R1');
    await d.createInputTopic('left', S, S).pipeInput('lhs1', 'v|rhs1');
    const responses = d.createOutputTopic(responseTopic, S, B).readRecordsToList();
    expect(responses.map((r) => [r.key, r.value!.toString('hex')])).toEqual([['lhs1', Buffer.concat([Buffer.from([0x00]), murmur3(Buffer.from('v|rhs1')), Buffer.from('R1')]).toString('hex')]]);
    const out = d.createOutputTopic('out', S, S);
    expect(out.readKeyValuesToList()).toEqual([{ key: 'lhs1', value: '(v|rhs1,R1)' }]);

    // a late response computed for an older value of lhs1 is dropped; one for the current value joins
    const respond = d.createInputTopic(responseTopic.slice(appId.length + 1), S, B);
    await respond.pipeInput('lhs1', Buffer.concat([Buffer.from([0x00]), murmur3(Buffer.from('v|rhs0')), Buffer.from('stale')]));
    expect(out.readKeyValuesToList()).toEqual([]);
    await respond.pipeInput('lhs1', Buffer.concat([Buffer.from([0x00]), murmur3(Buffer.from('v|rhs1')), Buffer.from('fresh')]));
    expect(out.readKeyValuesToList()).toEqual([{ key: 'lhs1', value: '(v|rhs1,fresh)' }]);
    // a response with no foreign value deletes an inner-join result
    await respond.pipeInput('lhs1', Buffer.concat([Buffer.from([0x00]), murmur3(Buffer.from('v|rhs1'))]));
    expect(out.readKeyValuesToList()).toEqual([{ key: 'lhs1', value: null }]);
  });
});

describe('subscriptions sent for each change of a primary row (SubscriptionSendProcessorSupplierTest, Kafka 4.2+ logic)', () => {
  const appId = 'fk-send';
  const topicName = `${appId}-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic`;
  const names = ['DELETE_KEY_NO_PROPAGATE', 'DELETE_KEY_AND_PROPAGATE', 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE', 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE'];
  function setUp(leftJoin: boolean) {
    const b = new StreamsBuilder();
    const left = b.table('left', Consumed.with(S, S));
    const right = b.table('right', Consumed.with(S, S));
    const extractor = (v: string) => v.split('|')[1] || null;
    const joiner = (a: string, c: string | null) => `${a}+${c}`;
    (leftJoin ? left.leftJoin(right, extractor, joiner) : left.join(right, extractor, joiner)).toStream().to('out', Produced.with(S, S));
    const d = drive(b, { applicationId: appId });
    const input = d.createInputTopic('left', S, S);
    const sent = d.createOutputTopic(topicName, S, B);
    return async (value: string | null) => {
      await input.pipeInput('pk', value);
      return sent.readRecordsToList().map((r) => [r.key, names[r.value![1]!], (r.value![0]! & 0x80) === 0x80 ? 'no hash' : 'hash']);
    };
  }

  it('left join', async () => {
    const send = setUp(true);
    expect(await send('a|fk1')).toEqual([['fk1', 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE', 'hash']]);
    expect(await send('b|fk1')).toEqual([['fk1', 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE', 'hash']]);
    expect(await send('b|fk2')).toEqual([
      ['fk1', 'DELETE_KEY_NO_PROPAGATE', 'hash'],
      ['fk2', 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE', 'hash'],
    ]);
    // to a null foreign key: unsubscribe, and a response anyway (the left-join result)
    expect(await send('b|')).toEqual([
      ['fk2', 'DELETE_KEY_NO_PROPAGATE', 'hash'],
      [null, 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE', 'hash'],
    ]);
    expect(await send('c|')).toEqual([[null, 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE', 'hash']]);
    expect(await send('c|fk1')).toEqual([['fk1', 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE', 'hash']]);
    expect(await send(null)).toEqual([
      ['fk1', 'DELETE_KEY_NO_PROPAGATE', 'no hash'],
      [null, 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE', 'no hash'],
    ]);
    expect(await send(null)).toEqual([]);
  });

  it('inner join', async () => {
    const send = setUp(false);
    expect(await send('a|')).toEqual([]); // a null foreign key joins nothing (a dropped record)
    expect(await send('a|fk1')).toEqual([['fk1', 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE', 'hash']]);
    expect(await send('b|fk1')).toEqual([['fk1', 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE', 'hash']]);
    expect(await send('b|fk2')).toEqual([
      ['fk1', 'DELETE_KEY_NO_PROPAGATE', 'hash'],
      ['fk2', 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE', 'hash'],
    ]);
    expect(await send('b|')).toEqual([['fk2', 'DELETE_KEY_AND_PROPAGATE', 'hash']]);
    expect(await send('c|')).toEqual([]);
    expect(await send('c|fk1')).toEqual([['fk1', 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE', 'hash']]);
    expect(await send(null)).toEqual([['fk1', 'DELETE_KEY_AND_PROPAGATE', 'no hash']]);
    expect(await send(null)).toEqual([]);
  });
});
