// An encrypted store on the real broker: its changelog topic holds only ciphertext; a worker that
// restores it with the right key gets the counts back, and one with the wrong key stops at start-up
// (during restoration) with the store's name and the fix, instead of counting from garbage.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, Grouped, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder } from 'sluice';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, uniqueName } from '../helpers/kafka.js';

afterAll(closeTestClients);
const S = Serdes.String();
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

function wordCount(input: string, output: string, key: Uint8Array) {
  const b = new StreamsBuilder();
  b.stream(input, Consumed.with(S, S))
    .flatMapValues((l) => l.split(' '))
    .groupBy((_k, w) => w, Grouped.with(S, S))
    .count(Materialized.as<string, number>('counts').withEncryption(key))
    .toStream()
    .to(output, Produced.with(S, Serdes.Long()));
  return b.build();
}

describe('an encrypted store on the broker', () => {
  it('logs ciphertext, restores with its key, and refuses another key at start-up', async () => {
    const input = await createTopic('enc-in');
    const output = await createTopic('enc-out');
    const appId = uniqueName('enc');
    const key = randomBytes(32);
    const dirs = [0, 1, 2].map(() => mkdtempSync(path.join(tmpdir(), 'sluice-enc-')));
    const config = (stateDir: string) => ({ applicationId: appId, bootstrapServers: kafkaBrokers(), stateDir, logger: quiet, commitIntervalMs: 100, processingGuarantee: 'exactly_once' as const });
    try {
      const first = new KafkaStreams(wordCount(input, output, key), config(dirs[0]!));
      await first.start();
      await produce(input, [{ key: null, value: 'salary salary bonus' }]);
      await consumeUntil(output, 2);
      await first.close();

      const changelog = await consumeUntil(`${appId}-counts-changelog`, 2);
      // keys in clear; each value a Long under version + key id + IV + tag, not the count itself
      for (const r of changelog) expect(r.value!.length).toBe(8 + 33);
      expect(changelog.map((r) => r.key!.toString()).sort()).toEqual(['bonus', 'salary']);

      // a new worker (empty local state) restores from the changelog with the same key and counts on
      const second = new KafkaStreams(wordCount(input, output, key), config(dirs[1]!));
      await second.start();
      await produce(input, [{ key: null, value: 'salary' }]);
      const counts = await consumeUntil(output, 3);
      expect(counts.map((r) => `${r.key!.toString()}=${r.value!.readBigInt64BE(0)}`)).toContain('salary=3');
      await second.close();

      // with another key, restoration stops start-up
      const third = new KafkaStreams(wordCount(input, output, randomBytes(32)), config(dirs[2]!));
      const err = (await third.start().catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/store 'counts': a stored value cannot be decrypted: it was written with another key \(key id [0-9a-f]{8}; this store has [0-9a-f]{8}\)/);
      expect(third.state).toBe('ERROR');
      await third.close();
    } finally {
      await deleteTopicsWithPrefix(appId);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
