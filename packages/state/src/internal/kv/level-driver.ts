// Owns the LevelDB implementation of the driver port, over npm `level` (classic-level in Node).
import { Level } from 'level';
import type { DbMemoryLease } from './rocksdb-binding.js';
import type { DriverIterator, DriverIteratorOptions, DriverOp, KvDriver } from './db-driver.js';

type Db = Level<Buffer, Buffer>;
type LevelIterator = ReturnType<Db['iterator']>;

/** Entries are pulled in batches (`nextv`) to pay one thread-pool round trip per batch, not per entry. */
const BATCH = 256;

class LevelDriverIterator implements DriverIterator {
  private buffer: [Buffer, Buffer][] = [];
  private pos = 0;
  private exhausted = false;
  private closed = false;

  constructor(private readonly it: LevelIterator) {}

  async next(): Promise<[Buffer, Buffer] | undefined> {
    if (this.pos < this.buffer.length) return this.buffer[this.pos++];
    if (this.exhausted || this.closed) return undefined;
    this.buffer = (await this.it.nextv(BATCH)) as [Buffer, Buffer][];
    this.pos = 0;
    // nextv may return fewer entries than asked (it also stops at a byte limit); only an empty
    // batch means the end.
    if (this.buffer.length === 0) this.exhausted = true;
    return this.pos < this.buffer.length ? this.buffer[this.pos++] : undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.it.close().catch(() => {
      // Already closed along with its database.
    });
  }
}

export class LevelDbDriver implements KvDriver {
  readonly engine = 'LevelDB';
  private db: Db | undefined;

  constructor(private readonly directory: string) {}

  async open(memory: DbMemoryLease): Promise<void> {
    const db = new Level<Buffer, Buffer>(this.directory, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open({
      createIfMissing: true,
      errorIfExists: false,
      cacheSize: memory.cacheSize,
      writeBufferSize: memory.writeBufferSize,
      maxOpenFiles: memory.maxOpenFiles,
    } as Parameters<Db['open']>[0]);
    this.db = db;
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db !== undefined) await db.close();
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const v = await this.handle().get(key);
    return v ?? undefined;
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    return this.handle().put(key, value);
  }

  del(key: Buffer): Promise<void> {
    return this.handle().del(key);
  }

  batch(ops: DriverOp[]): Promise<void> {
    return this.handle().batch(ops);
  }

  iterator(options: DriverIteratorOptions): DriverIterator {
    return new LevelDriverIterator(this.handle().iterator(options));
  }

  /** LevelDB keeps no key count; counting keys is exact and linear, fine for this rarely-used call. */
  async approximateCount(): Promise<number> {
    let n = 0;
    for await (const _key of this.handle().keys()) n++;
    return n;
  }

  private handle(): Db {
    if (this.db === undefined) throw new Error(`LevelDB at ${this.directory} is not open`);
    return this.db;
  }
}
