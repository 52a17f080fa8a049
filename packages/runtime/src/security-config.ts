// Owns the security settings of an application — TLS (`ssl`) and SASL (`sasl`), what Kafka's
// security.protocol, ssl.* and sasl.* settings say — their types, and their validation when the app
// is created, so that a wrong shape is refused before anything connects.
import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '@sluice/common';
import { describeValue, functionSetting, plainObject, quoteList, rejectUnknownKeys, closest } from './config-checks.js';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer';
const MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'];

/** SASL/PLAIN or SCRAM credentials (Kafka's sasl.jaas.config with PlainLoginModule / ScramLoginModule). */
export interface UsernamePasswordSasl {
  /** Kafka's spelling ('SCRAM-SHA-512') is accepted too. */
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

/** An OAuth 2 access token (a JWT) for SASL/OAUTHBEARER. */
export interface OAuthBearerToken {
  value: string;
}

/**
 * Called whenever a connection authenticates: returns a valid token, fetching a new one from the
 * identity provider when the last is about to expire (Kafka's sasl.login.callback.handler.class).
 */
export type OAuthBearerProvider = () => OAuthBearerToken | Promise<OAuthBearerToken>;

export interface OAuthBearerSasl {
  mechanism: 'oauthbearer' | 'OAUTHBEARER';
  oauthBearerProvider: OAuthBearerProvider;
}

export type SaslConfig = UsernamePasswordSasl | OAuthBearerSasl;

/**
 * `true`: TLS with the system's CAs. An object: Node's TLS options — `ca` (the CA certificates, PEM
 * text, e.g. `[fs.readFileSync('ca.pem', 'utf8')]`), `cert` + `key` for mutual TLS,
 * `rejectUnauthorized`, `servername`, ...
 */
export type SslConfig = boolean | ConnectionOptions;

/** The validated form: mechanism in lower case, credentials as given. */
export type ResolvedSasl =
  | { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string }
  | { readonly mechanism: 'oauthbearer'; readonly oauthBearerProvider: OAuthBearerProvider };

const PEM_FIELDS = ['ca', 'cert', 'key'] as const;
const SASL_KEYS: Record<SaslMechanism, readonly string[]> = {
  plain: ['mechanism', 'username', 'password'],
  'scram-sha-256': ['mechanism', 'username', 'password'],
  'scram-sha-512': ['mechanism', 'username', 'password'],
  oauthbearer: ['mechanism', 'oauthBearerProvider'],
};

function looksLikePath(s: string): boolean {
  if (s.includes('-----BEGIN')) return false;
  return !s.includes('\n') && (/\.(pem|crt|cer|key|jks|p12|pfx)$/i.test(s) || s.includes('/') || s.includes('\\') || fs.existsSync(s));
}

function checkPem(field: string, v: unknown): void {
  const items = Array.isArray(v) ? v : [v];
  for (const item of items) {
    if (Buffer.isBuffer(item)) continue;
    if (typeof item !== 'string') {
      throw new ConfigError(`ssl.${field} must be PEM text or a Buffer (or an array of them), got ${describeValue(item)}`, { context: { setting: `ssl.${field}` } });
    }
    if (looksLikePath(item)) {
      throw new ConfigError(
        `ssl.${field} looks like a file path (${JSON.stringify(item)}), but it takes the certificate itself: ssl: { ${field}: [fs.readFileSync(${JSON.stringify(item)}, 'utf8')] }`,
        { context: { setting: `ssl.${field}` } },
      );
    }
    if (!item.includes('-----BEGIN')) {
      throw new ConfigError(`ssl.${field} is not PEM text (no '-----BEGIN' line); pass the contents of a .pem file`, { context: { setting: `ssl.${field}` } });
    }
  }
}

export function resolveSsl(v: unknown): SslConfig | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  const o = plainObject('ssl', v, "true (TLS with the system's CAs) or Node's TLS options, e.g. { ca: [fs.readFileSync('ca.pem', 'utf8')] }");
  if (o === undefined) return undefined;
  const javaStyle = Object.keys(o).filter((k) => /store|jks/i.test(k));
  if (javaStyle.length > 0) {
    throw new ConfigError(
      `ssl.${javaStyle[0]} is a Java keystore/truststore setting; Node's TLS takes PEM: ssl: { ca: [<CA PEM>], cert: <client cert PEM>, key: <client key PEM> } ` +
        `(convert a JKS/PKCS12 store with keytool -exportcert -rfc / openssl pkcs12 -nodes)`,
      { context: { setting: 'ssl' } },
    );
  }
  for (const f of PEM_FIELDS) if (o[f] !== undefined) checkPem(f, o[f]);
  if (o['cert'] !== undefined && o['key'] === undefined && o['pfx'] === undefined) {
    throw new ConfigError('ssl.cert is set without ssl.key: mutual TLS needs both the client certificate and its private key', { context: { setting: 'ssl' } });
  }
  for (const b of ['rejectUnauthorized']) {
    if (o[b] !== undefined && typeof o[b] !== 'boolean') throw new ConfigError(`ssl.${b} must be true or false, got ${describeValue(o[b])}`, { context: { setting: `ssl.${b}` } });
  }
  for (const s of ['servername', 'passphrase']) {
    if (o[s] !== undefined && typeof o[s] !== 'string') throw new ConfigError(`ssl.${s} must be a string, got ${describeValue(o[s])}`, { context: { setting: `ssl.${s}` } });
  }
  functionSetting('ssl.checkServerIdentity', o['checkServerIdentity'], '(hostname, cert) => Error | undefined');
  return { ...(o as ConnectionOptions) };
}

export function resolveSasl(v: unknown): ResolvedSasl | undefined {
  const o = plainObject('sasl', v, "an object such as { mechanism: 'scram-sha-512', username, password } or { mechanism: 'oauthbearer', oauthBearerProvider }");
  if (o === undefined) return undefined;
  const raw = o['mechanism'];
  const mechanism = typeof raw === 'string' ? (raw.toLowerCase() as SaslMechanism) : undefined;
  if (mechanism === undefined || !MECHANISMS.includes(mechanism)) {
    const guess = typeof raw === 'string' ? closest(raw.toLowerCase(), MECHANISMS) : undefined;
    throw new ConfigError(`sasl.mechanism must be one of ${quoteList(MECHANISMS)}, got ${describeValue(raw)}${guess ? ` (did you mean '${guess}'?)` : ''}`, {
      context: { setting: 'sasl.mechanism' },
    });
  }
  rejectUnknownKeys(`sasl setting for ${mechanism}`, o, SASL_KEYS[mechanism]);
  if (mechanism === 'oauthbearer') {
    const provider = o['oauthBearerProvider'];
    if (typeof provider !== 'function') {
      throw new ConfigError(`sasl.oauthBearerProvider must be a function returning a token, async () => ({ value: '<JWT>' }), got ${describeValue(provider)}`, {
        context: { setting: 'sasl.oauthBearerProvider' },
      });
    }
    return { mechanism, oauthBearerProvider: provider as OAuthBearerProvider };
  }
  for (const k of ['username', 'password'] as const) {
    if (typeof o[k] !== 'string' || (o[k] as string).length === 0) {
      throw new ConfigError(`sasl.${k} must be a non-empty string for mechanism '${mechanism}', got ${describeValue(o[k])}`, { context: { setting: `sasl.${k}` } });
    }
  }
  return { mechanism, username: o['username'] as string, password: o['password'] as string };
}

/** The principal Kafka's ACLs will name for these credentials, when it can be known from them. */
export function principalOf(sasl: ResolvedSasl | undefined): string | undefined {
  return sasl !== undefined && sasl.mechanism !== 'oauthbearer' ? `User:${sasl.username}` : undefined;
}
