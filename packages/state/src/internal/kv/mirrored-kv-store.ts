// Owns the memory mirror of one persistent segment of a window or session store: while the segment
// holds at most `mirrorMaxBytes`, a complete copy of it lives in memory, reads are answered from that
// copy (no native round trip per get or fetch) and writes reach the database as one batch at the
// next flush (every commit flushes). A segment that outgrows the limit writes its pending batch and
// is read from the database from then on. Why: docs/decisions/0013-memory-mirror-of-hot-segments.md.
import type { KeyValue, KeyValueBytesStore, KeyValueIterator, StateStoreContext } from '../../store.js';
import { InMemoryKeyValueStore } from './in-memory-kv-store.js';

/** Per-segment limit of the mirror (the in-memory store's `approximateBytes`). */
export const DEFAULT_SEGMENT_MIRROR_BYTES = 8 * 1024 * 1024;
/** Writes kept for the next flush at most (overwrites of one key count each): a long restore writes as it goes. */
const MAX_PENDING_WRITES = 20_000;

/** A bytes store that can answer a range without a promise (right now, or undefined when it cannot). */
export interface SyncRangeReadable {
  rangeSync(from: Buffer | undefined, to: Buffer | undefined, reverse: boolean): KeyValue<Buffer, Buffer>[] | undefined;
}

export function isSyncRangeReadable(store: object): store is SyncRangeReadable {
  return typeof (store as Partial<SyncRangeReadable>).rangeSync === 'function';
}

export class MirroredKeyValueStore implements KeyValueBytesStore, SyncRangeReadable {
  readonly persistent = true;
  private readonly memory: InMemoryKeyValueStore;
  private mirrored = true;
  /** Writes in the mirror not yet in the database, in order (one batch applies them in order: the latest wins). */
  private pending: KeyValue<Buffer, Buffer | null>[] = [];

  constructor(
    private readonly disk: KeyValueBytesStore,
    private readonly mirrorMaxBytes = DEFAULT_SEGMENT_MIRROR_BYTES,
  ) {
    this.memory = new InMemoryKeyValueStore(disk.name);
  }

  get name(): string {
    return this.disk.name;
  }

  /** Whether reads are answered from memory (false once the segment outgrew the limit). */
  get isMirrored(): boolean {
    return this.mirrored;
  }

  async init(context: StateStoreContext): Promise<void> {
    await this.disk.init(context);
    await this.memory.init(context);
    this.mirrored = true;
    // a segment found on disk (a restart) is copied in unless it is larger than the limit
    const it = this.disk.range(undefined, undefined);
    try {
      for await (const kv of it) {
        await this.memory.put(kv.key, kv.value);
        if (this.memory.approximateBytes > this.mirrorMaxBytes) {
          await this.dropMirror();
          break;
        }
      }
    } finally {
      await it.close();
    }
  }

  async flush(): Promise<void> {
    await this.writePending();
    await this.disk.flush();
  }

  async close(): Promise<void> {
    try {
      await this.writePending();
    } finally {
      await this.memory.close();
      await this.disk.close();
    }
  }

  isOpen(): boolean {
    return this.disk.isOpen();
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    return this.mirrored ? this.memory.get(key) : this.disk.get(key);
  }

  async put(key: Buffer, value: Buffer | null): Promise<void> {
    if (!this.mirrored) return this.disk.put(key, value);
    await this.memory.put(key, value);
    this.pending.push({ key, value });
    await this.afterWrites();
  }

  async putAll(entries: readonly KeyValue<Buffer, Buffer | null>[]): Promise<void> {
    if (!this.mirrored) return this.disk.putAll(entries);
    for (const e of entries) {
      await this.memory.put(e.key, e.value);
      this.pending.push(e);
    }
    await this.afterWrites();
  }

  async delete(key: Buffer): Promise<Buffer | undefined> {
    const old = await this.get(key);
    if (old !== undefined) await this.put(key, null);
    return old;
  }

  range(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    return this.mirrored ? this.memory.range(from, to) : this.disk.range(from, to);
  }

  /** The range from memory while mirrored; undefined once the segment is read from the database. */
  rangeSync(from: Buffer | undefined, to: Buffer | undefined, reverse: boolean): KeyValue<Buffer, Buffer>[] | undefined {
    return this.mirrored ? this.memory.rangeSync(from, to, reverse) : undefined;
  }

  reverseRange(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    return this.mirrored ? this.memory.reverseRange(from, to) : this.disk.reverseRange(from, to);
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    return this.mirrored ? this.memory.prefixScan(prefix) : this.disk.prefixScan(prefix);
  }

  async approximateNumEntries(): Promise<number> {
    return this.mirrored ? this.memory.approximateNumEntries() : this.disk.approximateNumEntries();
  }

  async wipe(): Promise<void> {
    this.pending = [];
    await this.memory.wipe();
    await this.disk.wipe();
    this.mirrored = true;
  }

  /** A mirror past its limit is dropped; a long run of writes (a restore) reaches the database as it goes. */
  private async afterWrites(): Promise<void> {
    if (this.memory.approximateBytes > this.mirrorMaxBytes) await this.dropMirror();
    else if (this.pending.length >= MAX_PENDING_WRITES) await this.writePending();
  }

  /** Writes the pending batch; reads keep coming from the (complete) mirror while it is written. */
  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.disk.putAll(batch);
    } catch (err) {
      // nothing is lost: what was not written is pending again, before any write made since
      this.pending = batch.concat(this.pending);
      throw err;
    }
  }

  /** The database gets everything, then answers every read of this segment. */
  private async dropMirror(): Promise<void> {
    await this.writePending();
    this.mirrored = false;
    await this.memory.wipe();
  }
}
