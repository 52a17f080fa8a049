// The OpenAPI document describes every route the server answers; the health probes follow the app's
// state; store contents render as JSON by fixed rules (64-bit integers beyond 2^53 as strings, bytes
// base64, maps as objects); the options are checked when the server is made.
import { afterEach, describe, expect, it } from 'vitest';
import { HostInfo } from '@sluice/runtime/query';
import { StreamsHttpServer } from '../src/index.js';
import { toJson } from '../src/json.js';
import { Fleet } from './helpers/in-process-fleet.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('OpenAPI, health and rendering', () => {
  it('documents every route, and bearer auth when it is on', async () => {
    fleet = await Fleet.create(1, { authToken: 'x'.repeat(32) });
    const res = await fetch(`${fleet.workers[0]!.url}/v1/openapi.json`, { headers: { authorization: `Bearer ${'x'.repeat(32)}` } });
    const doc = (await res.json()) as { openapi: string; paths: Record<string, { get: { parameters?: { name: string; in: string }[]; security?: unknown } }>; components: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/',
        '/metrics',
        '/v1/topology',
        '/health/live',
        '/health/ready',
        '/v1/instance',
        '/v1/instances',
        '/v1/openapi.json',
        '/v1/stores',
        '/v1/stores/{store}/keys',
        '/v1/stores/{store}/keys/{key}',
        '/v1/stores/{store}/keys/{key}/metadata',
        '/v1/stores/{store}/keys/{key}/sessions',
        '/v1/stores/{store}/keys/{key}/windows',
      ].sort(),
    );
    // each {param} in a path is declared as a path parameter
    for (const [path, item] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect((item.get.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name), path).toEqual(inPath);
    }
    expect(doc.paths['/v1/stores']!.get.security).toEqual([{ bearer: [] }]);
    expect(doc.components['securitySchemes']).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
  });

  it('is live while it serves, and ready only while the app is RUNNING', async () => {
    fleet = await Fleet.create(1);
    const w = fleet.workers[0]!;
    expect([(await fetch(`${w.url}/health/live`)).status, (await fetch(`${w.url}/health/ready`)).status]).toEqual([200, 200]);
    w.state = 'PENDING_SHUTDOWN';
    const res = await fetch(`${w.url}/health/ready`);
    expect([res.status, res.headers.get('retry-after'), ((await res.json()) as { error: { code: string } }).error.code]).toEqual([503, '5', 'NOT_RUNNING']);
    expect((await fetch(`${w.url}/health/live`)).status).toBe(200);
  });

  it('renders 64-bit integers, bytes, maps and sets as JSON can carry them', () => {
    expect(toJson({ safe: 2n ** 53n - 1n, big: 2n ** 63n - 1n, negative: -(2n ** 60n), small: 7n })).toBe('{"safe":9007199254740991,"big":"9223372036854775807","negative":"-1152921504606846976","small":7}');
    expect(toJson({ bytes: Buffer.from('hi'), map: new Map([['a', 1n]]), set: new Set([1, 2]), date: new Date(0) })).toBe('{"bytes":"aGk=","map":{"a":1},"set":[1,2],"date":"1970-01-01T00:00:00.000Z"}');
  });

  it('refuses options that cannot work, naming the fix', async () => {
    fleet = await Fleet.create(1);
    const w = fleet.workers[0]!;
    expect(() => new StreamsHttpServer(w, { maxPageSize: 0 })).toThrow(/maxPageSize must be an integer from 1 to 10000, got 0/);
    expect(() => new StreamsHttpServer(w, { basePath: 'streams/' })).toThrow(/basePath must be '' or a path like '\/streams'/);
    expect(() => new StreamsHttpServer(w, { authToken: 'short' })).toThrow(/authToken must be a string of at least 16 characters/);
    expect(() => new StreamsHttpServer(w, { prot: 1 } as never)).toThrow(/unknown query server option\(s\) 'prot'/);
    expect(() => new StreamsHttpServer({ ...w, queryableStores: () => [], applicationServer: undefined } as never)).toThrow(/needs the app's applicationServer/);
    expect(new HostInfo('127.0.0.1', 1).toString()).toBe('127.0.0.1:1');
  });
});
