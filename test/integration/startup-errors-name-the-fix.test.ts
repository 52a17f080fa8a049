// Start-up refuses what cannot work, with the exact fix: missing source topics, internal topics with
// the wrong partition count or cleanup policy, unknown config keys; cleanUp() deletes local state.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder } from 'sluice';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, createTopic, createTopicNamed, deleteTopicsWithPrefix, uniqueName } from '../helpers/kafka.js';

afterAll(closeTestClients);
const S = Serdes.String();
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

function countApp(input: string, output: string) {
  const b = new StreamsBuilder();
  b.stream(input, Consumed.with(S, S)).groupByKey().count(undefined, Materialized.as<string, number>('counts')).toStream().to(output, Produced.with(S, Serdes.Long()));
  return b.build();
}

describe('start-up errors', () => {
  it('a missing source topic: start() rejects naming it, the app goes to ERROR', async () => {
    const missing = uniqueName('no-such-topic');
    const app = new KafkaStreams(countApp(missing, 'whatever'), { applicationId: uniqueName('missing-src'), bootstrapServers: kafkaBrokers(), logger: quiet });
    const states: string[] = [];
    app.onStateChange((n) => states.push(n));
    await expect(app.start()).rejects.toThrow(new RegExp(`source topic '${missing}' not found; create it before starting the application`));
    expect(app.state).toBe('ERROR');
    expect(states).toEqual(['REBALANCING', 'PENDING_ERROR', 'ERROR']);
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('a changelog topic with the wrong partition count or cleanup policy stops start-up with the fix', async () => {
    const input = await createTopic('mismatch-in', { partitions: 3 });
    const output = await createTopic('mismatch-out');
    const appId = uniqueName('mismatch');
    try {
      await createTopicNamed(`${appId}-counts-changelog`, { partitions: 2, config: { 'cleanup.policy': 'delete' } });
      const app = new KafkaStreams(countApp(input, output), { applicationId: appId, bootstrapServers: kafkaBrokers(), logger: quiet });
      const err = (await app.start().catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(new RegExp(`internal topic '${appId}-counts-changelog' has 2 partitions but the topology needs 3`));
      expect(err.message).toMatch(/kafka-topics.sh --delete --topic/);
      expect(err.message).toMatch(/has cleanup.policy=delete but needs compact; fix it with: kafka-configs.sh --alter/);
      await app.close();
    } finally {
      await deleteTopicsWithPrefix(appId);
    }
  });

  it('unknown config keys are refused with a suggestion', () => {
    expect(() => new KafkaStreams(countApp('a', 'b'), { applicationId: 'x', bootstrapServers: kafkaBrokers(), comitIntervalMs: 5 } as never)).toThrow(/unknown config 'comitIntervalMs' \(did you mean 'commitIntervalMs'\?\)/);
    expect(() => new KafkaStreams(countApp('a', 'b'), { applicationId: 'has space', bootstrapServers: kafkaBrokers() })).toThrow(/applicationId must be/);
  });

  it('cleanUp() deletes local state, but not while the app runs', async () => {
    const input = await createTopic('cleanup-in');
    const output = await createTopic('cleanup-out');
    const appId = uniqueName('cleanup');
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-cleanup-'));
    try {
      const app = new KafkaStreams(countApp(input, output), { applicationId: appId, bootstrapServers: kafkaBrokers(), stateDir, logger: quiet });
      await app.start();
      expect(existsSync(path.join(stateDir, appId, '0_0'))).toBe(true);
      await expect(app.cleanUp()).rejects.toThrow(/cleanUp\(\) deletes local state and can only run before start\(\) or after close\(\)/);
      await app.close();
      await app.cleanUp();
      expect(existsSync(path.join(stateDir, appId))).toBe(false);
    } finally {
      await deleteTopicsWithPrefix(appId);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
