// Runs the interactive-queries example as worker processes with their query servers, and reads
// their state over HTTP: free ports, readiness, every key through a worker, whole ranges page by page,
// and waiting until what the fleet answers is what the input says.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { startWorker, type Worker } from './worker.js';

export const APP = 'examples/interactive-queries/src/app.ts';
export const TOTALS = 'views-per-user';
export const PER_MINUTE = 'views-per-user-per-minute';

export async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}

export interface QueryWorker {
  readonly worker: Worker;
  readonly port: number;
  readonly url: string;
}

export interface FleetSettings {
  readonly appId: string;
  readonly views: string;
  readonly totals: string;
  /** Extra environment (QUERY_TOKEN, TLS_CERT_FILE …). */
  readonly env?: Record<string, string>;
  readonly scheme?: 'http' | 'https';
}

/** A state directory removed when the test ends. */
export function stateDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-iq-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function startQueryWorker(s: FleetSettings, name: string): Promise<QueryWorker> {
  const port = await freePort();
  const worker = startWorker(
    APP,
    {
      APPLICATION_ID: s.appId,
      VIEWS: s.views,
      TOTALS: s.totals,
      HTTP_PORT: String(port),
      STATE_DIR: stateDir(),
      COMMIT_INTERVAL_MS: '500',
      SESSION_TIMEOUT_MS: '6000',
      ...(s.env ?? {}),
    },
    name,
  );
  await worker.waitFor(/HTTP http/);
  return { worker, port, url: `${s.scheme ?? 'http'}://127.0.0.1:${port}` };
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** All entries of a key-value store, walked page by page through one worker (undefined on any non-200). */
export async function readAll(url: string, store: string, limit = 25, headers: Record<string, string> = {}): Promise<Map<string, number> | undefined> {
  const out = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const a = await getJson(`${url}/v1/stores/${store}/keys?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, headers);
    if (a.status !== 200) return undefined;
    for (const item of a.body['items'] as { key: string; value: number }[]) out.set(item.key, item.value);
    cursor = a.body['next'] as string | null;
  } while (cursor !== null);
  return out;
}

/** Poll until `check` resolves true (or throw with the last thing seen). */
export async function eventually(what: string, check: () => Promise<boolean | string>, timeoutMs = 90_000): Promise<number> {
  const start = Date.now();
  let last: boolean | string = false;
  while (Date.now() - start < timeoutMs) {
    try {
      last = await check();
      if (last === true) return Date.now() - start;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms; last: ${String(last).slice(0, 500)}`);
}

/** Every worker answers every user's total with the expected count (each key asked of each worker). */
export async function everyKeyEverywhere(workers: readonly QueryWorker[], expected: ReadonlyMap<string, number>, headers: Record<string, string> = {}): Promise<true | string> {
  for (const w of workers) {
    for (const [user, n] of expected) {
      const a = await getJson(`${w.url}/v1/stores/${TOTALS}/keys/${user}`, headers);
      if (a.status !== 200 || a.body['value'] !== n) return `${w.url} ${user}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)} (want ${n})`;
    }
  }
  return true;
}

export function viewsOf(users: number, perUser: (u: number) => number, startAt: number): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (let u = 0; u < users; u++) for (let i = 0; i < perUser(u); i++) out.push({ key: `user-${u}`, value: JSON.stringify({ page: `/p${i}`, at: startAt + i * 13_000 + u }) });
  return out;
}

export function countsOf(views: readonly { key: string }[]): Map<string, number> {
  const c = new Map<string, number>();
  for (const v of views) c.set(v.key, (c.get(v.key) ?? 0) + 1);
  return c;
}
