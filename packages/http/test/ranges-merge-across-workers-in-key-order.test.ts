// GET /v1/stores/{store}/keys merges every worker's partitions into one key order and pages through
// it with cursors: the pages, joined, are exactly the store's keys in order, whatever the page size,
// bounds or prefix; a worker that cannot answer makes the page a 503, never a page with holes.
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from './helpers/in-process-fleet.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

interface Page {
  items: { key: unknown; value: unknown }[];
  next: string | null;
  servedBy: string[];
}

async function page(url: string): Promise<Page> {
  const res = await fetch(url);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

async function walk(base: string, query: string): Promise<{ keys: unknown[]; pages: number }> {
  const keys: unknown[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const p = await page(`${base}?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    keys.push(...p.items.map((i) => i.key));
    cursor = p.next;
    pages++;
  } while (cursor !== null && pages < 1_000);
  return { keys, pages };
}

const words = Array.from({ length: 57 }, (_, i) => `w${String((i * 37) % 57).padStart(3, '0')}`);
const sorted = [...words].sort();

describe('ranges across workers', () => {
  it('pages through all keys in key order, merged from all three workers', async () => {
    fleet = await Fleet.create(3);
    for (const [i, w] of words.entries()) await fleet.put('counts', w, i);
    for (const w of fleet.workers) {
      for (const limit of [1, 7, 57, 1000]) {
        const { keys, pages } = await walk(`${w.url}/v1/stores/counts/keys`, `limit=${limit}`);
        expect(keys).toEqual(sorted);
        expect(pages).toBe(Math.max(1, Math.ceil(57 / limit)));
      }
    }
    const first = await page(`${fleet.workers[0]!.url}/v1/stores/counts/keys?limit=3`);
    expect(first.items).toEqual(sorted.slice(0, 3).map((k) => ({ key: k, value: words.indexOf(k) })));
    expect(first.servedBy.sort()).toEqual(fleet.workers.map((w) => w.applicationServer.toString()).sort());
  });

  it('honours from, to and prefix together with pages', async () => {
    fleet = await Fleet.create(3);
    for (const w of words) await fleet.put('counts', w, 1);
    const base = `${fleet.workers[1]!.url}/v1/stores/counts/keys`;
    expect((await walk(base, 'from=w010&to=w020&limit=4')).keys).toEqual(sorted.filter((k) => k >= 'w010' && k <= 'w020'));
    expect((await walk(base, 'prefix=w03&limit=3')).keys).toEqual(sorted.filter((k) => k.startsWith('w03')));
    expect((await walk(base, 'prefix=w04&from=w045&limit=2')).keys).toEqual(sorted.filter((k) => k.startsWith('w04') && k >= 'w045'));
    expect((await walk(base, 'prefix=x')).keys).toEqual([]);
  });

  it('orders Long keys as the store does (by their bytes: negative numbers after positive ones)', async () => {
    fleet = await Fleet.create(2);
    for (const n of [5, -1, 300, 0, -200, 42]) await fleet.put('totals', n, BigInt(n));
    const { keys } = await walk(`${fleet.workers[0]!.url}/v1/stores/totals/keys`, 'limit=2');
    expect(keys).toEqual([0, 5, 42, 300, -200, -1]);
    expect((await walk(`${fleet.workers[0]!.url}/v1/stores/totals/keys`, 'from=5&to=300')).keys).toEqual([5, 42, 300]);
  });

  it('answers 503 instead of a page with holes when a worker holding partitions is down', async () => {
    fleet = await Fleet.create(3);
    for (const w of words) await fleet.put('counts', w, 1);
    await fleet.workers[2]!.kill();
    const res = await fetch(`${fleet.workers[0]!.url}/v1/stores/counts/keys?limit=100`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'OWNER_UNAVAILABLE',
      message: expect.stringContaining(`worker ${fleet.workers[2]!.applicationServer.toString()} could not be reached`),
    });
  });

  it('answers 503 while a worker holding partitions is rebalancing', async () => {
    fleet = await Fleet.create(3);
    fleet.workers[1]!.state = 'REBALANCING';
    const res = await fetch(`${fleet.workers[0]!.url}/v1/stores/counts/keys`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('REBALANCING');
  });
});
