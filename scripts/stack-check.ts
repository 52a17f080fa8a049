// A quick end-to-end check of the stack: a transactional round trip through Kafka and a schema
// registration. Used by `npm run demo` until the demo app exists.
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const registry = process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const kafka = new Kafka({ clientId: 'sluice-stack-check', brokers, logLevel: logLevel.NOTHING });
const topic = `sluice-stack-check-${Date.now()}`;
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
const producer = kafka.producer({ transactionalId: topic, idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
const tx = await producer.transaction();
await tx.send({ topic, messages: [{ key: 'hello', value: 'sluice' }] });
await tx.commit();
const offsets = await admin.fetchTopicOffsets(topic);
await producer.disconnect();
await admin.deleteTopics({ topics: [topic] });
await admin.disconnect();
const res = await fetch(`${registry}/subjects`);
console.log(`Kafka ${brokers.join(',')}: transactional write ok (high watermark ${offsets[0]?.high}).`);
console.log(`Schema registry ${registry}: HTTP ${res.status}.`);
