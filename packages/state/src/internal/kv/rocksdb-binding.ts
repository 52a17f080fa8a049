// Owns the typed, promise-returning view of the npm `rocksdb` binding (abstract-leveldown callback
// API, no bundled types) and the per-worker memory budget its databases are opened with.
import { createRequire } from 'node:module';
import type { RocksDbSharedOptions } from '../../store.js';

type Callback<T = void> = (err: Error | undefined | null, value: T) => void;

export interface RocksIterator {
  next(cb: (err: Error | undefined | null, key?: Buffer, value?: Buffer) => void): void;
  end(cb: Callback): void;
}

export interface RocksBatchOp {
  type: 'put' | 'del';
  key: Buffer;
  value?: Buffer;
}

export interface RocksIteratorOptions {
  gte?: Buffer;
  lte?: Buffer;
  lt?: Buffer;
  reverse?: boolean;
  keyAsBuffer: true;
  valueAsBuffer: true;
  highWaterMark?: number;
}

export interface RocksDatabase {
  readonly status: string;
  open(options: Record<string, unknown>, cb: Callback): void;
  close(cb: Callback): void;
  get(key: Buffer, options: { asBuffer: true; fillCache?: boolean }, cb: Callback<Buffer>): void;
  put(key: Buffer, value: Buffer, cb: Callback): void;
  del(key: Buffer, cb: Callback): void;
  batch(ops: RocksBatchOp[], cb: Callback): void;
  iterator(options: RocksIteratorOptions): RocksIterator;
  getProperty(property: string): string;
}

type RocksFactory = (location: string) => RocksDatabase;

const require = createRequire(import.meta.url);
let factory: RocksFactory | undefined;

/** Loaded on first use so a worker that only uses in-memory stores never loads the native module. */
export function rocksdb(location: string): RocksDatabase {
  factory ??= require('rocksdb') as RocksFactory;
  return factory(location);
}

export function call<T = void>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value)));
  });
}

/** `get` that maps the binding's NotFound error to undefined. */
export function rocksGet(db: RocksDatabase, key: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    db.get(key, { asBuffer: true }, (err, value) => {
      if (err) {
        if (/NotFound/i.test(err.message)) resolve(undefined);
        else reject(err);
      } else resolve(value);
    });
  });
}

export const MIB = 1024 * 1024;
/** The binding reads cache and buffer sizes as uint32. */
const MAX_UINT32 = 0xffff_ffff;
export const MIN_BLOCK_CACHE_BYTES = MIB;

export function defaultRocksDbSharedOptions(): RocksDbSharedOptions {
  return { blockCacheBytes: 64 * MIB, writeBufferBytes: 8 * MIB, maxOpenFiles: 64 };
}

/**
 * Databases currently open per worker budget (one RocksDbSharedOptions object per worker).
 *
 * Why divide: RocksDB bounds memory with one block cache shared by every database, but the npm
 * binding creates a private LRU cache inside each `open()` and offers no way to pass a shared one.
 * So each database gets `budget / open databases` at the moment it opens (never below 1 MiB). Sizes
 * are fixed at open, so databases opened earlier keep their larger share: the total can exceed the
 * budget by the harmonic factor (~ln n) until stores are reopened (e.g. after a rebalance).
 * Window/session segments are databases too and count individually.
 */
const openPerBudget = new WeakMap<RocksDbSharedOptions, { open: number }>();

export interface DbMemoryLease {
  readonly cacheSize: number;
  readonly writeBufferSize: number;
  readonly maxOpenFiles: number;
  release(): void;
}

export function leaseDbMemory(budget: RocksDbSharedOptions): DbMemoryLease {
  let counter = openPerBudget.get(budget);
  if (counter === undefined) {
    counter = { open: 0 };
    openPerBudget.set(budget, counter);
  }
  counter.open++;
  const share = Math.floor(budget.blockCacheBytes / counter.open);
  let released = false;
  const c = counter;
  return {
    cacheSize: Math.min(MAX_UINT32, Math.max(MIN_BLOCK_CACHE_BYTES, share)),
    writeBufferSize: Math.min(MAX_UINT32, Math.max(64 * 1024, budget.writeBufferBytes)),
    maxOpenFiles: Math.max(16, budget.maxOpenFiles),
    release() {
      if (released) return;
      released = true;
      c.open = Math.max(0, c.open - 1);
    },
  };
}

/** For tests and diagnostics: databases currently holding a share of `budget`. */
export function openDatabaseCount(budget: RocksDbSharedOptions): number {
  return openPerBudget.get(budget)?.open ?? 0;
}
