// Runs one word-count worker. Start several with the same APPLICATION_ID: tasks spread over them.
//   KAFKA_BROKERS=127.0.0.1:9092 INPUT=lines OUTPUT=word-counts npm start -w @sluice-examples/word-count
import { KafkaStreams } from 'sluice';
import { config, topology } from './definition.js';

const app = new KafkaStreams(topology, config);
app.onStateChange((next, prev) => console.log(`STATE ${prev} -> ${next} tasks=${app.metrics().tasks}`));
app.onError(() => process.exit(1));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
await app.start();
console.log(`STARTED tasks=${app.metrics().tasks}; word count is running, Ctrl-C to stop`);
