// Orders enriched with their customer, and matched with their payment. The orders table is joined
// with the customers table by the customer id inside each order (a foreign-key join): the result is
// a table too, updated when an order changes (another customer, another amount) or its customer
// changes (a new address); a deleted order, or an order whose customer is deleted, is deleted.
// Each order is also left-joined with the payments stream within a payment window (a windowed
// stream-stream join): a payment made within the window after the order matches it, and an order
// without one comes out as unpaid once its window has closed.
import { Consumed, JoinWindows, Materialized, Produced, Serdes, StreamJoined, StreamsBuilder, TableJoined, type Topology } from 'sluice';

export interface Order {
  customerId: string;
  amount: number;
}

export interface Customer {
  name: string;
  city: string;
}

export interface Payment {
  amount: number;
}

export interface EnrichedOrder {
  orderId: string;
  customerId: string;
  amount: number;
  customer: Customer;
}

/** An order and what was paid for it within its payment window (null: unpaid once the window closed). */
export interface OrderPayment {
  orderId: string;
  customerId: string;
  amount: number;
  paid: number | null;
}

export interface OrderEnrichmentTopics {
  orders: string;
  customers: string;
  payments: string;
  enrichedOrders: string;
  orderPayments: string;
}

/** A payment matches an order when it is made at most this long after the order (event time). */
export const PAYMENT_WINDOW_MS = 60 * 60 * 1000;
/** How late (event time) a payment may still arrive and be matched. */
export const PAYMENT_GRACE_MS = 5 * 60 * 1000;

export function orderEnrichmentTopology(topics: OrderEnrichmentTopics): Topology {
  const S = Serdes.String();
  const builder = new StreamsBuilder();
  const orders = builder.table(topics.orders, Consumed.with(S, Serdes.Json<Order>()));
  const customers = builder.table(topics.customers, Consumed.with(S, Serdes.Json<Customer>()));
  const payments = builder.stream(topics.payments, Consumed.with(S, Serdes.Json<Payment>()));

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

  // every version of an order (not its deletion) looks for a payment made within the window after it
  orders
    .toStream()
    .filter((_orderId, order) => order !== null) // a deleted order is not waiting for a payment
    .leftJoin(
      payments,
      (order, payment, orderId): OrderPayment => ({ orderId, customerId: order.customerId, amount: order.amount, paid: payment?.amount ?? null }),
      JoinWindows.ofTimeDifferenceAndGrace(PAYMENT_WINDOW_MS, PAYMENT_GRACE_MS).before(0),
      StreamJoined.with(S, Serdes.Json<Order>(), Serdes.Json<Payment>()).withName('order-payments').withStoreName('order-payments'),
    )
    .to(topics.orderPayments, Produced.with(S, Serdes.Json<OrderPayment>()));

  return builder.build();
}
