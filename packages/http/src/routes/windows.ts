// Owns the routes about one key of a window or session store: its windows whose start is within
// [from, to] (GET .../keys/{key}/windows) and its sessions that end at or after `from` and start at or
// before `to` (GET .../keys/{key}/sessions), oldest first, a page at a time, each with its window's
// start and end (and timestamp, for timestamped stores). Answered by the worker holding the key.
import { QueryableStoreTypes, StoreQueryParameters } from '@sluice/runtime/query';
import type { ValueAndTimestamp, WindowedKeyValue } from '@sluice/state';
import { decodeTimeCursor, timeCursor } from '../cursor.js';
import { badRequest, HttpErrorCodes } from '../errors.js';
import { serveKey } from '../key-routing.js';
import type { QueryRequest } from '../request.js';
import type { QueryServices } from '../services.js';
import { requireKind } from './keys.js';

const FOREVER = Number.MAX_SAFE_INTEGER;

interface TimeQuery {
  readonly from: number;
  readonly to: number;
  readonly limit: number;
  readonly stale: boolean;
}

function timeQuery(q: QueryRequest, svc: QueryServices, cursorKind: 'w' | 's'): TimeQuery {
  const from = q.time('from') ?? 0;
  const to = q.time('to') ?? FOREVER;
  const limit = q.integer('limit', 1, svc.options.maxPageSize) ?? svc.options.defaultPageSize;
  const after = decodeTimeCursor(cursorKind, q.text('cursor'));
  const stale = q.flag('stale');
  q.rejectUnknownParameters();
  if (from > to) throw badRequest(HttpErrorCodes.INVALID_PARAMETER, `parameter 'from' (${from}) is after 'to' (${to}); swap them`);
  return { from: after === undefined ? from : Math.max(from, after + 1), to, limit, stale };
}

async function page<T>(it: AsyncIterableIterator<T> & { close(): Promise<void> }, limit: number): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let more = false;
  try {
    for await (const x of it) {
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(x);
    }
  } finally {
    await it.close();
  }
  return { items, more };
}

export async function getWindows(q: QueryRequest, svc: QueryServices, storeName: string, keyText: string): Promise<void> {
  const store = svc.store(storeName);
  requireKind(store, ['window', 'timestampedWindow'], 'GET /v1/stores/{store}/keys/{key}/windows');
  const key = svc.parseKey(store, keyText);
  const t = timeQuery(q, svc, 'w');
  const timestamped = store.kind === 'timestampedWindow';
  await serveKey(q, svc, store, key, t.stale, async (partition) => {
    const type = timestamped ? QueryableStoreTypes.timestampedWindowStore<unknown, unknown>() : QueryableStoreTypes.windowStore<unknown, unknown>();
    let params = StoreQueryParameters.fromNameAndType(store.name, type).withPartition(partition);
    if (t.stale) params = params.enableStaleStores();
    const { items, more } = await page(svc.app.store(params).fetch(key, key, t.from, t.to), t.limit);
    const rows = items.map((kv: WindowedKeyValue<unknown, unknown>) => {
      const window = { start: kv.key.window.start, end: kv.key.window.end };
      if (!timestamped) return { window, value: kv.value };
      const v = kv.value as ValueAndTimestamp<unknown>;
      return { window, value: v.value, timestamp: v.timestamp };
    });
    const last = rows.at(-1);
    return { status: 200, body: { key, items: rows, next: more && last ? timeCursor('w', last.window.start) : null } };
  });
}

export async function getSessions(q: QueryRequest, svc: QueryServices, storeName: string, keyText: string): Promise<void> {
  const store = svc.store(storeName);
  requireKind(store, ['session'], 'GET /v1/stores/{store}/keys/{key}/sessions');
  const key = svc.parseKey(store, keyText);
  const t = timeQuery(q, svc, 's');
  await serveKey(q, svc, store, key, t.stale, async (partition) => {
    let params = StoreQueryParameters.fromNameAndType(store.name, QueryableStoreTypes.sessionStore<unknown, unknown>()).withPartition(partition);
    if (t.stale) params = params.enableStaleStores();
    // sessions of one key never overlap, so "ends after the last one's end" is "comes after it"
    const { items, more } = await page(svc.app.store(params).findSessions(key, t.from, t.to), t.limit);
    const rows = items.map((kv) => ({ window: { start: kv.key.window.start, end: kv.key.window.end }, value: kv.value }));
    const last = rows.at(-1);
    return { status: 200, body: { key, items: rows, next: more && last ? timeCursor('s', last.window.end) : null } };
  });
}
