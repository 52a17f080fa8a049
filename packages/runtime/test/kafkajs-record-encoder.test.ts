// The faster record encoder and produce request must write exactly the bytes kafkajs' own write.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeRecord, kafkajsOriginals, produceRequestV3 } from '../src/kafka/kafkajs-patches.js';

describe('record encoding patch', () => {
  const cases = [
    { offsetDelta: 0, timestampDelta: 0, key: null, value: null },
    { offsetDelta: 5, timestampDelta: 1234, key: Buffer.from('k'), value: Buffer.from('value') },
    { offsetDelta: 300, timestampDelta: -77, key: 'string key ü', value: 'ü'.repeat(200) },
    { offsetDelta: 70_000, timestampDelta: 1_795_650_000_123, key: Buffer.alloc(0), value: Buffer.alloc(20_000, 1) },
    { offsetDelta: 1, timestampDelta: 2 ** 40, key: Buffer.from([1, 2, 3]), value: null, headers: { trace: Buffer.from('abc'), multi: [Buffer.from('1'), 'two'], empty: Buffer.alloc(0) } },
  ];
  it.each(cases.map((c, i) => [i, c] as const))('case %i matches kafkajs byte for byte', (_i, c) => {
    expect(encodeRecord(c).buffer.toString('hex')).toBe(kafkajsOriginals.record!(c).buffer.toString('hex'));
  });
});

describe('produce request patch', () => {
  const ts = (i: number) => String(1_795_650_000_000 + ((i * 37) % 500));
  const messages = (n: number, withHeaders: boolean) =>
    Array.from({ length: n }, (_, i) => ({
      key: i % 7 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 11 === 0 ? null : Buffer.from(`value ${'x'.repeat(i % 50)}`),
      partition: i % 3,
      timestamp: ts(i),
      headers: withHeaders && i % 2 === 0 ? { h: Buffer.from(`h${i}`), multi: [Buffer.from('a'), 'b'] } : {},
    }));
  const requests = [
    { name: 'idempotent, two topics', args: { acks: -1, timeout: 30_000, producerId: 4711, producerEpoch: 3, topicData: [{ topic: 'a', partitions: [{ partition: 0, firstSequence: 17, messages: messages(40, true) }, { partition: 2, firstSequence: 0, messages: messages(1, false) }] }, { topic: 'b-changelog', partitions: [{ partition: 1, firstSequence: 5, messages: messages(300, false) }] }] } },
    { name: 'transactional, large producer id', args: { acks: -1, timeout: 5_000, transactionalId: 'app-0_1', producerId: '9007199254740993', producerEpoch: 1, topicData: [{ topic: 'out', partitions: [{ partition: 3, firstSequence: 2_000_000, messages: messages(5_000, true) }] }] } },
    { name: 'acks=1, no producer id, empty partition', args: { acks: 1, timeout: 1_000, topicData: [{ topic: 'x', partitions: [{ partition: 0, messages: [] }, { partition: 1, messages: messages(3, true) }] }] } },
  ];
  afterEach(() => {
    vi.useRealTimers();
  });
  it.each(requests.map((r) => [r.name, r.args] as const))('%s: same bytes as kafkajs', async (_name, args) => {
    // an empty partition's batch is stamped with the time of encoding: the same for both
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_795_650_000_000);
    const ours = await produceRequestV3(args).encode();
    const theirs = await kafkajsOriginals.produceV3!(args).encode();
    expect(ours.buffer.equals(theirs.buffer)).toBe(true);
    expect(produceRequestV3(args).apiVersion).toBe(3);
  });

  it('takes the smallest and largest timestamp as numbers, and refuses one that is not a number', async () => {
    const args = { acks: -1, timeout: 1_000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: 'a', timestamp: '20000' }, { value: 'b', timestamp: '5000' }, { value: 'c', timestamp: '100000' }] }] }] };
    const buf = (await produceRequestV3(args).encode()).buffer;
    // the batch starts after: transactional id (2), acks (2), timeout (4), topics (4), name (2+1), partitions (4), partition (4), size (4)
    const batch = buf.subarray(2 + 2 + 4 + 4 + 3 + 4 + 4 + 4);
    expect(Number(batch.readBigInt64BE(8 + 4 + 4 + 1 + 4 + 2 + 4))).toBe(5000);
    expect(Number(batch.readBigInt64BE(8 + 4 + 4 + 1 + 4 + 2 + 4 + 8))).toBe(100_000);
    const bad = { ...args, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: 'a', timestamp: 'yesterday' }] }] }] };
    await expect(produceRequestV3(bad).encode()).rejects.toThrow(/timestamp yesterday is not an integer/);
  });
});
