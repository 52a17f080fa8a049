// Issue 10 on the real broker: three worker processes of the interactive-queries example, each with
// its query server. Every key is answered correctly through every worker, ranges merge all workers in
// key order, windows come back per minute, bad requests get their 4xx; a SIGKILLed worker's keys are
// answered again, unchanged, once the group has moved its tasks.
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, createTopic, deleteGroup, deleteTopicsWithPrefix, produce, uniqueName } from '../helpers/kafka.js';
import { countsOf, eventually, everyKeyEverywhere, getJson, PER_MINUTE, readAll, startQueryWorker, TOTALS, viewsOf, type QueryWorker } from '../helpers/query-workers.js';

afterAll(closeTestClients);

const MINUTE = 60_000;
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE;

describe('interactive queries over HTTP across three workers', () => {
  it('answers every key through every worker, merges ranges, and answers again after a worker is SIGKILLed', async () => {
    const views = await createTopic('iq-views', { partitions: 6 });
    const totals = await createTopic('iq-totals', { partitions: 6 });
    const appId = uniqueName('iq');
    try {
      const settings = { appId, views, totals };
      const workers: QueryWorker[] = [];
      for (const name of ['A', 'B', 'C']) workers.push(await startQueryWorker(settings, name));
      const input = viewsOf(40, (u) => 1 + (u % 7), T0);
      await produce(views, input);
      const expected = countsOf(input);
      await eventually('every key through every worker', () => everyKeyEverywhere(workers, expected));

      // a merged range through each worker: every user, in key order, across pages of 7
      for (const w of workers) {
        const all = await readAll(w.url, TOTALS, 7);
        expect([...all!.keys()]).toEqual([...expected.keys()].sort());
        expect(all).toEqual(expected);
      }
      const page = await getJson(`${workers[0]!.url}/v1/stores/${TOTALS}/keys?prefix=user-1&limit=100`);
      expect((page.body['items'] as { key: string }[]).map((i) => i.key)).toEqual([...expected.keys()].filter((k) => k.startsWith('user-1')).sort());
      expect(new Set(page.body['servedBy'] as string[]).size).toBe(3);

      // user-6 viewed 7 pages, 13 s apart: per minute of event time, with each window's start and end
      const windows = await getJson(`${workers[1]!.url}/v1/stores/${PER_MINUTE}/keys/user-6/windows?from=${T0}`);
      expect(windows.status).toBe(200);
      const perMinute = (windows.body['items'] as { window: { start: number; end: number }; value: number }[]).map((w) => [w.window.start - T0, w.window.end - w.window.start, w.value]);
      expect(perMinute).toEqual(expectedMinutes(7, 6));

      // bad requests, through a real worker
      const bad = async (path: string) => {
        const a = await getJson(`${workers[2]!.url}${path}`);
        return [a.status, (a.body['error'] as { code: string } | undefined)?.code];
      };
      expect(await bad(`/v1/stores/${TOTALS}/keys?limit=abc`)).toEqual([400, 'INVALID_PARAMETER']);
      expect(await bad(`/v1/stores/${PER_MINUTE}/keys/user-1/windows?from=soon`)).toEqual([400, 'INVALID_PARAMETER']);
      expect(await bad(`/v1/stores/${PER_MINUTE}/keys/user-1`)).toEqual([400, 'WRONG_STORE_KIND']);
      expect(await bad(`/v1/stores/nope/keys/user-1`)).toEqual([404, 'STORE_NOT_FOUND']);
      expect(await bad(`/v1/stores/${TOTALS}/keys/nobody`)).toEqual([404, 'KEY_NOT_FOUND']);
      expect(await bad(`/v1/nothing`)).toEqual([404, 'ROUTE_NOT_FOUND']);
      const instances = await getJson(`${workers[0]!.url}/v1/instances`);
      expect((instances.body['instances'] as { reachable: boolean; state: string }[]).map((i) => [i.reachable, i.state])).toEqual([
        [true, 'RUNNING'],
        [true, 'RUNNING'],
        [true, 'RUNNING'],
      ]);

      // let the last commit pass (at-least-once: the changelog and offsets agree), then kill one
      await new Promise((r) => setTimeout(r, 2_000));
      const victim = workers[1]!;
      const victimTasks = ((await getJson(`${victim.url}/v1/instance`)).body['activeTasks'] as unknown[]).length;
      expect(victimTasks).toBeGreaterThan(0);
      await victim.worker.stop('SIGKILL');
      const survivors = [workers[0]!, workers[2]!];
      const down = await getJson(`${survivors[0]!.url}/v1/stores/${TOTALS}/keys`);
      expect([down.status, down.headers.get('retry-after') !== null]).toEqual([503, true]);
      const tookMs = await eventually('every key through the survivors after the SIGKILL', () => everyKeyEverywhere(survivors, expected));
      console.log(`after the SIGKILL, every key answered again in ${tookMs} ms (session timeout 6 s)`);
      for (const w of survivors) expect(await readAll(w.url, TOTALS, 50)).toEqual(expected);
      await Promise.all(survivors.map((w) => w.worker.stop()));
    } finally {
      await deleteTopicsWithPrefix(appId);
      await deleteGroup(appId);
    }
  });
});

/** [minute offset from T0, window size, views] of a user's views at T0 + u + i·13 s. */
function expectedMinutes(views: number, u: number): number[][] {
  const byMinute = new Map<number, number>();
  for (let i = 0; i < views; i++) {
    const m = Math.floor((i * 13_000 + u) / MINUTE) * MINUTE;
    byMinute.set(m, (byMinute.get(m) ?? 0) + 1);
  }
  return [...byMinute].map(([m, n]) => [m, MINUTE, n]);
}
