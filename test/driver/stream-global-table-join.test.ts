// KStream-GlobalKTable join and leftJoin through the TopologyTestDriver: the scenarios and expected
// values of Kafka's KStreamGlobalKTableJoinTest and KStreamGlobalKTableLeftJoinTest (stream records
// look the table up by a mapped key; table updates produce nothing; deletes clear entries; null keys
// and null mapped keys), with the record cache on and off.
import { describe, expect, it } from 'vitest';
import { Consumed, Serdes, StreamsBuilder, type TestInputTopic, type TopologyTestDriver } from 'sluice';
import { capture, kvt, useDrivers, type Captured } from './window-helpers.js';

const S = Serdes.String();
const I = Serdes.Integer();
const drive = useDrivers('global-join');
const expectedKeys = [0, 1, 2, 3];

describe.each([
  ['join', false, 'cache on', 10 * 1024 * 1024],
  ['join', false, 'cache off', 0],
  ['leftJoin', true, 'cache on', 10 * 1024 * 1024],
  ['leftJoin', true, 'cache off', 0],
] as const)('KStream-GlobalKTable %s (%s)', (_op, leftJoin, _cache, cacheMaxBytes) => {
  function setUp() {
    const b = new StreamsBuilder();
    const stream = b.stream('streamTopic', Consumed.with(I, S));
    const table = b.globalTable('globalTableTopic', Consumed.with(S, S));
    // the stream value is comma delimited; a second token is the key into the global table
    const keyMapper = (_k: number, v: string) => {
      const tokens = v.split(',');
      return tokens.length > 1 ? tokens[1] : null;
    };
    const joiner = (v1: string, v2: string | null) => `${v1}+${v2}`;
    const out = capture(leftJoin ? stream.leftJoin(table, keyMapper, joiner) : stream.join(table, keyMapper, joiner));
    const d: TopologyTestDriver = drive(b, { cacheMaxBytes });
    const streamTopic: TestInputTopic<number, string> = d.createInputTopic('streamTopic', I, S, { startTimestampMs: 0, autoAdvanceMs: 1 });
    const tableTopic: TestInputTopic<string, string> = d.createInputTopic('globalTableTopic', S, S, { startTimestampMs: 0, autoAdvanceMs: 1 });
    const taken = (): Captured<number | null, string>[] => out.splice(0) as Captured<number | null, string>[];
    const pushToStream = async (n: number, prefix: string, includeForeignKey: boolean, includeNullKey: boolean) => {
      for (let i = 0; i < n; i++) {
        const value = prefix + expectedKeys[i] + (includeForeignKey ? `,FKey${expectedKeys[i]}` : '');
        await streamTopic.pipeInput(includeNullKey && i === 0 ? null : expectedKeys[i]!, value);
      }
    };
    const pushToGlobalTable = async (n: number, prefix: string) => {
      for (let i = 0; i < n; i++) await tableTopic.pipeInput(`FKey${expectedKeys[i]}`, prefix + expectedKeys[i]);
    };
    const pushNullValueToGlobalTable = async (n: number) => {
      for (let i = 0; i < n; i++) await tableTopic.pipeInput(`FKey${expectedKeys[i]}`, null);
    };
    return { b, taken, pushToStream, pushToGlobalTable, pushNullValueToGlobalTable };
  }

  it('needs no co-partitioning (shouldNotRequireCopartitioning)', () => {
    const { b } = setUp();
    expect(b.build().copartitionGroups()).toEqual([]);
  });

  it('an empty global table (shouldNotJoinWithEmptyGlobalTableOnStreamUpdates)', async () => {
    const { taken, pushToStream } = setUp();
    await pushToStream(2, 'X', true, false);
    expect(taken()).toEqual(leftJoin ? [kvt(0, 'X0,FKey0+null', 0), kvt(1, 'X1,FKey1+null', 1)] : []);
  });

  it('table updates produce nothing; stream records see the latest table (shouldNotJoinOnGlobalTableUpdates)', async () => {
    const { taken, pushToStream, pushToGlobalTable } = setUp();
    await pushToStream(2, 'X', true, false);
    expect(taken()).toEqual(leftJoin ? [kvt(0, 'X0,FKey0+null', 0), kvt(1, 'X1,FKey1+null', 1)] : []);
    await pushToGlobalTable(2, 'Y');
    expect(taken()).toEqual([]);
    await pushToStream(4, 'X', true, false);
    expect(taken()).toEqual(
      leftJoin
        ? [kvt(0, 'X0,FKey0+Y0', 2), kvt(1, 'X1,FKey1+Y1', 3), kvt(2, 'X2,FKey2+null', 4), kvt(3, 'X3,FKey3+null', 5)]
        : [kvt(0, 'X0,FKey0+Y0', 2), kvt(1, 'X1,FKey1+Y1', 3)],
    );
    await pushToGlobalTable(4, 'YY');
    expect(taken()).toEqual([]);
    await pushToStream(4, 'X', true, false);
    expect(taken()).toEqual([kvt(0, 'X0,FKey0+YY0', 6), kvt(1, 'X1,FKey1+YY1', 7), kvt(2, 'X2,FKey2+YY2', 8), kvt(3, 'X3,FKey3+YY3', 9)]);
    await pushToGlobalTable(4, 'YYY');
    expect(taken()).toEqual([]);
  });

  it('joins only what matches, or everything for a left join (shouldJoinOnlyIfMatchFoundOnStreamUpdates / shouldJoinRegardlessIfMatchFoundOnStreamUpdates)', async () => {
    const { taken, pushToStream, pushToGlobalTable } = setUp();
    await pushToGlobalTable(2, 'Y');
    expect(taken()).toEqual([]);
    await pushToStream(4, 'X', true, false);
    expect(taken()).toEqual(
      leftJoin
        ? [kvt(0, 'X0,FKey0+Y0', 0), kvt(1, 'X1,FKey1+Y1', 1), kvt(2, 'X2,FKey2+null', 2), kvt(3, 'X3,FKey3+null', 3)]
        : [kvt(0, 'X0,FKey0+Y0', 0), kvt(1, 'X1,FKey1+Y1', 1)],
    );
  });

  it('a null table value deletes the entry (shouldClearGlobalTableEntryOnNullValueUpdates)', async () => {
    const { taken, pushToStream, pushToGlobalTable, pushNullValueToGlobalTable } = setUp();
    await pushToGlobalTable(4, 'Y');
    await pushToStream(4, 'X', true, false);
    expect(taken()).toEqual([kvt(0, 'X0,FKey0+Y0', 0), kvt(1, 'X1,FKey1+Y1', 1), kvt(2, 'X2,FKey2+Y2', 2), kvt(3, 'X3,FKey3+Y3', 3)]);
    await pushNullValueToGlobalTable(2);
    expect(taken()).toEqual([]);
    await pushToStream(4, 'XX', true, false);
    expect(taken()).toEqual(
      leftJoin
        ? [kvt(0, 'XX0,FKey0+null', 4), kvt(1, 'XX1,FKey1+null', 5), kvt(2, 'XX2,FKey2+Y2', 6), kvt(3, 'XX3,FKey3+Y3', 7)]
        : [kvt(2, 'XX2,FKey2+Y2', 6), kvt(3, 'XX3,FKey3+Y3', 7)],
    );
  });

  it('a null mapped key joins nothing, in a left join too (shouldNotJoinOnNullKeyMapperValues)', async () => {
    const { taken, pushToStream, pushToGlobalTable } = setUp();
    await pushToGlobalTable(4, 'Y');
    await pushToStream(4, 'XXX', false, false);
    expect(taken()).toEqual([]);
  });

  it('a null stream key still joins by its mapped key (shouldJoinOnNullKeyWithNonNullKeyMapperValues)', async () => {
    const { taken, pushToStream, pushToGlobalTable } = setUp();
    await pushToGlobalTable(leftJoin ? 4 : 2, 'Y');
    await pushToStream(4, 'X', true, true);
    expect(taken()).toEqual(
      leftJoin
        ? [kvt(null, 'X0,FKey0+Y0', 0), kvt(1, 'X1,FKey1+Y1', 1), kvt(2, 'X2,FKey2+Y2', 2), kvt(3, 'X3,FKey3+Y3', 3)]
        : [kvt(null, 'X0,FKey0+Y0', 0), kvt(1, 'X1,FKey1+Y1', 1)],
    );
  });
});

describe('KStream-GlobalKTable join', () => {
  it('passes the read-only key to the joiner, and keeps the stream\'s key serde and repartition need', async () => {
    const b = new StreamsBuilder();
    const table = b.globalTable('g', Consumed.with(S, S));
    const joined = b.stream('s', Consumed.with(S, S)).join(table, (_k, v) => v, (v, gv, k) => `${k}:${v}=${gv}`);
    const out = capture(joined);
    joined.groupByKey().count();
    expect(b.build().describe().toString()).not.toContain('repartition');
    const d = drive(b);
    await d.createInputTopic('g', S, S).pipeInput('a', 'A', 1);
    await d.createInputTopic('s', S, S).pipeInput('k', 'a', 2);
    expect(out).toEqual([kvt('k', 'k:a=A', 2)]);
  });

  it('is named KSTREAM-JOIN-<n> / KSTREAM-LEFTJOIN-<n> and refuses what is not a GlobalKTable', () => {
    const b = new StreamsBuilder();
    const table = b.globalTable('g', Consumed.with(S, S));
    const s = b.stream('s', Consumed.with(S, S));
    s.join(table, (_k, v) => v, (v) => v);
    s.leftJoin(table, (_k, v) => v, (v) => v);
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: KSTREAM-JOIN-0000000004 (stores: [])');
    expect(text).toContain('Processor: KSTREAM-LEFTJOIN-0000000005 (stores: [])');
    const bad = new StreamsBuilder();
    bad.stream('s', Consumed.with(S, S)).join({} as never, (_k: string, v: string) => v, (v: string) => v);
    expect(() => bad.build()).toThrow(/needs a GlobalKTable built by the same StreamsBuilder/);
  });
});
