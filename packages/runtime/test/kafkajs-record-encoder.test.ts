// The faster record encoder must write exactly the bytes kafkajs' own encoder writes.
import { describe, expect, it } from 'vitest';
import { encodeRecord, kafkajsRecordEncoder } from '../src/kafka/kafkajs-patches.js';

describe('record encoding patch', () => {
  const cases = [
    { offsetDelta: 0, timestampDelta: 0, key: null, value: null },
    { offsetDelta: 5, timestampDelta: 1234, key: Buffer.from('k'), value: Buffer.from('value') },
    { offsetDelta: 300, timestampDelta: -77, key: 'string key ü', value: 'ü'.repeat(200) },
    { offsetDelta: 70_000, timestampDelta: 1_795_650_000_123, key: Buffer.alloc(0), value: Buffer.alloc(20_000, 1) },
    { offsetDelta: 1, timestampDelta: 2 ** 40, key: Buffer.from([1, 2, 3]), value: null, headers: { trace: Buffer.from('abc'), multi: [Buffer.from('1'), 'two'], empty: Buffer.alloc(0) } },
  ];
  it.each(cases.map((c, i) => [i, c] as const))('case %i matches kafkajs byte for byte', (_i, c) => {
    expect(encodeRecord(c).buffer.toString('hex')).toBe(kafkajsRecordEncoder(c).buffer.toString('hex'));
  });
});
