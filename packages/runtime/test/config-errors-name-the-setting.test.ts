// What a user sees for a wrong setting: every setting of StreamsConfig, given a value of the wrong
// type, is refused when the app is created with a message that names it and what it expected — never
// a raw TypeError later. Misspelt choices (handlers, log levels, guarantees, SASL mechanisms) list
// the valid ones; TLS and SASL settings of the wrong shape say how to write them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@sluice/common';
import { Consumed, StreamsBuilder } from '@sluice/core';
import { Serdes } from '@sluice/serdes';
import { KafkaStreams } from '../src/kafka-streams.js';
import { resolveConfig, STREAMS_CONFIG_KEYS, type StreamsConfig } from '../src/config.js';

const base = { applicationId: 'app', bootstrapServers: ['127.0.0.1:9092'] };
const attempt = (extra: object) => () => resolveConfig({ ...base, ...extra } as StreamsConfig);

/** One wrongly typed value per setting and the message it must produce. */
const wrongTypes: Record<string, [unknown, RegExp]> = {
  applicationId: [42, /applicationId must be a non-empty string of letters, digits, '\.', '_' and '-' .*got the number 42/],
  bootstrapServers: [9092, /bootstrapServers must be 'host:port\[,host:port\.\.\.\]' or an array of 'host:port' strings, got the number 9092/],
  processingGuarantee: [true, /processingGuarantee must be one of 'at_least_once', 'exactly_once' or 'exactly_once_v2', got the boolean true/],
  commitIntervalMs: ['100', /commitIntervalMs must be an integer >= 1 \(ms\), got the string "100"/],
  cacheMaxBytes: [-1, /cacheMaxBytes must be an integer >= 0 \(bytes\), got the number -1/],
  stateDir: [{}, /stateDir must be a directory path, got an object/],
  defaultKeySerde: ['string', /defaultKeySerde must be an object with serialize\(\), deserialize\(\) \(e\.g\. Serdes\.String\(\)\), got the string "string"/],
  defaultValueSerde: [{ serialize() {} }, /defaultValueSerde must be an object with serialize\(\), deserialize\(\) .*got an object without deserialize\(\)/],
  defaultTimestampExtractor: ['wallclock', /defaultTimestampExtractor must be a function \(record, partitionTime\) => timestamp, got the string "wallclock"/],
  deserializationExceptionHandler: [1, /deserializationExceptionHandler a number is not a handler; use 'logAndFail' .*, 'logAndContinue' .* or a function/],
  processingExceptionHandler: [null, /processingExceptionHandler null is not a handler/],
  productionExceptionHandler: [{}, /productionExceptionHandler a object is not a handler/],
  replicationFactor: [0, /replicationFactor must be an integer >= 1, or -1 for the brokers' default\.replication\.factor, got the number 0/],
  internalTopicConfig: [{ 'min.insync.replicas': 2 }, /internalTopicConfig\['min\.insync\.replicas'\] must be a string .*got the number 2/],
  sessionTimeoutMs: ['45s', /sessionTimeoutMs must be an integer >= 1000 \(ms\), got the string "45s"/],
  heartbeatIntervalMs: [1.5, /heartbeatIntervalMs must be an integer >= 1 \(ms\), got the number 1\.5/],
  rebalanceTimeoutMs: [null, /rebalanceTimeoutMs must be an integer >= 1000 \(ms\), got null/],
  maxWaitTimeMs: [-5, /maxWaitTimeMs must be an integer >= 0 \(ms\), got the number -5/],
  fetchMaxBytes: ['2MB', /fetchMaxBytes must be an integer >= 1024 \(bytes\), got the string "2MB"/],
  maxPartitionFetchBytes: [[], /maxPartitionFetchBytes must be an integer >= 1024 \(bytes\), got an array of 0/],
  transactionTimeoutMs: [false, /transactionTimeoutMs must be an integer >= 1000 \(ms\), got the boolean false/],
  taskTimeoutMs: ['5m', /taskTimeoutMs must be an integer >= 0 \(ms\), got the string "5m"/],
  groupInstanceId: ['pod 1', /groupInstanceId must be a string of letters, digits, '\.', '_' and '-' unique to this worker/],
  numStreamThreads: [0, /numStreamThreads must be an integer >= 1, got the number 0/],
  numStandbyReplicas: [1.5, /numStandbyReplicas must be an integer >= 0, got the number 1\.5/],
  acceptableRecoveryLag: [-1, /acceptableRecoveryLag must be an integer >= 0 \(records\), got the number -1/],
  maxWarmupReplicas: [0, /maxWarmupReplicas must be an integer >= 1, got the number 0/],
  probingRebalanceIntervalMs: [10, /probingRebalanceIntervalMs must be an integer >= 1000 \(ms\), got the number 10/],
  deadLetterQueueTopicName: ['bad topic', /deadLetterQueueTopicName must be a topic name/],
  processingRetry: [{ maxAttempts: 0 }, /processingRetry\.maxAttempts must be an integer >= 1, got the number 0/],
  maxTaskIdleMs: [-2, /maxTaskIdleMs must be an integer >= -1 \(ms\), got the number -2/],
  bufferedRecordsPerPartition: [0, /bufferedRecordsPerPartition must be an integer >= 1 \(records\), got the number 0/],
  applicationServer: [8080, /applicationServer must be 'host:port' \(where this worker serves interactive queries\), got the number 8080/],
  clientId: [7, /clientId must be a non-empty string, got the number 7/],
  logger: [console.log, /logger must be an object with debug\(\), info\(\), warn\(\), error\(\), child\(\) .*got a function/],
  logLevel: ['verbose', /logLevel must be one of 'debug', 'info', 'warn', 'error' or 'silent', got the string "verbose"/],
  repartitionPurgeIntervalMs: ['soon', /repartitionPurgeIntervalMs must be an integer >= 0 \(ms\), got the string "soon"/],
  metadataMaxAgeMs: ['soon', /metadataMaxAgeMs must be an integer >= 100 \(ms\), got the string "soon"/],
  logFormat: ['yaml', /logFormat must be one of 'text' or 'json', got the string "yaml"/],
  metricsRecordingLevel: ['DEBUG', /metricsRecordingLevel must be one of 'info', 'debug' or 'trace', got the string "DEBUG" \(did you mean 'debug'\?\)/],
  tracing: [true, /tracing must be \{ enabled: true \} \(optionally with a tracerProvider\), got the boolean true/],
  kafkaLogLevel: [3, /kafkaLogLevel must be one of 'debug', 'info', 'warn', 'error' or 'silent', got the number 3/],
  ssl: ['yes', /ssl must be true \(TLS with the system's CAs\) or Node's TLS options.*got the string "yes"/],
  sasl: ['scram', /sasl must be an object such as \{ mechanism: 'scram-sha-512', username, password \}.*got the string "scram"/],
  rocksdb: [{ blockCacheBytes: '64MB' }, /rocksdb\.blockCacheBytes must be an integer >= 1 \(bytes\), got the string "64MB"/],
  clock: [Date.now, /clock must be an object with now\(\), setTimeout\(\), setInterval\(\) .*got a function/],
  appConfigs: ['x=1', /appConfigs must be an object of application settings, got the string "x=1"/],
};

describe('every setting of the wrong type is named with what was expected', () => {
  it('covers every setting', () => {
    expect(Object.keys(wrongTypes).sort()).toEqual([...STREAMS_CONFIG_KEYS].sort());
  });

  for (const [key, [value, message]] of Object.entries(wrongTypes)) {
    it(key, () => {
      const run = attempt({ [key]: value });
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(message);
    });
  }
});

describe('choices are checked when the app is created, with the valid ones', () => {
  it("a misspelt handler name ('skip') is refused, not found at the first bad record", () => {
    expect(attempt({ deserializationExceptionHandler: 'skip' })).toThrow(
      "deserializationExceptionHandler 'skip' is not a handler; use 'logAndFail' (stop the app, the default), 'logAndContinue' (log and skip the record) or a function (context) => 'CONTINUE' | 'FAIL'",
    );
    expect(attempt({ processingExceptionHandler: 'log_and_continue' })).toThrow(/processingExceptionHandler 'log_and_continue' is not a handler \(did you mean 'logAndContinue'\?\)/);
    expect(resolveConfig({ ...base, productionExceptionHandler: 'logAndContinue' }).productionExceptionHandler).toBe('logAndContinue');
  });

  it('log levels, from the setting or from SLUICE_LOG_LEVEL', () => {
    expect(attempt({ logLevel: 'warning' })).toThrow(/logLevel must be one of 'debug', 'info', 'warn', 'error' or 'silent', got the string "warning" \(did you mean 'warn'\?\)/);
    const before = process.env['SLUICE_LOG_LEVEL'];
    process.env['SLUICE_LOG_LEVEL'] = 'loud';
    try {
      expect(attempt({})).toThrow(/the environment variable SLUICE_LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"/);
      expect(() => resolveConfig({ ...base, logLevel: 'error' })).not.toThrow();
    } finally {
      if (before === undefined) delete process.env['SLUICE_LOG_LEVEL'];
      else process.env['SLUICE_LOG_LEVEL'] = before;
    }
  });

  it('a processing guarantee near a valid one is suggested', () => {
    expect(attempt({ processingGuarantee: 'exactly-once' })).toThrow(/got the string "exactly-once" \(did you mean 'exactly_once'\?\)/);
  });

  it('brokers must be host:port, without a scheme', () => {
    expect(attempt({ bootstrapServers: 'localhost' })).toThrow(/bootstrapServers entries must be host:port, got "localhost"/);
    expect(attempt({ bootstrapServers: ['SASL_SSL://broker:9093'] })).toThrow(/leave out the scheme: TLS and SASL are set with ssl and sasl/);
    expect(resolveConfig({ ...base, bootstrapServers: 'a:1, [::1]:9092' }).brokers).toEqual(['a:1', '[::1]:9092']);
  });

  it('unknown rocksdb settings are named', () => {
    expect(attempt({ rocksdb: { blockCache: 1 } })).toThrow(/unknown rocksdb setting 'blockCache' \(did you mean 'blockCacheBytes'\?\)/);
  });
});

describe('ssl and sasl', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

  it('takes the shapes Kafka users need and keeps them', () => {
    const c = resolveConfig({ ...base, ssl: { ca: [pem], rejectUnauthorized: true }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' } });
    expect(c.ssl).toEqual({ ca: [pem], rejectUnauthorized: true });
    expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    const provider = async () => ({ value: 'jwt' });
    expect(resolveConfig({ ...base, ssl: true, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: provider } }).sasl).toEqual({ mechanism: 'oauthbearer', oauthBearerProvider: provider });
  });

  it('an unknown mechanism lists the supported ones', () => {
    expect(attempt({ sasl: { mechanism: 'scram-sha-1', username: 'u', password: 'p' } })).toThrow(
      /sasl\.mechanism must be one of 'plain', 'scram-sha-256', 'scram-sha-512' or 'oauthbearer', got the string "scram-sha-1" \(did you mean 'scram-sha-512'\?\)/,
    );
    expect(attempt({ sasl: { username: 'u', password: 'p' } })).toThrow(/sasl\.mechanism must be one of .* got undefined/);
  });

  it('credentials must be there and of the right kind', () => {
    expect(attempt({ sasl: { mechanism: 'plain', username: 'u' } })).toThrow(/sasl\.password must be a non-empty string for mechanism 'plain', got undefined/);
    expect(attempt({ sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p', oauthBearerProvider: () => ({ value: 'x' }) } })).toThrow(
      /unknown sasl setting for scram-sha-256 'oauthBearerProvider'; known: mechanism, username, password/,
    );
    expect(attempt({ sasl: { mechanism: 'oauthbearer', oauthBearerProvider: 'eyJ...' } })).toThrow(
      /sasl\.oauthBearerProvider must be a function returning a token, async \(\) => \(\{ value: '<JWT>' \}\), got the string "eyJ\.\.\."/,
    );
    expect(attempt({ sasl: { mechanism: 'oauthbearer', username: 'u', password: 'p' } })).toThrow(/unknown sasl setting for oauthbearer 'username', 'password'/);
  });

  it('a CA given as a file path, a Java truststore, or a certificate without its key are refused with the fix', () => {
    expect(attempt({ ssl: { ca: '/etc/kafka/ca.pem' } })).toThrow(
      `ssl.ca looks like a file path ("/etc/kafka/ca.pem"), but it takes the certificate itself: ssl: { ca: [fs.readFileSync("/etc/kafka/ca.pem", 'utf8')] }`,
    );
    expect(attempt({ ssl: { ca: 'not a certificate' } })).toThrow(/ssl\.ca is not PEM text \(no '-----BEGIN' line\)/);
    expect(attempt({ ssl: { truststoreLocation: 'x.jks' } })).toThrow(/ssl\.truststoreLocation is a Java keystore\/truststore setting; Node's TLS takes PEM/);
    expect(attempt({ ssl: { cert: pem } })).toThrow(/ssl\.cert is set without ssl\.key: mutual TLS needs both/);
    expect(attempt({ ssl: { ca: [pem], rejectUnauthorized: 'no' } })).toThrow(/ssl\.rejectUnauthorized must be true or false, got the string "no"/);
  });

  it('PLAIN without TLS is allowed, with a warning that the password travels in clear', () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {}, child: () => logger };
    resolveConfig({ ...base, logger, sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
    expect(warnings).toEqual([expect.stringMatching(/PLAIN without ssl sends the password in clear text/)]);
  });
});

describe('where the user meets it', () => {
  it('new KafkaStreams(...) refuses a misspelt handler before anything connects', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(Serdes.String(), Serdes.String())).to('out');
    expect(() => new KafkaStreams(b.build(), { ...base, deserializationExceptionHandler: 'skip' as never })).toThrow(/deserializationExceptionHandler 'skip' is not a handler; use 'logAndFail'/);
  });

  it('new KafkaStreams(...) refuses a stateDir below a file, naming the file', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sluice-cfg-')), 'a-file');
    writeFileSync(file, '');
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(Serdes.String(), Serdes.String())).to('out');
    expect(() => new KafkaStreams(b.build(), { ...base, stateDir: path.join(file, 'state') })).toThrow(`stateDir '${file}/state' cannot be used: '${file}' is a file, not a directory`);
    rmSync(path.dirname(file), { recursive: true });
  });
});
