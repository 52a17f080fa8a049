// A windowed stream-stream left join and a stream-table join on the real broker: two worker
// processes over three partitions, exactly-once, one worker restarted in the middle. The output is
// exact: every paid order joined once with its payment (also when the payment comes after the
// restart, so the order's window store was restored), every unpaid order emitted once as unpaid
// after its window closed (the outer-join store restored too), never both; every order enriched
// with its customer from the table (restored after the restart).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, uniqueName, type ConsumedRecord, type TestRecord } from '../helpers/kafka.js';
import { startWorker, type Worker } from '../helpers/worker.js';

afterAll(closeTestClients);

const customerOf = (i: number) => `c${i % 10}`;
const amountOf = (i: number) => String(10 + (i % 7));
const order = (i: number) => `${customerOf(i)}|${amountOf(i)}`;

function pairs(records: ConsumedRecord[]): string[] {
  return records.map((r) => `${r.key!.toString()}=${r.value!.toString()}@${r.timestamp}`).sort();
}

describe('joins on the real broker', () => {
  it('two workers, exactly-once, a restart in the middle: exact stream-stream and stream-table join results', async () => {
    const topics = {
      ORDERS: await createTopic('join-orders', { partitions: 3 }),
      PAYMENTS: await createTopic('join-payments', { partitions: 3 }),
      CUSTOMERS: await createTopic('join-customers', { partitions: 3 }),
      OUT_MATCHED: await createTopic('join-matched', { partitions: 3 }),
      OUT_ENRICHED: await createTopic('join-enriched', { partitions: 3 }),
    };
    const appId = uniqueName('joins');
    const dirs = [mkdtempSync(path.join(tmpdir(), 'joins-a-')), mkdtempSync(path.join(tmpdir(), 'joins-b-'))];
    const env = (i: number) => ({ ...topics, APP_ID: appId, STATE_DIR: dirs[i]! });
    const base = Date.now();
    const orderTs = (i: number) => (i < 100 ? base + 1_000 + i * 10 : base + 40_000 + (i - 100) * 10);
    const orders = (from: number, to: number): TestRecord[] => Array.from({ length: to - from }, (_, k) => ({ key: `o${from + k}`, value: order(from + k), timestamp: orderTs(from + k) }));
    const pay = (ids: number[], after: number): TestRecord[] => ids.map((i) => ({ key: `o${i}`, value: `paid-o${i}`, timestamp: orderTs(i) + after }));
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);
    const workers: Worker[] = [];
    try {
      const a = startWorker('join-app.ts', env(0), 'A');
      const b = startWorker('join-app.ts', env(1), 'B');
      workers.push(a, b);
      await Promise.all([a.waitFor(/STARTED/), b.waitFor(/STARTED/)]);

      await produce(topics.CUSTOMERS, range(0, 10).map((c) => ({ key: `c${c}`, value: `customer-${c}`, timestamp: base })));
      await new Promise((r) => setTimeout(r, 3_000));
      await produce(topics.ORDERS, orders(0, 100));
      await produce(topics.PAYMENTS, pay(range(0, 50), 5_000));
      // the first 50 orders are paid: their joined records come out at once
      expect((await consumeUntil(topics.OUT_MATCHED, 50, { readCommitted: true, timeoutMs: 60_000 })).length).toBeGreaterThanOrEqual(50);

      // restart B: it restores its window stores, the outer-join store and the customers table
      expect(await b.stop('SIGTERM')).toBe(0);
      const b2 = startWorker('join-app.ts', env(1), 'B2');
      workers.push(b2);
      await b2.waitFor(/STARTED/);
      await produce(topics.PAYMENTS, pay(range(50, 75), 30_000)); // late payments for orders from before the restart
      await produce(topics.ORDERS, orders(100, 200));
      await produce(topics.PAYMENTS, pay(range(100, 200).filter((i) => i % 2 === 0), 5_000));
      // every paid order is joined before stream time may close a window (nothing is due before the closers)
      expect((await consumeUntil(topics.OUT_MATCHED, 125, { readCommitted: true, timeoutMs: 90_000 })).length).toBeGreaterThanOrEqual(125);
      // closers far in the future on every partition close every window: the unpaid orders come out
      await produce(topics.ORDERS, [0, 1, 2].map((p) => ({ key: `closer-${p}`, value: 'c0|0', timestamp: base + 600_000, partition: p })));

      const matched = await consumeUntil(topics.OUT_MATCHED, 200, { readCommitted: true, timeoutMs: 90_000, settleMs: 3_000 });
      const paid = [...range(0, 75), ...range(100, 200).filter((i) => i % 2 === 0)];
      const unpaid = [...range(75, 100), ...range(100, 200).filter((i) => i % 2 === 1)];
      const expectedMatched = [
        ...paid.map((i) => `o${i}=${order(i)}|paid-o${i}@${orderTs(i) + (i >= 50 && i < 75 ? 30_000 : 5_000)}`),
        ...unpaid.map((i) => `o${i}=${order(i)}|unpaid@${orderTs(i)}`),
      ].sort();
      expect(pairs(matched)).toEqual(expectedMatched);

      const enriched = await consumeUntil(topics.OUT_ENRICHED, 203, { readCommitted: true, timeoutMs: 90_000, settleMs: 3_000 });
      const expectedEnriched = [
        ...range(0, 200).map((i) => `${customerOf(i)}=${customerOf(i)}:customer-${customerOf(i).slice(1)}|${order(i)}@${orderTs(i)}`),
        ...[0, 1, 2].map(() => `c0=c0:customer-0|c0|0@${base + 600_000}`),
      ].sort();
      expect(pairs(enriched)).toEqual(expectedEnriched);
      await Promise.all([a.stop(), b2.stop()]);
    } catch (err) {
      // say what the workers said (their state changes, warnings and errors) with the failure
      const said = workers.map((w) => `--- worker ${w.name}:\n${w.output().slice(-3000)}`).join('\n');
      throw Object.assign(err as Error, { message: `${(err as Error).message}\n${said}` });
    } finally {
      await deleteTopicsWithPrefix(appId);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
