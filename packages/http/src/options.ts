// Owns the query server's options: where it listens, how it reaches the other workers, auth and TLS,
// and the bounds on page sizes and request times. Checked once, when the server or routes are
// created, with messages that name the option and the fix.
import { ConfigError, noopLogger, type Logger } from '@sluice/common';

export interface StreamsHttpTlsOptions {
  /** PEM private key and certificate of this worker's query port. */
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /** CA certificates the workers' certificates are signed by (trusted when forwarding); default: `cert`. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
}

export interface StreamsHttpOptions {
  /** Interface to listen on (StreamsHttpServer); default: the host of the app's applicationServer. */
  readonly host?: string;
  /** Port to listen on (StreamsHttpServer); default: the port of the app's applicationServer; 0 picks a free one. */
  readonly port?: number;
  /** Path the routes live under when mounted in another server (e.g. '/streams'); every worker must use the same. */
  readonly basePath?: string;
  /** When set, every /v1 request needs `Authorization: Bearer <token>`; forwarded requests carry it on. */
  readonly authToken?: string;
  /** Serve HTTPS (StreamsHttpServer) and forward to the other workers over HTTPS. */
  readonly tls?: StreamsHttpTlsOptions;
  /** How workers reach each other when the routes are mounted in your own server; default 'https' with tls, else 'http'. */
  readonly scheme?: 'http' | 'https';
  /** CA certificates to trust when forwarding over HTTPS (mounted routes); default tls.ca or tls.cert. */
  readonly trustedCa?: string | Buffer | readonly (string | Buffer)[];
  /** Items per page when a request gives no limit; default 100. */
  readonly defaultPageSize?: number;
  /** Largest limit a request may ask for; default 1000. */
  readonly maxPageSize?: number;
  /** Longest a request may take, forwarding included, before it answers 503 TIMEOUT; default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Longest one forwarded request to another worker may take; default 5 000 ms. */
  readonly forwardTimeoutMs?: number;
  /** Keep-alive connections to each other worker; default 32. */
  readonly maxSocketsPerWorker?: number;
  /** Key parsers for stores whose key serde the server cannot read from text (custom serdes). */
  readonly keyParsers?: { readonly [store: string]: (text: string) => unknown };
  /** Serve the app's metrics in Prometheus text at <basePath>/metrics; default true. */
  readonly metrics?: boolean;
  /** Serve the live console page at <basePath>/ (mounted at basePath '', it would take your server's '/'); default true. */
  readonly console?: boolean;
  readonly logger?: Logger;
}

export interface ResolvedHttpOptions {
  readonly basePath: string;
  readonly authToken: string | undefined;
  readonly tls: StreamsHttpTlsOptions | undefined;
  readonly scheme: 'http' | 'https';
  readonly trustedCa: string | Buffer | readonly (string | Buffer)[] | undefined;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly requestTimeoutMs: number;
  readonly forwardTimeoutMs: number;
  readonly maxSocketsPerWorker: number;
  readonly keyParsers: { readonly [store: string]: (text: string) => unknown };
  readonly metrics: boolean;
  readonly console: boolean;
  readonly logger: Logger;
}

const KNOWN = new Set([
  'host', 'port', 'basePath', 'authToken', 'tls', 'scheme', 'trustedCa', 'defaultPageSize', 'maxPageSize',
  'requestTimeoutMs', 'forwardTimeoutMs', 'maxSocketsPerWorker', 'keyParsers', 'metrics', 'console', 'logger',
]);

function count(name: string, v: number | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
  return v;
}

export function resolveHttpOptions(o: StreamsHttpOptions = {}): ResolvedHttpOptions {
  if (o === null || typeof o !== 'object') throw new ConfigError('the query server options must be an object, e.g. { port: 7070 }');
  const unknown = Object.keys(o).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw new ConfigError(`unknown query server option(s) ${unknown.map((k) => `'${k}'`).join(', ')}; known: ${[...KNOWN].join(', ')}`);
  const basePath = o.basePath ?? '';
  if (typeof basePath !== 'string' || (basePath !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath))) {
    throw new ConfigError(`basePath must be '' or a path like '/streams' (no trailing slash), got ${JSON.stringify(basePath)}`);
  }
  if (o.authToken !== undefined && (typeof o.authToken !== 'string' || o.authToken.length < 16 || /\s/.test(o.authToken))) {
    throw new ConfigError('authToken must be a string of at least 16 characters without spaces (e.g. 32 random hex digits)');
  }
  if (o.tls !== undefined && (!o.tls || o.tls.key === undefined || o.tls.cert === undefined)) {
    throw new ConfigError('tls needs { key, cert } (PEM), and optionally ca: the CA that signed the workers\' certificates');
  }
  if (o.scheme !== undefined && o.scheme !== 'http' && o.scheme !== 'https') throw new ConfigError(`scheme must be 'http' or 'https', got ${JSON.stringify(o.scheme)}`);
  for (const flag of ['metrics', 'console'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean') throw new ConfigError(`${flag} must be true or false, got ${JSON.stringify(o[flag])}`);
  }
  for (const [store, parse] of Object.entries(o.keyParsers ?? {})) {
    if (typeof parse !== 'function') throw new ConfigError(`keyParsers['${store}'] must be a function (text) => key`);
  }
  const maxPageSize = count('maxPageSize', o.maxPageSize, 1_000, 1, 10_000);
  const defaultPageSize = count('defaultPageSize', o.defaultPageSize, Math.min(100, maxPageSize), 1, maxPageSize);
  const requestTimeoutMs = count('requestTimeoutMs', o.requestTimeoutMs, 10_000, 100, 300_000);
  return {
    basePath,
    authToken: o.authToken,
    tls: o.tls,
    scheme: o.scheme ?? (o.tls ? 'https' : 'http'),
    trustedCa: o.trustedCa ?? o.tls?.ca ?? o.tls?.cert,
    defaultPageSize,
    maxPageSize,
    requestTimeoutMs,
    forwardTimeoutMs: count('forwardTimeoutMs', o.forwardTimeoutMs, Math.min(5_000, requestTimeoutMs), 50, requestTimeoutMs),
    maxSocketsPerWorker: count('maxSocketsPerWorker', o.maxSocketsPerWorker, 32, 1, 1_024),
    keyParsers: { ...(o.keyParsers ?? {}) },
    metrics: o.metrics ?? true,
    console: o.console ?? true,
    logger: o.logger ?? noopLogger,
  };
}
