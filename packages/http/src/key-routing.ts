// Owns how a request about one key finds its answer: the key's partition and hosts come from Kafka
// Streams' queryMetadataForKey; this worker answers when it hosts the partition, else the request is
// forwarded to the worker that does (with ?stale=true, standby hosts are tried too) and its answer
// passed back as is. A forwarded request is always answered here, never forwarded again.
import type { HostInfo } from '@sluice/runtime/query';
import { type HttpError, HttpErrorCodes, toHttpError, unavailable } from './errors.js';
import { sendJson } from './json.js';
import { SERVED_BY, type QueryRequest } from './request.js';
import type { QueryServices, StoreEntry } from './services.js';

/** What this worker answers from its own store partition. */
export interface LocalAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export type LocalRead = (partition: number) => Promise<LocalAnswer>;

/** Where `key` lives: its partition and the hosts to ask, in order. */
export function hostsForKey(svc: QueryServices, store: StoreEntry, key: unknown, stale: boolean): { partition: number; hosts: HostInfo[] } {
  const md = svc.app.queryMetadataForKey(store.name, key, store.keySerde);
  if (md.partition < 0) {
    throw unavailable(HttpErrorCodes.OWNER_UNKNOWN, `where store '${store.name}' lives is not known yet (no assignment received); retry in a moment`, 1);
  }
  const hosts = [md.activeHost, ...(stale ? md.standbyHosts : [])].filter((h) => h.port > 0);
  if (hosts.length === 0) {
    throw unavailable(HttpErrorCodes.OWNER_UNKNOWN, `no worker hosts partition ${md.partition} of store '${store.name}' right now (the group is rebalancing, or its owner has no applicationServer); retry in a moment`, 1);
  }
  return { partition: md.partition, hosts };
}

/** Answer from this worker's partition, as JSON with who served it. */
export async function answerLocally(q: QueryRequest, svc: QueryServices, partition: number, read: LocalRead): Promise<void> {
  let answer: LocalAnswer;
  try {
    answer = await read(partition);
  } catch (err) {
    throw toHttpError(err);
  }
  const servedBy = svc.self.toString();
  sendJson(q.res, answer.status, { ...answer.body, partition, servedBy }, { [SERVED_BY]: servedBy });
}

/** Serve a request about `key`: here, or forwarded to its host. */
export async function serveKey(q: QueryRequest, svc: QueryServices, store: StoreEntry, key: unknown, stale: boolean, read: LocalRead): Promise<void> {
  const { partition, hosts } = hostsForKey(svc, store, key, stale);
  if (q.forwardedBy !== undefined) return answerLocally(q, svc, partition, read);
  let lastError: HttpError | undefined;
  for (const host of hosts) {
    if (svc.isSelf(host)) {
      try {
        return await answerLocally(q, svc, partition, read);
      } catch (err) {
        // a stale query may still find the key on a standby host
        lastError = toHttpError(err);
        if (!stale || lastError.status !== 503) throw lastError;
        continue;
      }
    }
    try {
      const answer = await svc.forward(q, host, pathAndQuery(q));
      if (stale && answer.status === 503 && host !== hosts.at(-1)) {
        lastError = unavailable(HttpErrorCodes.OWNER_UNAVAILABLE, `worker ${host.toString()} could not answer (503)`, 1);
        continue;
      }
      passThrough(q, answer.status, answer.body, answer.headers);
      return;
    } catch (err) {
      lastError = toHttpError(err);
      if (!stale) throw lastError;
    }
  }
  throw lastError ?? unavailable(HttpErrorCodes.OWNER_UNAVAILABLE, `no worker could answer for partition ${partition} of store '${store.name}'`, 2);
}

/** The request's path and query below the base path (what a forward asks the other worker). */
export function pathAndQuery(q: QueryRequest): string {
  const query = q.params.toString();
  return query ? `${q.path}?${query}` : q.path;
}

function passThrough(q: QueryRequest, status: number, body: string, headers: Record<string, string | string[] | undefined>): void {
  if (!String(headers['content-type'] ?? '').startsWith('application/json')) {
    throw unavailable(HttpErrorCodes.OWNER_UNAVAILABLE, `the worker holding the key answered ${status} without the query API's JSON (is its query server mounted at the same base path?)`, 2);
  }
  const extra: Record<string, string> = {};
  for (const h of ['retry-after', SERVED_BY]) {
    const v = headers[h];
    if (typeof v === 'string') extra[h] = v;
  }
  sendJson(q.res, status, body, extra);
}
