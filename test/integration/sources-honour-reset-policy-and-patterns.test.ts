// Issue 11 §5 on the real broker: a source's offset reset policy is honoured on first start ('latest'
// skips what was in the topic before), and a RegExp source reads topics created after start (Kafka's
// pattern subscription, looked up every metadataMaxAgeMs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from 'sluice';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, consumeUntil, createTopic, createTopicNamed, deleteTopics, produce, uniqueName } from '../helpers/kafka.js';

afterAll(closeTestClients);
const S = Serdes.String();
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

describe('sources', () => {
  it("Consumed.with(..., 'latest') skips what the topic held before the first start", async () => {
    const input = await createTopic('reset-in', { partitions: 2 });
    const output = await createTopic('reset-out', { partitions: 1 });
    await produce(input, [{ key: 'k', value: 'old-1' }, { key: 'k', value: 'old-2' }]);
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S, undefined, 'latest')).to(output, Produced.with(S, S));
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-reset-'));
    const app = new KafkaStreams(b.build(), { applicationId: uniqueName('reset'), bootstrapServers: kafkaBrokers(), stateDir, logger: quiet, commitIntervalMs: 200 });
    try {
      await app.start();
      await produce(input, [{ key: 'k', value: 'new-1' }]);
      const out = await consumeUntil(output, 1, { timeoutMs: 30_000, settleMs: 1_500 });
      expect(out.map((r) => r.value!.toString())).toEqual(['new-1']);
    } finally {
      await app.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('a RegExp source reads a topic created after start, and the records already in it', async () => {
    const prefix = uniqueName('pattern');
    const first = `${prefix}-a`;
    await createTopicNamed(first, { partitions: 2 });
    const output = await createTopic('pattern-out', { partitions: 1 });
    const b = new StreamsBuilder();
    b.stream(new RegExp(`^${prefix}-.*`), Consumed.with(S, S)).mapValues((v) => v.toUpperCase()).to(output, Produced.with(S, S));
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-pattern-'));
    const app = new KafkaStreams(b.build(), { applicationId: uniqueName('pattern-app'), bootstrapServers: kafkaBrokers(), stateDir, logger: quiet, metadataMaxAgeMs: 1_000, commitIntervalMs: 200 });
    const later = `${prefix}-b`;
    try {
      await app.start();
      await produce(first, [{ key: 'x', value: 'from a' }]);
      await createTopicNamed(later, { partitions: 3 });
      await produce(later, [{ key: 'y', value: 'from b' }, { key: 'z', value: 'also from b' }]);
      const out = await consumeUntil(output, 3, { timeoutMs: 60_000, settleMs: 1_000 });
      expect(out.map((r) => r.value!.toString()).sort()).toEqual(['ALSO FROM B', 'FROM A', 'FROM B']);
    } finally {
      await app.close();
      await deleteTopics([later]);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
