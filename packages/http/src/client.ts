// Owns StreamsHttpClient, the typed client of the query routes. It learns the fleet from
// /v1/instances (which worker hosts each partition of each store) and sends a key straight to its
// host, placing it as Kafka's default partitioner does for the store's built-in key serde; keys of
// other serdes, ranges, and any request whose host fails go to any worker, which forwards. Lists are
// walked page by page as async iterators.
import { ConfigError, partitionForKey } from '@sluice/common';
import { Serdes, type Serde } from '@sluice/serdes';
import { HttpPool, UnreachableError, type HttpAnswer } from './http-pool.js';
import { keyCodecFor } from './keys.js';

export interface StreamsHttpClientOptions {
  /** Query URLs of one or more workers (e.g. 'http://worker-1:7070'); the rest of the fleet is found from them. */
  readonly urls: readonly string[];
  readonly authToken?: string;
  /** CA certificates to trust for https URLs (self-signed or private CAs). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Longest one request may take; default 10 000 ms. */
  readonly timeoutMs?: number;
  /** How old the fleet's routing may get before it is fetched again; default 30 000 ms (also refetched when a host fails). */
  readonly refreshIntervalMs?: number;
}

/** An error answer of the query server (or no server reachable: status 503, code UNREACHABLE). */
export class StreamsHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
    this.name = 'StreamsHttpError';
  }
}

export interface KeyAnswer<K, V> {
  readonly key: K;
  readonly value: V;
  /** Timestamped stores: the record timestamp of the value. */
  readonly timestamp?: number;
  readonly partition: number;
  /** host:port of the worker whose store answered. */
  readonly servedBy: string;
}

export interface Entry<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp?: number;
}

export interface WindowEntry<V> {
  readonly window: { readonly start: number; readonly end: number };
  readonly value: V;
  readonly timestamp?: number;
}

export interface RangeOptions<K> {
  readonly from?: K;
  readonly to?: K;
  readonly prefix?: string;
  /** Page size asked of the server. */
  readonly limit?: number;
  readonly stale?: boolean;
}

interface StoreRouting {
  readonly keySerde: string;
  readonly partitions: number | null;
  readonly active: (string | null)[];
}

/** Serdes whose bytes do not depend on the topic: the client can place their keys itself. */
const ROUTABLE: { [name: string]: () => Serde<unknown> } = {
  String: Serdes.String as () => Serde<unknown>,
  Integer: Serdes.Integer as () => Serde<unknown>,
  Long: Serdes.Long as () => Serde<unknown>,
  Short: Serdes.Short as () => Serde<unknown>,
  Double: Serdes.Double as () => Serde<unknown>,
  Float: Serdes.Float as () => Serde<unknown>,
  BigLong: Serdes.BigLong as () => Serde<unknown>,
  Boolean: Serdes.Boolean as () => Serde<unknown>,
  ByteArray: Serdes.ByteArray as () => Serde<unknown>,
  Json: Serdes.Json,
};

export class StreamsHttpClient {
  private readonly pool: HttpPool;
  /** Every worker the client has heard of (the urls it was given, and the fleet as it learned it). */
  private readonly known: Set<string>;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly refreshMs: number;
  private routing: { at: number; stores: Record<string, StoreRouting> } | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly o: StreamsHttpClientOptions) {
    if (!o || !Array.isArray(o.urls) || o.urls.length === 0) throw new ConfigError("StreamsHttpClient needs urls: the query URL of at least one worker, e.g. ['http://worker-1:7070']");
    const parsed = o.urls.map((u) => {
      try {
        return new URL(u);
      } catch {
        throw new ConfigError(`StreamsHttpClient: ${JSON.stringify(u)} is not a URL; give e.g. 'http://worker-1:7070'`);
      }
    });
    const scheme = parsed[0]!.protocol.replace(':', '');
    if ((scheme !== 'http' && scheme !== 'https') || parsed.some((u) => u.protocol !== parsed[0]!.protocol)) throw new ConfigError('StreamsHttpClient urls must all be http:// or all https://');
    this.known = new Set(parsed.map((u) => u.host));
    this.basePath = parsed[0]!.pathname.replace(/\/+$/, '');
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.refreshMs = o.refreshIntervalMs ?? 30_000;
    this.pool = new HttpPool({ scheme, ca: o.ca, maxSockets: 32 });
  }

  /** The value of `key` in a key-value store, or undefined when the store has no such key. */
  async get<V = unknown, K = unknown>(store: string, key: K, options: { stale?: boolean } = {}): Promise<KeyAnswer<K, V> | undefined> {
    const routing = await this.storeRouting(store);
    const path = `/v1/stores/${enc(store)}/keys/${enc(keyCodecFor(routing.keySerde).format(key))}${options.stale ? '?stale=true' : ''}`;
    const answer = await this.send(path, this.hostFor(routing, key));
    if (answer.status === 404 && errorCode(answer) === 'KEY_NOT_FOUND') return undefined;
    return ok(answer) as KeyAnswer<K, V>;
  }

  /** Every entry of a key-value store in [from, to] (or with the prefix), in key order, fetched page by page. */
  async *range<K = unknown, V = unknown>(store: string, options: RangeOptions<K> = {}): AsyncGenerator<Entry<K, V>> {
    let cursor: string | undefined;
    do {
      const page = await this.rangePage<K, V>(store, { ...options, ...(cursor !== undefined ? { cursor } : {}) });
      yield* page.items;
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
  }

  /** One page of a key-value store's entries; pass its `next` as `cursor` for the following page. */
  async rangePage<K = unknown, V = unknown>(store: string, options: RangeOptions<K> & { cursor?: string } = {}): Promise<{ items: Entry<K, V>[]; next: string | null }> {
    const routing = await this.storeRouting(store);
    const codec = keyCodecFor(routing.keySerde);
    const q = new URLSearchParams();
    if (options.from !== undefined) q.set('from', codec.format(options.from));
    if (options.to !== undefined) q.set('to', codec.format(options.to));
    if (options.prefix !== undefined) q.set('prefix', options.prefix);
    if (options.limit !== undefined) q.set('limit', String(options.limit));
    if (options.cursor !== undefined) q.set('cursor', options.cursor);
    if (options.stale) q.set('stale', 'true');
    return ok(await this.send(`/v1/stores/${enc(store)}/keys${q.size ? `?${q.toString()}` : ''}`, undefined)) as { items: Entry<K, V>[]; next: string | null };
  }

  /** The windows of `key` whose start is within [from, to], oldest first. */
  windows<V = unknown, K = unknown>(store: string, key: K, options: { from?: number; to?: number; stale?: boolean } = {}): AsyncGenerator<WindowEntry<V>> {
    return this.timePages<V, K>('windows', store, key, options);
  }

  /** The sessions of `key` that end at or after `from` and start at or before `to`, oldest first. */
  sessions<V = unknown, K = unknown>(store: string, key: K, options: { from?: number; to?: number; stale?: boolean } = {}): AsyncGenerator<WindowEntry<V>> {
    return this.timePages<V, K>('sessions', store, key, options);
  }

  /** Where a key lives: its partition, active host and standby hosts. */
  async metadata<K>(store: string, key: K): Promise<{ partition: number; activeHost: string | null; standbyHosts: string[] }> {
    const routing = await this.storeRouting(store);
    return ok(await this.send(`/v1/stores/${enc(store)}/keys/${enc(keyCodecFor(routing.keySerde).format(key))}/metadata`, undefined)) as {
      partition: number;
      activeHost: string | null;
      standbyHosts: string[];
    };
  }

  async stores(): Promise<{ name: string; kind: string; keySerde: string; partitions: number | null }[]> {
    return (ok(await this.send('/v1/stores', undefined)) as { stores: { name: string; kind: string; keySerde: string; partitions: number | null }[] }).stores;
  }

  /** The fleet as /v1/instances shows it. */
  async instances(): Promise<{ instances: Record<string, unknown>[]; stores: Record<string, StoreRouting> }> {
    return ok(await this.send('/v1/instances', undefined)) as { instances: Record<string, unknown>[]; stores: Record<string, StoreRouting> };
  }

  close(): void {
    this.pool.close();
  }

  private async *timePages<V, K>(kind: 'windows' | 'sessions', store: string, key: K, options: { from?: number; to?: number; stale?: boolean }): AsyncGenerator<WindowEntry<V>> {
    const routing = await this.storeRouting(store);
    const base = `/v1/stores/${enc(store)}/keys/${enc(keyCodecFor(routing.keySerde).format(key))}/${kind}`;
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams();
      if (options.from !== undefined) q.set('from', String(options.from));
      if (options.to !== undefined) q.set('to', String(options.to));
      if (options.stale) q.set('stale', 'true');
      if (cursor !== undefined) q.set('cursor', cursor);
      const page = ok(await this.send(`${base}${q.size ? `?${q.toString()}` : ''}`, this.hostFor(routing, key))) as { items: WindowEntry<V>[]; next: string | null };
      yield* page.items;
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
  }

  /** The routing of a store (key serde, partitions, hosts), refetched when old; an old one serves while no worker answers. */
  private async storeRouting(store: string): Promise<StoreRouting> {
    if (!this.routing) await this.refresh();
    else if (Date.now() - this.routing.at > this.refreshMs) await this.refresh().catch(() => undefined);
    const r = this.routing!.stores[store];
    if (!r) throw new StreamsHttpError(404, 'STORE_NOT_FOUND', `no queryable store named '${store}'; the stores are: ${Object.keys(this.routing!.stores).join(', ') || '(none)'}`, undefined);
    return r;
  }

  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const fleet = ok(await this.send('/v1/instances', undefined)) as { instances: { endpoint: string }[]; stores: Record<string, StoreRouting> };
        this.routing = { at: Date.now(), stores: fleet.stores };
        for (const i of fleet.instances) this.known.add(i.endpoint);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Fetch the fleet again before the next request (keeping the old view while no worker answers). */
  private markStale(): void {
    if (this.routing) this.routing = { ...this.routing, at: 0 };
  }

  /** The worker holding `key`, when the client can place it (built-in key serdes). */
  private hostFor(routing: StoreRouting, key: unknown): string | undefined {
    const serde = ROUTABLE[routing.keySerde];
    if (!serde || !routing.partitions) return undefined;
    try {
      return routing.active[partitionForKey(serde().serialize('', key), routing.partitions)] ?? undefined;
    } catch {
      return undefined; // a key the serde refuses: the server says what is wrong with it
    }
  }

  /** Ask `preferred` first, then every other known worker, until one answers over HTTP. */
  private async send(path: string, preferred: string | undefined): Promise<HttpAnswer> {
    const order = [...(preferred ? [preferred] : []), ...[...this.known].filter((h) => h !== preferred)];
    const headers: Record<string, string> = this.o.authToken ? { authorization: `Bearer ${this.o.authToken}` } : {};
    const failures: string[] = [];
    for (const hostPort of order) {
      const { host, port } = splitHost(hostPort, this.pool.scheme);
      try {
        const answer = await this.pool.get(host, port, `${this.basePath}${path}`, headers, this.timeoutMs);
        // the preferred host no longer holds the key: learn the new fleet, let another worker forward
        if (hostPort === preferred && answer.status === 503 && order.length > 1) {
          this.markStale();
          failures.push(`${hostPort}: 503 ${errorCode(answer) ?? ''}`);
          continue;
        }
        return answer;
      } catch (err) {
        if (!(err instanceof UnreachableError)) throw err;
        failures.push(err.message);
        this.markStale();
      }
    }
    throw new StreamsHttpError(503, 'UNREACHABLE', `no worker answered ${path}: ${failures.join('; ')}`, 1);
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function splitHost(hostPort: string, scheme: 'http' | 'https'): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(hostPort) ?? /^([^:]+):(\d+)$/.exec(hostPort);
  if (m) return { host: m[1]!, port: Number(m[2]) };
  return { host: hostPort.replace(/^\[|\]$/g, ''), port: scheme === 'https' ? 443 : 80 };
}

function errorCode(answer: HttpAnswer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** The answer's JSON when it is a 200; a StreamsHttpError with the server's code and message otherwise. */
function ok(answer: HttpAnswer): unknown {
  let body: { error?: { code?: string; message?: string } } & Record<string, unknown>;
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    throw new StreamsHttpError(answer.status || 502, 'NOT_JSON', `the server answered ${answer.status} without JSON: ${answer.body.slice(0, 200)}`, undefined);
  }
  if (answer.status === 200) return body;
  const retry = Number(answer.headers['retry-after']);
  throw new StreamsHttpError(answer.status, body.error?.code ?? 'UNKNOWN', body.error?.message ?? `status ${answer.status}`, Number.isFinite(retry) ? retry : undefined);
}
