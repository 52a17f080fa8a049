// Owns the routes about one key of a key-value store: its value (GET /v1/stores/{store}/keys/{key},
// answered by the worker that holds it) and where it lives (.../metadata, answered from this
// worker's view of the assignment).
import type { ValueAndTimestamp } from '@sluice/state';
import { QueryableStoreTypes, StoreQueryParameters } from '@sluice/runtime/query';
import { badRequest, HttpErrorCodes } from '../errors.js';
import { sendJson } from '../json.js';
import { hostsForKey, serveKey } from '../key-routing.js';
import type { QueryRequest } from '../request.js';
import type { QueryServices, StoreEntry } from '../services.js';

export function requireKind(store: StoreEntry, kinds: readonly string[], route: string): void {
  if (kinds.includes(store.kind)) return;
  const where =
    store.kind === 'session'
      ? 'read a key\'s sessions at /v1/stores/{store}/keys/{key}/sessions'
      : store.kind === 'window' || store.kind === 'timestampedWindow'
        ? 'read a key\'s windows at /v1/stores/{store}/keys/{key}/windows'
        : 'read a key at /v1/stores/{store}/keys/{key} and ranges at /v1/stores/{store}/keys';
  throw badRequest(HttpErrorCodes.WRONG_STORE_KIND, `store '${store.name}' is a ${store.kind} store, which ${route} does not read; ${where}`);
}

export async function getKey(q: QueryRequest, svc: QueryServices, storeName: string, keyText: string): Promise<void> {
  const store = svc.store(storeName);
  requireKind(store, ['keyValue', 'timestampedKeyValue'], 'GET /v1/stores/{store}/keys/{key}');
  const key = svc.parseKey(store, keyText);
  const stale = q.flag('stale');
  q.rejectUnknownParameters();
  const timestamped = store.kind === 'timestampedKeyValue';
  await serveKey(q, svc, store, key, stale, async (partition) => {
    const type = timestamped ? QueryableStoreTypes.timestampedKeyValueStore<unknown, unknown>() : QueryableStoreTypes.keyValueStore<unknown, unknown>();
    let params = StoreQueryParameters.fromNameAndType(store.name, type).withPartition(partition);
    if (stale) params = params.enableStaleStores();
    const value = await svc.app.store(params).get(key);
    if (value === undefined) {
      return { status: 404, body: { error: { code: HttpErrorCodes.KEY_NOT_FOUND, message: `store '${store.name}' has no key ${JSON.stringify(keyText)}` } } };
    }
    if (!timestamped) return { status: 200, body: { key, value } };
    const v = value as ValueAndTimestamp<unknown>;
    return { status: 200, body: { key, value: v.value, timestamp: v.timestamp } };
  });
}

export function getKeyMetadata(q: QueryRequest, svc: QueryServices, storeName: string, keyText: string): void {
  const store = svc.store(storeName);
  const key = svc.parseKey(store, keyText);
  q.rejectUnknownParameters();
  hostsForKey(svc, store, key, true); // 503 while no worker hosts the key's partition
  const md = svc.app.queryMetadataForKey(store.name, key, store.keySerde);
  sendJson(q.res, 200, {
    store: store.name,
    key,
    partition: md.partition,
    activeHost: md.activeHost.port > 0 ? md.activeHost.toString() : null,
    standbyHosts: md.standbyHosts.map((h) => h.toString()),
  });
}
