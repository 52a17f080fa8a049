// Sluice on a secured broker (scripts/local-stack.sh start --secure: SASL_SSL, ACLs enforced by
// KRaft's StandardAuthorizer): an exactly-once word count with exactly the ACLs requiredAcls()
// lists, and what a user sees when credentials or ACLs are wrong — each failure stops start-up
// at once with the fix, never a retry loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, AuthorizationError, Consumed, Grouped, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder, requiredAcls, type StreamsConfig } from 'sluice';
import { uniqueName } from '../helpers/kafka.js';
import { caPem, grantAcls, signedToken, startSecureStack, stopSecureStackIfStartedHere, superAdmin, superKafka, type SecureSettings } from '../helpers/secure-stack.js';

const S = Serdes.String();
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
let s: SecureSettings;
let admin: Admin;
const dirs: string[] = [];

beforeAll(async () => {
  s = startSecureStack();
  admin = await superAdmin(s);
});
afterAll(async () => {
  await admin?.disconnect();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  stopSecureStackIfStartedHere();
});

function wordCount(input: string, output: string) {
  const b = new StreamsBuilder();
  b.stream(input, Consumed.with(S, S))
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, Grouped.with(S, S))
    .count(Materialized.as<string, number>('counts'))
    .toStream()
    .to(output, Produced.with(S, Serdes.Long()));
  return b.build();
}

async function topics(prefix: string, partitions = 2): Promise<{ input: string; output: string }> {
  const input = uniqueName(`${prefix}-in`);
  const output = uniqueName(`${prefix}-out`);
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: input, numPartitions: partitions }, { topic: output, numPartitions: 1 }] });
  return { input, output };
}

function config(appId: string, sasl: StreamsConfig['sasl'], extra: Partial<StreamsConfig> = {}): StreamsConfig {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-secure-'));
  dirs.push(stateDir);
  return { applicationId: appId, bootstrapServers: s.bootstrapServers, ssl: { ca: [caPem(s)] }, sasl, stateDir, logger: quiet, commitIntervalMs: 200, ...extra };
}

const scram = (): StreamsConfig['sasl'] => ({ mechanism: 'scram-sha-512', username: s.user.username, password: s.user.password });

/** Latest count per word in `topic`, read committed, once `words` words have a count. */
async function readCounts(topic: string, words: number, timeoutMs = 30_000): Promise<Map<string, number>> {
  const consumer = superKafka(s).consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  const counts = new Map<string, number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${counts.size}/${words} words counted in ${topic}: ${JSON.stringify([...counts])}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          counts.set(message.key!.toString(), Number(message.value!.readBigInt64BE(0)));
          if (counts.size >= words) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    // records of a transaction that came later would raise a count: give them a moment
    await new Promise((r) => setTimeout(r, 1_000));
    return counts;
  } finally {
    await consumer.disconnect();
  }
}

async function produceLines(topic: string, lines: string[]): Promise<void> {
  const p = superKafka(s).producer();
  await p.connect();
  await p.send({ topic, acks: -1, messages: lines.map((value, i) => ({ key: `line-${i}`, value })) });
  await p.disconnect();
}

describe('on a SASL_SSL broker with ACLs', () => {
  it('counts words exactly-once with SCRAM-SHA-512 and exactly the ACLs requiredAcls() lists', async () => {
    const { input, output } = await topics('sec-wc');
    const cfg = config(uniqueName('sec-wc'), scram(), { processingGuarantee: 'exactly_once' });
    const required = requiredAcls(wordCount(input, output), cfg);
    expect(required.principal).toBe(`User:${s.user.username}`);
    const revoke = await grantAcls(admin, required.acls, required.principal!);
    const app = new KafkaStreams(wordCount(input, output), cfg);
    try {
      await app.start();
      await produceLines(input, ['kafka streams', 'sluice streams kafka', 'kafka']);
      expect(Object.fromEntries(await readCounts(output, 3))).toEqual({ kafka: 3, streams: 2, sluice: 1 });
    } finally {
      await app.close();
      await revoke();
    }
  });

  it('authenticates with SCRAM-SHA-256, PLAIN, and OAUTHBEARER through a token provider', async () => {
    const { input, output } = await topics('sec-mech', 1);
    const tokens: string[] = [];
    const mechanisms: StreamsConfig['sasl'][] = [
      { mechanism: 'scram-sha-256', username: s.user.username, password: s.user.password },
      { mechanism: 'PLAIN', username: s.user.username, password: s.user.password },
      {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => {
          tokens.push(signedToken(s, s.user.username));
          return { value: tokens[tokens.length - 1]! };
        },
      },
    ];
    for (const [i, sasl] of mechanisms.entries()) {
      const cfg = config(uniqueName(`sec-mech-${i}`), sasl);
      const b = new StreamsBuilder();
      b.stream(input, Consumed.with(S, S)).mapValues((v) => `${v}!`).to(output, Produced.with(S, S));
      const required = requiredAcls(b.build(), cfg);
      const revoke = await grantAcls(admin, required.acls, `User:${s.user.username}`);
      const app = new KafkaStreams(b.build(), cfg);
      try {
        await app.start();
        expect(app.state).toBe('RUNNING');
      } finally {
        await app.close();
        await revoke();
      }
    }
    expect(tokens.length).toBeGreaterThan(0);
  });

  it('a wrong password fails start-up at once: SASL authentication failed, check user/password/mechanism', async () => {
    const { input, output } = await topics('sec-pw');
    const app = new KafkaStreams(wordCount(input, output), config(uniqueName('sec-pw'), { mechanism: 'scram-sha-512', username: s.user.username, password: 'not-the-password' }));
    const started = Date.now();
    const err = (await app.start().catch((e: unknown) => e)) as Error;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/SASL authentication failed: check user\/password\/mechanism \(mechanism scram-sha-512, user 'sluice'\)/);
    expect(app.state).toBe('ERROR');
    await app.close();
  });

  it('a token the broker rejects fails start-up at once, saying so', async () => {
    const { input, output } = await topics('sec-token');
    const sasl = { mechanism: 'oauthbearer' as const, oauthBearerProvider: () => ({ value: signedToken(s, s.user.username, { issuer: 'someone-else' }) }) };
    const app = new KafkaStreams(wordCount(input, output), config(uniqueName('sec-token'), sasl));
    const err = (await app.start().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/SASL authentication failed: check the token sasl.oauthBearerProvider returns .*the broker rejected the token \(\{"status":"invalid_token"\}\)/);
    await app.close();
  });

  it('without credentials the error says the broker may require SASL/TLS', async () => {
    const app = new KafkaStreams(wordCount('a', 'b'), { ...config(uniqueName('sec-none'), undefined), ssl: undefined });
    const err = (await app.start().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/closed the connection; the broker may require SASL and\/or TLS \(set sasl and ssl\)/);
    await app.close();
  });

  it('a missing WRITE ACL on the output topic stops start-up with the kafka-acls command to add', async () => {
    const { input, output } = await topics('sec-acl');
    const cfg = config(uniqueName('sec-acl'), scram(), { processingGuarantee: 'exactly_once' });
    const required = requiredAcls(wordCount(input, output), cfg);
    const withoutOutputWrite = required.acls.filter((a) => !(a.resourceType === 'TOPIC' && a.name === output));
    expect(withoutOutputWrite).toHaveLength(required.acls.length - 1);
    const revoke = await grantAcls(admin, withoutOutputWrite, required.principal!);
    const app = new KafkaStreams(wordCount(input, output), cfg);
    try {
      const err = (await app.start().catch((e: unknown) => e)) as AuthorizationError;
      expect(err).toBeInstanceOf(AuthorizationError);
      expect(err.message).toContain(`User:sluice is not authorized to WRITE topic '${output}' (TOPIC_AUTHORIZATION_FAILED)`);
      expect(err.message).toContain(`kafka-acls.sh --bootstrap-server ${s.bootstrapServers} --command-config <admin.properties> --add --allow-principal User:sluice --operation Write --topic ${output}`);
      expect(err.context).toMatchObject({ resourceType: 'TOPIC', resourceName: output, operation: 'WRITE' });
      expect(app.state).toBe('ERROR');
    } finally {
      await app.close();
      await revoke();
    }
  });

  it('a missing transactional-id ACL under exactly-once names the prefixed ACL to add', async () => {
    const { input, output } = await topics('sec-txn', 1);
    const cfg = config(uniqueName('sec-txn'), scram(), { processingGuarantee: 'exactly_once' });
    const required = requiredAcls(wordCount(input, output), cfg);
    const revoke = await grantAcls(admin, required.acls.filter((a) => a.resourceType !== 'TRANSACTIONAL_ID'), required.principal!);
    const app = new KafkaStreams(wordCount(input, output), cfg);
    try {
      const err = (await app.start().catch((e: unknown) => e)) as Error;
      expect(err.message).toContain(`--operation Write --operation Describe --resource-pattern-type prefixed --transactional-id ${cfg.applicationId}-`);
    } finally {
      await app.close();
      await revoke();
    }
  });
});
