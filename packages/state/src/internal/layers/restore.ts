// Owns the restore callbacks: changelog records go straight into the bytes store at the bottom of the
// stack (no cache, no logging), converted back from the changelog format (changelog-format.ts).
import type { ChangelogRecord, KeyValueBytesStore, RestoreCallback, SessionBytesStore, WindowBytesStore } from '../../store.js';
import { sessionKeys, windowKeys } from '../segmented/key-schemas.js';
import { fromChangelog } from './changelog-format.js';

interface RawRestorable {
  restore(batch: readonly ChangelogRecord[]): Promise<void>;
}

function rawRestorable(store: object): store is RawRestorable {
  return typeof (store as Partial<RawRestorable>).restore === 'function';
}

function converted(batch: readonly ChangelogRecord[], timestamped: boolean): ChangelogRecord[] {
  if (!timestamped) return batch as ChangelogRecord[];
  return batch.map((r) => ({ ...r, value: fromChangelog(r.value, true, r.timestamp) }));
}

export function keyValueRestore(bytes: KeyValueBytesStore, timestamped: boolean): RestoreCallback {
  return async (batch) => {
    await bytes.putAll(batch.map((r) => ({ key: r.key, value: fromChangelog(r.value, timestamped, r.timestamp) })));
  };
}

export function windowRestore(bytes: WindowBytesStore, timestamped: boolean): RestoreCallback {
  return async (batch) => {
    const records = converted(batch, timestamped);
    // Sluice's own window stores take the store keys as they are (keeping seqnums of duplicates).
    if (rawRestorable(bytes)) return bytes.restore(records);
    for (const r of records) {
      if (!windowKeys.isValid(r.key)) continue;
      await bytes.put(windowKeys.key(r.key), r.value, windowKeys.windowStart(r.key));
    }
  };
}

export function sessionRestore(bytes: SessionBytesStore): RestoreCallback {
  return async (batch) => {
    if (rawRestorable(bytes)) return bytes.restore(batch);
    for (const r of batch) {
      if (!sessionKeys.isValid(r.key)) continue;
      await bytes.put(sessionKeys.key(r.key), sessionKeys.start(r.key), sessionKeys.end(r.key), r.value);
    }
  };
}
