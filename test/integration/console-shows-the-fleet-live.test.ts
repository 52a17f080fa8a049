// The console (GET /) in Debian's headless chromium, over two worker processes on the real broker
// (one with two stream threads, one with one, a standby replica each): it shows the sub-topologies,
// the store, every task active on exactly one worker and the stateful ones' standbys, and — as
// records arrive — the processed counts, consumer lag per partition and the dropped (dead-lettered)
// record, refreshing by itself; it fetches from nothing but its own server. GET /metrics of each
// worker has every stream thread's process-total, together equal to the records processed.
// Screenshots go to test-artifacts/ (SLUICE_DOCS_SCREENSHOT=1 also refreshes docs/console.png).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, deleteGroup, deleteTopicsWithPrefix, produce, testKafka, uniqueName } from '../helpers/kafka.js';
import { eventually, freePort, getJson, stateDir } from '../helpers/query-workers.js';
import { startWorker, type Worker } from '../helpers/worker.js';

afterAll(closeTestClients);

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const STORE = 'word-counts';
const PARTITIONS = 3;
/** Enough lines that 1 KiB fetches take several of the page's 2 s refreshes to catch up. */
const LINES = 12_000;
const LINES_PER_BATCH = 4;

/** What the page shows, read in the browser (data-* attributes the console sets). */
interface ConsoleView {
  subtopologies: string[];
  stores: string[];
  cells: { instance: string; task: string; role: string }[];
  processed: number;
  dropped: number;
  deadLettered: number;
  lag: number;
  lagPartitions: { partition: string; lag: number }[];
  refreshed: number;
  status: string;
}

const READ_VIEW = `(() => {
  const all = (q) => [...document.querySelectorAll(q)];
  const num = (q, attr) => { const e = document.querySelector(q); return e ? Number(e.getAttribute(attr)) : NaN; };
  return {
    subtopologies: all('#topology [data-subtopology]').map((e) => e.getAttribute('data-subtopology')),
    stores: [...new Set(all('#topology [data-store]').map((e) => e.getAttribute('data-store')))],
    cells: all('#placement td[data-task]').map((td) => ({ instance: td.closest('tr').getAttribute('data-instance'), task: td.getAttribute('data-task'), role: td.getAttribute('data-role') })),
    processed: num('#total-processed', 'data-processed'),
    dropped: all('#instances tbody td[data-dropped]').reduce((n, e) => n + Number(e.getAttribute('data-dropped')), 0),
    deadLettered: num('#total-dead-lettered', 'data-dead-lettered'),
    lag: num('#total-lag', 'data-lag'),
    lagPartitions: all('#lag tr[data-lag-partition]').map((tr) => ({ partition: tr.getAttribute('data-lag-partition'), lag: Number(tr.querySelector('[data-lag]').getAttribute('data-lag')) })),
    refreshed: Number(document.body.getAttribute('data-refreshed') || 0),
    status: document.getElementById('status').textContent,
  };
})()`;

/** The values of one Prometheus series family, by their label text. */
function samples(text: string, name: string): { labels: string; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => {
      const at = l.lastIndexOf(' ');
      return { labels: l.slice(name.length, at), value: Number(l.slice(at + 1)) };
    });
}

const sum = (list: { value: number }[]) => list.reduce((n, s) => n + s.value, 0);

describe('the live console', () => {
  it('shows the topology, task placement across two workers, and processed counts, lag and dropped records as they change', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (it apt-get installs Debian's chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const input = await createTopic('console-in', { partitions: PARTITIONS });
    const output = await createTopic('console-out', { partitions: PARTITIONS });
    const dlq = await createTopic('console-dlq', { partitions: 1 });
    const appId = uniqueName('console');
    let browser: Browser | undefined;
    const workers: { worker: Worker; url: string; endpoint: string }[] = [];
    try {
      for (const [name, threads] of [['A', 2], ['B', 1]] as const) {
        const port = await freePort();
        const env = { APP_ID: appId, INPUT: input, OUTPUT: output, DLQ: dlq, HTTP_PORT: String(port), STATE_DIR: stateDir(), NUM_STREAM_THREADS: String(threads) };
        const worker = startWorker('console-app.ts', env, `console-${name}`);
        await worker.waitFor(/HTTP http/);
        workers.push({ worker, url: `http://127.0.0.1:${port}`, endpoint: `127.0.0.1:${port}` });
      }
      await Promise.all(workers.map((w) => w.worker.waitFor(/STARTED/, 120_000)));
      const [a, b] = workers as [(typeof workers)[0], (typeof workers)[0]];

      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(`${a.url}/`);
      const view = async () => (await page.evaluate(READ_VIEW)) as ConsoleView;

      // the topology: the word splitter and the counter behind the repartition topic, and the store
      await eventually('the topology drawn', async () => (await view()).subtopologies.length > 0);
      const first = await view();
      expect(first.subtopologies).toEqual(['0', '1']);
      expect(first.stores).toEqual([STORE]);

      // placement: both workers, every task active on exactly one, a standby of each stateful task
      const tasks = [0, 1].flatMap((s) => Array.from({ length: PARTITIONS }, (_, p) => `${s}_${p}`));
      await eventually('every task placed, the stateful ones with a standby', async () => {
        const v = await view();
        const active = tasks.map((t) => v.cells.filter((c) => c.task === t && c.role === 'active').length);
        const standby = tasks.map((t) => v.cells.filter((c) => c.task === t && c.role === 'standby').length);
        const ok = active.every((n) => n === 1) && standby.join() === '0,0,0,1,1,1' && new Set(v.cells.map((c) => c.instance)).size === 2;
        return ok || JSON.stringify({ active, standby, status: v.status });
      });
      const placed = await view();
      expect(new Set(placed.cells.map((c) => c.instance))).toEqual(new Set([a.endpoint, b.endpoint]));
      // what the page shows is what each worker says it runs
      for (const w of workers) {
        const own = (await getJson(`${w.url}/v1/instance`)).body as { activeTasks: { taskId: string }[]; threads: unknown[] };
        const shown = placed.cells.filter((c) => c.instance === w.endpoint && c.role === 'active').map((c) => c.task);
        expect(shown.sort()).toEqual(own.activeTasks.map((t) => t.taskId).sort());
      }
      expect(((await getJson(`${a.url}/v1/instance`)).body['threads'] as unknown[]).length).toBe(2);
      expect(placed.processed).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}/console-1-started.png`, fullPage: true });

      // records arrive: lines of words and one value that is not JSON (dropped, dead-lettered)
      const lines = Array.from({ length: LINES }, (_, i) => ({ key: `line-${i}`, value: JSON.stringify(['kafka', 'streams', 'sluice', 'console'].slice(0, 1 + (i % 4)).join(' ')) }));
      const words = lines.reduce((n, l) => n + (JSON.parse(l.value) as string).split(' ').length, 0);
      const seenBefore = (await view()).refreshed;
      // the workers are frozen (SIGSTOP) while the lines are written as many small batches, so on
      // SIGCONT their 1 KiB fetches take many rounds to catch up: lag the page can show
      const producer = testKafka('console-test-producer').producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        for (const w of workers) w.worker.process.kill('SIGSTOP');
        const batches = Array.from({ length: LINES / LINES_PER_BATCH }, (_, i) => lines.slice(i * LINES_PER_BATCH, (i + 1) * LINES_PER_BATCH));
        await Promise.all(batches.map((batch) => producer.send({ topic: input, acks: -1, messages: batch })));
      } finally {
        for (const w of workers) w.worker.process.kill('SIGCONT');
        await producer.disconnect();
      }
      await produce(input, [{ key: 'poison', value: 'not json{' }]);
      let lagSeen = 0;
      let shot = false;
      await eventually('the page shows every record processed, the dropped one, and no lag', async () => {
        const v = await view();
        lagSeen = Math.max(lagSeen, v.lag || 0);
        if (v.lag > 0 && !shot) {
          shot = true;
          await page.screenshot({ path: `${ARTIFACTS}/console-2-lagging.png`, fullPage: true });
        }
        return (v.processed === lines.length + words && v.dropped === 1 && v.deadLettered === 1 && v.lag === 0) || JSON.stringify({ processed: v.processed, dropped: v.dropped, deadLettered: v.deadLettered, lag: v.lag, status: v.status });
      }, 180_000);
      // the backlog showed as consumer lag on the way (1 KiB fetches of 3 000 small batches take
      // several refreshes), and went back to 0
      expect(lagSeen).toBeGreaterThan(0);
      const done = await view();
      expect(done.refreshed).toBeGreaterThan(seenBefore);
      // consumer lag per partition: every input and repartition partition, each at 0
      const lagged = done.lagPartitions.map((l) => l.partition).sort();
      const inputs = Array.from({ length: PARTITIONS }, (_, p) => `${input}:${p}`);
      const repartition = Array.from({ length: PARTITIONS }, (_, p) => `${appId}-words-repartition:${p}`);
      expect(lagged).toEqual([...inputs, ...repartition].sort());
      expect(done.lagPartitions.every((l) => l.lag === 0)).toBe(true);
      console.log(`console: ${done.processed} records processed on the page; highest total lag the page showed on the way: ${lagSeen}`);
      await page.screenshot({ path: `${ARTIFACTS}/console-3-processed.png`, fullPage: true });
      if (process.env['SLUICE_DOCS_SCREENSHOT'] === '1') copyFileSync(`${ARTIFACTS}/console-3-processed.png`, 'docs/console.png');

      // the page asked nothing of anyone but its own server, and ran without an error
      expect(requested.filter((u) => !u.startsWith(`${a.url}/`))).toEqual([]);
      expect(pageErrors).toEqual([]);

      // GET /metrics: Prometheus text with prom-client's content type, every stream thread's
      // process-total, together the records processed; the dropped record counted once
      const texts: string[] = [];
      for (const w of workers) {
        const res = await fetch(`${w.url}/metrics`);
        expect([res.status, res.headers.get('content-type')]).toEqual([200, new Registry().contentType]);
        texts.push(await res.text());
      }
      const threadIds = texts.map((t) => new Set(samples(t, 'kafka_stream_thread_process_total').map((s) => s.labels)).size);
      expect(threadIds).toEqual([2, 1]);
      expect(sum(texts.flatMap((t) => samples(t, 'kafka_stream_thread_process_total')))).toBe(lines.length + words);
      expect(sum(texts.flatMap((t) => samples(t, 'kafka_stream_task_dropped_records_total')))).toBe(1);
      expect(sum(texts.flatMap((t) => samples(t, 'kafka_stream_thread_dead_letter_records_total')))).toBe(1);
      const inputLag = texts.flatMap((t) => samples(t, 'kafka_consumer_fetch_manager_records_lag').filter((s) => s.labels.includes(`topic="${input}"`)));
      expect(inputLag.map((s) => s.value)).toEqual([0, 0, 0]);

      // the one dead letter counted is the one in the dead letter queue
      const dead = await consumeUntil(dlq, 1, { settleMs: 500 });
      expect(dead.map((r) => r.value?.toString())).toEqual(['not json{']);

      // /v1/instances: each worker's consumer lag per partition, the remote one's fetched from it
      const fleet = (await getJson(`${b.url}/v1/instances`)).body as { instances: { endpoint: string; consumerLags: { topic: string; partition: number; lag: number }[] }[] };
      const fromFleet = fleet.instances.flatMap((i) => i.consumerLags.filter((l) => l.topic === input).map((l) => `${l.topic}:${l.partition}=${l.lag}`));
      expect(fromFleet.sort()).toEqual(inputs.map((p) => `${p}=0`));

      await Promise.all(workers.map((w) => w.worker.stop()));
    } finally {
      await browser?.close();
      await deleteTopicsWithPrefix(appId);
      await deleteGroup(appId);
    }
  });
});
