// Runs one page-views worker with its query server. Start several with the same APPLICATION_ID (and
// each its own HTTP_PORT and STATE_DIR): they share the partitions, and any of them answers any
// user's totals and per-minute windows over HTTP, forwarding to the worker that holds the user.
import { readFileSync } from 'node:fs';
import { KafkaStreams } from 'sluice';
import { StreamsHttpServer } from 'sluice/http';
import { pageViewsTopology } from './topology.js';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`set ${name}`);
  return v;
};
const httpHost = env('HTTP_HOST', '127.0.0.1');
const httpPort = Number(env('HTTP_PORT', '7070'));

const app = new KafkaStreams(pageViewsTopology({ views: env('VIEWS', 'page-views'), totals: env('TOTALS', 'page-view-totals') }), {
  applicationId: env('APPLICATION_ID', 'page-views-queries'),
  bootstrapServers: env('KAFKA_BROKERS', '127.0.0.1:9092'),
  // where the other workers and clients reach this worker's query server (a pod's DNS name in Kubernetes)
  applicationServer: env('APPLICATION_SERVER', `${httpHost}:${httpPort}`),
  commitIntervalMs: Number(env('COMMIT_INTERVAL_MS', '1000')),
  // how soon the group notices a worker that died without leaving (Kafka's default is 45 s)
  sessionTimeoutMs: Number(env('SESSION_TIMEOUT_MS', '10000')),
  heartbeatIntervalMs: 1_000,
  ...(process.env['STATE_DIR'] ? { stateDir: process.env['STATE_DIR'] } : {}),
  logLevel: 'warn',
});

const token = process.env['QUERY_TOKEN'];
const tls = process.env['TLS_CERT_FILE'] ? { cert: readFileSync(env('TLS_CERT_FILE')), key: readFileSync(env('TLS_KEY_FILE')) } : undefined;
const server = new StreamsHttpServer(app, { host: httpHost, port: httpPort, ...(token ? { authToken: token } : {}), ...(tls ? { tls } : {}) });

app.onStateChange((next, prev) => console.log(`STATE ${prev} -> ${next} tasks=${app.metrics().tasks}`));
app.onError(() => process.exit(1));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server
      .close()
      .then(() => app.close())
      .then(() => process.exit(0));
  });
}
// the query server answers (503 while rebalancing) from the start, so probes see the worker early
await server.start();
console.log(`HTTP ${server.url}`);
await app.start();
console.log(`STARTED tasks=${app.metrics().tasks}`);
