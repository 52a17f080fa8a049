// Issue 4's proof on the real broker: a Processor API counting app keeps its state through a SIGKILL
// (store = what the changelog says, no input lost), restores everything after its state directory
// is deleted, and a task that moves to another worker process is restored there before it runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, uniqueName } from '../helpers/kafka.js';
import { startWorker, type Worker } from '../helpers/worker.js';

afterAll(closeTestClients);

const KEYS = 20;
function input(from: number, to: number) {
  const out = [];
  for (let i = from; i < to; i++) out.push({ key: `key-${i % KEYS}`, value: String(i) });
  return out;
}
function expectedCounts(n: number): { [key: string]: number } {
  const c: { [key: string]: number } = {};
  for (let i = 0; i < n; i++) c[`key-${i % KEYS}`] = (c[`key-${i % KEYS}`] ?? 0) + 1;
  return c;
}
async function stopAndDump(w: Worker): Promise<{ [key: string]: number }> {
  expect(await w.stop('SIGTERM')).toBe(0);
  const m = /DUMP (\{.*\})/.exec(w.output());
  if (!m) throw new Error(`worker ${w.name} printed no DUMP:\n${w.output().slice(-3000)}`);
  return JSON.parse(m[1]!) as { [key: string]: number };
}
function lastValues(records: { key: Buffer | null; value: Buffer | null }[]): { [key: string]: number } {
  const out: { [key: string]: number } = {};
  for (const r of records) out[r.key!.toString()] = Number(r.value!.readBigInt64BE(0));
  return out;
}

describe.each(['rocksdb', 'level', 'in_memory'] as const)('state stores (%s) on the real broker', (storeType) => {
  it('survive SIGKILL, a deleted and a corrupt state directory; the store equals its changelog', async () => {
    const inputTopic = await createTopic('pa-in', { partitions: 3 });
    const outputTopic = await createTopic('pa-out', { partitions: 3 });
    const appId = uniqueName(`pa-count-${storeType}`);
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-state-it-'));
    const env = { INPUT: inputTopic, OUTPUT: outputTopic, APP_ID: appId, STATE_DIR: stateDir, STORE_TYPE: storeType };
    try {
      await produce(inputTopic, input(0, 3_000));
      const a = startWorker('pa-count-app.ts', env, 'A');
      await a.waitFor(/STARTED/);
      await consumeUntil(outputTopic, 1_000, { timeoutMs: 30_000 });
      await a.stop('SIGKILL'); // mid-stream: some processed records are not committed yet
      await produce(inputTopic, input(3_000, 4_000));

      const a2 = startWorker('pa-count-app.ts', env, 'A2');
      await a2.waitFor(/STARTED/);
      if (storeType === 'in_memory') await a2.waitFor(/RESTORED task=0_\d store=counts/);
      await consumeUntil(outputTopic, 4_000, { timeoutMs: 60_000 });
      // wait until the final counts are out (at-least-once: replays may add updates)
      const want = expectedCounts(4_000);
      const out = await consumeUntil(outputTopic, 4_000, { timeoutMs: 30_000, settleMs: 3_000 });
      const finalOut = lastValues(out);
      for (const [k, n] of Object.entries(want)) expect(finalOut[k], `count of ${k}`).toBeGreaterThanOrEqual(n); // nothing lost
      const dump = await stopAndDump(a2);
      const changelog = lastValues(await consumeUntil(`${appId}-counts-changelog`, KEYS, { timeoutMs: 30_000, settleMs: 2_000, readCommitted: false }));
      expect(dump).toEqual(changelog);
      expect(dump).toEqual(finalOut);

      // a full restore from the changelog gives identical contents
      rmSync(stateDir, { recursive: true, force: true });
      const a3 = startWorker('pa-count-app.ts', env, 'A3');
      await a3.waitFor(/STARTED/);
      expect(a3.output()).toMatch(/RESTORED task=0_\d store=counts partition=\d records=\d+\/\d+/);
      const again = await stopAndDump(a3);
      expect(again).toEqual(dump);

      if (storeType !== 'in_memory') {
        // a corrupt store directory is wiped and restored from the changelog, with a warning
        for (const task of ['0_0', '0_1', '0_2']) writeFileSync(path.join(stateDir, appId, task, 'counts', 'CURRENT'), '\u0000\u0001garbage');
        const a4 = startWorker('pa-count-app.ts', env, 'A4');
        await a4.waitFor(/STARTED/);
        expect(a4.output()).toMatch(/local state of task 0_\d is corrupt .*wiping it and restoring from the changelogs/);
        expect(await stopAndDump(a4)).toEqual(dump);
      }
    } finally {
      await deleteTopicsWithPrefix(appId);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('a task that moves to another worker process', () => {
  it('is restored there before it processes input', async () => {
    const inputTopic = await createTopic('pa-move-in', { partitions: 3 });
    const outputTopic = await createTopic('pa-move-out', { partitions: 3 });
    const appId = uniqueName('pa-move');
    const dirA = mkdtempSync(path.join(tmpdir(), 'sluice-move-a-'));
    const dirB = mkdtempSync(path.join(tmpdir(), 'sluice-move-b-'));
    const base = { INPUT: inputTopic, OUTPUT: outputTopic, APP_ID: appId };
    try {
      await produce(inputTopic, input(0, 2_000));
      const a = startWorker('pa-count-app.ts', { ...base, STATE_DIR: dirA }, 'A');
      await a.waitFor(/STARTED tasks=3/);
      await consumeUntil(outputTopic, 2_000, { timeoutMs: 30_000 });
      // B has an empty state directory of its own: whatever it gets, it must restore first
      const b = startWorker('pa-count-app.ts', { ...base, STATE_DIR: dirB }, 'B');
      await b.waitFor(/STATE REBALANCING -> RUNNING tasks=[12]/, 60_000);
      expect(b.output()).toMatch(/RESTORED task=0_\d store=counts partition=\d records=\d+\/\d+/);
      await produce(inputTopic, input(2_000, 3_000));
      const out = await consumeUntil(outputTopic, 3_000, { timeoutMs: 60_000, settleMs: 2_000 });
      // graceful hand-over, restored state: counts continue exactly where they were
      expect(lastValues(out)).toEqual(expectedCounts(3_000));
      expect(out.length).toBe(3_000);
      await Promise.all([a.stop(), b.stop()]);
    } finally {
      await deleteTopicsWithPrefix(appId);
      rmSync(dirA, { recursive: true, force: true });
      rmSync(dirB, { recursive: true, force: true });
    }
  });
});
