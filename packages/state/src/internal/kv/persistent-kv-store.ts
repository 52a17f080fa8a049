// Owns the persistent key-value bytes store (RocksDB or LevelDB through the driver port): where it
// lives on disk, its open/close/wipe lifecycle, the memory lease it holds while open, and iterators
// that are closed before the database is.
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, StateStoreError } from '@sluice/common';
import type { KeyValue, KeyValueBytesStore, KeyValueIterator, StateStoreContext } from '../../store.js';
import { prefixUpperBound } from '../bytes.js';
import { BaseKvIterator, OpenIterators, emptyIterator } from '../iterators.js';
import type { DriverIterator, DriverIteratorOptions, DriverOp, KvDriver, KvDriverFactory } from './db-driver.js';
import { hasDatabaseFiles, openFailure } from './open-errors.js';
import { leaseDbMemory, type DbMemoryLease } from './rocksdb-binding.js';

export interface PersistentKeyValueStoreOptions {
  /** Where the database lives; default `<context.taskDir>/<name>`. Segments pass their own. */
  readonly directory?: (context: StateStoreContext) => string;
}

class DriverKvIterator extends BaseKvIterator<Buffer, Buffer> {
  private it: DriverIterator | undefined;
  constructor(
    private readonly open: () => DriverIterator,
    private readonly isStoreOpen: () => boolean,
  ) {
    super();
  }
  protected async advance(): Promise<KeyValue<Buffer, Buffer> | undefined> {
    // The native iterator (and its snapshot) is taken on the first read, so creating an iterator
    // that is never read costs nothing.
    this.it ??= this.open();
    if (!this.isStoreOpen()) return undefined;
    const e = await this.it.next();
    return e === undefined ? undefined : { key: e[0], value: e[1] };
  }
  protected override async release(): Promise<void> {
    await this.it?.close();
  }
}

export class PersistentKeyValueStore implements KeyValueBytesStore {
  readonly persistent = true;
  private driver: KvDriver | undefined;
  private lease: DbMemoryLease | undefined;
  private context: StateStoreContext | undefined;
  private dir = '';
  private readonly iterators = new OpenIterators();

  constructor(
    readonly name: string,
    private readonly driverFactory: KvDriverFactory,
    private readonly options: PersistentKeyValueStoreOptions = {},
  ) {}

  async init(context: StateStoreContext): Promise<void> {
    this.context = context;
    this.dir = this.options.directory?.(context) ?? path.join(context.taskDir, this.name);
    await this.openDb();
  }

  async flush(): Promise<void> {
    // Writes go straight to the WAL-backed memtable; RocksDB/LevelDB persist them without an
    // explicit flush, and the changelog is the durability guarantee.
  }

  async close(): Promise<void> {
    await this.iterators.closeAll();
    const driver = this.driver;
    this.driver = undefined;
    this.lease?.release();
    this.lease = undefined;
    await driver?.close();
  }

  isOpen(): boolean {
    return this.driver !== undefined;
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    return this.db().get(key);
  }

  async put(key: Buffer, value: Buffer | null): Promise<void> {
    if (value === null) await this.db().del(key);
    else await this.db().put(key, value);
  }

  async putAll(entries: readonly KeyValue<Buffer, Buffer | null>[]): Promise<void> {
    if (entries.length === 0) return;
    const ops: DriverOp[] = entries.map((e) => (e.value === null ? { type: 'del', key: e.key } : { type: 'put', key: e.key, value: e.value }));
    await this.db().batch(ops);
  }

  async delete(key: Buffer): Promise<Buffer | undefined> {
    const db = this.db();
    const old = await db.get(key);
    if (old !== undefined) await db.del(key);
    return old;
  }

  range(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    return this.scan(from, to, false);
  }

  reverseRange(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    return this.scan(from, to, true);
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    const db = this.db();
    const options: DriverIteratorOptions = { reverse: false };
    if (prefix.length > 0) options.gte = prefix;
    const upper = prefixUpperBound(prefix);
    if (upper !== undefined) options.lt = upper;
    return this.track(db, options);
  }

  async approximateNumEntries(): Promise<number> {
    return this.db().approximateCount();
  }

  async wipe(): Promise<void> {
    const wasOpen = this.isOpen();
    await this.close();
    await fs.rm(this.dir, { recursive: true, force: true });
    if (wasOpen) await this.openDb();
  }

  private scan(from: Buffer | undefined, to: Buffer | undefined, reverse: boolean): KeyValueIterator<Buffer, Buffer> {
    const db = this.db();
    if (from !== undefined && to !== undefined && Buffer.compare(from, to) > 0) return emptyIterator();
    const options: DriverIteratorOptions = { reverse };
    if (from !== undefined) options.gte = from;
    if (to !== undefined) options.lte = to;
    return this.track(db, options);
  }

  private track(db: KvDriver, options: DriverIteratorOptions): KeyValueIterator<Buffer, Buffer> {
    // Create the native iterator now, not lazily: its snapshot must not see later writes.
    const it = db.iterator(options);
    return this.iterators.track(
      new DriverKvIterator(
        () => it,
        () => this.driver === db,
      ),
    );
  }

  private async openDb(): Promise<void> {
    const context = this.context;
    if (context === undefined) throw new Error(`store '${this.name}' opened before init`);
    const existed = hasDatabaseFiles(this.dir);
    await fs.mkdir(this.dir, { recursive: true });
    const driver = this.driverFactory(this.dir);
    const lease = leaseDbMemory(context.rocksdb);
    try {
      await driver.open(lease);
    } catch (err) {
      lease.release();
      throw openFailure(driver.engine, this.name, this.dir, err, existed);
    }
    this.driver = driver;
    this.lease = lease;
  }

  private db(): KvDriver {
    if (this.driver === undefined) {
      throw new StateStoreError(`store '${this.name}' is not open; it is initialised by the task that owns it (was it closed?)`, {
        code: ErrorCodes.STATE_STORE_CLOSED,
        context: { store: this.name, directory: this.dir },
      });
    }
    return this.driver;
  }
}
