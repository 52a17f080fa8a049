// The foreign-key join of the order-enrichment example on the real broker, exactly-once, two worker
// processes: orders (3 partitions) joined with customers (2 partitions). The subscription topic gets
// the customers' partition count and the response topic the orders', results are exact under
// read_committed, and stay exact when a worker restarts (its stores restored from changelogs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, deleteTopicsWithPrefix, produce, topicMetadata, uniqueName, type TestRecord } from '../helpers/kafka.js';
import { startWorker } from '../helpers/worker.js';

afterAll(closeTestClients);

const APP = 'examples/order-enrichment/src/app.ts';
type Orders = Map<string, { customerId: string; amount: number } | null>;
type Customers = Map<string, { name: string; city: string } | null>;

/** What the enriched-orders topic must end with: the join of the latest orders and customers. */
function expected(orders: Orders, customers: Customers): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, o] of orders) {
    const c = o ? customers.get(o.customerId) : null;
    if (o && c) out.set(id, JSON.stringify({ orderId: id, customerId: o.customerId, amount: o.amount, customer: c }));
  }
  return out;
}

async function waitForResult(topic: string, want: Map<string, string>, timeoutMs = 90_000): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let got = new Map<string, string>();
  while (Date.now() < deadline) {
    got = new Map();
    for (const r of await consumeUntil(topic, want.size, { timeoutMs: 20_000, settleMs: 1_500, readCommitted: true })) {
      if (r.value === null) got.delete(r.key!.toString());
      else got.set(r.key!.toString(), r.value.toString());
    }
    if (got.size === want.size && [...want].every(([k, v]) => got.get(k) === v)) return got;
  }
  return got;
}

function apply<V>(state: Map<string, V | null>, records: TestRecord[]): void {
  for (const r of records) state.set(String(r.key), r.value === null ? null : (JSON.parse(String(r.value)) as V));
}

describe('foreign-key join on the real broker', () => {
  it('is exact under exactly-once across two workers and a restart', async () => {
    const ordersTopic = await createTopic('fk-orders', { partitions: 3 });
    const customersTopic = await createTopic('fk-customers', { partitions: 2 });
    const output = await createTopic('fk-enriched', { partitions: 3 });
    const appId = uniqueName('fk-eos');
    const dirs = [mkdtempSync(path.join(tmpdir(), 'fk-a-')), mkdtempSync(path.join(tmpdir(), 'fk-b-'))];
    const env = (i: number) => ({ ORDERS: ordersTopic, CUSTOMERS: customersTopic, ENRICHED_ORDERS: output, APPLICATION_ID: appId, STATE_DIR: dirs[i]!, PROCESSING_GUARANTEE: 'exactly_once' });
    const orders: Orders = new Map();
    const customers: Customers = new Map();
    const send = async (topic: string, state: Map<string, unknown>, records: TestRecord[]) => {
      await produce(topic, records);
      apply(state, records);
    };
    const customer = (i: number, city = 'London') => ({ key: `c${i}`, value: JSON.stringify({ name: `name-${i}`, city }) });
    const order = (i: number, c: number, amount = i) => ({ key: `o${i}`, value: JSON.stringify({ customerId: `c${c}`, amount }) });
    try {
      const a = startWorker(APP, env(0), 'A');
      const b = startWorker(APP, env(1), 'B');
      await Promise.all([a.waitFor(/STARTED/, 90_000), b.waitFor(/STARTED/, 90_000)]);
      // the internal topics are co-partitioned with the table each side belongs to
      expect((await topicMetadata(`${appId}-orders-by-customer-subscription-registration-topic`)).partitions).toHaveLength(2);
      expect((await topicMetadata(`${appId}-orders-by-customer-subscription-response-topic`)).partitions).toHaveLength(3);

      await send(customersTopic, customers as Map<string, unknown>, Array.from({ length: 40 }, (_, i) => customer(i)));
      await send(ordersTopic, orders as Map<string, unknown>, Array.from({ length: 300 }, (_, i) => order(i, i % 40)));
      expect(await waitForResult(output, expected(orders, customers))).toEqual(expected(orders, customers));

      // orders move to other customers, customers move, some of each are deleted
      await send(ordersTopic, orders as Map<string, unknown>, Array.from({ length: 60 }, (_, i) => order(i * 5, (i * 7 + 3) % 45, 1_000 + i)));
      await send(customersTopic, customers as Map<string, unknown>, [...Array.from({ length: 10 }, (_, i) => customer(i * 3, 'Paris')), { key: 'c5', value: null }, customer(42)]);
      await send(ordersTopic, orders as Map<string, unknown>, Array.from({ length: 5 }, (_, i) => ({ key: `o${i * 50 + 1}`, value: null })));
      expect(await waitForResult(output, expected(orders, customers))).toEqual(expected(orders, customers));

      // B restarts: its tasks (and stores) are restored, the join goes on exactly
      expect(await b.stop('SIGTERM')).toBe(0);
      await send(customersTopic, customers as Map<string, unknown>, [customer(43), customer(1, 'Rome'), { key: 'c2', value: null }]);
      const b2 = startWorker(APP, env(1), 'B2');
      await b2.waitFor(/STARTED/, 90_000);
      await send(ordersTopic, orders as Map<string, unknown>, [order(7, 43), order(8, 1), order(9, 2), order(400, 41)]);
      expect(await waitForResult(output, expected(orders, customers))).toEqual(expected(orders, customers));
      await Promise.all([a.stop(), b2.stop()]);
    } finally {
      await deleteTopicsWithPrefix(appId);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
