// Runs one page-view worker; start more with the same APPLICATION_ID to spread the tasks.
import { KafkaStreams } from 'sluice';
import { pageViewTopology } from './topology.js';

const app = new KafkaStreams(
  pageViewTopology({
    views: process.env['VIEWS'] ?? 'page-views',
    pageCounts: process.env['PAGE_COUNTS'] ?? 'page-view-counts',
    sessions: process.env['SESSIONS'] ?? 'user-sessions',
  }),
  {
    applicationId: process.env['APPLICATION_ID'] ?? 'page-view-windows',
    bootstrapServers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
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
