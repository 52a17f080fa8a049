// `npm run demo`: the word-count example end to end against a real Kafka. Creates its topics,
// starts a Sluice worker, writes a few lines of text, prints the counts as they change, then shows
// what the word-counts store holds and shuts down cleanly.
import { Kafka, logLevel } from 'kafkajs';
import { KafkaStreams, type ReadOnlyKeyValueStore, type ValueAndTimestamp } from 'sluice';
import { wordCountTopology } from '../examples/word-count/src/topology.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = Date.now().toString(36);
const topics = { input: `demo-lines-${run}`, output: `demo-counts-${run}` };
const kafka = new Kafka({ clientId: 'sluice-demo', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topics.input, numPartitions: 3 }, { topic: topics.output, numPartitions: 3 }] });

const topology = wordCountTopology(topics);
console.log('The topology (as Kafka Streams would describe it):\n');
console.log(topology.describe().toString());

const app = new KafkaStreams(topology, { applicationId: `sluice-demo-${run}`, bootstrapServers: brokers, commitIntervalMs: 500, logLevel: 'warn' });
app.onStateChange((next, prev) => console.log(`[app] ${prev} -> ${next}`));
await app.start();

const lines = [
  'Sluice brings Kafka Streams to TypeScript',
  'streams of records flow through processors',
  'state lives in RocksDB and in Kafka changelog topics',
  'Kafka Streams semantics, TypeScript types',
];
const producer = kafka.producer();
await producer.connect();
await producer.send({ topic: topics.input, messages: lines.map((value, i) => ({ key: `line-${i}`, value })) });
console.log(`\nwrote ${lines.length} lines to ${topics.input}; counts as they arrive on ${topics.output}:`);

const consumer = kafka.consumer({ groupId: `sluice-demo-reader-${run}` });
await consumer.connect();
await consumer.subscribe({ topic: topics.output, fromBeginning: true });
const latest = new Map<string, number>();
// the record cache collapses updates between commits, so wait for the final counts, not for N updates
const expected = new Map<string, number>();
for (const w of lines.flatMap((l) => l.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter((x) => x.length > 0))) expected.set(w, (expected.get(w) ?? 0) + 1);
const complete = () => [...expected].every(([w, n]) => latest.get(w) === n);
const done = new Promise<void>((resolve) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      const word = message.key!.toString();
      const count = Number(message.value!.readBigInt64BE(0));
      latest.set(word, count);
      console.log(`  ${word.padEnd(12)} ${count}`);
      if (complete()) resolve();
    },
  });
});
const timeout = setTimeout(() => {
  console.error(`\nthe counts were not complete after 30 s (${latest.size}/${expected.size} words seen); is the broker healthy? see .local-stack/kafka.log`);
  process.exit(1);
}, 30_000);
await done;
clearTimeout(timeout);

const stores = app.localStores<ReadOnlyKeyValueStore<string, ValueAndTimestamp<number>>>('word-counts');
const fromStore: [string, number][] = [];
for (const store of stores.values()) for await (const kv of store.all()) fromStore.push([kv.key, kv.value.value]);
fromStore.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
console.log(`\nthe word-counts store (${stores.size} tasks) holds ${fromStore.length} words; the top ones:`);
for (const [word, n] of fromStore.slice(0, 5)) console.log(`  ${word.padEnd(12)} ${n}`);

await consumer.disconnect();
await producer.disconnect();
await app.close();
await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.includes(run)) });
await admin.disconnect();
console.log('\ndone: the app closed cleanly and the demo topics were deleted.');
