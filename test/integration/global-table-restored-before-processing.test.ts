// A global table on the real broker: a worker restores it completely from its topic (two
// partitions, no changelog) before it processes any stream record, keeps it current while running,
// and after a clean restart continues from its checkpoint under <stateDir>/<appId>/global/.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, listTopics, produce, uniqueName } from '../helpers/kafka.js';
import { startWorker } from '../helpers/worker.js';

afterAll(closeTestClients);

const customer = (i: number) => ({ key: `c${i}`, value: `name-${i}` });
const order = (id: number, customerId: string) => ({ key: `o${id}`, value: `${customerId}|${id * 10}` });
const values = (records: { value: Buffer | null }[]) => records.map((r) => r.value!.toString());

/** The latest output value of each of `keys`, read until all are there (at-least-once may repeat some). */
async function waitForKeys(topic: string, keys: string[], timeoutMs = 60_000): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let latest = new Map<string, string>();
  while (Date.now() < deadline) {
    latest = new Map((await consumeUntil(topic, 1, { timeoutMs: 20_000, settleMs: 1_000 })).map((r) => [r.key!.toString(), r.value!.toString()]));
    if (keys.every((k) => latest.has(k))) break;
  }
  return new Map(keys.map((k) => [k, latest.get(k) ?? '(none)']));
}

describe('global table on the real broker', () => {
  it('is complete before the first record is processed, stays current, and restarts from its checkpoint', async () => {
    const customersTopic = await createTopic('gt-customers', { partitions: 2, config: { 'cleanup.policy': 'compact' } });
    const ordersTopic = await createTopic('gt-orders', { partitions: 2 });
    const output = await createTopic('gt-out', { partitions: 2 });
    const appId = uniqueName('gt');
    const stateDir = mkdtempSync(path.join(tmpdir(), 'gt-state-'));
    const env = { CUSTOMERS: customersTopic, ORDERS: ordersTopic, OUTPUT: output, APP_ID: appId, STATE_DIR: stateDir };
    try {
      // customers and the orders referring to them are all there before the worker starts
      await produce(customersTopic, Array.from({ length: 500 }, (_, i) => customer(i)));
      await produce(ordersTopic, Array.from({ length: 500 }, (_, i) => order(i, `c${i}`)));
      const a = startWorker('global-enrich-app.ts', env, 'A');
      await a.waitFor(/STARTED global=500/);
      const first = values(await consumeUntil(output, 500, { timeoutMs: 60_000 }));
      expect(first.filter((v) => v.endsWith('|MISSING'))).toEqual([]);
      expect(new Set(first)).toEqual(new Set(Array.from({ length: 500 }, (_, i) => `c${i}|${i * 10}|name-${i}`)));
      // the global table has no changelog and no task of its own
      expect((await listTopics()).filter((t) => t.startsWith(appId))).toEqual([]);

      // kept current while running: an order after the update sees it (the update may take a moment)
      await produce(customersTopic, [{ key: 'c7', value: 'renamed-7' }]);
      const deadline = Date.now() + 30_000;
      let latest = '';
      for (let id = 1_000; Date.now() < deadline && !latest.endsWith('|renamed-7'); id++) {
        await produce(ordersTopic, [order(id, 'c7')]);
        latest = (await waitForKeys(output, [`o${id}`])).get(`o${id}`)!;
      }
      expect(latest).toMatch(/^c7\|\d+\|renamed-7$/);
      expect(await a.stop('SIGTERM')).toBe(0);

      // a clean stop leaves a checkpoint of both partitions; the restart reads only what came since
      const checkpoint = path.join(stateDir, appId, 'global', '.checkpoint');
      expect(existsSync(checkpoint)).toBe(true);
      expect(readFileSync(checkpoint, 'utf8')).toMatch(new RegExp(`^0\\n2\\n(${customersTopic} [01] \\d+\\n){2}$`));
      await produce(customersTopic, [...Array.from({ length: 100 }, (_, i) => customer(500 + i)), { key: 'c1', value: 'renamed-1' }, { key: 'c2', value: null }]);
      const b = startWorker('global-enrich-app.ts', env, 'A2');
      await b.waitFor(/STARTED global=599/);
      const restored = [...b.output().matchAll(/restored global store 'customers' from \S+: (\d+) records/g)].reduce((n, m) => n + Number(m[1]), 0);
      expect(restored).toBe(102);
      await produce(ordersTopic, [order(2_000, 'c599'), order(2_001, 'c1'), order(2_002, 'c2')]);
      expect(await waitForKeys(output, ['o2000', 'o2001', 'o2002'])).toEqual(
        new Map([
          ['o2000', 'c599|20000|name-599'],
          ['o2001', 'c1|20010|renamed-1'],
          ['o2002', 'c2|20020|MISSING'],
        ]),
      );
      expect(await b.stop('SIGTERM')).toBe(0);
    } finally {
      await deleteTopicsWithPrefix(appId);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
