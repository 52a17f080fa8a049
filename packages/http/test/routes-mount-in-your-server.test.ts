// The same query routes mounted in servers an application already runs — plain node:http, Express,
// Fastify — under a base path, next to the application's own routes, forwarding between workers.
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { HostInfo } from '@sluice/runtime/query';
import { StreamsHttpHandler } from '../src/index.js';
import { Fleet, freePort } from './helpers/in-process-fleet.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A two-worker fleet whose query servers are `mount(handler, port)` instead of StreamsHttpServer. */
async function mountedFleet(mount: (routes: StreamsHttpHandler, port: number) => Promise<() => Promise<void>>): Promise<Fleet> {
  const fleet = await Fleet.create(2);
  cleanups.push(() => fleet.close());
  for (const w of fleet.workers) await w.kill(); // its own server goes; the mounted routes take a port
  for (const w of fleet.workers) {
    const routes = new StreamsHttpHandler(w, { basePath: '/streams' });
    // a free port can be taken by another test file before we listen on it: then take another
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      (w as { applicationServer: HostInfo }).applicationServer = new HostInfo('127.0.0.1', port);
      try {
        const stop = await mount(routes, port);
        cleanups.push(async () => {
          await stop();
          routes.close();
        });
        break;
      } catch (err) {
        if (attempt >= 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      }
    }
  }
  for (const u of ['ann', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus']) await fleet.put('counts', u, u.length);
  return fleet;
}

async function expectFleetAnswers(fleet: Fleet): Promise<void> {
  for (const w of fleet.workers) {
    const base = `http://127.0.0.1:${w.applicationServer.port}`;
    const servedBy = new Set<string>();
    for (const u of ['ann', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus']) {
      const res = await fetch(`${base}/streams/v1/stores/counts/keys/${u}`);
      const body = (await res.json()) as { value: number; servedBy: string };
      expect([res.status, body.value]).toEqual([200, u.length]);
      servedBy.add(body.servedBy);
    }
    expect(servedBy.size).toBe(2);
    const page = (await (await fetch(`${base}/streams/v1/stores/counts/keys?limit=3`)).json()) as { items: { key: string }[] };
    expect(page.items.map((i) => i.key)).toEqual(['ann', 'bob', 'cy']);
    expect((await fetch(`${base}/streams/health/live`)).status).toBe(200);
    expect(await (await fetch(`${base}/app/hello`)).text()).toBe('hello from the app');
  }
}

describe('routes mounted in your own server', () => {
  it('node:http: handle() answers query routes and leaves the rest to the app', async () => {
    const fleet = await mountedFleet(async (routes, port) => {
      const server = http.createServer((req, res) => {
        void routes.handle(req, res).then((handled) => {
          if (!handled) res.end('hello from the app');
        });
      });
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      return () => new Promise<void>((r) => server.close(() => r()));
    });
    await expectFleetAnswers(fleet);
  });

  it('Express: routes.middleware()', async () => {
    const fleet = await mountedFleet(async (routes, port) => {
      const app = express();
      app.use(routes.middleware());
      app.get('/app/hello', (_req, res) => {
        res.send('hello from the app');
      });
      const server = app.listen(port, '127.0.0.1');
      await once(server, 'listening');
      return () => new Promise<void>((r) => server.close(() => r()));
    });
    await expectFleetAnswers(fleet);
  });

  it('Fastify: routes.fastifyPlugin()', async () => {
    const fleet = await mountedFleet(async (routes, port) => {
      const app = Fastify();
      await app.register(routes.fastifyPlugin());
      app.get('/app/hello', async () => 'hello from the app');
      await app.listen({ port, host: '127.0.0.1' });
      expect((app.server.address() as AddressInfo).port).toBe(port);
      return () => app.close();
    });
    await expectFleetAnswers(fleet);
    const res = await fetch(`http://127.0.0.1:${fleet.workers[0]!.applicationServer.port}/streams/v1/stores/counts/keys/ann`, { method: 'POST' });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
  });
});
