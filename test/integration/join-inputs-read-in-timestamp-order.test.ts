// Records of the two inputs of a join are processed in timestamp order, however they were written
// (Kafka's PartitionGroup with max.task.idle.ms 0): all orders are in their topic before the first
// payment is, and every payment still finds its order within a window far smaller than the input's
// time span. A task that ran one input ahead of the other (while the other's records were still on
// the broker, or fetched but not handed to it yet) would drop most joins as out of the window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, JoinWindows, KafkaStreams, Produced, Serdes, StreamJoined, StreamsBuilder } from 'sluice';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, uniqueName, type TestRecord } from '../helpers/kafka.js';

afterAll(closeTestClients);

describe('a join reads its inputs in timestamp order', () => {
  it('joins every payment with its order although all orders were written before the first payment', async () => {
    const partitions = 3;
    const pairs = 3_000;
    const orders = await createTopic('ordered-orders', { partitions });
    const payments = await createTopic('ordered-payments', { partitions });
    const out = await createTopic('ordered-joined', { partitions });
    const base = Date.now() - 3_600_000;
    // an order every 100 ms of event time (5 minutes in all), its payment 50 ms later; windows of 1 s
    const order = (i: number): TestRecord => ({ key: `o${i}`, value: `order-${i}`, partition: i % partitions, timestamp: base + i * 100 });
    const payment = (i: number): TestRecord => ({ key: `o${i}`, value: `paid-${i}`, partition: i % partitions, timestamp: base + i * 100 + 50 });
    await produce(orders, Array.from({ length: pairs }, (_, i) => order(i)));
    await produce(payments, Array.from({ length: pairs }, (_, i) => payment(i)));

    const S = Serdes.String();
    const b = new StreamsBuilder();
    b.stream(orders, Consumed.with(S, S))
      .join(b.stream(payments, Consumed.with(S, S)), (o: string, p: string) => `${o}+${p}`, JoinWindows.ofTimeDifferenceAndGrace(1_000, 2_000), StreamJoined.with(S, S, S))
      .to(out, Produced.with(S, S));
    const appId = uniqueName('ordered-join');
    const stateDir = mkdtempSync(path.join(tmpdir(), 'ordered-join-'));
    const app = new KafkaStreams(b.build(), { applicationId: appId, bootstrapServers: kafkaBrokers(), stateDir, commitIntervalMs: 200, logLevel: 'warn' });
    try {
      await app.start();
      const joined = await consumeUntil(out, pairs, { timeoutMs: 60_000 });
      // a little longer: nothing more (and nothing twice) comes
      const values = joined.map((r) => r.value!.toString());
      expect(new Set(values).size).toBe(pairs);
      expect(values.length).toBe(pairs);
      expect(values).toContain(`order-${pairs - 1}+paid-${pairs - 1}`);
    } finally {
      await app.close();
      rmSync(stateDir, { recursive: true, force: true });
      await deleteTopicsWithPrefix(appId);
    }
  });
});
