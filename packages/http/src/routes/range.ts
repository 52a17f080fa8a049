// Owns GET /v1/stores/{store}/keys?from=&to=&prefix=&limit=&cursor=: one page of a key-value store's
// keys, merged from every partition across the fleet in the store's key order (its key bytes). The
// worker asked splits the partitions by the worker hosting each (queryMetadataForKey with a
// partitioner that names the partition), asks each for its partitions (itself directly), merges, and
// cuts the page: each worker sends at most one page per partition set, so the merged first page is
// exact. A partition without a host, or a worker that cannot answer, makes the page a 503 — never a
// page with keys missing.
import { QueryableStoreTypes, StoreQueryParameters, type HostInfo } from '@sluice/runtime/query';
import type { KeyValueIterator, ValueAndTimestamp } from '@sluice/state';
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
  /** The key's bytes (the order of the store). */
  readonly bytes: Buffer;
}

interface Page {
  readonly items: Item[];
  readonly more: boolean;
}

/** An entry as one worker sends it to another: its key bytes in base64. */
type WireItem = Omit<Item, 'bytes'> & { readonly k: string };

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
    const items: WireItem[] = page.items.map(({ bytes, ...rest }) => ({ ...rest, k: bytes.toString('base64') }));
    sendJson(q.res, 200, { items, more: page.more, partitions, servedBy: svc.self.toString() });
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
  const merged = pages.flatMap((p) => p.items).sort((x, y) => Buffer.compare(x.bytes, y.bytes));
  const items = merged.slice(0, limit);
  const more = merged.length > limit || pages.some((p) => p.more);
  const last = items.at(-1);
  sendJson(q.res, 200, {
    items: items.map(({ bytes: _bytes, ...rest }) => rest),
    next: more && last ? keyCursor(last.bytes) : null,
    servedBy: [...plan.values()].map((p) => p.host.toString()),
  });
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

/**
 * One page of this worker's partitions: their iterators merged lazily in key order, so about `limit`
 * entries are read however many partitions there are.
 */
async function readLocal(q: QueryRequest, svc: QueryServices, store: StoreEntry, partitions: readonly number[], b: Bounds, limit: number, stale: boolean): Promise<Page> {
  const timestamped = store.kind === 'timestampedKeyValue';
  const type = timestamped ? QueryableStoreTypes.timestampedKeyValueStore<unknown, unknown>() : QueryableStoreTypes.keyValueStore<unknown, unknown>();
  const iterators: KeyValueIterator<unknown, unknown>[] = [];
  try {
    for (const partition of partitions) {
      let params = StoreQueryParameters.fromNameAndType(store.name, type).withPartition(partition);
      if (stale) params = params.enableStaleStores();
      iterators.push(svc.app.store(params).range(b.lower, b.to));
    }
    /** The next entry of one partition within the bounds, or undefined at its end. */
    const next = async (it: KeyValueIterator<unknown, unknown>): Promise<Item | undefined> => {
      for (;;) {
        const r = await it.next();
        if (r.done) return undefined;
        const bytes = svc.keyBytes(store, r.value.key);
        if (b.after !== undefined && Buffer.compare(bytes, b.after) <= 0) continue;
        // keys with the prefix are one block in key order, starting at the prefix itself
        if (b.prefix !== undefined && !bytes.subarray(0, b.prefix.length).equals(b.prefix)) return undefined;
        if (!timestamped) return { key: r.value.key, value: r.value.value, bytes };
        const v = r.value.value as ValueAndTimestamp<unknown>;
        return { key: r.value.key, value: v.value, timestamp: v.timestamp, bytes };
      }
    };
    const heads = await Promise.all(iterators.map(next));
    const items: Item[] = [];
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h !== undefined && (best < 0 || Buffer.compare(h.bytes, heads[best]!.bytes) < 0)) best = i;
      }
      if (best < 0) return { items, more: false };
      if (items.length === limit) return { items, more: true };
      if (items.length % 100 === 0) q.remainingMs();
      items.push(heads[best]!);
      heads[best] = await next(iterators[best]!);
    }
  } catch (err) {
    throw toHttpError(err);
  } finally {
    await Promise.allSettled(iterators.map((it) => it.close()));
  }
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
  return { items: (body.items as WireItem[]).map(({ k, ...rest }) => ({ ...rest, bytes: Buffer.from(k, 'base64') })), more: body.more };
}
