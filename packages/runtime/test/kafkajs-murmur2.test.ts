// The Math.imul murmur2 must hash exactly as kafkajs' (Long-based) one and as Kafka's Java client,
// or records would land on other partitions than Java producers put the same keys on.
import { describe, expect, it } from 'vitest';
import { kafkajsOriginals, murmur2 } from '../src/kafka/kafkajs-patches.js';

describe('murmur2 patch', () => {
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
        expect(murmur2(key)).toBe(kafkajsOriginals.murmur2!(key));
      }
    }
    expect(murmur2('ü-string key')).toBe(kafkajsOriginals.murmur2!('ü-string key'));
  });
});
