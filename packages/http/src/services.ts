// Owns what every route of one query server shares: the app it serves (through Kafka Streams' query
// API only), this worker's own endpoint, the catalog of queryable stores with their key codecs, and
// forwarding a request to another worker over the keep-alive pool (carrying the caller's token and
// marking it forwarded, so it is never forwarded again).
import { ConfigError } from '@sluice/common';
import type { KafkaStreams } from '@sluice/runtime';
import type { HostInfo, QueryableStoreInfo } from '@sluice/runtime/query';
import { badRequest, HttpErrorCodes, notFound, unavailable } from './errors.js';
import { HttpPool, UnreachableError, type HttpAnswer } from './http-pool.js';
import { keyCodecFor, type KeyCodec } from './keys.js';
import type { ResolvedHttpOptions } from './options.js';
import { FORWARDED_BY, type QueryRequest } from './request.js';

/** The part of KafkaStreams the query server uses. */
export type QueryableApp = Pick<
  KafkaStreams,
  | 'state'
  | 'store'
  | 'queryMetadataForKey'
  | 'streamsMetadataForStore'
  | 'metadataForAllStreamsClients'
  | 'metadataForLocalThreads'
  | 'allLocalStorePartitionLags'
  | 'queryableStores'
  | 'applicationServer'
  | 'metrics'
  | 'consumerLags'
  | 'describe'
>;

export interface StoreEntry extends QueryableStoreInfo {
  readonly codec: KeyCodec;
  /** Reads a key from text: the store's parser, or the key serde's codec. */
  readonly parse: (text: string) => unknown;
}

export class QueryServices {
  readonly self: HostInfo;
  readonly pool: HttpPool;
  private catalog: StoreEntry[] | undefined;

  constructor(
    readonly app: QueryableApp,
    readonly options: ResolvedHttpOptions,
  ) {
    const self = app.applicationServer;
    if (self === undefined) {
      throw new ConfigError("the query server needs the app's applicationServer ('host:port' where other workers reach this server) in the KafkaStreams config");
    }
    this.self = self;
    this.pool = new HttpPool({ scheme: options.scheme, ca: options.trustedCa, maxSockets: options.maxSocketsPerWorker });
  }

  /** The queryable stores; fixed once the app knows every store's partition count (after start). */
  stores(): StoreEntry[] {
    if (this.catalog) return this.catalog;
    const entries = this.app.queryableStores().map((info) => {
      const codec = keyCodecFor(info.keySerde.name);
      return { ...info, codec, parse: this.options.keyParsers[info.name] ?? codec.parse };
    });
    if (entries.every((e) => e.partitions !== undefined)) this.catalog = entries;
    return entries;
  }

  store(name: string): StoreEntry {
    const all = this.stores();
    const found = all.find((s) => s.name === name);
    if (!found) throw notFound(HttpErrorCodes.STORE_NOT_FOUND, `no queryable store named '${name}'; the stores are: ${all.map((s) => s.name).join(', ') || '(none)'}`);
    return found;
  }

  /** The key `text` names in `store`; 400 INVALID_KEY when the store's key serde cannot take it. */
  parseKey(store: StoreEntry, text: string, what = 'key'): unknown {
    let key: unknown;
    try {
      key = store.parse(text);
      store.keySerde.serialize(store.serdeTopic, key);
    } catch (err) {
      throw badRequest(HttpErrorCodes.INVALID_KEY, `${what} ${JSON.stringify(text)} is not a key of store '${store.name}' (${store.keySerde.name} keys): ${err instanceof Error ? err.message : String(err)}`);
    }
    if (key === null || key === undefined) throw badRequest(HttpErrorCodes.INVALID_KEY, `${what} of store '${store.name}' must not be null`);
    return key;
  }

  /** The bytes the store keeps `key` under (stores order keys by them). */
  keyBytes(store: StoreEntry, key: unknown): Buffer {
    return store.keySerde.serialize(store.serdeTopic, key);
  }

  isSelf(host: HostInfo): boolean {
    return host.equals(this.self);
  }

  /**
   * GET `pathAndQuery` (below the base path) from another worker, as a forwarded request. Rejects with
   * a 503 HttpError when the worker cannot be reached in time.
   */
  async forward(q: QueryRequest, host: HostInfo, pathAndQuery: string, timeoutMs?: number): Promise<HttpAnswer> {
    const headers: Record<string, string> = { [FORWARDED_BY]: this.self.toString() };
    if (q.authorization !== undefined) headers['authorization'] = q.authorization;
    const timeout = Math.min(timeoutMs ?? this.options.forwardTimeoutMs, q.remainingMs());
    try {
      return await this.pool.get(host.host, host.port, `${this.options.basePath}${pathAndQuery}`, headers, timeout);
    } catch (err) {
      if (err instanceof UnreachableError) {
        throw unavailable(HttpErrorCodes.OWNER_UNAVAILABLE, `worker ${host.toString()} could not be reached (${err.message}); it may be down — queries are answered again once the group has moved its tasks`, 2, err);
      }
      throw err;
    }
  }

  close(): void {
    this.pool.close();
  }
}
