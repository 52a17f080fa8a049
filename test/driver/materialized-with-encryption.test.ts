// Materialized.withEncryption(key) on DSL aggregations and tables: results are unchanged, the
// changelog holds ciphertext, and a restart with the wrong key fails on the first read with a clear
// error — the same store layer for key-value, windowed and session stores.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, Serdes, SessionWindows, StreamsBuilder, TimeWindows, TopologyTestDriver } from 'sluice';

const drivers: TopologyTestDriver[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const S = Serdes.String();
const key = randomBytes(32);

function wordCount(k: Uint8Array) {
  const b = new StreamsBuilder();
  b.stream('lines', Consumed.with(S, S))
    .flatMapValues((l) => l.split(' '))
    .groupBy((_k, w) => w, Grouped.with(S, S))
    .count(Materialized.as<string, number>('counts').withEncryption(k))
    .toStream()
    .to('counts', Produced.with(S, Serdes.Long()));
  return b.build();
}

function driver(topology: ReturnType<typeof wordCount>, stateDir?: string) {
  const d = new TopologyTestDriver(topology, { applicationId: 'enc', ...(stateDir ? { stateDir } : {}) });
  drivers.push(d);
  return d;
}

describe('Materialized.withEncryption', () => {
  it('counts as without it, while the changelog holds only ciphertext', async () => {
    const d = driver(wordCount(key));
    await d.createInputTopic('lines', S, S).pipeValueList(['secret secret plan', 'plan secret']);
    expect(d.createOutputTopic('counts', S, Serdes.Long()).readKeyValuesToMap()).toEqual(new Map([['secret', 3], ['plan', 2]]));
    const changelog = d.createOutputTopic('enc-counts-changelog', Serdes.Bytes(), Serdes.Bytes()).readRecordsToList();
    expect(changelog.length).toBeGreaterThan(0);
    for (const r of changelog) {
      expect(r.value!.length).toBe(8 + 33); // a Long, under version + key id + IV + tag
      expect(() => Serdes.Long().deserialize('t', r.value!)).toThrow();
    }
  });

  it('a restart with another key fails at the first read, naming the store and the fix', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-enc-'));
    dirs.push(stateDir);
    const first = driver(wordCount(key), stateDir);
    await first.createInputTopic('lines', S, S).pipeInput(null, 'secret');
    await first.close();
    drivers.splice(drivers.indexOf(first), 1);
    const second = driver(wordCount(randomBytes(32)), stateDir);
    await expect(second.createInputTopic('lines', S, S).pipeInput(null, 'secret')).rejects.toThrow(
      /store 'counts': a stored value cannot be decrypted: it was written with another key \(key id [0-9a-f]{8}; this store has [0-9a-f]{8}\)/,
    );
  });

  it('windowed and session aggregations take it too', async () => {
    const b = new StreamsBuilder();
    const grouped = b.stream('events', Consumed.with(S, S)).groupByKey();
    grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(1_000)).count(Materialized.as<string, number>('per-second').withEncryption(key));
    grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1_000)).count(Materialized.as<string, number>('sessions').withEncryption(key));
    const d = new TopologyTestDriver(b.build(), { applicationId: 'enc' });
    drivers.push(d);
    await d.createInputTopic('events', S, S).pipeInput('alice', 'click', 10);
    for (const store of ['per-second', 'sessions']) {
      const records = d.createOutputTopic(`enc-${store}-changelog`, Serdes.Bytes(), Serdes.Bytes()).readRecordsToList();
      expect(records).toHaveLength(1);
      expect(records[0]!.value!.length).toBe(8 + 33);
    }
  });

  it('a key of the wrong size is refused when the topology is built', () => {
    expect(() => Materialized.as('counts').withEncryption(randomBytes(31))).toThrow("the encryption key of store 'counts' must be 32 bytes for AES-256-GCM (e.g. crypto.randomBytes(32)), got 31");
  });
});
