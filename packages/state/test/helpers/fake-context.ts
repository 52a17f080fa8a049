// Owns the test doubles for stores: a StateStoreContext that records registrations and logged
// changes, and temp directories that are removed after each test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach } from 'vitest';
import { ManualClock, noopLogger, type Logger } from '@sluice/common';
import type { CacheMemoryPool, RestoreCallback, RocksDbSharedOptions, StateStore, StateStoreContext } from '@sluice/state';

export interface LoggedChange {
  readonly store: string;
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

export interface FakeContext extends StateStoreContext {
  readonly clock: ManualClock;
  readonly logged: LoggedChange[];
  readonly registered: { store: StateStore; restore: RestoreCallback }[];
  /** The restore callback registered for `storeName`. */
  restoreCallback(storeName: string): RestoreCallback;
}

export interface FakeContextOptions {
  taskDir?: string;
  cache?: CacheMemoryPool;
  rocksdb?: RocksDbSharedOptions;
  applicationId?: string;
  logger?: Logger;
  clock?: ManualClock;
  /** Default: -1 (no record seen yet). */
  streamTime?: () => number;
  recordTimestamp?: () => number;
}

export function fakeContext(options: FakeContextOptions = {}): FakeContext {
  const logged: LoggedChange[] = [];
  const registered: { store: StateStore; restore: RestoreCallback }[] = [];
  const clock = options.clock ?? new ManualClock(1_000);
  return {
    applicationId: options.applicationId ?? 'app',
    taskId: '0_0',
    partition: 0,
    taskDir: options.taskDir ?? tempDir(),
    clock,
    logger: options.logger ?? noopLogger,
    cache: options.cache,
    rocksdb: options.rocksdb ?? { blockCacheBytes: 8 * 1024 * 1024, writeBufferBytes: 1024 * 1024, maxOpenFiles: 64 },
    logged,
    registered,
    register(store, restore) {
      registered.push({ store, restore });
    },
    logChange(store, key, value, timestamp) {
      logged.push({ store, key, value, timestamp });
    },
    streamTime: options.streamTime ?? (() => -1),
    ...(options.recordTimestamp ? { recordTimestamp: options.recordTimestamp } : {}),
    restoreCallback(storeName) {
      const r = registered.find((x) => x.store.name === storeName);
      if (r === undefined) throw new Error(`no store '${storeName}' registered`);
      return r.restore;
    },
  };
}

const dirs: string[] = [];

/** A fresh directory under os.tmpdir(), removed after the current test. */
export function tempDir(): string {
  const dir = path.join(os.tmpdir(), `sluice-state-test-${randomUUID()}`);
  fs.mkdirSync(dir, { recursive: true });
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export const b = (s: string): Buffer => Buffer.from(s, 'utf8');
export const s = (buf: Buffer): string => buf.toString('utf8');
