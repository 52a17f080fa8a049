// Proof that the local broker is a real Kafka with working transactions for kafkajs: records and
// consumer offsets committed in one transaction are visible to read_committed readers; records of an
// aborted transaction never are.
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, testKafka, uniqueName } from '../helpers/kafka.js';

afterAll(closeTestClients);

describe('kafkajs transactions against the local broker', () => {
  it('commits records and consumer offsets atomically; aborted records are never read', async () => {
    const topic = await createTopic('tx-out', { partitions: 3 });
    const groupId = uniqueName('tx-group');
    const kafka = testKafka('tx-test');
    const producer = kafka.producer({ transactionalId: uniqueName('tx-id'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({
        topic,
        messages: [
          { key: 'a', value: 'committed-1', partition: 0 },
          { key: 'b', value: 'committed-2', partition: 1 },
        ],
      });
      await committed.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 2, offset: '42' }] }] });
      await committed.commit();

      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'c', value: 'aborted', partition: 2 }] });
      await aborted.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }] });
      await aborted.abort();

      const last = await producer.transaction();
      await last.send({ topic, messages: [{ key: 'd', value: 'committed-3', partition: 2 }] });
      await last.commit();

      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      const byPartition = Object.fromEntries(offsets[0]!.partitions.map((p) => [p.partition, p.offset]));
      expect(byPartition).toEqual({ 0: '-1', 1: '-1', 2: '42' });

      const read = await consumeUntil(topic, 3, { readCommitted: true, settleMs: 1_000 });
      expect(read.map((r) => r.value?.toString()).sort()).toEqual(['committed-1', 'committed-2', 'committed-3']);

      // a read_uncommitted reader does see the aborted record: the abort really happened in the log
      const raw = await consumeUntil(topic, 4, { readCommitted: false, settleMs: 500 });
      expect(raw.map((r) => r.value?.toString())).toContain('aborted');
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('fences a zombie producer that shares the transactional id', async () => {
    const topic = await createTopic('tx-fence');
    const transactionalId = uniqueName('tx-fenced');
    const kafka = testKafka('tx-fence');
    const zombie = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2, initialRetryTime: 50 } });
    const successor = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await zombie.connect();
    try {
      const zt = await zombie.transaction();
      await zt.send({ topic, messages: [{ key: 'z', value: 'zombie' }] });
      await successor.connect();
      const st = await successor.transaction(); // InitProducerId bumps the epoch and aborts the zombie's open transaction
      await st.send({ topic, messages: [{ key: 's', value: 'successor' }] });
      await st.commit();
      await expect(zt.commit()).rejects.toThrow(/fenced|epoch|not valid|invalid/i);
      const read = await consumeUntil(topic, 1, { readCommitted: true, settleMs: 1_000 });
      expect(read.map((r) => r.value?.toString())).toEqual(['successor']);
    } finally {
      await zombie.disconnect().catch(() => undefined);
      await successor.disconnect();
    }
  });
});
