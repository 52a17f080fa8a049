// `npm run demo:fleet`: three workers of the interactive-queries example against a real Kafka. Page
// views go in; every worker answers every user's total (forwarding to the worker that holds it); one
// worker is SIGKILLed and the others answer its users again once the group has moved its tasks.
// Everything it made (topics, the consumer group, state directories, worker processes) is removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { StreamsHttpClient } from 'sluice/http';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = Date.now().toString(36);
const appId = `sluice-fleet-demo-${run}`;
const topics = { views: `fleet-demo-views-${run}`, totals: `fleet-demo-totals-${run}` };
const SESSION_TIMEOUT_MS = 6_000;
const kafka = new Kafka({ clientId: 'sluice-fleet-demo', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const stateRoot = mkdtempSync(path.join(tmpdir(), 'sluice-fleet-demo-'));
const workers: { name: string; child: ChildProcess; url: string; port: number; log: string[] }[] = [];

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
  const child = spawn(process.execPath, ['--conditions=sluice-source', '--import', 'tsx', 'examples/interactive-queries/src/app.ts'], {
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      APPLICATION_ID: appId,
      VIEWS: topics.views,
      TOTALS: topics.totals,
      HTTP_PORT: String(port),
      STATE_DIR: path.join(stateRoot, name),
      SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // the workers' logs are shown only if the demo fails
  const log: string[] = [];
  const keep = (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line.length > 0) log.push(`[${name}] ${line}`);
    if (log.length > 30) log.splice(0, log.length - 30);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  workers.push({ name, child, port, url: `http://127.0.0.1:${port}`, log });
  console.log(`started worker ${name} (pid ${child.pid}), query server http://127.0.0.1:${port}`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const ready = async (url: string) => ((await fetch(`${url}/health/ready`)).status === 200 ? true : undefined);

async function main(): Promise<void> {
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topics.views, numPartitions: 6 }, { topic: topics.totals, numPartitions: 6 }] });
  for (const name of ['A', 'B', 'C']) await startWorker(name);
  await until('all three workers RUNNING', async () => ((await Promise.all(workers.map((w) => ready(w.url)))).every(Boolean) ? true : undefined));

  const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
  const expected = new Map<string, number>();
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 300 }, (_, i) => {
    const user = users[(i * 7) % users.length]!;
    expected.set(user, (expected.get(user) ?? 0) + 1);
    return { key: user, value: JSON.stringify({ page: `/page/${i % 9}`, at: Date.now() - 30 * 60_000 + i * 6_000 }) };
  });
  await producer.send({ topic: topics.views, messages });
  await producer.disconnect();
  console.log(`\nwrote ${messages.length} page views of ${users.length} users to ${topics.views}`);

  const clients = workers.map((w) => new StreamsHttpClient({ urls: [w.url] }));
  const answers = async (ws: typeof workers) => {
    for (const w of ws) {
      for (const u of users) {
        const r = await fetch(`${w.url}/v1/stores/views-per-user/keys/${u}`);
        if (r.status !== 200 || ((await r.json()) as { value: number }).value !== expected.get(u)) return undefined;
      }
    }
    return true;
  };
  await until('every worker answering every user', () => answers(workers));

  console.log('\nGET /v1/stores/views-per-user/keys/{user}, asked of each worker (served by = the worker holding the user):');
  console.log(`  ${'user'.padEnd(9)} ${workers.map((w) => `via ${w.name}`.padEnd(22)).join('')}`);
  for (const u of users.slice(0, 6)) {
    const cells = [];
    for (const w of workers) {
      const body = (await (await fetch(`${w.url}/v1/stores/views-per-user/keys/${u}`)).json()) as { value: number; servedBy: string };
      cells.push(`${body.value} by ${workers.find((x) => body.servedBy.endsWith(`:${x.port}`))?.name ?? body.servedBy}`.padEnd(22));
    }
    console.log(`  ${u.padEnd(9)} ${cells.join('')}`);
  }
  const page = (await (await fetch(`${workers[0]!.url}/v1/stores/views-per-user/keys?limit=5`)).json()) as { items: { key: string; value: number }[]; next: string };
  console.log(`\nGET /v1/stores/views-per-user/keys?limit=5 (merged from all workers in key order): ${page.items.map((i) => `${i.key}=${i.value}`).join(', ')}; next=${page.next}`);
  const windows = [];
  for await (const w of clients[1]!.windows<number>('views-per-user-per-minute', 'user-3')) windows.push(`${new Date(w.window.start).toISOString().slice(11, 16)}:${w.value}`);
  console.log(`user-3's views per minute (via B, HH:MM:views): ${windows.slice(0, 10).join(' ')}${windows.length > 10 ? ' …' : ''}`);

  const victim = workers[1]!;
  const victimUsers = [];
  for (const u of users) if ((await clients[0]!.get(`views-per-user`, u))?.servedBy.endsWith(`:${victim.port}`)) victimUsers.push(u);
  console.log(`\nkilling worker ${victim.name} (SIGKILL, pid ${victim.child.pid}); it held ${victimUsers.join(', ')}`);
  victim.child.kill('SIGKILL');
  await once(victim.child, 'exit');
  const survivors = workers.filter((w) => w !== victim);
  const probe = await fetch(`${survivors[0]!.url}/v1/stores/views-per-user/keys/${victimUsers[0] ?? users[0]}`);
  console.log(`right away, worker ${survivors[0]!.name} answers ${probe.status}: ${JSON.stringify(await probe.json())}`);
  const killedAt = Date.now();
  await until('the survivors answering every user again', () => answers(survivors), 90_000);
  console.log(`${((Date.now() - killedAt) / 1000).toFixed(1)} s later (session timeout ${SESSION_TIMEOUT_MS / 1000} s) every user is answered again by A and C, with the same totals:`);
  for (const u of victimUsers) {
    const r = (await (await fetch(`${survivors[1]!.url}/v1/stores/views-per-user/keys/${u}`)).json()) as { value: number; servedBy: string };
    console.log(`  ${u.padEnd(9)} ${r.value} (expected ${expected.get(u)}), served by ${survivors.find((x) => r.servedBy.endsWith(`:${x.port}`))?.name}`);
  }
  for (const c of clients) c.close();
}

async function cleanUp(): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return;
      w.child.kill('SIGTERM');
      const timer = setTimeout(() => w.child.kill('SIGKILL'), 15_000);
      await once(w.child, 'exit');
      clearTimeout(timer);
    }),
  );
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${appId}-`) || t === topics.views || t === topics.totals);
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    await admin.deleteGroups([appId]).catch(() => undefined);
  } finally {
    await admin.disconnect();
    rmSync(stateRoot, { recursive: true, force: true });
  }
}

process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  console.error(`\nthe fleet demo failed: ${err instanceof Error ? err.message : String(err)}`);
  for (const w of workers) console.error(w.log.join('\n'));
} finally {
  await cleanUp();
}
console.log(failed ? '' : '\ndone: workers stopped, demo topics, consumer group and state directories removed.');
process.exit(failed ? 1 : 0);
