// Where the integration tests find Kafka and the schema registry: KAFKA_BROKERS /
// SCHEMA_REGISTRY_URL when set (an existing cluster, docker compose), else the local stack that
// global-setup.ts started.

export function kafkaBrokers(): string[] {
  const raw = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
  return raw
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

export function schemaRegistryUrl(): string {
  return process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
}
