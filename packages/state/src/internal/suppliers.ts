// Owns the mapping from a store type (rocksdb, level, in_memory) to concrete bytes stores, and the
// suppliers the Stores factory hands out.
import type { KeyValueBytesStore } from '../store.js';
import type { StoreType } from '../store-builder.js';
import type { KeyValueBytesStoreSupplier, SessionBytesStoreSupplier, VersionedBytesStoreSupplier, WindowBytesStoreSupplier } from '../store-supplier.js';
import { InMemoryKeyValueStore } from './kv/in-memory-kv-store.js';
import { MirroredKeyValueStore } from './kv/mirrored-kv-store.js';
import { LevelDbDriver } from './kv/level-driver.js';
import { PersistentKeyValueStore } from './kv/persistent-kv-store.js';
import { RocksDbDriver } from './kv/rocksdb-driver.js';
import { defaultSegmentInterval } from './segmented/segmented-store.js';
import { SegmentedSessionStore } from './segmented/segmented-session-store.js';
import { SegmentedWindowStore } from './segmented/segmented-window-store.js';
import { segmentDirectory, type SegmentKind } from './segmented/segments.js';
import type { KvDriverFactory } from './kv/db-driver.js';

const drivers: Record<Exclude<StoreType, 'in_memory'>, KvDriverFactory> = {
  rocksdb: (dir) => new RocksDbDriver(dir),
  level: (dir) => new LevelDbDriver(dir),
};

export function createKeyValueBytesStore(name: string, type: StoreType): KeyValueBytesStore {
  if (type === 'in_memory') return new InMemoryKeyValueStore(name);
  return new PersistentKeyValueStore(name, drivers[type]);
}

export function segmentKind(type: StoreType): SegmentKind {
  if (type === 'in_memory') {
    return { persistent: false, create: (storeName, id) => new InMemoryKeyValueStore(`${storeName}.${id}`) };
  }
  const driver = drivers[type];
  return {
    persistent: true,
    create: (storeName, id) =>
      // the segments in use are few and mostly small: each keeps a copy in memory while it fits
      new MirroredKeyValueStore(new PersistentKeyValueStore(`${storeName}.${id}`, driver, { directory: (context) => segmentDirectory(context, storeName, id) })),
  };
}

export function keyValueSupplier(name: string, type: StoreType): KeyValueBytesStoreSupplier {
  return { name, type, get: () => createKeyValueBytesStore(name, type) };
}

export function windowSupplier(name: string, type: StoreType, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
  const segmentIntervalMs = defaultSegmentInterval(retentionMs);
  return {
    name,
    type,
    retentionMs,
    windowSizeMs,
    retainDuplicates,
    segmentIntervalMs,
    get: () => new SegmentedWindowStore(name, { retentionMs, windowSizeMs, retainDuplicates, segmentIntervalMs }, segmentKind(type)),
  };
}

export function sessionSupplier(name: string, type: StoreType, retentionMs: number): SessionBytesStoreSupplier {
  const segmentIntervalMs = defaultSegmentInterval(retentionMs);
  return {
    name,
    type,
    retentionMs,
    segmentIntervalMs,
    get: () => new SegmentedSessionStore(name, { retentionMs, segmentIntervalMs }, segmentKind(type)),
  };
}

export function versionedSupplier(name: string, type: StoreType, historyRetentionMs: number, segmentIntervalMs: number): VersionedBytesStoreSupplier {
  return { name, type, versioned: true, historyRetentionMs, segmentIntervalMs, get: () => createKeyValueBytesStore(name, type) };
}
