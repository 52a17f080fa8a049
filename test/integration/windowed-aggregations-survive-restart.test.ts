// Issue 5's windows on the real broker: the page-view example (hopping-window counts with final
// results only, and user sessions) run as a worker process; outputs match the windows computed from
// the input, including windows and sessions that were open while the worker restarted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, uniqueName } from '../helpers/kafka.js';
import { startWorker } from '../helpers/worker.js';

afterAll(closeTestClients);

interface View {
  user: string;
  page: string;
  at: number;
}
const SIZE = 60_000;
const ADVANCE = 30_000;
const GAP = 5 * 60_000;

function views(from: number, to: number): View[] {
  const out: View[] = [];
  for (let i = from; i < to; i++) out.push({ user: `u${i % 5}`, page: `p${i % 4}`, at: i * 7_000 });
  return out;
}
function windowCounts(all: View[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of all) {
    for (let start = Math.max(0, Math.floor((v.at - SIZE + ADVANCE) / ADVANCE) * ADVANCE); start <= v.at; start += ADVANCE) {
      const k = `${v.page}@${new Date(start).toISOString()}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  }
  return m;
}
function sessions(all: View[]): Map<string, number> {
  const byUser = new Map<string, number[]>();
  for (const v of all) byUser.set(v.user, [...(byUser.get(v.user) ?? []), v.at]);
  const out = new Map<string, number>();
  for (const [user, times] of byUser) {
    times.sort((a, b) => a - b);
    let start = times[0]!;
    let prev = start;
    let n = 1;
    for (const t of times.slice(1)) {
      if (t - prev > GAP) {
        out.set(`${user}@${start}-${prev}`, n);
        start = t;
        n = 0;
      }
      prev = t;
      n++;
    }
    out.set(`${user}@${start}-${prev}`, n);
  }
  return out;
}
const toRecords = (vs: View[]) => vs.map((v) => ({ key: v.user, value: JSON.stringify({ page: v.page, at: v.at }) }));

describe('windowed aggregations on the real broker', () => {
  it('hopping-window final counts and sessions match the input across a worker restart', async () => {
    const viewsTopic = await createTopic('pv-views', { partitions: 2 });
    const countsTopic = await createTopic('pv-counts', { partitions: 2 });
    const sessionsTopic = await createTopic('pv-sessions', { partitions: 2 });
    const appId = uniqueName('pv');
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-pv-'));
    const env = { VIEWS: viewsTopic, PAGE_COUNTS: countsTopic, SESSIONS: sessionsTopic, APPLICATION_ID: appId, STATE_DIR: stateDir, COMMIT_INTERVAL_MS: '300' };
    try {
      const first = views(0, 40);
      // a user with two sessions ten minutes apart
      const extra: View[] = [{ user: 'u9', page: 'p0', at: 10_000 }];
      await produce(viewsTopic, toRecords([...extra, ...first])); // in event-time order: nothing is late
      const a = startWorker('examples/page-view-windows/src/app.ts', env, 'A');
      await a.waitFor(/STARTED/);
      // some windows close during phase one; make sure they were written before the restart
      await consumeUntil(countsTopic, 5, { timeoutMs: 30_000 });
      expect(await a.stop('SIGTERM')).toBe(0);

      const second = views(40, 80);
      const later: View[] = [{ user: 'u9', page: 'p1', at: 10_000 + 10 * 60_000 }];
      const a2 = startWorker('examples/page-view-windows/src/app.ts', env, 'A2');
      await a2.waitFor(/STARTED/);
      await produce(viewsTopic, toRecords([...second, ...later]));
      // far-future views on many pages and users: stream time passes every window's close on every task
      const ticks: View[] = Array.from({ length: 24 }, (_, i) => ({ user: `tick-${i}`, page: `tick-${i}`, at: 100_000_000 }));
      await produce(viewsTopic, toRecords(ticks));

      const all = [...extra, ...first, ...second, ...later];
      const wantCounts = windowCounts(all);
      const counts = new Map<string, number>();
      for (const r of await consumeUntil(countsTopic, wantCounts.size, { timeoutMs: 60_000, settleMs: 3_000 })) {
        const k = r.key!.toString();
        if (k.startsWith('tick-')) continue;
        expect(counts.has(k), `window ${k} was emitted twice`).toBe(false); // final results: once per window
        counts.set(k, Number(r.value!.readBigInt64BE(0)));
      }
      expect(counts).toEqual(wantCounts);

      const wantSessions = sessions(all);
      const latest = new Map<string, string | null>();
      for (const r of await consumeUntil(sessionsTopic, wantSessions.size, { timeoutMs: 60_000, settleMs: 3_000 })) {
        const k = r.key!.toString();
        if (!k.startsWith('tick-')) latest.set(k, r.value?.toString() ?? null);
      }
      const got = new Map([...latest].filter(([, v]) => v !== null).map(([k, v]) => [k, (JSON.parse(v!) as { pages: string[] }).pages.length]));
      expect(got).toEqual(wantSessions);
      await a2.stop();
    } finally {
      await deleteTopicsWithPrefix(appId);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
