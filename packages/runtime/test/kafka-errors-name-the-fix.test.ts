// What the user reads when the broker refuses: kafkajs' errors (built with kafkajs' own classes, as
// its protocol layer builds them) become Sluice errors chosen by error type/code, naming the resource,
// the ACL and the command — the secured-broker integration test shows the same on a real broker.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, AuthorizationError, KafkaClientError } from '@sluice/common';
import { isFenced, translate, type ErrorContext } from '../src/kafka/errors.js';
import { securityContext } from '../src/kafka/security.js';

const require = createRequire(import.meta.url);
const k = require('kafkajs') as Record<string, new (...args: never[]) => Error>;
const protocol = (type: string, code: number) => new k['KafkaJSProtocolError']!({ type, code, retriable: false, message: `broker says ${type}` } as never);
const retriesExceeded = (cause: Error) => new k['KafkaJSNumberOfRetriesExceeded']!(cause as never, { retryCount: 5, retryTime: 1000 } as never);

const scram: ErrorContext = { security: securityContext(['broker:9094'], { ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'pw' } }) };

describe('authorization errors name the ACL to add', () => {
  it('TOPIC_AUTHORIZATION_FAILED on produce: WRITE on the topics of the batch', () => {
    const err = translate('producing 3 records', protocol('TOPIC_AUTHORIZATION_FAILED', 29), { ...scram, topics: ['out'], topicOperation: 'WRITE' });
    expect(err).toBeInstanceOf(AuthorizationError);
    expect(err.retriable).toBe(false);
    expect(err.message).toBe(
      "producing 3 records: User:alice is not authorized to WRITE topic 'out' (TOPIC_AUTHORIZATION_FAILED). Add the ACL:\n" +
        '  kafka-acls.sh --bootstrap-server broker:9094 --command-config <admin.properties> --add --allow-principal User:alice --operation Write --topic out',
    );
  });

  it('GROUP_AUTHORIZATION_FAILED: READ on the group', () => {
    const err = translate('the Kafka consumer stopped', retriesExceeded(protocol('GROUP_AUTHORIZATION_FAILED', 30)), { ...scram, groupId: 'wc' });
    expect(err).toBeInstanceOf(AuthorizationError);
    expect(err.message).toMatch(/User:alice is not authorized to READ consumer group 'wc' \(GROUP_AUTHORIZATION_FAILED\)\. Add the ACL:\n {2}kafka-acls\.sh .* --operation Read --group wc$/);
  });

  it('TRANSACTIONAL_ID_AUTHORIZATION_FAILED: a prefixed ACL for all tasks, and it is not mistaken for fencing', () => {
    const kafkaErr = protocol('TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 53);
    expect(isFenced(kafkaErr)).toBe(false);
    const id = 'wc-6b1e0f52-3c9a-4d8e-9b7a-0c2d4e6f8a1b-1'; // <applicationId>-<process id>-<thread>
    const err = translate(`connecting the transactional producer '${id}'`, kafkaErr, { ...scram, transactionalId: id });
    expect(err).toBeInstanceOf(AuthorizationError);
    expect(err.message).toContain('--operation Write --operation Describe --resource-pattern-type prefixed --transactional-id wc-');
    expect(err.context).toMatchObject({ resourceType: 'TRANSACTIONAL_ID', resourceName: 'wc-', patternType: 'PREFIXED' });
  });

  it('CLUSTER_AUTHORIZATION_FAILED: IDEMPOTENT_WRITE on the cluster', () => {
    const err = translate('connecting a producer', protocol('CLUSTER_AUTHORIZATION_FAILED', 31), scram);
    expect(err.message).toMatch(/--operation IdempotentWrite --cluster$/);
  });

  it('without a known principal the command has a placeholder to fill in', () => {
    const oauth = { security: securityContext(['b:1'], { sasl: { mechanism: 'oauthbearer', oauthBearerProvider: () => ({ value: 'x' }) } }) };
    expect(translate('x', protocol('TOPIC_AUTHORIZATION_FAILED', 29), { ...oauth, topics: ['t'], topicOperation: 'READ' }).message).toContain('--allow-principal User:<principal> --operation Read --topic t');
  });

  it('a coordinator kafkajs could not find, on a secured client, points at the group or transactional-id ACL', () => {
    const notFound = new k['KafkaJSGroupCoordinatorNotFound']!('Failed to find group coordinator' as never);
    expect(translate('x', notFound, { ...scram, groupId: 'wc' }).message).toMatch(/could not find the coordinator of consumer group 'wc'\. On a cluster that enforces ACLs .*--operation Read --group wc/s);
    expect(translate('x', notFound, { ...scram, transactionalId: 'wc-6b1e0f52-3c9a-4d8e-9b7a-0c2d4e6f8a1b-1' }).message).toMatch(/--resource-pattern-type prefixed --transactional-id wc-/);
    // on a plain client it stays what it is
    expect(translate('x', notFound, { groupId: 'wc' }).message).toBe('x: KafkaJSGroupCoordinatorNotFound: Failed to find group coordinator');
  });
});

describe('authentication and connection errors say what to check', () => {
  it('a refused password: SASL authentication failed, check user/password/mechanism (never the password)', () => {
    const err = translate('connecting to Kafka at broker:9094', new k['KafkaJSSASLAuthenticationError']!('SASL SCRAM SHA512 authentication failed: invalid credentials' as never), scram);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.retriable).toBe(false);
    expect(err.message).toBe(
      "connecting to Kafka at broker:9094: SASL authentication failed: check user/password/mechanism (mechanism scram-sha-512, user 'alice'). SASL SCRAM SHA512 authentication failed: invalid credentials",
    );
    expect(err.message).not.toContain('pw');
  });

  it('SASL against a listener without SASL, and an untrusted certificate', () => {
    expect(translate('c', protocol('ILLEGAL_SASL_STATE', 34), scram).message).toMatch(/does not speak SASL \(ILLEGAL_SASL_STATE\); remove sasl from the config/);
    const tls = retriesExceeded(new k['KafkaJSConnectionError']!('Connection error: self-signed certificate in certificate chain' as never, { code: 'SELF_SIGNED_CERT_IN_CHAIN' } as never));
    const err = translate('c', tls, scram);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/TLS handshake with broker:9094 failed \(SELF_SIGNED_CERT_IN_CHAIN\): .*set ssl: \{ ca: \[fs\.readFileSync\('<ca\.pem>', 'utf8'\)\] \}/);
  });

  it('a connection closed on a client without SASL says the broker may require SASL/TLS', () => {
    const closed = retriesExceeded(new k['KafkaJSConnectionClosedError']!('Closed connection' as never, { host: 'broker', port: 9094 } as never));
    const plain = { security: securityContext(['broker:9094'], {}) };
    const err = translate('connecting to Kafka at broker:9094', closed, plain);
    expect(err).toBeInstanceOf(KafkaClientError);
    expect(err.message).toBe(
      "connecting to Kafka at broker:9094: the broker at broker:9094 closed the connection; the broker may require SASL and/or TLS (set sasl and ssl): check the listener's security protocol. KafkaJSNumberOfRetriesExceeded: Closed connection",
    );
    const tlsOnly = { security: securityContext(['broker:9094'], { ssl: true }) };
    expect(translate('c', closed, tlsOnly).message).toMatch(/the broker may require SASL \(set sasl\)/);
  });
});
