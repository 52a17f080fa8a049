// Every malformed request gets a 4xx with { "error": { "code", "message" } } naming what was wrong —
// never a 500 — and a store that cannot answer now gets a 503 with Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from './helpers/in-process-fleet.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await Fleet.create(2);
  await fleet.put('counts', 'ann', 1);
});
afterAll(() => fleet.close());

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; code: string; message: string; headers: Headers }> {
  const res = await fetch(`${fleet.workers[0]!.url}${path}`, init);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = (await res.json()) as { error?: { code: string; message: string } };
  return { status: res.status, code: body.error?.code ?? '', message: body.error?.message ?? '', headers: res.headers };
}

describe('bad requests', () => {
  it.each([
    ['/v1/stores/counts/keys?limit=abc', 'INVALID_PARAMETER', /parameter 'limit' must be an integer from 1 to 1000, got "abc"/],
    ['/v1/stores/counts/keys?limit=0', 'INVALID_PARAMETER', /'limit' must be an integer from 1 to 1000/],
    ['/v1/stores/counts/keys?limit=1001', 'INVALID_PARAMETER', /'limit' must be an integer from 1 to 1000/],
    ['/v1/stores/counts/keys?limit=5&limit=6', 'INVALID_PARAMETER', /parameter 'limit' is given 2 times/],
    ['/v1/stores/counts/keys?limt=5', 'INVALID_PARAMETER', /unknown parameter 'limt'; this route takes 'from', 'to', 'prefix', 'limit', 'cursor', 'stale', 'partitions'/],
    ['/v1/stores/counts/keys?cursor=zzz', 'INVALID_PARAMETER', /parameter 'cursor' "zzz" is not a cursor this route gave out/],
    ['/v1/stores/counts/keys?from=b&to=a', 'INVALID_PARAMETER', /parameter 'from' \(b\) comes after 'to' \(a\)/],
    ['/v1/stores/counts/keys?stale=maybe', 'INVALID_PARAMETER', /parameter 'stale' must be true or false/],
    ['/v1/stores/counts/keys?partitions=0', 'INVALID_PARAMETER', /parameter 'partitions' is set by workers/],
    ['/v1/stores/totals/keys/abc', 'INVALID_KEY', /key "abc" is not a key of store 'totals' \(Long keys\): expected an integer/],
    ['/v1/stores/totals/keys/1.5', 'INVALID_KEY', /expected an integer/],
    ['/v1/stores/totals/keys/9007199254740993', 'INVALID_KEY', /expected an integer from -9007199254740991 to 9007199254740991/],
    ['/v1/stores/totals/keys?from=x', 'INVALID_KEY', /parameter 'from' "x" is not a key of store 'totals'/],
    ['/v1/stores/totals/keys?prefix=1', 'INVALID_PARAMETER', /parameter 'prefix' needs a store with String keys; store 'totals' has Long keys/],
    ['/v1/stores/counts/keys/%E0%A4%A', 'INVALID_PARAMETER', /the key in the path is not valid percent-encoding/],
    ['/v1/stores/visits/keys/ann', 'WRONG_STORE_KIND', /store 'visits' is a session store, which GET \/v1\/stores\/\{store\}\/keys\/\{key\} does not read; read a key's sessions at/],
    ['/v1/stores/counts/keys/ann/windows', 'WRONG_STORE_KIND', /store 'counts' is a keyValue store/],
    ['/v1/stores/views-per-minute/keys', 'WRONG_STORE_KIND', /is a timestampedWindow store/],
    ['/v1/stores/views-per-minute/keys/ann/windows?from=tomorrow', 'INVALID_PARAMETER', /parameter 'from' must be a time: epoch milliseconds .* or ISO-8601/],
    ['/v1/stores/views-per-minute/keys/ann/windows?from=20&to=10', 'INVALID_PARAMETER', /parameter 'from' \(20\) is after 'to' \(10\)/],
    ['/v1/stores/views-per-minute/keys/ann/windows?cursor=s.5', 'INVALID_PARAMETER', /is not a cursor this route gave out/],
  ])('GET %s is a 400 %s', async (path, code, message) => {
    const r = await call(path);
    expect([r.status, r.code]).toEqual([400, code]);
    expect(r.message).toMatch(message);
  });

  it.each([
    ['/v1/stores/nope/keys/ann', 'STORE_NOT_FOUND', /no queryable store named 'nope'; the stores are: counts, profiles, totals, views-per-minute, visits/],
    ['/v1/stores/counts/keys/nobody', 'KEY_NOT_FOUND', /store 'counts' has no key "nobody"/],
    ['/v1/stores/counts/nothing', 'ROUTE_NOT_FOUND', /no route \/v1\/stores\/counts\/nothing; the routes are listed at \/v1\/openapi.json/],
    ['/v1', 'ROUTE_NOT_FOUND', /no route \/v1/],
    ['/elsewhere', 'ROUTE_NOT_FOUND', /the query routes are under \/v1/],
  ])('GET %s is a 404 %s', async (path, code, message) => {
    const r = await call(path);
    expect([r.status, r.code]).toEqual([404, code]);
    expect(r.message).toMatch(message);
  });

  it('allows GET only', async () => {
    const r = await call('/v1/stores/counts/keys/ann', { method: 'DELETE' });
    expect([r.status, r.code, r.headers.get('allow')]).toEqual([405, 'METHOD_NOT_ALLOWED', 'GET']);
  });

  it('answers 503 with Retry-After while the worker holding the key rebalances or is unreachable, and when told a key moved', async () => {
    const owner = fleet.workers[fleet.active[fleet.partitionOf('counts', 'ann')]!]!;
    owner.state = 'REBALANCING';
    try {
      const r = await call('/v1/stores/counts/keys/ann');
      expect([r.status, r.code, r.headers.get('retry-after')]).toEqual([503, 'REBALANCING', '1']);
      expect(r.message).toMatch(/while this worker is rebalancing/);
      const ready = await fetch(`${owner.url}/health/ready`);
      expect(ready.status).toBe(503);
    } finally {
      owner.state = 'RUNNING';
    }
    // a request another worker forwarded is answered here or refused: never forwarded again
    const other = fleet.workers.find((w) => w !== owner)!;
    const res = await fetch(`${other.url}/v1/stores/counts/keys/ann`, { headers: { 'sluice-forwarded-by': owner.applicationServer.toString() } });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_OWNER');
  });
});
