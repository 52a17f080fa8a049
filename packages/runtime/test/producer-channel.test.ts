// The producer channel: records go out in batches (not one request each), a flush waits for every
// acknowledgement, written offsets of changelog partitions are tracked for checkpoints, and a record
// the broker refuses is decided by the production handler one by one — skipped and dead-lettered, or
// failing the flush with the record and its source named.
import { describe, expect, it } from 'vitest';
import { Headers, type OutgoingRecord } from '@sluice/core';
import type { Logger } from '@sluice/common';
import { RecordsRejectedError } from '../src/kafka/produce/producer.js';
import { KafkaProtocolError } from '../src/kafka/wire/errors.js';
import type { ProduceAck, ProduceRecord, Producer } from '../src/ports.js';
import { ProducerChannel } from '../src/record-collector.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** A producer port that writes to per-partition logs in memory and refuses values marked 'too-large'. */
class MemoryProducer implements Producer {
  readonly sends: ProduceRecord[][] = [];
  readonly logs = new Map<string, ProduceRecord[]>();
  async send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    this.sends.push([...records]);
    await new Promise((r) => setTimeout(r, 1));
    const acks: ProduceAck[] = [];
    const rejected = [];
    const byTp = new Map<string, ProduceRecord[]>();
    for (const r of records) {
      if (r.value?.toString() === 'too-large') {
        rejected.push({ record: r, error: new KafkaProtocolError(10, `producing 1 record to ${r.topic}-${r.partition ?? 0}`, 'the record is 3000 bytes, more than topic accepts (max.message.bytes)') });
        continue;
      }
      const k = `${r.topic}:${r.partition ?? 0}`;
      byTp.set(k, [...(byTp.get(k) ?? []), r]);
    }
    for (const [k, rs] of byTp) {
      const log = this.logs.get(k) ?? [];
      acks.push({ topic: rs[0]!.topic, partition: rs[0]!.partition ?? 0, baseOffset: log.length, count: rs.length });
      this.logs.set(k, [...log, ...rs]);
    }
    if (rejected.length > 0) throw new RecordsRejectedError(rejected, acks);
    return acks;
  }
  async partitionCount(): Promise<number> {
    return 3;
  }
  async close(): Promise<void> {}
}

const out = (topic: string, value: string, partition = 0, source?: { offset: number }): OutgoingRecord => ({
  topic,
  key: Buffer.from('k'),
  value: Buffer.from(value),
  timestamp: 1_000,
  headers: new Headers(),
  partition,
  partitioner: undefined,
  ...(source ? { source: { topic: 'in', partition: 0, offset: source.offset, timestamp: 1_000, key: Buffer.from('k'), value: Buffer.from(`src-${value}`), headers: new Headers() } } : {}),
});

describe('ProducerChannel', () => {
  it('sends what was buffered in one request and knows the last offset written per partition', async () => {
    const p = new MemoryProducer();
    const ch = new ProducerChannel(p, { handler: 'logAndFail', deadLetterQueueTopic: undefined, logger: quiet });
    for (let i = 0; i < 10; i++) ch.add(out('app-store-changelog', `v${i}`, i % 2));
    await ch.flush();
    expect(p.sends).toHaveLength(1);
    expect(ch.takeWrittenOffsets()).toEqual(new Map([['app-store-changelog:0', 4], ['app-store-changelog:1', 4]]));
    expect(ch.takeWrittenOffsets()).toEqual(new Map());
  });

  it('a refused record with logAndContinue is skipped and dead-lettered as its source record; the others are written', async () => {
    const p = new MemoryProducer();
    const ch = new ProducerChannel(p, { handler: 'logAndContinue', deadLetterQueueTopic: 'dlq', logger: quiet });
    ch.add(out('out', 'a', 0, { offset: 7 }));
    ch.add(out('out', 'too-large', 0, { offset: 8 }));
    ch.add(out('out', 'b', 0, { offset: 9 }));
    await ch.flush();
    expect(p.logs.get('out:0')!.map((r) => r.value!.toString())).toEqual(['a', 'b']);
    const dead = p.logs.get('dlq:0')!;
    expect(dead.map((r) => r.value!.toString())).toEqual(['src-too-large']);
    expect(dead[0]!.headers['__streams.errors.offset']!.toString()).toBe('8');
    expect(dead[0]!.headers['__streams.errors.message']!.toString()).toMatch(/max\.message\.bytes/);
  });

  it('a refused record with the default handler fails the flush naming the record, its source and the limit', async () => {
    const ch = new ProducerChannel(new MemoryProducer(), { handler: 'logAndFail', deadLetterQueueTopic: undefined, logger: quiet });
    ch.add(out('out', 'too-large', 2, { offset: 8 }));
    await expect(ch.flush()).rejects.toThrow(/the record for topic 'out' partition 2 could not be written \(from the record at topic 'in' partition 0 offset 8\): .*max\.message\.bytes/);
  });

  it('an async custom handler decides per record and may add dead-letter records of its own', async () => {
    const p = new MemoryProducer();
    const seen: string[] = [];
    const ch = new ProducerChannel(p, {
      handler: async (ctx) => {
        await new Promise((r) => setTimeout(r, 2));
        seen.push(`${ctx.topic}:${ctx.value?.toString()}:${ctx.source?.offset}`);
        return { response: 'CONTINUE', deadLetterQueueRecords: [{ topic: 'mine', key: null, value: Buffer.from('noted') }] };
      },
      deadLetterQueueTopic: undefined,
      logger: quiet,
    });
    ch.add(out('out', 'too-large', 0, { offset: 1 }));
    ch.add(out('out', 'too-large', 1, { offset: 2 }));
    await ch.flush();
    expect(seen).toEqual(['out:too-large:1', 'out:too-large:2']);
    expect(p.logs.get('mine:0')!.map((r) => r.value!.toString())).toEqual(['noted', 'noted']);
  });

  it('waits for capacity when too many sends are in flight (backpressure)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: Producer = { send: async () => (await gate, []), partitionCount: async () => 1, close: async () => undefined };
    const ch = new ProducerChannel(slow, { handler: 'logAndFail', deadLetterQueueTopic: undefined, logger: quiet });
    for (let i = 0; i < 6; i++) {
      ch.add(out('out', 'x'));
      ch.sendPending();
    }
    let waited = false;
    const w = ch.waitForCapacity().then(() => (waited = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(waited).toBe(false);
    release();
    await w;
    expect(waited).toBe(true);
  });
});
