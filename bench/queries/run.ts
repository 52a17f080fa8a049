// `npm run bench:queries`: interactive queries over HTTP on a word-count store while it processes.
// Two workers (bench/queries/worker.ts) count words from a 5 000-word vocabulary while lines keep
// arriving; autocannon measures one key asked of the worker holding it (local) and of the other one
// (forwarded), a 1 000-key range page (merged from both workers), and random keys; then the worker
// holding the measured key is SIGKILLed and the time until every key is answered again is measured.
// Results: bench/results/<date>_<time>-queries.{json,md}. Not part of npm test.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { describeMachine } from '../lib/machine.js';
import { prng, vocabulary } from '../lib/data.js';
import { percentile } from '../lib/stats.js';

const { values: flags } = parseArgs({
  options: {
    words: { type: 'string', default: '5000' },
    'preload-lines': { type: 'string', default: '50000' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    partitions: { type: 'string', default: '4' },
    'session-timeout-ms': { type: 'string', default: '10000' },
    // 1: each worker keeps a standby copy of the other's store, so failover restores only the tail
    standbys: { type: 'string', default: '0' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const WORDS = Number(flags.words);
const PRELOAD = Number(flags['preload-lines']);
const RATE = Number(flags.rate);
const DURATION = Number(flags.duration);
const CONNECTIONS = Number(flags.connections);
const PARTITIONS = Number(flags.partitions);
const SESSION_TIMEOUT_MS = Number(flags['session-timeout-ms']);
const STANDBYS = Number(flags.standbys);
const STORE = 'word-counts';

interface CannonResult {
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (o: Record<string, unknown>) => Promise<CannonResult>;

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = Date.now().toString(36);
const appId = `bench-queries-${run}`;
const topics = { input: `bench-q-lines-${run}`, output: `bench-q-counts-${run}` };
const kafka = new Kafka({ clientId: 'bench-queries', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const stateRoot = mkdtempSync(path.join(tmpdir(), 'bench-queries-'));
const workers: { name: string; child: ChildProcess; url: string; ready: Promise<void> }[] = [];
const words = vocabulary(WORDS);

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}

async function startWorker(name: string): Promise<void> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--conditions=sluice-source', '--import', 'tsx', 'bench/queries/worker.ts'], {
    env: { ...process.env, KAFKA_BROKERS: brokers.join(','), APP_ID: appId, INPUT: topics.input, OUTPUT: topics.output, PORT: String(port), STATE_DIR: path.join(stateRoot, name), SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), NUM_STANDBY: String(STANDBYS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('READY') && resolve()));
  workers.push({ name, child, url: `http://127.0.0.1:${port}`, ready });
}

/** Lines of Zipf-ish words; the first lines hold every word once, so the store has them all. */
function* lines(count: number, seed: number): Generator<string> {
  for (let i = 0; i < words.length; i += 12) yield words.slice(i, i + 12).join(' ');
  const rand = prng(seed);
  for (let i = 0; i < count; i++) yield Array.from({ length: 10 }, () => words[Math.floor(words.length * rand() ** 3)]!).join(' ');
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await probe().catch(() => false)) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

async function keysIn(url: string): Promise<number | undefined> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const res = await fetch(`${url}/v1/stores/${STORE}/keys?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    if (res.status !== 200) return undefined;
    const page = (await res.json()) as { items: unknown[]; next: string | null };
    n += page.items.length;
    cursor = page.next;
  } while (cursor);
  return n;
}

interface Measurement {
  name: string;
  connections: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  perSecond: number;
  requests: number;
  failed: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function getOnce(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** Latency without queueing: one request at a time over one keep-alive connection, timed in µs. */
async function sequential(name: string, url: () => string): Promise<Measurement> {
  const took: number[] = [];
  let failed = 0;
  const end = Date.now() + DURATION * 1000;
  while (Date.now() < end) {
    const t = process.hrtime.bigint();
    if ((await getOnce(url())) !== 200) failed++;
    took.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const ms = (p: number) => Math.round(percentile(took, p)! * 100) / 100;
  const m = { name, connections: 1, p50: ms(50), p90: ms(90), p99: ms(99), max: ms(100), perSecond: Math.round(took.length / DURATION), requests: took.length, failed };
  console.log(`${name.padEnd(44)} c=1   p50 ${m.p50} ms  p99 ${m.p99} ms  ${m.perSecond}/s  (${m.requests} requests, ${m.failed} failed)`);
  return m;
}

async function measure(name: string, options: Record<string, unknown>, connections: number): Promise<Measurement> {
  const r = await autocannon({ ...options, connections, duration: DURATION });
  const m = { name, connections, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, perSecond: Math.round(r.requests.average), requests: r.requests.total, failed: r.non2xx + r.errors + r.timeouts };
  console.log(`${name.padEnd(44)} c=${String(connections).padEnd(3)} p50 ${m.p50} ms  p99 ${m.p99} ms  ${m.perSecond}/s  (${m.requests} requests, ${m.failed} failed)`);
  return m;
}

interface Measured {
  /** The machine's 1-minute load average before and after (other processes share it). */
  loadAverage: { before: number; after: number };
  results: Measurement[];
  failover: { afterKillMs: number; sessionTimeoutMs: number; afterSessionTimeoutMs: number; standby: boolean };
  producedWhileMeasuring: number;
  key: string;
  partition: number;
}

async function main(): Promise<Measured> {
  const loadBefore = Math.round(loadavg()[0]! * 10) / 10;
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [topics.input, topics.output].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
  const producer = kafka.producer();
  await producer.connect();
  let batch: { value: string }[] = [];
  for (const value of lines(PRELOAD, 1)) {
    batch.push({ value });
    if (batch.length === 5_000) {
      await producer.send({ topic: topics.input, messages: batch });
      batch = [];
    }
  }
  if (batch.length > 0) await producer.send({ topic: topics.input, messages: batch });
  console.log(`preloaded ${PRELOAD + Math.ceil(WORDS / 12)} lines over ${WORDS} words`);

  await startWorker('A');
  await startWorker('B');
  await Promise.all(workers.map((w) => w.ready));
  const [a, b] = [workers[0]!, workers[1]!];
  await until('both workers counting every word', async () => (await keysIn(a.url)) === WORDS && (await keysIn(b.url)) === WORDS, 300_000);

  // lines keep arriving while queries run: the store is being written
  let producing = true;
  let produced = 0;
  const live = lines(1e9, 2);
  const load = (async () => {
    while (producing) {
      const t = Date.now();
      const messages = Array.from({ length: Math.max(1, Math.round(RATE / 10)) }, () => ({ value: live.next().value as string }));
      await producer.send({ topic: topics.input, messages });
      produced += messages.length;
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - t))));
    }
  })();

  const key = words[Math.floor(WORDS / 2)]!;
  const md = (await (await fetch(`${a.url}/v1/stores/${STORE}/keys/${key}/metadata`)).json()) as { activeHost: string; partition: number };
  const owner = md.activeHost.endsWith(a.url.split(':').at(-1)!) ? a : b;
  const other = owner === a ? b : a;
  const keyPath = `/v1/stores/${STORE}/keys/${key}`;
  const randomPath = () => `/v1/stores/${STORE}/keys/${words[Math.floor(Math.random() * WORDS)]!}`;
  const rangeUrl = `${a.url}/v1/stores/${STORE}/keys?limit=1000`;
  // warm up every path (JIT, connection pools) before measuring
  for (const url of [`${owner.url}${keyPath}`, `${other.url}${keyPath}`, rangeUrl]) await autocannon({ url, connections: 4, duration: 2 });
  const results: Measurement[] = [
    await sequential('one key, local (asked of its worker)', () => `${owner.url}${keyPath}`),
    await sequential('one key, forwarded (asked of the other)', () => `${other.url}${keyPath}`),
    await sequential('random keys, half of them forwarded', () => `${a.url}${randomPath()}`),
    await sequential('1,000-key range page, merged from 2 workers', () => rangeUrl),
    await measure('one key, local (asked of its worker)', { url: `${owner.url}${keyPath}` }, CONNECTIONS),
    await measure('one key, forwarded (asked of the other)', { url: `${other.url}${keyPath}` }, CONNECTIONS),
    await measure('random keys, half of them forwarded', { url: a.url, requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: randomPath() }) }] }, CONNECTIONS),
    await measure('1,000-key range page, merged from 2 workers', { url: rangeUrl }, CONNECTIONS),
  ];
  producing = false;
  await load;

  // failover: SIGKILL the worker holding the key; time until the survivor answers every key again
  owner.child.kill('SIGKILL');
  const killedAt = Date.now();
  await once(owner.child, 'exit');
  await until('every key answered again after the SIGKILL', async () => (await keysIn(other.url)) === WORDS && (await fetch(`${other.url}${keyPath}`)).status === 200, 180_000);
  const afterKill = Date.now() - killedAt;
  console.log(`failover: every key answered again ${(afterKill / 1000).toFixed(1)} s after the SIGKILL (session timeout ${SESSION_TIMEOUT_MS / 1000} s, ${STANDBYS > 0 ? `${STANDBYS} standby` : 'no standby'})`);
  await producer.disconnect();
  return { loadAverage: { before: loadBefore, after: Math.round(loadavg()[0]! * 10) / 10 }, results, failover: { afterKillMs: afterKill, sessionTimeoutMs: SESSION_TIMEOUT_MS, afterSessionTimeoutMs: afterKill - SESSION_TIMEOUT_MS, standby: STANDBYS > 0 }, producedWhileMeasuring: produced, key, partition: md.partition };
}

function markdown(r: Measured & { machine: Record<string, unknown>; settings: Record<string, unknown> }): string {
  const rows = r.results.map((m) => `| ${m.name} | ${m.connections} | ${m.p50} | ${m.p90} | ${m.p99} | ${m.max} | ${m.perSecond} | ${m.failed} |`);
  return [
    `# Query benchmark ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
    '',
    `Machine: ${String(r.machine['cpus'])} × ${String(r.machine['cpuModel'])}, ${String(r.machine['memoryGiB'])} GiB, Node ${String(r.machine['node'])}; load average ${r.loadAverage.before} before, ${r.loadAverage.after} after (other processes share the machine). Settings: ${JSON.stringify(r.settings)}.`,
    '',
    '| query | connections | p50 ms | p90 ms | p99 ms | max ms | queries/s | failed |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Failover (${r.failover.standby ? 'with a standby replica' : 'no standby'}): every key answered again ${(r.failover.afterKillMs / 1000).toFixed(1)} s after the SIGKILL, with a ${r.failover.sessionTimeoutMs / 1000} s session timeout (counted by the broker from the killed worker's last heartbeat, up to 1 s before the kill).`,
    '',
  ].join('\n');
}

async function cleanUp(): Promise<void> {
  for (const w of workers) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
    w.child.kill('SIGTERM');
    const t = setTimeout(() => w.child.kill('SIGKILL'), 15_000);
    await once(w.child, 'exit');
    clearTimeout(t);
  }
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${appId}-`) || t === topics.input || t === topics.output);
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    await admin.deleteGroups([appId]).catch(() => undefined);
  } finally {
    await admin.disconnect().catch(() => undefined);
    rmSync(stateRoot, { recursive: true, force: true });
  }
}

process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
let code = 0;
try {
  const measured = await main();
  const report = {
    machine: await describeMachine(),
    settings: { words: WORDS, preloadLines: PRELOAD, linesPerSecondWhileMeasuring: RATE, durationSeconds: DURATION, partitions: PARTITIONS, workers: 2, standbys: STANDBYS },
    ...measured,
  };
  const stamp = new Date().toISOString().slice(0, 16).replace('T', '_').replace(':', '');
  mkdirSync(flags.out, { recursive: true });
  writeFileSync(path.join(flags.out, `${stamp}-queries.json`), JSON.stringify(report, null, 2));
  writeFileSync(path.join(flags.out, `${stamp}-queries.md`), markdown(report));
  console.log(`\nwrote ${flags.out}/${stamp}-queries.{json,md}`);
} catch (err) {
  code = 1;
  console.error(`the query benchmark failed: ${err instanceof Error ? err.stack : String(err)}`);
} finally {
  await cleanUp();
}
process.exit(code);
