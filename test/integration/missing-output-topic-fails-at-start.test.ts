// An output topic that does not exist stops start-up at once with the command that creates it,
// instead of the producer failing ~14 s after the first record. Topics a TopicNameExtractor picks
// per record cannot be known in advance and are not checked.
import { afterAll, describe, expect, it } from 'vitest';
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from 'sluice';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, createTopic, deleteTopicsWithPrefix, uniqueName } from '../helpers/kafka.js';

afterAll(closeTestClients);
const S = Serdes.String();
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

describe('output topics at start-up', () => {
  it('a missing output topic: start() rejects naming it with the kafka-topics command', async () => {
    const input = await createTopic('out-check-in');
    const missing = uniqueName('no-such-output');
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S)).to(missing, Produced.with(S, S));
    const app = new KafkaStreams(b.build(), { applicationId: uniqueName('out-check'), bootstrapServers: kafkaBrokers(), logger: quiet });
    const started = Date.now();
    const err = (await app.start().catch((e: unknown) => e)) as Error & { code?: string };
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err.code).toBe('MISSING_SINK_TOPIC');
    expect(err.message).toBe(
      `output topic '${missing}' not found; create it before starting the application:\n  kafka-topics.sh --bootstrap-server ${kafkaBrokers().join(',')} --create --topic ${missing} --partitions <n>`,
    );
    expect(app.state).toBe('ERROR');
    await app.close();
  });

  it('a sink that picks its topic per record is not checked', async () => {
    const input = await createTopic('out-dyn-in');
    const appId = uniqueName('out-dyn');
    const b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S)).to((key) => `topic-for-${key}`, Produced.with(S, S));
    const app = new KafkaStreams(b.build(), { applicationId: appId, bootstrapServers: kafkaBrokers(), logger: quiet });
    try {
      await app.start();
      expect(app.state).toBe('RUNNING');
    } finally {
      await app.close();
      await deleteTopicsWithPrefix(appId);
    }
  });
});
