// Vitest global setup for integration tests: use KAFKA_BROKERS / SCHEMA_REGISTRY_URL when set,
// otherwise start the local stack (scripts/local-stack.sh, a no-op when it already runs) and leave
// it running for the next test run. Then wait until the broker answers a real metadata request.
// Debian's chromium, which the console's browser test drives, is installed here when missing
// (scripts/ensure-chromium.sh), so `npm test` alone works on a fresh machine.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { kafkaBrokers, schemaRegistryUrl } from './env.js';
import { waitForKafka, waitForRegistry } from './readiness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default async function setup(): Promise<void> {
  const started = Date.now();
  if (!process.env['KAFKA_BROKERS']) {
    try {
      execFileSync('bash', [path.join(root, 'scripts/local-stack.sh'), 'start'], { stdio: 'inherit' });
    } catch (err) {
      throw new Error(
        'could not start the local Kafka + schema registry (scripts/local-stack.sh start failed, see its output above). ' +
          'Fix what it says, or point the tests at a running cluster with KAFKA_BROKERS=host:port and SCHEMA_REGISTRY_URL=http://host:port/apis/ccompat/v7.',
        { cause: err },
      );
    }
  }
  try {
    execFileSync('bash', [path.join(root, 'scripts/ensure-chromium.sh')], { stdio: 'inherit' });
  } catch (err) {
    throw new Error("could not install Debian's chromium for the console's browser test (scripts/ensure-chromium.sh failed, see its output above); install it so /usr/bin/chromium exists", { cause: err });
  }
  await waitForKafka(kafkaBrokers(), 90_000);
  await waitForRegistry(schemaRegistryUrl(), 90_000);
  process.stderr.write(`[global-setup] Kafka ${kafkaBrokers().join(',')} and registry ${schemaRegistryUrl()} ready in ${Date.now() - started} ms\n`);
}
