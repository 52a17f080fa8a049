// Issue 10 §2 on the real broker: with numStandbyReplicas = 1 a worker keeps a copy of the other's
// state by following its changelog; when that worker is SIGKILLed, its task fails over to the one
// with the copy, which restores only the tail instead of the whole changelog, and counts go on exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, produce, uniqueName } from '../helpers/kafka.js';
import { startWorker } from '../helpers/worker.js';

afterAll(closeTestClients);

const KEYS = 20;
const input = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ key: `key-${(from + i) % KEYS}`, value: String(from + i) }));

describe('standby replicas', () => {
  it("a SIGKILLed worker's task fails over to the standby's worker, which restores only the tail", async () => {
    const inputTopic = await createTopic('standby-in', { partitions: 2 });
    const outputTopic = await createTopic('standby-out', { partitions: 2 });
    const appId = uniqueName('standby');
    const dirs = [mkdtempSync(path.join(tmpdir(), 'sluice-standby-a-')), mkdtempSync(path.join(tmpdir(), 'sluice-standby-b-'))];
    const env = (dir: string) => ({ INPUT: inputTopic, OUTPUT: outputTopic, APP_ID: appId, STATE_DIR: dir, NUM_STANDBY: '1' });
    try {
      const a = startWorker('pa-count-app.ts', env(dirs[0]!), 'A');
      await a.waitFor(/STARTED/);
      const b = startWorker('pa-count-app.ts', env(dirs[1]!), 'B');
      await b.waitFor(/STARTED/);
      await a.waitFor(/STATE RUNNING -> REBALANCING[\s\S]*STATE REBALANCING -> RUNNING tasks=1/, 60_000);
      await produce(inputTopic, input(0, 20_000));
      await consumeUntil(outputTopic, 20_000, { timeoutMs: 90_000 });
      // the standbys follow the changelogs every half second
      await new Promise((r) => setTimeout(r, 3_000));
      const before = b.output().length;
      await a.stop('SIGKILL');
      await b.waitFor(/STATE REBALANCING -> RUNNING tasks=2/, 60_000);
      const restoredAfterKill = [...b.output().slice(before).matchAll(/RESTORED task=(\d+_\d+) store=counts partition=\d+ records=(\d+)\/(\d+)/g)];
      expect(restoredAfterKill.length).toBeGreaterThan(0);
      // a full restore would read ~10 000 changelog records (one per input record of the partition)
      for (const m of restoredAfterKill) expect(Number(m[2])).toBeLessThan(2_000);
      await produce(inputTopic, input(20_000, 22_000));
      const out = await consumeUntil(outputTopic, 22_000, { timeoutMs: 90_000, settleMs: 2_000 });
      const last: { [key: string]: number } = {};
      for (const r of out) last[r.key!.toString()] = Number(r.value!.readBigInt64BE(0));
      expect(Object.values(last).reduce((x, y) => x + y, 0)).toBe(22_000);
      for (let k = 0; k < KEYS; k++) expect(last[`key-${k}`]).toBe(22_000 / KEYS);
      await b.stop('SIGTERM');
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }, 300_000);
});
