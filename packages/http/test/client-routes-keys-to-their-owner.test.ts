// StreamsHttpClient learns the fleet from /v1/instances and sends each key straight to the worker
// holding it (so keys of live workers keep answering when the worker the client first knew is gone),
// falls back to any other worker, and walks ranges, windows and sessions page by page.
import { afterEach, describe, expect, it } from 'vitest';
import { StreamsHttpClient, StreamsHttpError } from '../src/index.js';
import { Fleet } from './helpers/in-process-fleet.js';

let fleet: Fleet | undefined;
let client: StreamsHttpClient | undefined;
afterEach(async () => {
  client?.close();
  await fleet?.close();
  fleet = undefined;
});

const users = Array.from({ length: 30 }, (_, i) => `u${i}`);

describe('StreamsHttpClient', () => {
  it("gets every key from its owner, and keeps routing to live owners after the first worker it knew is gone", async () => {
    fleet = await Fleet.create(3);
    for (const [i, u] of users.entries()) await fleet.put('counts', u, i);
    const f = fleet;
    client = new StreamsHttpClient({ urls: [f.workers[0]!.url] });
    const ownerOf = (u: string) => f.workers[f.active[f.partitionOf('counts', u)]!]!;
    for (const [i, u] of users.entries()) expect(await client.get('counts', u)).toEqual({ key: u, value: i, partition: f.partitionOf('counts', u), servedBy: ownerOf(u).applicationServer.toString() });
    expect(await client.get('counts', 'nobody')).toBeUndefined();

    await f.workers[0]!.kill();
    for (const [i, u] of users.entries()) {
      if (ownerOf(u) === f.workers[0]) {
        // its partitions have no worker now: the others say so
        await expect(client.get('counts', u)).rejects.toMatchObject({ status: 503, code: 'OWNER_UNAVAILABLE' });
      } else {
        expect((await client.get<number>('counts', u))?.value).toBe(i);
      }
    }
  });

  it('falls back to the next worker when one cannot be reached, and to standbys with stale reads', async () => {
    fleet = await Fleet.create(3);
    await fleet.put('counts', 'ann', 1);
    const p = fleet.partitionOf('counts', 'ann');
    const owner = fleet.active[p]!;
    const standby = (owner + 1) % 3;
    fleet.standbys[p] = [standby];
    const seed = fleet.workers[(owner + 2) % 3]!;
    const deadUrl = fleet.workers[owner]!.url;
    await fleet.workers[owner]!.kill();
    client = new StreamsHttpClient({ urls: [deadUrl, seed.url] });
    await expect(client.get('counts', 'ann')).rejects.toBeInstanceOf(StreamsHttpError);
    expect(await client.get('counts', 'ann', { stale: true })).toMatchObject({ value: 1, servedBy: fleet.workers[standby]!.applicationServer.toString() });
    await expect(new StreamsHttpClient({ urls: [deadUrl] }).get('counts', 'ann')).rejects.toMatchObject({ status: 503, code: 'UNREACHABLE' });
  });

  it('walks ranges, windows and sessions, and reads metadata, stores and the fleet', async () => {
    fleet = await Fleet.create(3);
    for (const [i, u] of users.entries()) await fleet.put('counts', u, i);
    for (let m = 0; m < 7; m++) await fleet.putWindow('ann', m * 60_000, m, m * 60_000);
    await fleet.putSession('ann', 0, 10, 1);
    await fleet.putSession('ann', 100, 200, 2);
    client = new StreamsHttpClient({ urls: [fleet.workers[2]!.url] });
    const keys: string[] = [];
    for await (const e of client.range<string, number>('counts', { limit: 4 })) keys.push(e.key);
    expect(keys).toEqual([...users].sort());
    const some: string[] = [];
    for await (const e of client.range<string, number>('counts', { from: 'u1', to: 'u2', limit: 2 })) some.push(e.key);
    expect(some).toEqual([...users].sort().filter((k) => k >= 'u1' && k <= 'u2'));
    const windows = [];
    for await (const w of client.windows<number>('views-per-minute', 'ann', { from: 120_000 })) windows.push([w.window.start, w.value, w.timestamp]);
    expect(windows).toEqual([2, 3, 4, 5, 6].map((m) => [m * 60_000, m, m * 60_000]));
    const sessions = [];
    for await (const s of client.sessions<number>('visits', 'ann')) sessions.push([s.window.start, s.window.end, s.value]);
    expect(sessions).toEqual([
      [0, 10, 1],
      [100, 200, 2],
    ]);
    expect(await client.metadata('counts', 'u3')).toMatchObject({ partition: fleet.partitionOf('counts', 'u3') });
    expect((await client.stores()).map((s) => s.name)).toEqual(['counts', 'profiles', 'totals', 'views-per-minute', 'visits']);
    expect((await client.instances()).instances).toHaveLength(3);
    await expect(client.get('nope', 'x')).rejects.toMatchObject({ status: 404, code: 'STORE_NOT_FOUND' });
  });
});
