// Three query servers on 127.0.0.1 over one in-process fleet: every key is answered by every worker
// (by the one holding it, or forwarded to it, and the answer says who served it), values render as
// JSON with their parts, and windows and sessions come a page at a time.
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from './helpers/in-process-fleet.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

const users = Array.from({ length: 40 }, (_, i) => `user-${String(i).padStart(2, '0')}`);

describe('any worker answers any key', () => {
  it('answers every key through every worker, saying which worker served it', async () => {
    fleet = await Fleet.create(3);
    for (const [i, u] of users.entries()) await fleet.put('counts', u, i * 10);
    const f = fleet;
    for (const w of f.workers) {
      for (const [i, u] of users.entries()) {
        const r = await get(`${w.url}/v1/stores/counts/keys/${u}`);
        const p = f.partitionOf('counts', u);
        const owner = f.workers[f.active[p]!]!.applicationServer.toString();
        expect(r).toMatchObject({ status: 200, body: { key: u, value: i * 10, partition: p, servedBy: owner } });
        expect(r.headers.get('sluice-served-by')).toBe(owner);
      }
    }
  });

  it('answers 404 KEY_NOT_FOUND for a key no partition has, from the worker that would hold it', async () => {
    fleet = await Fleet.create(3);
    const r = await get(`${fleet.workers[0]!.url}/v1/stores/counts/keys/nobody`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: 'KEY_NOT_FOUND', message: `store 'counts' has no key "nobody"` }, partition: fleet.partitionOf('counts', 'nobody') });
  });

  it('reads keys with the key serde: percent-encoded text, numbers for Long keys', async () => {
    fleet = await Fleet.create(2);
    await fleet.put('counts', 'a/b c?ü', 7);
    await fleet.put('totals', 42, 5n);
    await fleet.put('totals', -3, 2n ** 62n);
    const url = fleet.workers[1]!.url;
    expect((await get(`${url}/v1/stores/counts/keys/${encodeURIComponent('a/b c?ü')}`)).body).toMatchObject({ key: 'a/b c?ü', value: 7 });
    // 64-bit values: numbers while they are exact, strings beyond 2^53
    expect((await get(`${url}/v1/stores/totals/keys/42`)).body).toMatchObject({ key: 42, value: 5 });
    expect((await get(`${url}/v1/stores/totals/keys/-3`)).body).toMatchObject({ key: -3, value: '4611686018427387904' });
  });

  it('shows a timestamped value with its timestamp', async () => {
    fleet = await Fleet.create(3);
    await fleet.putProfile('ann', { name: 'Ann', tags: ['a', 'b'] }, 1_732_550_400_000);
    for (const w of fleet.workers) {
      expect((await get(`${w.url}/v1/stores/profiles/keys/ann`)).body).toMatchObject({ key: 'ann', value: { name: 'Ann', tags: ['a', 'b'] }, timestamp: 1_732_550_400_000 });
    }
  });

  it("pages through a key's windows with their start, end and timestamp, from any worker", async () => {
    fleet = await Fleet.create(3);
    for (let m = 0; m < 5; m++) await fleet.putWindow('ann', m * 60_000, m + 1, m * 60_000 + 59_000);
    await fleet.putWindow('bob', 0, 99, 1_000);
    const url = fleet.workers[2]!.url;
    const first = await get(`${url}/v1/stores/views-per-minute/keys/ann/windows?from=60000&limit=2`);
    expect(first.body).toMatchObject({
      key: 'ann',
      items: [
        { window: { start: 60_000, end: 120_000 }, value: 2, timestamp: 119_000 },
        { window: { start: 120_000, end: 180_000 }, value: 3, timestamp: 179_000 },
      ],
    });
    const second = await get(`${url}/v1/stores/views-per-minute/keys/ann/windows?from=60000&limit=2&cursor=${first.body['next'] as string}`);
    expect((second.body['items'] as { value: number }[]).map((w) => w.value)).toEqual([4, 5]);
    expect(second.body['next']).toBeNull();
    const iso = await get(`${url}/v1/stores/views-per-minute/keys/ann/windows?from=1970-01-01T00:03:00Z&to=1970-01-01T00:04:00Z`);
    expect((iso.body['items'] as { value: number }[]).map((w) => w.value)).toEqual([4, 5]);
  });

  it("lists a key's sessions, a page at a time", async () => {
    fleet = await Fleet.create(3);
    await fleet.putSession('ann', 0, 1_000, 2);
    await fleet.putSession('ann', 10_000, 12_000, 3);
    await fleet.putSession('ann', 50_000, 50_000, 1);
    const url = fleet.workers[0]!.url;
    const all = await get(`${url}/v1/stores/visits/keys/ann/sessions`);
    expect(all.body['items']).toEqual([
      { window: { start: 0, end: 1_000 }, value: 2 },
      { window: { start: 10_000, end: 12_000 }, value: 3 },
      { window: { start: 50_000, end: 50_000 }, value: 1 },
    ]);
    const page1 = await get(`${url}/v1/stores/visits/keys/ann/sessions?limit=2`);
    const page2 = await get(`${url}/v1/stores/visits/keys/ann/sessions?limit=2&cursor=${page1.body['next'] as string}`);
    expect([...(page1.body['items'] as unknown[]), ...(page2.body['items'] as unknown[])]).toEqual(all.body['items']);
    expect((await get(`${url}/v1/stores/visits/keys/ann/sessions?from=5000&to=20000`)).body['items']).toEqual([{ window: { start: 10_000, end: 12_000 }, value: 3 }]);
  });

  it('tells where a key lives, the stores, and the fleet', async () => {
    fleet = await Fleet.create(3);
    fleet.standbys[fleet.partitionOf('counts', 'ann')] = [(fleet.active[fleet.partitionOf('counts', 'ann')]! + 1) % 3];
    const url = fleet.workers[0]!.url;
    const p = fleet.partitionOf('counts', 'ann');
    expect((await get(`${url}/v1/stores/counts/keys/ann/metadata`)).body).toEqual({
      store: 'counts',
      key: 'ann',
      partition: p,
      activeHost: fleet.workers[fleet.active[p]!]!.applicationServer.toString(),
      standbyHosts: [fleet.workers[fleet.standbys[p]![0]!]!.applicationServer.toString()],
    });
    expect((await get(`${url}/v1/stores`)).body['stores']).toContainEqual({ name: 'views-per-minute', kind: 'timestampedWindow', keySerde: 'String', partitions: 6 });
    const fleetView = (await get(`${url}/v1/instances`)).body;
    const instances = fleetView['instances'] as { endpoint: string; self: boolean; reachable: boolean; state: string; activeTasks: unknown[] }[];
    expect(instances.map((i) => [i.endpoint, i.self, i.reachable, i.state, i.activeTasks.length])).toEqual(fleet.workers.map((w, i) => [w.applicationServer.toString(), i === 0, true, 'RUNNING', 2]));
    const counts = (fleetView['stores'] as Record<string, { active: string[] }>)['counts']!;
    expect(counts.active).toEqual(fleet.active.map((i) => fleet!.workers[i]!.applicationServer.toString()));
  });
});
