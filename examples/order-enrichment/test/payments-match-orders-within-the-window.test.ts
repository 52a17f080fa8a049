// The payment half of the order-enrichment topology in TopologyTestDriver: each order is matched
// with the payments made within the hour after it (event time); an order without one comes out
// unpaid once its window and grace period have passed; late payments within the grace still match.
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, TopologyTestDriver } from 'sluice';
import { orderEnrichmentTopology, PAYMENT_GRACE_MS, PAYMENT_WINDOW_MS, type Order, type OrderPayment, type Payment } from '../src/topology.js';

let driver: TopologyTestDriver | undefined;
afterEach(async () => driver?.close());
const topics = { orders: 'orders', customers: 'customers', payments: 'payments', enrichedOrders: 'enriched', orderPayments: 'order-payments' };
const S = Serdes.String();
const MIN = 60_000;

function open(cacheMaxBytes?: number) {
  driver = new TopologyTestDriver(orderEnrichmentTopology(topics), {
    ...(cacheMaxBytes === undefined ? {} : { cacheMaxBytes }),
    // look for unpaid orders on every record, not once per second of wall-clock time (Kafka's throttle)
    '__emit.interval.ms.kstreams.outer.join.spurious.results.fix__': 0,
  });
  return {
    orders: driver.createInputTopic('orders', S, Serdes.Json<Order>()),
    payments: driver.createInputTopic('payments', S, Serdes.Json<Payment>()),
    matched: driver.createOutputTopic('order-payments', S, Serdes.Json<OrderPayment>()),
  };
}

const row = (orderId: string, amount: number, paid: number | null, customerId = 'c1'): OrderPayment => ({ orderId, customerId, amount, paid });

describe.each([
  ['cache on', undefined],
  ['cache off', 0],
] as const)('payments matched to orders (%s)', (_label, cacheMaxBytes) => {
  it('a payment within the hour after the order matches it, at the later of the two times', async () => {
    const { orders, payments, matched } = open(cacheMaxBytes);
    await orders.pipeInput('o1', { customerId: 'c1', amount: 30 }, 0);
    await payments.pipeInput('o1', { amount: 30 }, 10 * MIN);
    await payments.pipeInput('o1', { amount: 5 }, PAYMENT_WINDOW_MS); // the window's last instant
    expect(matched.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['o1', row('o1', 30, 30), 10 * MIN],
      ['o1', row('o1', 30, 5), PAYMENT_WINDOW_MS],
    ]);
  });

  it('an order without a payment comes out unpaid once the window and the grace period have passed, once', async () => {
    const { orders, payments, matched } = open(cacheMaxBytes);
    const t = 10 * MIN;
    await orders.pipeInput('o1', { customerId: 'c1', amount: 30 }, t);
    await payments.pipeInput('o1', { amount: 30 }, t - 1 * MIN); // before the order: not its payment
    await payments.pipeInput('o2', { amount: 10 }, t + PAYMENT_WINDOW_MS + PAYMENT_GRACE_MS - 1); // stream time: not closed yet
    expect(matched.readValuesToList()).toEqual([]);
    await payments.pipeInput('o2', { amount: 10 }, t + PAYMENT_WINDOW_MS + PAYMENT_GRACE_MS + 1);
    expect(matched.readValuesToList()).toEqual([row('o1', 30, null)]);
    await payments.pipeInput('o3', { amount: 10 }, 3 * PAYMENT_WINDOW_MS);
    expect(matched.readValuesToList()).toEqual([]);
  });

  it('a late payment still matches within the grace period, and is dropped after it', async () => {
    const { orders, payments, matched } = open(cacheMaxBytes);
    await orders.pipeInput('o1', { customerId: 'c1', amount: 30 }, 0);
    await orders.pipeInput('o2', { customerId: 'c2', amount: 12 }, PAYMENT_WINDOW_MS + 2 * MIN); // stream time moves on
    await payments.pipeInput('o1', { amount: 30 }, 50 * MIN); // late, but within the grace period
    expect(matched.readValuesToList()).toEqual([row('o1', 30, 30)]);
    await orders.pipeInput('o3', { customerId: 'c1', amount: 7 }, 3 * PAYMENT_WINDOW_MS);
    expect(matched.readValuesToList()).toEqual([row('o2', 12, null, 'c2')]); // o2's window closed unpaid
    await payments.pipeInput('o2', { amount: 12 }, PAYMENT_WINDOW_MS + 3 * MIN); // too late: dropped
    expect(matched.readValuesToList()).toEqual([]);
  });

  it('every version of an order looks for its own payment; a deleted order waits for none', async () => {
    const { orders, payments, matched } = open(cacheMaxBytes);
    await orders.pipeInput('o1', { customerId: 'c1', amount: 30 }, 0);
    await payments.pipeInput('o1', { amount: 30 }, 1 * MIN);
    await orders.pipeInput('o1', { customerId: 'c1', amount: 40 }, 2 * MIN); // the amount changed after the payment
    await payments.pipeInput('o1', { amount: 10 }, 3 * MIN);
    await orders.pipeInput('o2', { customerId: 'c1', amount: 5 }, 4 * MIN);
    await orders.pipeInput('o2', null, 5 * MIN);
    await payments.pipeInput('o9', { amount: 1 }, 3 * PAYMENT_WINDOW_MS);
    expect(matched.readValuesToList()).toEqual([row('o1', 30, 30), row('o1', 30, 10), row('o1', 40, 10), row('o2', 5, null)]);
  });
});

it("the payment join keeps its window stores under Kafka's names and needs payments co-partitioned with orders", () => {
  const t = orderEnrichmentTopology(topics);
  expect([...t.stores.keys()].filter((n) => n.startsWith('order-payments'))).toEqual([
    'order-payments-this-join-store',
    'order-payments-outer-other-join-store',
    'order-payments-left-shared-join-store',
  ]);
  expect(t.copartitionGroups().map((g) => [...g].sort())).toContainEqual(['orders', 'payments']);
});
