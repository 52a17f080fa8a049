// One word-count worker with its query server, for the query benchmark (bench/queries/run.ts): the
// word-count example's topology, and StreamsHttpServer on PORT. Prints READY once RUNNING.
import { KafkaStreams } from 'sluice';
import { StreamsHttpServer } from 'sluice/http';
import { wordCountTopology } from '../../examples/word-count/src/topology.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`missing ${name}`);
  return v;
};
const port = Number(env('PORT'));
const app = new KafkaStreams(wordCountTopology({ input: env('INPUT'), output: env('OUTPUT') }), {
  applicationId: env('APP_ID'),
  bootstrapServers: env('KAFKA_BROKERS'),
  applicationServer: `127.0.0.1:${port}`,
  stateDir: env('STATE_DIR'),
  commitIntervalMs: 1_000,
  sessionTimeoutMs: Number(env('SESSION_TIMEOUT_MS')),
  numStandbyReplicas: Number(process.env['NUM_STANDBY'] ?? 0),
  heartbeatIntervalMs: 1_000,
  logLevel: 'warn',
});
const server = new StreamsHttpServer(app, { host: '127.0.0.1', port });
app.onStateChange((next) => {
  if (next === 'RUNNING') console.log('READY');
});
app.onError(() => process.exit(1));
process.once('SIGTERM', () => void server.close().then(() => app.close()).then(() => process.exit(0)));
await server.start();
await app.start();
