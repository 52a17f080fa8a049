// The order-enrichment topology in TopologyTestDriver: orders joined with their customer by the
// customer id in the order, updated when either side changes, deleted when either side is.
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, TopologyTestDriver, type TimestampedKeyValueStore } from 'sluice';
import { orderEnrichmentTopology, type Customer, type EnrichedOrder, type Order } from '../src/topology.js';

let driver: TopologyTestDriver | undefined;
afterEach(async () => driver?.close());
const topics = { orders: 'orders', customers: 'customers', enrichedOrders: 'enriched' };
const S = Serdes.String();

function open(cacheMaxBytes?: number) {
  driver = new TopologyTestDriver(orderEnrichmentTopology(topics), cacheMaxBytes === undefined ? {} : { cacheMaxBytes });
  return {
    orders: driver.createInputTopic('orders', S, Serdes.Json<Order>()),
    customers: driver.createInputTopic('customers', S, Serdes.Json<Customer>()),
    enriched: driver.createOutputTopic('enriched', S, Serdes.Json<EnrichedOrder>()),
  };
}

describe.each([
  ['cache on', undefined],
  ['cache off', 0],
] as const)('order enrichment (%s)', (_label, cacheMaxBytes) => {
  it('enriches an order once its customer is known, and follows changes of either', async () => {
    const { orders, customers, enriched } = open(cacheMaxBytes);
    await orders.pipeInput('o1', { customerId: 'c1', amount: 30 });
    expect(enriched.readKeyValuesToList()).toEqual([]); // no customer yet: an inner join waits
    await customers.pipeInput('c1', { name: 'Ada', city: 'London' });
    expect(enriched.readKeyValuesToList()).toEqual([{ key: 'o1', value: { orderId: 'o1', customerId: 'c1', amount: 30, customer: { name: 'Ada', city: 'London' } } }]);

    await customers.pipeInput('c2', { name: 'Grace', city: 'Arlington' });
    await orders.pipeInput('o2', { customerId: 'c1', amount: 12 });
    await orders.pipeInput('o1', { customerId: 'c2', amount: 30 }); // the order moves to another customer
    expect(enriched.readValuesToList().map((v) => `${v!.orderId}:${v!.customer.name}`)).toEqual(['o2:Ada', 'o1:Grace']);

    await customers.pipeInput('c1', { name: 'Ada', city: 'Cambridge' }); // only o2 still refers to c1
    expect(enriched.readKeyValuesToList()).toEqual([{ key: 'o2', value: { orderId: 'o2', customerId: 'c1', amount: 12, customer: { name: 'Ada', city: 'Cambridge' } } }]);

    await customers.pipeInput('c2', null);
    await orders.pipeInput('o2', null);
    expect(enriched.readKeyValuesToList()).toEqual([
      { key: 'o1', value: null },
      { key: 'o2', value: null },
    ]);
  });

  it('keeps the enriched orders in a queryable store, and names its internal topics after TableJoined', async () => {
    const { orders, customers } = open(cacheMaxBytes);
    await customers.pipeInput('c1', { name: 'Ada', city: 'London' });
    await orders.pipeInput('o1', { customerId: 'c1', amount: 30 });
    const store = driver!.getStateStore<TimestampedKeyValueStore<string, { amount: number }>>('enriched-orders')!;
    expect((await store.get('o1'))?.value.amount).toBe(30);
    const internal = [...orderEnrichmentTopology(topics).internalTopics.keys()].sort();
    expect(internal).toEqual(['orders-by-customer-subscription-registration-topic', 'orders-by-customer-subscription-response-topic']);
  });
});
