// `sluice query` against a real HTTP server on 127.0.0.1. Until sluice/http's server is on main, the
// server here is a small node:http one serving the documented route, GET /v1/stores/{store}/keys/{key}
// → { "key", "value" }, errors as { "error": { "code", "message" } }, a bearer token and ?stale=true.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const stores = new Map<string, Map<string, unknown>>([
  ['word-counts', new Map<string, unknown>([['kafka', 42], ['two words', 2], ['a/b', 7]])],
  ['orders', new Map<string, unknown>([['o-1', { id: 'o-1', items: [{ sku: 'x', qty: 2 }], total: 19.5 }]])],
]);
const TOKEN = 's3cret';
const requests: { url: string; authorization: string | undefined }[] = [];

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/broken') {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('upstream exploded');
    return;
  }
  const m = /^\/v1\/stores\/([^/]+)\/keys\/([^/]+)$/.exec(url.pathname);
  if (req.method !== 'GET' || !m) return answer(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` } });
  const store = decodeURIComponent(m[1]!);
  const key = decodeURIComponent(m[2]!);
  if (store === 'orders' && req.headers.authorization !== `Bearer ${TOKEN}`) return answer(res, 401, { error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required' } });
  const s = stores.get(store);
  if (!s) return answer(res, 404, { error: { code: 'STORE_NOT_FOUND', message: `no store named '${store}'; stores: ${[...stores.keys()].join(', ')}` } });
  if (!s.has(key)) return answer(res, 404, { error: { code: 'KEY_NOT_FOUND', message: `key '${key}' not found in store '${store}'` } });
  answer(res, 200, { key, value: url.searchParams.get('stale') === 'true' ? { stale: true, value: s.get(key) } : s.get(key) });
}

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('sluice query', () => {
  it('prints the value as pretty JSON', async () => {
    const r = await runCli(['query', base, 'word-counts', 'kafka']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('42\n');
    const order = await runCli(['query', base, 'orders', 'o-1', '--token', TOKEN]);
    expect(order.code, order.stderr).toBe(0);
    expect(order.stdout).toBe(JSON.stringify(stores.get('orders')!.get('o-1'), null, 2) + '\n');
    expect(requests.at(-1)).toEqual({ url: '/v1/stores/orders/keys/o-1', authorization: `Bearer ${TOKEN}` });
  });

  it('encodes store and key in the path, takes host:port, a token from the environment and --stale', async () => {
    const spaced = await runCli(['query', base.replace('http://', ''), 'word-counts', 'two words']);
    expect(spaced.stdout).toBe('2\n');
    expect(requests.at(-1)!.url).toBe('/v1/stores/word-counts/keys/two%20words');
    const slash = await runCli(['query', base, 'word-counts', 'a/b', '--stale']);
    expect(JSON.parse(slash.stdout)).toEqual({ stale: true, value: 7 });
    expect(requests.at(-1)!.url).toBe('/v1/stores/word-counts/keys/a%2Fb?stale=true');
    const fromEnv = await runCli(['query', base, 'orders', 'o-1'], { env: { SLUICE_TOKEN: TOKEN } });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
  });

  it("prints the server's JSON error with a non-zero exit code", async () => {
    const missing = await runCli(['query', base, 'word-counts', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`error: key 'nope' not found in store 'word-counts' (HTTP 404 KEY_NOT_FOUND from ${base})\n`);
    const noStore = await runCli(['query', base, 'nothing', 'x']);
    expect(noStore.stderr).toContain("no store named 'nothing'; stores: word-counts, orders (HTTP 404 STORE_NOT_FOUND");
    const unauthorized = await runCli(['query', base, 'orders', 'o-1']);
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stderr).toContain('a valid bearer token is required (HTTP 401 UNAUTHORIZED');
    const broken = await runCli(['query', `${base}/broken`, 'x', 'y']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('no route GET /broken/v1/stores/x/keys/y');
  });

  it('says when the worker cannot be reached or the URL is wrong', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = await runCli(['query', `http://127.0.0.1:${port}`, 'word-counts', 'kafka']);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`error: cannot reach http://127.0.0.1:${port}: ECONNREFUSED; is the worker running with its HTTP server on that address?\n`);
    const badUrl = await runCli(['query', 'ftp://host', 'word-counts', 'kafka']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("worker URL 'ftp://host' must be http:// or https://");
    const missingArg = await runCli(['query', base, 'word-counts']);
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toContain("missing required argument 'key'");
  });
});
