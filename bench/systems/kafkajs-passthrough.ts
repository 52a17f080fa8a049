// The client ceiling: a plain kafkajs consume → produce loop with no stream-processing framework.
// Each fetched batch is filtered and mapped with S1's own functions, written to the output topic
// in one produce request, and its offsets committed after the send is acknowledged (at-least-once).
// Whatever Sluice does on top of kafkajs costs the difference between this and Sluice's S1.
import { Kafka, logLevel } from 'kafkajs';
import { createRequire } from 'node:module';
import { s1Map, s1Passes } from '../lib/data.js';
import { emit, fail, firstInputReporter, onShutdown, readRunSpec } from './worker-protocol.js';

const spec = readRunSpec();
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
const version = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;
emit({ event: 'info', version });

if (spec.scenario !== 's1' || !spec.outputTopic) fail(new Error(`kafkajs-passthrough runs only S1, not ${spec.scenario}`));
const output = spec.outputTopic;

const kafka = new Kafka({ clientId: spec.appId, brokers: spec.brokers, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: spec.appId, maxBytesPerPartition: 1 << 20, maxWaitTimeInMs: 100 });
const producer = kafka.producer({ allowAutoTopicCreation: false });
const firstInput = firstInputReporter();

onShutdown(async () => {
  await commitAcked().catch(() => undefined);
  await consumer.disconnect();
  await producer.disconnect();
});

// offsets whose records are acknowledged by the broker; committed every commit interval, like
// the streams systems do (kafkajs's autoCommit would commit after every batch)
const acked = new Map<number, string>();
let committed = new Map<number, string>();
async function commitAcked(): Promise<void> {
  const offsets = [...acked].filter(([p, o]) => committed.get(p) !== o).map(([partition, offset]) => ({ topic: spec.inputTopic, partition, offset }));
  if (offsets.length === 0) return;
  const snapshot = new Map(acked);
  await consumer.commitOffsets(offsets);
  committed = snapshot;
}

try {
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: spec.inputTopic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: spec.partitions,
    eachBatch: async ({ batch, heartbeat }) => {
      firstInput();
      const messages = [];
      for (const m of batch.messages) {
        const v = m.value?.toString() ?? '';
        if (s1Passes(v)) messages.push({ key: m.key, value: s1Map(v), headers: m.headers, timestamp: m.timestamp });
      }
      if (messages.length > 0) await producer.send({ topic: output, acks: -1, messages });
      acked.set(batch.partition, String(Number(batch.lastOffset()) + 1));
      await heartbeat();
    },
  });
  setInterval(() => void commitAcked().catch((err: unknown) => process.stderr.write(`commit failed: ${String(err)}\n`)), spec.commitIntervalMs).unref();
} catch (err) {
  fail(err);
}
