// Orders enriched with their customer: the orders table joined with the customers table by the
// customer id inside each order (a foreign-key join). The result is a table too: when an order
// changes (another customer, another amount) or its customer changes (a new address), the enriched
// order is updated; a deleted order, or an order whose customer is deleted, is deleted.
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, TableJoined, type Topology } from 'sluice';

export interface Order {
  customerId: string;
  amount: number;
}

export interface Customer {
  name: string;
  city: string;
}

export interface EnrichedOrder {
  orderId: string;
  customerId: string;
  amount: number;
  customer: Customer;
}

export interface OrderEnrichmentTopics {
  orders: string;
  customers: string;
  enrichedOrders: string;
}

export function orderEnrichmentTopology(topics: OrderEnrichmentTopics): Topology {
  const S = Serdes.String();
  const builder = new StreamsBuilder();
  const orders = builder.table(topics.orders, Consumed.with(S, Serdes.Json<Order>()));
  const customers = builder.table(topics.customers, Consumed.with(S, Serdes.Json<Customer>()));

  orders
    .join(
      customers,
      (order) => order.customerId,
      (order, customer): Omit<EnrichedOrder, 'orderId'> => ({ customerId: order.customerId, amount: order.amount, customer }),
      TableJoined.as('orders-by-customer'),
      Materialized.as<string, Omit<EnrichedOrder, 'orderId'>>('enriched-orders').withValueSerde(Serdes.Json<Omit<EnrichedOrder, 'orderId'>>()),
    )
    .toStream()
    .mapValues((enriched, orderId): EnrichedOrder | null => (enriched === null ? null : { orderId, ...enriched }))
    .to(topics.enrichedOrders, Produced.with(S, Serdes.Json<EnrichedOrder>()));

  return builder.build();
}
