// Scaling the interactive-queries example from one worker to three and back to two while page views
// keep arriving: nothing is lost or counted twice, and afterwards both remaining workers answer every
// user's total, which equals the input's count.
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, createTopic, deleteGroup, deleteTopicsWithPrefix, testKafka, uniqueName } from '../helpers/kafka.js';
import { eventually, everyKeyEverywhere, getJson, readAll, startQueryWorker, TOTALS, type QueryWorker } from '../helpers/query-workers.js';

afterAll(closeTestClients);

const USERS = 30;

describe('queries while workers scale out and in', () => {
  it('scales 1 → 3 → 2 workers under load and loses nothing', async () => {
    const views = await createTopic('iq-scale-views', { partitions: 6 });
    const totals = await createTopic('iq-scale-totals', { partitions: 6 });
    const appId = uniqueName('iq-scale');
    const producer = testKafka('iq-scale-producer').producer();
    await producer.connect();
    const sent = new Map<string, number>();
    let producing = true;
    let n = 0;
    const load = (async () => {
      while (producing) {
        const batch = Array.from({ length: 20 }, () => {
          const user = `user-${n % USERS}`;
          sent.set(user, (sent.get(user) ?? 0) + 1);
          return { key: user, value: JSON.stringify({ page: `/p${n}`, at: Date.now() + n++ }) };
        });
        await producer.send({ topic: views, acks: -1, messages: batch });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      const settings = { appId, views, totals };
      const a = await startQueryWorker(settings, 'A');
      await eventually('A running', async () => (await getJson(`${a.url}/health/ready`)).status === 200);
      const b = await startQueryWorker(settings, 'B');
      const c = await startQueryWorker(settings, 'C');
      const three: QueryWorker[] = [a, b, c];
      await eventually('three workers running, two tasks each', async () => {
        for (const w of three) {
          const i = await getJson(`${w.url}/v1/instance`);
          if (i.body['state'] !== 'RUNNING' || (i.body['activeTasks'] as unknown[]).length !== 2) return `${w.url}: ${JSON.stringify(i.body).slice(0, 200)}`;
        }
        return true;
      });
      expect(await readAll(b.url, TOTALS, 100)).toBeDefined();

      expect(await c.worker.stop('SIGTERM')).toBe(0);
      const two = [a, b];
      await eventually('two workers running, three tasks each', async () => {
        for (const w of two) {
          const i = await getJson(`${w.url}/v1/instance`);
          if (i.body['state'] !== 'RUNNING' || (i.body['activeTasks'] as unknown[]).length !== 3) return `${w.url}: ${JSON.stringify(i.body).slice(0, 200)}`;
        }
        return true;
      });
      producing = false;
      await load;
      expect(n).toBeGreaterThan(200);
      await eventually('every total equals what was sent, through both workers', () => everyKeyEverywhere(two, sent));
      for (const w of two) expect(await readAll(w.url, TOTALS, 7)).toEqual(sent);
      await Promise.all(two.map((w) => w.worker.stop()));
    } finally {
      producing = false;
      await load.catch(() => undefined);
      await producer.disconnect();
      await deleteTopicsWithPrefix(appId);
      await deleteGroup(appId);
    }
  });
});
