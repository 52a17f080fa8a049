// EmitStrategy.onWindowClose() on the real broker, exactly-once: every window's final count is
// emitted exactly once, also when the worker restarts with an empty state directory in between (its
// window store and the last emitted close time are restored from their changelogs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, uniqueName } from '../helpers/kafka.js';
import { startWorker } from '../helpers/worker.js';

afterAll(closeTestClients);

// event time starts at a recent 10 s boundary: the windowed changelogs are deleted by the brokers
// after their retention (a day past the window), counted from the records' timestamps
const BASE = Math.floor(Date.now() / 10_000) * 10_000 - 3_600_000;

/** Events of keys k0..k2 at 1 s steps from `from` s to `to` s after BASE (one partition keeps event time in order). */
function events(from: number, to: number) {
  const out = [];
  for (let s = from; s < to; s++) out.push({ key: `k${s % 3}`, value: 'x', timestamp: BASE + s * 1_000 });
  return out;
}
function finalCounts(fromSecond: number, toSecond: number, closeBeforeSecond: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let s = fromSecond; s < toSecond; s++) {
    const start = Math.floor(s / 10) * 10_000;
    if (start + 10_000 > closeBeforeSecond * 1_000) continue;
    const k = `k${s % 3}@${BASE + start}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

describe('emit on window close on the real broker', () => {
  it('emits each closed window once, across a restart that restores the state from changelogs', async () => {
    const input = await createTopic('eoc-in', { partitions: 1 });
    const output = await createTopic('eoc-out', { partitions: 1 });
    const appId = uniqueName('eoc');
    const stateDirs = [mkdtempSync(path.join(tmpdir(), 'eoc-a-')), mkdtempSync(path.join(tmpdir(), 'eoc-b-'))];
    const env = (i: number) => ({ INPUT: input, OUTPUT: output, APP_ID: appId, STATE_DIR: stateDirs[i]! });
    try {
      const a = startWorker('emit-final-app.ts', env(0), 'A');
      await a.waitFor(/STARTED/, 90_000);
      await produce(input, events(0, 35)); // windows [0,10) [10,20) [20,30) close at 30 s
      const first = finalCounts(0, 35, 34);
      const out1 = await consumeUntil(output, first.size, { timeoutMs: 60_000, settleMs: 2_000, readCommitted: true });
      expect(new Map(out1.map((r) => [r.key!.toString(), Number(r.value!.readBigInt64BE(0))]))).toEqual(first);
      expect(out1).toHaveLength(first.size);
      expect(await a.stop('SIGTERM')).toBe(0);

      // another state directory: the window store and the last emit time come from their changelogs
      const b = startWorker('emit-final-app.ts', env(1), 'B');
      await b.waitFor(/STARTED/, 90_000);
      await produce(input, events(35, 62)); // closes [30,40) [40,50) [50,60)
      const all = finalCounts(0, 62, 61);
      const out2 = await consumeUntil(output, all.size, { timeoutMs: 60_000, settleMs: 3_000, readCommitted: true });
      const keys = out2.map((r) => r.key!.toString());
      expect(keys.length, `windows emitted more than once: ${keys.filter((k, i) => keys.indexOf(k) !== i).join(', ')}`).toBe(new Set(keys).size);
      expect(new Map(out2.map((r) => [r.key!.toString(), Number(r.value!.readBigInt64BE(0))]))).toEqual(all);
      expect(await b.stop('SIGTERM')).toBe(0);
    } finally {
      await deleteTopicsWithPrefix(appId);
      for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
