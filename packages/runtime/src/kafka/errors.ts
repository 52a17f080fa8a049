// Owns translating client errors (Kafka error codes from Sluice's wire layer, connection and SASL
// errors of the private kafkajs copy) into Sluice errors at the adapter boundary, by error type/code:
// fencing; missing ACLs (TOPIC/GROUP/TRANSACTIONAL_ID/CLUSTER_AUTHORIZATION_FAILED) into an
// AuthorizationError naming the resource and the kafka-acls command that grants it; refused
// credentials and TLS failures into an AuthenticationError that says what to check; a connection the
// broker closes on a client without SASL/TLS into a hint that the listener may need them.
import { AuthenticationError, AuthorizationError, ErrorCodes, KafkaClientError, SluiceError, describeError } from '@sluice/common';
import { aclCommand, PRINCIPAL_PLACEHOLDER, type AclOperation, type AclResourceType } from '../acls.js';
import type { SecurityContext } from './security.js';
import { KafkaProtocolError, FENCING_CODES } from './wire/errors.js';
import { isConnectionError } from './wire/wire.js';

export class ProducerFencedError extends SluiceError {
  constructor(message: string, cause: unknown) {
    super(ErrorCodes.PRODUCER_FENCED, message, { cause, retriable: true });
  }
}

/** What the caller knows that the kafkajs error does not say: who connects, and to what. */
export interface ErrorContext {
  readonly security?: SecurityContext | undefined;
  /** The topics of the request (a produce names no topic in its error). */
  readonly topics?: readonly string[];
  /** What the request needed on those topics; default DESCRIBE. */
  readonly topicOperation?: AclOperation;
  readonly groupId?: string;
  readonly transactionalId?: string;
}

/** `<applicationId>-` of a Sluice transactional id (`<applicationId>-<process uuid>-<thread>`). */
const TXN_ID = /^(.*-)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d+$/;

const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_TXN_STATE', 'INVALID_PRODUCER_ID_MAPPING']);
const TLS_TRUST = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED']);

interface KafkaJsLike {
  name?: string;
  message?: string;
  type?: string;
  code?: string | number;
  retriable?: boolean;
  originalError?: unknown;
  cause?: unknown;
  errors?: unknown[];
}

/** The error and every error it wraps (originalError, cause, errors[]), outermost first. */
function* chain(err: unknown, depth = 0): Generator<KafkaJsLike> {
  if (err === null || typeof err !== 'object' || depth > 6) return;
  const e = err as KafkaJsLike;
  yield e;
  yield* chain(e.originalError, depth + 1);
  if (e.cause !== e.originalError) yield* chain(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

function typeOf(err: unknown): string | undefined {
  for (const e of chain(err)) if (e.type) return e.type;
  return undefined;
}

function find(err: unknown, test: (e: KafkaJsLike) => boolean): KafkaJsLike | undefined {
  for (const e of chain(err)) if (test(e)) return e;
  return undefined;
}

/** Fencing, by Kafka error code or type only (a message text match also caught retriable leader-epoch errors). */
export function isFenced(err: unknown): boolean {
  if (err instanceof KafkaProtocolError) return FENCING_CODES.has(err.kafkaCode);
  const t = typeOf(err);
  return t !== undefined && FENCED.has(t);
}

function grant(resourceType: AclResourceType, name: string, operations: AclOperation[], ctx: ErrorContext, prefixed = false): string {
  return aclCommand(
    { resourceType, patternType: prefixed ? 'PREFIXED' : 'LITERAL', name, operations },
    { principal: ctx.security?.principal ?? PRINCIPAL_PLACEHOLDER, bootstrapServer: ctx.security?.brokers.join(',') ?? '<bootstrap>', commandConfig: '<admin.properties>' },
  );
}

function authorizationError(action: string, type: string, err: unknown, ctx: ErrorContext): SluiceError | undefined {
  const who = ctx.security?.principal ?? 'this application\'s principal';
  const base = { cause: err, context: { kafkaErrorType: type } };
  if (type === 'TOPIC_AUTHORIZATION_FAILED') {
    const op = ctx.topicOperation ?? 'DESCRIBE';
    const topics = ctx.topics?.length ? ctx.topics : ['<topic>'];
    const cmds = topics.map((t) => grant('TOPIC', t, [op], ctx));
    return new AuthorizationError(
      `${action}: ${who} is not authorized to ${op} topic${topics.length > 1 ? 's' : ''} ${topics.map((t) => `'${t}'`).join(', ')} (TOPIC_AUTHORIZATION_FAILED). Add the ACL:\n  ${cmds.join('\n  ')}`,
      { ...base, context: { ...base.context, resourceType: 'TOPIC', resourceName: topics.join(','), operation: op, command: cmds.join('\n') } },
    );
  }
  if (type === 'GROUP_AUTHORIZATION_FAILED') {
    const group = ctx.groupId ?? '<applicationId>';
    const cmd = grant('GROUP', group, ['READ'], ctx);
    return new AuthorizationError(`${action}: ${who} is not authorized to READ consumer group '${group}' (GROUP_AUTHORIZATION_FAILED). Add the ACL:\n  ${cmd}`, {
      ...base,
      context: { ...base.context, resourceType: 'GROUP', resourceName: group, operation: 'READ', command: cmd },
    });
  }
  if (type === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED') {
    const id = ctx.transactionalId ?? '<applicationId>-';
    // Sluice's transactional ids are <applicationId>-<processId>-<thread>: one prefixed ACL covers them all
    const prefix = TXN_ID.exec(id)?.[1];
    const cmd = prefix ? grant('TRANSACTIONAL_ID', prefix, ['WRITE', 'DESCRIBE'], ctx, true) : grant('TRANSACTIONAL_ID', id, ['WRITE', 'DESCRIBE'], ctx);
    return new AuthorizationError(
      `${action}: ${who} is not authorized to use transactional id '${id}' (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); exactly-once needs WRITE and DESCRIBE on the app's transactional ids. Add the ACL:\n  ${cmd}`,
      { ...base, context: { ...base.context, resourceType: 'TRANSACTIONAL_ID', resourceName: prefix ?? id, patternType: prefix ? 'PREFIXED' : 'LITERAL', operation: 'WRITE', command: cmd } },
    );
  }
  if (type === 'CLUSTER_AUTHORIZATION_FAILED') {
    const cmd = grant('CLUSTER', 'kafka-cluster', ['IDEMPOTENT_WRITE'], ctx);
    return new AuthorizationError(
      `${action}: ${who} is not authorized for this cluster operation (CLUSTER_AUTHORIZATION_FAILED). An idempotent producer needs IDEMPOTENT_WRITE on the cluster (or, from Kafka 3.0, WRITE on a topic it writes). Add the ACL:\n  ${cmd}`,
      { ...base, context: { ...base.context, resourceType: 'CLUSTER', resourceName: 'kafka-cluster', operation: 'IDEMPOTENT_WRITE', command: cmd } },
    );
  }
  return undefined;
}

/**
 * kafkajs drops the broker's answer when FindCoordinator fails and throws "Failed to find group
 * coordinator" instead, so a missing GROUP or TRANSACTIONAL_ID ACL looks like that. With SASL or TLS
 * configured (a cluster that may enforce ACLs), say which ACL it would be.
 */
function coordinatorError(action: string, err: unknown, ctx: ErrorContext): SluiceError | undefined {
  if (!find(err, (e) => e.name === 'KafkaJSGroupCoordinatorNotFound')) return undefined;
  if (!ctx.security?.ssl && !ctx.security?.saslMechanism) return undefined;
  const who = ctx.security.principal ?? "this application's principal";
  const retriable = (err as { retriable?: boolean })?.retriable === true;
  if (ctx.transactionalId !== undefined) {
    const prefix = TXN_ID.exec(ctx.transactionalId)?.[1];
    const cmd = prefix ? grant('TRANSACTIONAL_ID', prefix, ['WRITE', 'DESCRIBE'], ctx, true) : grant('TRANSACTIONAL_ID', ctx.transactionalId, ['WRITE', 'DESCRIBE'], ctx);
    return new KafkaClientError(
      `${action}: could not find the transaction coordinator of '${ctx.transactionalId}'. On a cluster that enforces ACLs this is what a missing ACL on the transactional id looks like (the client does not pass on the broker's reason); if ${who} lacks it, add:\n  ${cmd}`,
      { cause: err, retriable, context: { kafkaErrorType: 'COORDINATOR_NOT_FOUND', resourceType: 'TRANSACTIONAL_ID', resourceName: prefix ?? ctx.transactionalId, command: cmd } },
    );
  }
  if (ctx.groupId !== undefined) {
    const cmd = grant('GROUP', ctx.groupId, ['READ'], ctx);
    return new KafkaClientError(
      `${action}: could not find the coordinator of consumer group '${ctx.groupId}'. On a cluster that enforces ACLs this is what a missing READ ACL on the group looks like (the client does not pass on the broker's reason); if ${who} lacks it, add:\n  ${cmd}`,
      { cause: err, retriable, context: { kafkaErrorType: 'COORDINATOR_NOT_FOUND', resourceType: 'GROUP', resourceName: ctx.groupId, command: cmd } },
    );
  }
  return undefined;
}

function securityError(action: string, err: unknown, ctx: ErrorContext): SluiceError | undefined {
  const sec = ctx.security;
  const brokers = sec?.brokers.join(',') ?? 'the brokers';
  const sasl = find(err, (e) => e.name === 'KafkaJSSASLAuthenticationError' || e.type === 'SASL_AUTHENTICATION_FAILED');
  if (sasl) {
    const check =
      sec?.saslMechanism === 'oauthbearer'
        ? "check the token sasl.oauthBearerProvider returns (issuer, audience, expiry, signing key) against the broker's sasl.oauthbearer.* settings"
        : `check user/password/mechanism (mechanism ${sec?.saslMechanism ?? 'unknown'}${sec?.principal ? `, user '${sec.principal.slice('User:'.length)}'` : ''})`;
    return new AuthenticationError(
      `${action}: SASL authentication failed: ${check}. ${sasl.message}`,
      { cause: err, context: { kafkaErrorType: 'SASL_AUTHENTICATION_FAILED' } },
    );
  }
  if (find(err, (e) => e.type === 'UNSUPPORTED_SASL_MECHANISM' || /mechanism is not supported by the server/.test(e.message ?? ''))) {
    return new AuthenticationError(`${action}: the brokers at ${brokers} do not offer SASL mechanism '${sec?.saslMechanism}'; use one their listener enables (sasl.enabled.mechanisms)`, {
      cause: err,
      context: { kafkaErrorType: 'UNSUPPORTED_SASL_MECHANISM' },
    });
  }
  if (find(err, (e) => e.type === 'ILLEGAL_SASL_STATE')) {
    return new AuthenticationError(`${action}: the listener at ${brokers} does not speak SASL (ILLEGAL_SASL_STATE); remove sasl from the config, or connect to the brokers' SASL listener`, {
      cause: err,
      context: { kafkaErrorType: 'ILLEGAL_SASL_STATE' },
    });
  }
  const tls = find(err, (e) => typeof e.code === 'string' && (TLS_TRUST.has(e.code) || e.code === 'CERT_HAS_EXPIRED' || e.code === 'ERR_TLS_CERT_ALTNAME_INVALID'));
  if (tls) {
    const fix =
      tls.code === 'CERT_HAS_EXPIRED'
        ? "the broker's certificate has expired; renew it on the broker"
        : tls.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? "the broker's certificate does not name the host in bootstrapServers; connect by a name the certificate lists, or set ssl.servername"
          : "the broker's certificate is not signed by a CA this client trusts; set ssl: { ca: [fs.readFileSync('<ca.pem>', 'utf8')] } to the CA that signed it";
    return new AuthenticationError(`${action}: TLS handshake with ${brokers} failed (${tls.code}): ${fix}`, { cause: err, context: { kafkaErrorType: String(tls.code) } });
  }
  const retriable = (err as { retriable?: boolean })?.retriable === true;
  if (sec?.ssl && find(err, (e) => /before secure TLS connection was established|wrong version number|packet length too long/i.test(e.message ?? ''))) {
    return new KafkaClientError(`${action}: the TLS handshake with ${brokers} failed before it began: the listener may not use TLS (remove ssl, or connect to the brokers' SSL/SASL_SSL listener). ${describeError(err)}`, {
      cause: err,
      retriable,
    });
  }
  if (find(err, (e) => e.name === 'KafkaJSConnectionClosedError' || /Closed connection|Connection closed by the server/.test(e.message ?? ''))) {
    if (sec && !sec.saslMechanism) {
      const needs = sec.ssl ? 'SASL (set sasl)' : 'SASL and/or TLS (set sasl and ssl)';
      return new KafkaClientError(`${action}: the broker at ${brokers} closed the connection; the broker may require ${needs}: check the listener's security protocol. ${describeError(err)}`, {
        cause: err,
        retriable,
        context: { kafkaErrorType: 'CONNECTION_CLOSED' },
      });
    }
    if (sec?.saslMechanism === 'oauthbearer') {
      return new KafkaClientError(`${action}: the broker at ${brokers} closed the connection after SASL OAUTHBEARER; it may have rejected the token (issuer, audience, expiry, signing key). ${describeError(err)}`, {
        cause: err,
        retriable,
        context: { kafkaErrorType: 'CONNECTION_CLOSED' },
      });
    }
  }
  return undefined;
}

/** A kafkajs error as a Sluice error saying what was being done and, where it can, what to fix. */
export function translate(action: string, err: unknown, context: ErrorContext = {}): SluiceError {
  if (err instanceof KafkaProtocolError) {
    // a response's error code: a missing ACL names the fix, fencing ends the producer, the rest stays as it is
    const authz = authorizationError(`${action}: ${err.message}`, err.kafkaError, err, context);
    if (authz) return authz;
    if (FENCING_CODES.has(err.kafkaCode)) return new ProducerFencedError(`${action}: ${err.message}`, err);
    return err;
  }
  if (err instanceof SluiceError) return err;
  const type = typeOf(err);
  const authz = type ? authorizationError(action, type, err, context) : undefined;
  if (authz) return authz;
  if (isFenced(err)) {
    return new ProducerFencedError(`${action}: the producer was fenced by a newer instance with the same transactional id (${describeError(err)})`, err);
  }
  const security = securityError(action, err, context) ?? coordinatorError(action, err, context);
  if (security) return security;
  const retriable = (err as { retriable?: boolean })?.retriable === true || isConnectionError(err);
  return new KafkaClientError(`${action}: ${describeError(err)}`, { cause: err, retriable, context: { kafkaErrorType: type ?? (err as { name?: string })?.name } });
}
