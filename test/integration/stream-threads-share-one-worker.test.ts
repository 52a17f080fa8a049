// numStreamThreads on the real broker: workers with two stream threads each (the second on a worker
// thread) count exactly under exactly-once, every thread gets tasks, the query API of a worker reads
// the partitions of all its threads, each thread keeps its own copy of a global table, and a second
// worker spreads the tasks over four threads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, uniqueName, type ConsumedRecord } from '../helpers/kafka.js';
import { startWorker, type Worker } from '../helpers/worker.js';

afterAll(closeTestClients);

const words = ['kafka', 'streams', 'sluice', 'typescript', 'state', 'store', 'window', 'table', 'stream', 'topic', 'partition', 'task', 'thread', 'worker'];
// words not in the categories table (the flaky lines' 'explode') are enriched with NONE
const category = (w: string) => (!words.includes(w) ? 'NONE' : w.length > 5 ? 'long' : 'short');

function lines(from: number, to: number): { key: string; value: string }[] {
  return Array.from({ length: to - from }, (_, j) => {
    const i = from + j;
    return { key: `line-${i}`, value: Array.from({ length: 1 + (i % 4) }, (_, k) => words[(i * 5 + k * 3) % words.length]).join(' ') };
  });
}
function counts(input: { value: string }[]): Map<string, number> {
  const c = new Map<string, number>();
  for (const l of input) for (const w of l.value.split(' ')) c.set(w, (c.get(w) ?? 0) + 1);
  return c;
}
function latest(out: ConsumedRecord[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of out) m.set(r.key!.toString(), r.value!.toString());
  return m;
}
async function waitForOutput(topic: string, want: Map<string, number>): Promise<Map<string, string>> {
  const expected = new Map([...want].map(([w, n]) => [w, `${n}|${category(w)}`]));
  const deadline = Date.now() + 90_000;
  let got = new Map<string, string>();
  while (Date.now() < deadline) {
    got = latest(await consumeUntil(topic, want.size, { timeoutMs: 30_000, settleMs: 1_000 }));
    if ([...expected].every(([w, v]) => got.get(w) === v)) return got;
  }
  return got;
}

interface Dump {
  state: string;
  threads: { name: string; active: string[] }[];
  counts: { [word: string]: number };
  one: number | undefined;
  processed: number;
  tasks: number;
}
async function dump(w: Worker): Promise<Dump> {
  const before = w.output().length;
  w.process.kill('SIGUSR2');
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const m = /DUMP (\{.*\})\n/.exec(w.output().slice(before));
    if (m) return JSON.parse(m[1]!) as Dump;
    const failed = /DUMP-FAILED (.*)\n/.exec(w.output().slice(before));
    if (failed) throw new Error(`worker ${w.name} could not answer: ${failed[1]}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`worker ${w.name} printed no DUMP; its output:\n${w.output().slice(-3000)}`);
}

describe('stream threads on worker threads', () => {
  it('two threads per worker count exactly, each runs tasks, and queries read every thread’s partitions', async () => {
    const prefix = uniqueName('threads');
    const input = await createTopic(`${prefix}-in`, { partitions: 6 });
    const cats = await createTopic(`${prefix}-cat`, { partitions: 1 });
    const output = await createTopic(`${prefix}-out`, { partitions: 6 });
    const appId = `${prefix}-app`;
    const dirs = [mkdtempSync(path.join(tmpdir(), 'thr-a-')), mkdtempSync(path.join(tmpdir(), 'thr-b-'))];
    const env = (i: number) => ({ INPUT: input, CATEGORIES: cats, OUTPUT: output, APP_ID: appId, STATE_DIR: dirs[i]!, NUM_STREAM_THREADS: '2', FLAKY_WORD: 'explode' });
    try {
      await produce(cats, words.map((w) => ({ key: w, value: category(w) })));
      const a = startWorker('threads-app.ts', env(0), 'A');
      await a.waitFor(/STARTED tasks=\d+/, 90_000);
      // two lines that kill the thread processing them once, on partitions 0 and 1 (different threads):
      // each thread is replaced (REPLACE_THREAD) and the counts stay exact under exactly-once
      const flaky = [
        { key: 'flaky-0', value: 'explode kafka', partition: 0 },
        { key: 'flaky-1', value: 'explode streams', partition: 1 },
      ];
      const first = [...lines(0, 400), ...flaky];
      await produce(input, first);
      const want = counts(first);
      const out = await waitForOutput(output, want);
      expect(out).toEqual(new Map([...want].map(([w, n]) => [w, `${n}|${category(w)}`])));

      // one worker, two threads: all 6 word-count tasks of the repartitioned sub-topology and the 6 of the first
      expect(a.output().match(/replacing stream thread/g)?.length).toBe(2);
      const d = await dump(a);
      expect(d.state).toBe('RUNNING');
      expect(d.threads.map((t) => t.name.replace(/.*-(StreamThread-\d+)$/, '$1'))).toEqual(['StreamThread-1', 'StreamThread-2']);
      for (const t of d.threads) expect(t.active.length).toBe(6);
      expect(d.tasks).toBe(12);
      expect(new Map(Object.entries(d.counts))).toEqual(want);
      expect(d.one).toBe(want.get('kafka'));
      expect(d.processed).toBeGreaterThanOrEqual(first.length);

      // a second worker: the tasks spread over four threads, counts go on exactly
      const b = startWorker('threads-app.ts', env(1), 'B');
      await b.waitFor(/STARTED tasks=\d+/, 90_000);
      const more = lines(400, 800);
      await produce(input, more);
      const all = counts([...first, ...more]);
      expect(await waitForOutput(output, all)).toEqual(new Map([...all].map(([w, n]) => [w, `${n}|${category(w)}`])));
      const [da, db] = await Promise.all([dump(a), dump(b)]);
      const threads = [...da.threads, ...db.threads];
      expect(threads).toHaveLength(4);
      expect(threads.flatMap((t) => t.active).sort()).toHaveLength(12);
      for (const t of threads) expect(t.active.length).toBeGreaterThanOrEqual(2);
      // each worker's queries see exactly its own partitions; together, every count (the count tasks
      // may all stay on A while B warms copies up: KIP-441 moves them only once caught up)
      const merged = new Map([...Object.entries(da.counts), ...Object.entries(db.counts)]);
      expect(merged).toEqual(all);
      expect(Object.keys(da.counts).length + Object.keys(db.counts).length).toBe(all.size);

      expect(await a.stop('SIGTERM')).toBe(0);
      expect(await b.stop('SIGTERM')).toBe(0);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      await deleteTopicsWithPrefix(prefix);
    }
  }, 300_000);
});
