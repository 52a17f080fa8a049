// GET /metrics answers Prometheus text with prom-client's content type (behind the bearer token when
// there is one); GET / answers the console page, held by its Content-Security-Policy to this server
// and usable under a base path; both can be turned off, leaving the path to the enclosing server;
// /v1/instance carries consumer lag per partition and the throughput figures the console reads.
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamsHttpHandler } from '../src/index.js';
import { Fleet } from './helpers/in-process-fleet.js';

const TOKEN = 'm'.repeat(32);
let fleet: Fleet | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await fleet?.close();
  fleet = undefined;
});

describe('GET /metrics', () => {
  it("serves the app's metrics in Prometheus text with prom-client's content type", async () => {
    fleet = await Fleet.create(1);
    const w = fleet.workers[0]!;
    w.processed = 42;
    const res = await fetch(`${w.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE kafka_stream_thread_process_total counter');
    expect(text).toContain('kafka_stream_thread_process_total{thread_id="w0-StreamThread-1"} 42');
    w.processed = 43;
    expect(await (await fetch(`${w.url}/metrics`)).text()).toContain('kafka_stream_thread_process_total{thread_id="w0-StreamThread-1"} 43');
  });

  it('wants the bearer token when the server has one; the console page (no data in it) does not', async () => {
    fleet = await Fleet.create(1, { authToken: TOKEN });
    const w = fleet.workers[0]!;
    expect((await fetch(`${w.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${w.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${w.url}/`)).status).toBe(200);
  });
});

describe('GET / (the console)', () => {
  it('serves one HTML page whose policy allows only its own script, style and this server', async () => {
    fleet = await Fleet.create(1);
    const res = await fetch(`${fleet.workers[0]!.url}/`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/connect-src 'self'/);
    const page = await res.text();
    expect(page).toContain('<title>Sluice console</title>');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('lives under the base path when mounted, and both routes can be left to your server', async () => {
    fleet = await Fleet.create(1);
    const w = fleet.workers[0]!;
    const mounted = new StreamsHttpHandler(w, { basePath: '/streams' });
    const off = new StreamsHttpHandler(w, { basePath: '/off', console: false, metrics: false });
    const server = http.createServer((req, res) => {
      void (async () => {
        if (await mounted.handle(req, res)) return;
        if (await off.handle(req, res)) return;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('your app');
      })();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())), () => mounted.close(), () => off.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const path of ['/streams/', '/streams']) {
      const page = await (await fetch(`${url}${path}`)).text();
      expect(page, path).toContain('data-base="/streams"');
    }
    expect((await fetch(`${url}/streams/metrics`)).headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await (await fetch(`${url}/off/`)).text()).toBe('your app');
    expect(await (await fetch(`${url}/off/metrics`)).text()).toBe('your app');
    expect(await (await fetch(`${url}/`)).text()).toBe('your app');
  });
});

describe('GET /v1/instance and /v1/instances', () => {
  it("carry each worker's consumer lag per partition, its threads and throughput figures", async () => {
    fleet = await Fleet.create(2);
    fleet.workers[1]!.processed = 7;
    const body = (await (await fetch(`${fleet.workers[0]!.url}/v1/instances`)).json()) as { instances: { endpoint: string; consumerLags: { topic: string; partition: number; lag: number }[]; threads: { name: string }[]; metrics: { processTotal: number } }[] };
    expect(body.instances.map((i) => i.metrics.processTotal)).toEqual([0, 7]);
    expect(body.instances.map((i) => i.threads.map((t) => t.name))).toEqual([['w0-StreamThread-1'], ['w1-StreamThread-1']]);
    const lagged = body.instances.flatMap((i) => i.consumerLags.map((l) => l.partition)).sort();
    expect(lagged).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
