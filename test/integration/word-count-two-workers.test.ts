// Issue 5's word count on the real broker: a 3-partition topic, two worker processes of the
// word-count example; final counts are exact, and survive one worker's restart (state restored
// from the changelog).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, uniqueName, type ConsumedRecord } from '../helpers/kafka.js';
import { startWorker } from '../helpers/worker.js';

afterAll(closeTestClients);

const vocabulary = ['kafka', 'streams', 'sluice', 'typescript', 'state', 'store', 'window', 'table', 'stream', 'topic', 'partition', 'task'];
function lines(from: number, to: number): { key: string; value: string }[] {
  const out = [];
  for (let i = from; i < to; i++) out.push({ key: `line-${i}`, value: Array.from({ length: 1 + (i % 5) }, (_, j) => vocabulary[(i * 7 + j * 3) % vocabulary.length]).join(' ') });
  return out;
}
function counts(input: { value: string }[]): Map<string, number> {
  const c = new Map<string, number>();
  for (const l of input) for (const w of l.value.split(' ')) c.set(w, (c.get(w) ?? 0) + 1);
  return c;
}
function latest(out: ConsumedRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of out) m.set(r.key!.toString(), Number(r.value!.readBigInt64BE(0)));
  return m;
}
async function waitForCounts(topic: string, want: Map<string, number>, timeoutMs = 60_000): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let got = new Map<string, number>();
  while (Date.now() < deadline) {
    got = latest(await consumeUntil(topic, want.size, { timeoutMs: 20_000, settleMs: 1_500 }));
    if ([...want].every(([w, n]) => got.get(w) === n)) return got;
  }
  return got;
}

describe('word count on the real broker', () => {
  it('two workers over three partitions count exactly, also across a restart', async () => {
    const input = await createTopic('wc-in', { partitions: 3 });
    const output = await createTopic('wc-out', { partitions: 3 });
    const appId = uniqueName('wc');
    const dirs = [mkdtempSync(path.join(tmpdir(), 'wc-a-')), mkdtempSync(path.join(tmpdir(), 'wc-b-'))];
    const env = (i: number) => ({ INPUT: input, OUTPUT: output, APPLICATION_ID: appId, STATE_DIR: dirs[i]!, COMMIT_INTERVAL_MS: '500' });
    try {
      const a = startWorker('examples/word-count/src/app.ts', env(0), 'A');
      const b = startWorker('examples/word-count/src/app.ts', env(1), 'B');
      await Promise.all([a.waitFor(/STARTED/), b.waitFor(/STARTED/)]);
      const first = lines(0, 600);
      await produce(input, first);
      expect(await waitForCounts(output, counts(first))).toEqual(counts(first));
      expect([a.output(), b.output()].join('\n')).toMatch(/tasks=[1-5]/);

      // restart B: it restores its stores from the changelog and the counts go on from there
      expect(await b.stop('SIGTERM')).toBe(0);
      const b2 = startWorker('examples/word-count/src/app.ts', env(1), 'B2');
      await b2.waitFor(/STARTED/);
      const all = [...first, ...lines(600, 1_000)];
      await produce(input, lines(600, 1_000));
      expect(await waitForCounts(output, counts(all))).toEqual(counts(all));
      await Promise.all([a.stop(), b2.stop()]);
    } finally {
      await deleteTopicsWithPrefix(appId);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
