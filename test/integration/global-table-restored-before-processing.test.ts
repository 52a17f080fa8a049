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

      // kept current while running
      await produce(customersTopic, [{ key: 'c7', value: 'renamed-7' }]);
      const deadline = Date.now() + 30_000;
      let seen: string[] = [];
      for (let id = 1_000; Date.now() < deadline; id++) {
        await produce(ordersTopic, [order(id, 'c7')]);
        seen = values(await consumeUntil(output, 501 + (id - 1_000), { timeoutMs: 20_000 }));
        if (seen.at(-1)?.endsWith('|renamed-7')) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(seen.at(-1)).toMatch(/^c7\|\d+\|renamed-7$/);
      expect(await a.stop('SIGTERM')).toBe(0);

      // a clean stop leaves a checkpoint of both partitions; the restart reads only what came since
      const checkpoint = path.join(stateDir, appId, 'global', '.checkpoint');
      expect(existsSync(checkpoint)).toBe(true);
      expect(readFileSync(checkpoint, 'utf8')).toMatch(new RegExp(`^0\\n2\\n(${customersTopic} [01] \\d+\\n){2}$`));
      await produce(customersTopic, [...Array.from({ length: 100 }, (_, i) => customer(500 + i)), { key: 'c1', value: 'renamed-1' }, { key: 'c2', value: null }]);
      const outputSoFar = seen.length;
      const b = startWorker('global-enrich-app.ts', env, 'A2');
      await b.waitFor(/STARTED global=599/);
      const restored = [...b.output().matchAll(/restored global store 'customers' from \S+: (\d+) records/g)].reduce((n, m) => n + Number(m[1]), 0);
      expect(restored).toBe(102);
      await produce(ordersTopic, [order(2_000, 'c599'), order(2_001, 'c1'), order(2_002, 'c2')]);
      const after = values(await consumeUntil(output, outputSoFar + 3, { timeoutMs: 60_000 })).slice(outputSoFar);
      expect(new Set(after)).toEqual(new Set(['c599|20000|name-599', 'c1|20010|renamed-1', 'c2|20020|MISSING']));
      expect(await b.stop('SIGTERM')).toBe(0);
    } finally {
      await deleteTopicsWithPrefix(appId);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
