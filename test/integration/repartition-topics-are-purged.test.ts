// Repartition topics do not grow forever (issue 14 §6): once their records are processed and
// committed, the worker deletes the records below the committed offset (Kafka's deleteRecords, every
// `repartitionPurgeIntervalMs`, as Kafka Streams does with repartition.purge.interval.ms), so the
// topic's log start moves up to what was committed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, Grouped, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder } from 'sluice';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, testKafka, uniqueName } from '../helpers/kafka.js';

afterAll(closeTestClients);

const S = Serdes.String();

async function offsets(topic: string): Promise<{ low: number; high: number }> {
  const admin = testKafka('purge-check').admin();
  await admin.connect();
  try {
    const parts = await admin.fetchTopicOffsets(topic);
    return parts.reduce((t, p) => ({ low: t.low + Number(p.low), high: t.high + Number(p.high) }), { low: 0, high: 0 });
  } finally {
    await admin.disconnect();
  }
}

describe('repartition topics', () => {
  it('lose the records the application has processed and committed', async () => {
    const input = await createTopic('purge-in', { partitions: 2 });
    const output = await createTopic('purge-out', { partitions: 2 });
    const appId = uniqueName('purge');
    const repartition = `${appId}-words-repartition`;
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
      .flatMapValues((line) => line.split(' '))
      .groupBy((_k, word) => word, Grouped.with(S, S).withName('words'))
      .count(Materialized.as<string, number>('counts').withKeySerde(S).withValueSerde(Serdes.Long()))
      .toStream()
      .to(output, Produced.with(S, Serdes.Long()));
    const stateDir = mkdtempSync(path.join(tmpdir(), 'purge-'));
    const app = new KafkaStreams(b.build(), {
      applicationId: appId,
      bootstrapServers: kafkaBrokers(),
      stateDir,
      commitIntervalMs: 200,
      repartitionPurgeIntervalMs: 500,
      cacheMaxBytes: 0,
      logLevel: 'warn',
    });
    try {
      await app.start();
      const lines = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: `w${i % 7} w${i % 5} w${i % 3}` }));
      await produce(input, lines);
      // every word counted: 600 updates out, so every repartition record was processed
      await consumeUntil(output, 600, { timeoutMs: 60_000 });
      const deadline = Date.now() + 30_000;
      let seen = await offsets(repartition);
      while (seen.low < seen.high && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        seen = await offsets(repartition);
      }
      expect(seen.high).toBe(600);
      // purged up to the committed offsets: everything, since everything was processed and committed
      expect(seen.low).toBe(seen.high);
    } finally {
      await app.close();
      await deleteTopicsWithPrefix(appId);
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 120_000);
});
