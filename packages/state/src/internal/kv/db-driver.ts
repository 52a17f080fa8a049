// Owns the small driver port the persistent key-value store is written against, so RocksDB and
// LevelDB differ only in how they open, read, write and iterate.
import type { DbMemoryLease } from './rocksdb-binding.js';

export interface DriverIteratorOptions {
  gte?: Buffer;
  lte?: Buffer;
  lt?: Buffer;
  reverse: boolean;
}

/** Entries come from a snapshot taken when the iterator was created. */
export interface DriverIterator {
  next(): Promise<[Buffer, Buffer] | undefined>;
  close(): Promise<void>;
}

export type DriverOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

export interface KvDriver {
  readonly engine: 'RocksDB' | 'LevelDB';
  open(memory: DbMemoryLease): Promise<void>;
  close(): Promise<void>;
  get(key: Buffer): Promise<Buffer | undefined>;
  put(key: Buffer, value: Buffer): Promise<void>;
  del(key: Buffer): Promise<void>;
  batch(ops: DriverOp[]): Promise<void>;
  iterator(options: DriverIteratorOptions): DriverIterator;
  approximateCount(): Promise<number>;
}

export type KvDriverFactory = (directory: string) => KvDriver;
