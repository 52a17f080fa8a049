// Unit tests of the foreign-key join's hash and wire format against Kafka Streams' own tests:
// Murmur3Test.testMurmur3_128 vectors, SubscriptionWrapperSerdeTest, SubscriptionResponseWrapperSerdeTest
// and CombinedKeySchemaTest.
import { describe, expect, it } from 'vitest';
import { Serdes } from '@sluice/serdes';
import { murmur3Hash128 } from '../src/dsl/foreign-key-join/murmur3.js';
import { BoundSerde, CombinedKeySchema, FkJoinTopics, Instruction, SubscriptionResponseWrapperSerde, SubscriptionWrapperSerde } from '../src/dsl/foreign-key-join/wrappers.js';

const S = Serdes.String();
const I = Serdes.Integer();

describe('murmur3 hash128', () => {
  it('matches Kafka Streams\' Murmur3Test vectors (seed 123)', () => {
    const cases: [Buffer, bigint, bigint][] = [
      [Buffer.from('21'), 5857341059704281894n, -5288187638297930763n],
      [Buffer.from('foobar'), -351361463397418609n, 8959716011862540668n],
      [Buffer.from('a-little-bit-long-string'), 8836256500583638442n, -198172363548498523n],
      [Buffer.from('a-little-bit-longer-string'), 1838346159335108511n, 8794688210320490705n],
      [Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -4024021876037397259n, -1482317706335141238n],
      [Buffer.from([97, 98, 99]), 1489494923063836066n, -5440978547625122829n],
    ];
    for (const [data, h1, h2] of cases) {
      const h = murmur3Hash128(data, 123);
      expect([h.readBigInt64BE(0), h.readBigInt64BE(8)]).toEqual([h1, h2]);
    }
  });

  it('defaults to Kafka\'s seed 104729 and differs for different values', () => {
    expect(murmur3Hash128(Buffer.from('abc'))).toEqual(murmur3Hash128(Buffer.from('abc'), 104729));
    expect(murmur3Hash128(Buffer.from('abc')).equals(murmur3Hash128(Buffer.from('abd')))).toBe(false);
    expect(murmur3Hash128(Buffer.alloc(0))).toHaveLength(16);
  });
});

function topics(): FkJoinTopics {
  const t = new FkJoinTopics('KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic');
  t.bind('app');
  return t;
}

describe('SubscriptionWrapperSerde', () => {
  const serde = new SubscriptionWrapperSerde<string>(topics(), new BoundSerde(S, 'key', 'no key serde'));
  const hash = murmur3Hash128(Buffer.from([0xff, 0xaa, 0x00, 0x19]));

  it('round-trips version 1 with a hash and a primary partition (shouldSerdeV1Test)', () => {
    const w = { hash, instruction: Instruction.DELETE_KEY_AND_PROPAGATE, primaryKey: 'originalKey', version: 1, primaryPartition: 10 };
    const bytes = serde.serialize('ignored', w);
    expect(bytes).toEqual(Buffer.concat([Buffer.from([1, 1]), hash, Buffer.from('originalKey'), Buffer.from([0, 0, 0, 10])]));
    expect(serde.deserialize('ignored', bytes)).toEqual(w);
  });

  it('round-trips a null hash (the high bit of the version byte), version 0 without a partition (shouldSerdeNullHashV0Test)', () => {
    const w = { hash: null, instruction: Instruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE, primaryKey: 'originalKey', version: 0, primaryPartition: undefined };
    const bytes = serde.serialize('ignored', w);
    expect(bytes).toEqual(Buffer.concat([Buffer.from([0x80, 3]), Buffer.from('originalKey')]));
    expect(serde.deserialize('ignored', bytes)).toEqual(w);
  });

  it('refuses a version it does not know and an unknown instruction', () => {
    expect(() => serde.serialize('t', { hash: null, instruction: 0, primaryKey: 'k', version: 2, primaryPartition: 0 })).toThrow(/unsupported SubscriptionWrapper version 2/);
    expect(() => serde.deserialize('t', Buffer.from([0x81, 9, 0x41, 0, 0, 0, 0]))).toThrow(/unknown subscription instruction 9/);
  });
});

describe('SubscriptionResponseWrapperSerde', () => {
  const serde = new SubscriptionResponseWrapperSerde<string>(new BoundSerde(S, 'value', 'no value serde'));
  const hash = murmur3Hash128(Buffer.from([0xff, 0xaa, 0x00, 0x19]));

  it('round-trips a value with a hash (ShouldSerdeWithNonNullsTest)', () => {
    const bytes = serde.serialize('t', { originalValueHash: hash, foreignValue: 'foreignValue', version: 0, primaryPartition: 3 });
    expect(bytes).toEqual(Buffer.concat([Buffer.from([0]), hash, Buffer.from('foreignValue')]));
    expect(serde.deserialize('t', bytes)).toEqual({ originalValueHash: hash, foreignValue: 'foreignValue', version: 0, primaryPartition: undefined });
  });

  it('round-trips nulls (shouldSerdeWithNullForeignValueTest, shouldSerdeWithNullHashTest)', () => {
    expect(serde.serialize('t', { originalValueHash: hash, foreignValue: null, version: 0, primaryPartition: undefined })).toEqual(Buffer.concat([Buffer.from([0]), hash]));
    expect(serde.serialize('t', { originalValueHash: null, foreignValue: 'v', version: 0, primaryPartition: undefined })).toEqual(Buffer.from([0x80, 0x76]));
    expect(serde.deserialize('t', Buffer.from([0x80]))).toEqual({ originalValueHash: null, foreignValue: null, version: 0, primaryPartition: undefined });
  });
});

describe('CombinedKeySchema', () => {
  const schema = new CombinedKeySchema<string, number>(topics(), new BoundSerde(S, 'key', 'fk'), new BoundSerde(I, 'key', 'pk'));

  it('writes {int32 foreign key length}{foreign key}{primary key}; the prefix is the first part (nonNullPrimaryKeySerdeTest, prefixKeySerdeTest)', () => {
    const bytes = schema.toBytes('someForeignKey', 10);
    expect(bytes).toEqual(Buffer.concat([Buffer.from([0, 0, 0, 14]), Buffer.from('someForeignKey'), Buffer.from([0, 0, 0, 10])]));
    expect(bytes.subarray(0, 18)).toEqual(schema.prefixBytes('someForeignKey'));
    expect(schema.primaryKeyOf(bytes)).toBe(10);
  });

  it('serializes keys for the pseudo topics <app>-<subscription topic>-fk / -pk', () => {
    const seen: string[] = [];
    const spy = { name: 'spy', serialize: (topic: string, v: string) => (seen.push(topic), S.serialize(topic, v)), deserialize: S.deserialize };
    new CombinedKeySchema<string, string>(topics(), new BoundSerde(spy, 'key', 'fk'), new BoundSerde(spy, 'key', 'pk')).toBytes('a', 'b');
    expect(seen).toEqual(['app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic-fk', 'app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic-pk']);
  });
});
