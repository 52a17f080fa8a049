// The word-count application as data — its topology and its config, from the environment — so that
// tools can inspect it without running it (npm run acls -- examples/word-count/src/definition.ts).
// On a secured cluster: SSL_CA_FILE (PEM), SASL_MECHANISM (plain, scram-sha-256, scram-sha-512),
// SASL_USERNAME, SASL_PASSWORD — scripts/local-stack.sh start --secure prints them.
import fs from 'node:fs';
import type { StreamsConfig } from 'sluice';
import { wordCountTopology } from './topology.js';

const env = process.env;

export const topology = wordCountTopology({ input: env['INPUT'] ?? 'wordcount-input', output: env['OUTPUT'] ?? 'wordcount-output' });

export const config: StreamsConfig = {
  applicationId: env['APPLICATION_ID'] ?? 'wordcount',
  bootstrapServers: env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
  commitIntervalMs: Number(env['COMMIT_INTERVAL_MS'] ?? 1_000),
  ...(env['STATE_DIR'] ? { stateDir: env['STATE_DIR'] } : {}),
  ...(env['PROCESSING_GUARANTEE'] ? { processingGuarantee: env['PROCESSING_GUARANTEE'] as StreamsConfig['processingGuarantee'] } : {}),
  ...(env['SSL_CA_FILE'] ? { ssl: { ca: [fs.readFileSync(env['SSL_CA_FILE'], 'utf8')] } } : {}),
  ...(env['SASL_MECHANISM']
    ? { sasl: { mechanism: env['SASL_MECHANISM'] as 'scram-sha-512', username: env['SASL_USERNAME'] ?? '', password: env['SASL_PASSWORD'] ?? '' } }
    : {}),
};
