// Keyed records must land on the partitions Java producers choose: Sluice's murmur2 against Kafka's
// own test vectors and against kafkajs' implementation.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '@sluice/common';

const kafkajsMurmur2 = createRequire(import.meta.url)('sluice-kafkajs/src/producer/partitioners/default/murmur2.js') as (k: Buffer | string) => number;

describe('murmur2', () => {
  it("gives the values of Kafka's UtilsTest.testMurmur2", () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, want] of cases) expect([key, murmur2(Buffer.from(key))]).toEqual([key, want]);
  });

  it('agrees with kafkajs on every key length and on high bytes', () => {
    let seed = 42;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    for (let len = 0; len < 64; len++) {
      for (let rep = 0; rep < 20; rep++) {
        const key = Buffer.alloc(len);
        for (let i = 0; i < len; i++) key[i] = next();
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }
    }
  });

  it('picks partitions as the Java default partitioner (toPositive(murmur2) % n)', () => {
    // Kafka's BuiltInPartitioner.partitionForKey: Utils.toPositive(Utils.murmur2(key)) % numPartitions
    expect(partitionForKey(Buffer.from('foobar'), 3)).toBe((-790332482 & 0x7fffffff) % 3);
    for (let n = 1; n < 20; n++) expect(partitionForKey(Buffer.from('a-little-bit-long-string'), n)).toBe((-985981536 & 0x7fffffff) % n);
  });
});
