// Owns GET /v1/stores/{store}/keys?from=&to=&prefix=&limit=&cursor=: one page of a key-value store's
// keys, merged from every partition across the fleet in the store's key order (its key bytes). The
// worker asked splits the partitions by the worker hosting each (queryMetadataForKey with a
// partitioner that names the partition), asks each for its partitions (itself directly), merges, and
// cuts the page: each worker sends at most one page per partition set, so the merged first page is
// exact. A partition without a host, or a worker that cannot answer, makes the page a 503 — never a
// page with keys missing.
import { QueryableStoreTypes, StoreQueryParameters, type HostInfo } from '@sluice/runtime/query';
import type { KeyValue, ValueAndTimestamp } from '@sluice/state';
import { decodeKeyCursor, keyCursor } from '../cursor.js';
import { badRequest, HttpError, HttpErrorCodes, toHttpError, unavailable, type HttpErrorCode } from '../errors.js';
import { sendJson } from '../json.js';
import type { QueryRequest } from '../request.js';
import type { QueryServices, StoreEntry } from '../services.js';
import { requireKind } from './keys.js';

interface Bounds {
  /** Where reading starts (inclusive, a typed key), or undefined for the first key. */
  readonly lower: unknown;
  readonly to: unknown;
  /** Skip keys up to and including these bytes (the cursor). */
  readonly after: Buffer | undefined;
  readonly prefix: Buffer | undefined;
}

interface Item {
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp?: number;
  /** The key's bytes, base64 (only between workers). */
  readonly k: string;
}

interface Page {
  readonly items: Item[];
  readonly more: boolean;
}

export async function listKeys(q: QueryRequest, svc: QueryServices, storeName: string): Promise<void> {
  const store = svc.store(storeName);
  requireKind(store, ['keyValue', 'timestampedKeyValue'], 'GET /v1/stores/{store}/keys');
  const fromText = q.text('from');
  const toText = q.text('to');
  const prefixText = q.text('prefix');
  const limit = q.integer('limit', 1, svc.options.maxPageSize) ?? svc.options.defaultPageSize;
  const after = decodeKeyCursor(q.text('cursor'));
  const stale = q.flag('stale');
  const partitionsText = q.text('partitions');
  q.rejectUnknownParameters();
  if (prefixText !== undefined && store.keySerde.name !== 'String') {
    throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `parameter 'prefix' needs a store with String keys; store '${store.name}' has ${store.keySerde.name} keys (use from and to)`);
  }
  const from = fromText === undefined ? undefined : svc.parseKey(store, fromText, "parameter 'from'");
  const to = toText === undefined ? undefined : svc.parseKey(store, toText, "parameter 'to'");
  if (from !== undefined && to !== undefined && Buffer.compare(svc.keyBytes(store, from), svc.keyBytes(store, to)) > 0) {
    throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `parameter 'from' (${fromText}) comes after 'to' (${toText}) in the store's key order; swap them`);
  }
  const bounds = boundsOf(svc, store, from, to, after, prefixText);

  if (partitionsText !== undefined) {
    if (q.forwardedBy === undefined) throw badRequest(HttpErrorCodes.INVALID_PARAMETER, "parameter 'partitions' is set by workers that forward a range to each other; leave it out");
    const partitions = parsePartitions(partitionsText, store.partitions);
    const page = await readLocal(q, svc, store, partitions, bounds, limit, stale);
    sendJson(q.res, 200, { ...page, partitions, servedBy: svc.self.toString() });
    return;
  }

  const n = store.partitions;
  if (n === undefined || n === 0) throw unavailable(HttpErrorCodes.OWNER_UNKNOWN, `the partitions of store '${store.name}' are not known yet; retry once the app has started`, 1);
  const plan = planByHost(svc, store, n, stale);
  const pages = await Promise.all(
    [...plan.values()].map(async ({ host, partitions }) => {
      if (svc.isSelf(host)) return readLocal(q, svc, store, partitions, bounds, limit, stale);
      return readRemote(q, svc, host, partitions, limit);
    }),
  );
  const merged = inKeyOrder(pages.flatMap((p) => p.items));
  const items = merged.slice(0, limit);
  const more = merged.length > limit || pages.some((p) => p.more);
  const last = items.at(-1);
  sendJson(q.res, 200, {
    items: items.map(({ k: _k, ...rest }) => rest),
    next: more && last ? keyCursor(Buffer.from(last.k, 'base64')) : null,
    servedBy: [...plan.values()].map((p) => p.host.toString()),
  });
}

function inKeyOrder(items: Item[]): Item[] {
  return items
    .map((item) => ({ item, bytes: Buffer.from(item.k, 'base64') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map((x) => x.item);
}

function boundsOf(svc: QueryServices, store: StoreEntry, from: unknown, to: unknown, after: Buffer | undefined, prefix: string | undefined): Bounds {
  // reading starts at the greatest of from, the cursor and the prefix (in key-byte order)
  const starts: { key: unknown; bytes: Buffer }[] = [];
  if (from !== undefined) starts.push({ key: from, bytes: svc.keyBytes(store, from) });
  if (prefix !== undefined) starts.push({ key: prefix, bytes: svc.keyBytes(store, prefix) });
  if (after !== undefined) {
    let key: unknown;
    try {
      key = store.keySerde.deserialize(store.serdeTopic, after);
    } catch {
      throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `parameter 'cursor' does not hold a key of store '${store.name}'; pass the 'next' of the previous page unchanged`);
    }
    starts.push({ key, bytes: after });
  }
  const lower = starts.sort((a, b) => Buffer.compare(b.bytes, a.bytes))[0]?.key;
  return { lower, to, after, prefix: prefix === undefined ? undefined : svc.keyBytes(store, prefix) };
}

function parsePartitions(text: string, count: number | undefined): number[] {
  const parts = text.split(',').map(Number);
  if (text === '' || parts.some((p) => !Number.isSafeInteger(p) || p < 0 || (count !== undefined && p >= count))) {
    throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `parameter 'partitions' must list partition numbers of the store, got ${JSON.stringify(text)}`);
  }
  return [...new Set(parts)].sort((a, b) => a - b);
}

/** Which worker answers for which partitions: active hosts (stale: a standby when there is no active one). */
function planByHost(svc: QueryServices, store: StoreEntry, n: number, stale: boolean): Map<string, { host: HostInfo; partitions: number[] }> {
  const plan = new Map<string, { host: HostInfo; partitions: number[] }>();
  const missing: number[] = [];
  for (let p = 0; p < n; p++) {
    const md = svc.app.queryMetadataForKey(store.name, p, () => p);
    const host = [md.activeHost, ...(stale ? md.standbyHosts : [])].find((h) => h.port > 0);
    if (!host) {
      missing.push(p);
      continue;
    }
    const e = plan.get(host.toString()) ?? { host, partitions: [] };
    e.partitions.push(p);
    plan.set(host.toString(), e);
  }
  if (missing.length > 0) {
    throw unavailable(HttpErrorCodes.OWNER_UNKNOWN, `no worker hosts partition(s) ${missing.join(', ')} of store '${store.name}' right now (the group is rebalancing); retry in a moment`, 1);
  }
  return plan;
}

async function readLocal(q: QueryRequest, svc: QueryServices, store: StoreEntry, partitions: readonly number[], bounds: Bounds, limit: number, stale: boolean): Promise<Page> {
  try {
    const pages = await Promise.all(partitions.map((p) => readPartition(q, svc, store, p, bounds, limit, stale)));
    const items = inKeyOrder(pages.flatMap((p) => p.items));
    return { items: items.slice(0, limit), more: items.length > limit || pages.some((p) => p.more) };
  } catch (err) {
    throw toHttpError(err);
  }
}

async function readPartition(q: QueryRequest, svc: QueryServices, store: StoreEntry, partition: number, b: Bounds, limit: number, stale: boolean): Promise<Page> {
  const timestamped = store.kind === 'timestampedKeyValue';
  const type = timestamped ? QueryableStoreTypes.timestampedKeyValueStore<unknown, unknown>() : QueryableStoreTypes.keyValueStore<unknown, unknown>();
  let params = StoreQueryParameters.fromNameAndType(store.name, type).withPartition(partition);
  if (stale) params = params.enableStaleStores();
  const it = svc.app.store(params).range(b.lower, b.to);
  const items: Item[] = [];
  let more = false;
  try {
    for await (const kv of it as AsyncIterable<KeyValue<unknown, unknown>>) {
      const bytes = svc.keyBytes(store, kv.key);
      if (b.after !== undefined && Buffer.compare(bytes, b.after) <= 0) continue;
      // keys with the prefix are one block in key order, starting at the prefix itself
      if (b.prefix !== undefined && !bytes.subarray(0, b.prefix.length).equals(b.prefix)) break;
      if (items.length === limit) {
        more = true;
        break;
      }
      if (items.length % 100 === 0) q.remainingMs();
      const v = kv.value as ValueAndTimestamp<unknown>;
      items.push(timestamped ? { key: kv.key, value: v.value, timestamp: v.timestamp, k: bytes.toString('base64') } : { key: kv.key, value: kv.value, k: bytes.toString('base64') });
    }
  } finally {
    await it.close();
  }
  return { items, more };
}

async function readRemote(q: QueryRequest, svc: QueryServices, host: HostInfo, partitions: readonly number[], limit: number): Promise<Page> {
  const params = new URLSearchParams(q.params);
  params.set('partitions', partitions.join(','));
  params.set('limit', String(limit));
  const answer = await svc.forward(q, host, `${q.path}?${params.toString()}`);
  let body: { items?: unknown; more?: unknown; error?: { code?: string; message?: string } };
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    throw unavailable(HttpErrorCodes.OWNER_UNAVAILABLE, `worker ${host.toString()} answered ${answer.status} without the query API's JSON`, 2);
  }
  if (answer.status !== 200 || !Array.isArray(body.items) || typeof body.more !== 'boolean') {
    const retryAfter = Number(answer.headers['retry-after'] ?? 1) || 1;
    const where = `worker ${host.toString()} could not read partition(s) ${partitions.join(', ')}`;
    if (answer.status >= 400 && body.error?.code) throw new HttpError(answer.status, body.error.code as HttpErrorCode, `${where}: ${body.error.message ?? ''}`, answer.status === 503 ? retryAfter : undefined);
    throw unavailable(HttpErrorCodes.OWNER_UNAVAILABLE, `${where}: it answered ${answer.status}`, retryAfter);
  }
  return { items: body.items as Item[], more: body.more };
}
