// Co-partitioning on the real broker: joining topics with different partition counts fails at start
// with the fix; the fix (repartition() with the other side's count) works; a re-keyed side's
// repartition topic is created with the partition count of the topic it is joined with.
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, Joined, KafkaStreams, Produced, Repartitioned, Serdes, StreamsBuilder, type KStream } from 'sluice';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, topicMetadata, uniqueName } from '../helpers/kafka.js';

afterAll(closeTestClients);
const S = Serdes.String();
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

async function app(appId: string, build: (b: StreamsBuilder) => void): Promise<KafkaStreams> {
  const b = new StreamsBuilder();
  build(b);
  return new KafkaStreams(b.build(), { applicationId: appId, bootstrapServers: kafkaBrokers(), logger: quiet, commitIntervalMs: 200 });
}

function enrich(orders: KStream<string, string>, b: StreamsBuilder, customers: string, out: string): void {
  orders.join(b.table(customers, Consumed.with(S, S)), (o: string, c: string) => `${o}@${c}`, Joined.with(S, S, S)).to(out, Produced.with(S, S));
}

describe('joins need co-partitioned inputs', () => {
  it('topics with different partition counts: start() fails naming both counts and the fix', async () => {
    const orders = await createTopic('cp-orders', { partitions: 3 });
    const customers = await createTopic('cp-customers', { partitions: 4 });
    // the output topic exists: a missing one would stop start-up first (checked before partition counts)
    const out = await createTopic('cp-out', { partitions: 4 });
    const appId = uniqueName('cp-fail');
    const a = await app(appId, (b) => enrich(b.stream(orders, Consumed.with(S, S)), b, customers, out));
    try {
      await expect(a.start()).rejects.toThrow(
        `topic '${orders}' has 3 partitions but '${customers}' has 4; joins need co-partitioned inputs — repartition one side with .repartition(Repartitioned.numberOfPartitions(4))`,
      );
      expect(a.state).toBe('ERROR');
    } finally {
      await a.close();
      await deleteTopicsWithPrefix(appId);
    }
  });

  it('repartition(Repartitioned.numberOfPartitions(4)) of the smaller side fixes it', async () => {
    const orders = await createTopic('cp-orders', { partitions: 3 });
    const customers = await createTopic('cp-customers', { partitions: 4 });
    const out = await createTopic('cp-out', { partitions: 4 });
    const appId = uniqueName('cp-fix');
    const a = await app(appId, (b) =>
      enrich(b.stream(orders, Consumed.with(S, S)).repartition(Repartitioned.with(S, S).withName('orders-by-customer').withNumberOfPartitions(4)), b, customers, out),
    );
    try {
      await produce(customers, [{ key: 'c1', value: 'Ada' }, { key: 'c2', value: 'Bob' }]);
      await a.start();
      await new Promise((r) => setTimeout(r, 1_000));
      await produce(orders, [{ key: 'c1', value: 'o1' }, { key: 'c2', value: 'o2' }, { key: 'c1', value: 'o3' }]);
      const got = await consumeUntil(out, 3, { timeoutMs: 60_000 });
      expect(got.map((r) => `${r.key}=${r.value}`).sort()).toEqual(['c1=o1@Ada', 'c1=o3@Ada', 'c2=o2@Bob']);
      expect((await topicMetadata(`${appId}-orders-by-customer-repartition`)).partitions.length).toBe(4);
    } finally {
      await a.close();
      await deleteTopicsWithPrefix(appId);
    }
  });

  it('a re-keyed side is repartitioned into as many partitions as the topic it is joined with', async () => {
    const orders = await createTopic('cp-orders', { partitions: 3 });
    const customers = await createTopic('cp-customers', { partitions: 4 });
    const out = await createTopic('cp-out', { partitions: 4 });
    const appId = uniqueName('cp-rekey');
    const a = await app(appId, (b) =>
      enrich(
        b.stream(orders, Consumed.with(S, S)).selectKey((_k, v) => v.split('/')[0]!),
        b,
        customers,
        out,
      ),
    );
    try {
      await produce(customers, [{ key: 'c1', value: 'Ada' }]);
      await a.start();
      await new Promise((r) => setTimeout(r, 1_000));
      await produce(orders, [{ key: 'o1', value: 'c1/o1' }]);
      const got = await consumeUntil(out, 1, { timeoutMs: 60_000 });
      expect(got.map((r) => `${r.key}=${r.value}`)).toEqual(['c1=c1/o1@Ada']);
      expect((await topicMetadata(`${appId}-KSTREAM-KEY-SELECT-0000000001-repartition`)).partitions.length).toBe(4);
    } finally {
      await a.close();
      await deleteTopicsWithPrefix(appId);
    }
  });
});
