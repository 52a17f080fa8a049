// Owns the RocksDB implementation of the driver port, over the npm `rocksdb` binding.
import type { DbMemoryLease } from './rocksdb-binding.js';
import { call, rocksdb, rocksGet, type RocksDatabase, type RocksIterator } from './rocksdb-binding.js';
import type { DriverIterator, DriverIteratorOptions, DriverOp, KvDriver } from './db-driver.js';

class RocksDriverIterator implements DriverIterator {
  private ended = false;
  constructor(private readonly it: RocksIterator) {}

  next(): Promise<[Buffer, Buffer] | undefined> {
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.it.next((err, key, value) => {
        if (err) reject(err);
        else if (key === undefined || value === undefined) resolve(undefined);
        else resolve([key, value]);
      });
    });
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await call((cb) => this.it.end(cb)).catch(() => {
      // Already ended by the database's close(); nothing left to free.
    });
  }
}

export class RocksDbDriver implements KvDriver {
  readonly engine = 'RocksDB';
  private db: RocksDatabase | undefined;

  constructor(private readonly directory: string) {}

  async open(memory: DbMemoryLease): Promise<void> {
    const db = rocksdb(this.directory);
    await call((cb) =>
      db.open(
        {
          createIfMissing: true,
          errorIfExists: false,
          cacheSize: memory.cacheSize,
          writeBufferSize: memory.writeBufferSize,
          maxOpenFiles: memory.maxOpenFiles,
          infoLogLevel: 'error',
        },
        cb,
      ),
    );
    this.db = db;
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db !== undefined) await call((cb) => db.close(cb));
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return rocksGet(this.handle(), key);
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    const db = this.handle();
    return call((cb) => db.put(key, value, cb));
  }

  del(key: Buffer): Promise<void> {
    const db = this.handle();
    return call((cb) => db.del(key, cb));
  }

  batch(ops: DriverOp[]): Promise<void> {
    const db = this.handle();
    return call((cb) => db.batch(ops, cb));
  }

  iterator(options: DriverIteratorOptions): DriverIterator {
    const db = this.handle();
    const it = db.iterator({ ...options, keyAsBuffer: true, valueAsBuffer: true, highWaterMark: 64 * 1024 });
    return new RocksDriverIterator(it);
  }

  async approximateCount(): Promise<number> {
    const n = Number(this.handle().getProperty('rocksdb.estimate-num-keys'));
    return Number.isFinite(n) ? n : 0;
  }

  private handle(): RocksDatabase {
    if (this.db === undefined) throw new Error(`RocksDB at ${this.directory} is not open`);
    return this.db;
  }
}
