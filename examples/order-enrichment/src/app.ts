// Runs one order-enrichment worker; start more with the same APPLICATION_ID to spread the tasks.
//   KAFKA_BROKERS=127.0.0.1:9092 npm start -w @sluice-examples/order-enrichment
import { KafkaStreams } from 'sluice';
import { orderEnrichmentTopology } from './topology.js';

const app = new KafkaStreams(
  orderEnrichmentTopology({
    orders: process.env['ORDERS'] ?? 'orders',
    customers: process.env['CUSTOMERS'] ?? 'customers',
    enrichedOrders: process.env['ENRICHED_ORDERS'] ?? 'enriched-orders',
  }),
  {
    applicationId: process.env['APPLICATION_ID'] ?? 'order-enrichment',
    bootstrapServers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    processingGuarantee: process.env['PROCESSING_GUARANTEE'] === 'exactly_once' ? 'exactly_once' : 'at_least_once',
    commitIntervalMs: Number(process.env['COMMIT_INTERVAL_MS'] ?? 1_000),
    ...(process.env['STATE_DIR'] ? { stateDir: process.env['STATE_DIR'] } : {}),
  },
);
app.onStateChange((next, prev) => console.log(`STATE ${prev} -> ${next} tasks=${app.metrics().tasks}`));
app.onError(() => process.exit(1));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
await app.start();
console.log(`STARTED tasks=${app.metrics().tasks}`);
