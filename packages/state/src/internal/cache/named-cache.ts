// Owns one store's record cache: entries in key order (for range reads), in least-recently-used
// order (for eviction) and, for dirty ones, in the order they were first dirtied since the last
// flush (the order a flush writes them). Its memory is charged to the worker's CacheMemoryPool.
import type { CacheMemoryPool } from '../../store.js';
import { CACHE_ENTRY_OVERHEAD_BYTES } from '../../cache-memory-pool.js';
import { BTree } from '../btree.js';

/**
 * One cached key. Entries are immutable: a write replaces the entry, so iterator snapshots (tree
 * clones) and flushes in flight keep seeing the value they started with.
 */
export interface CacheEntry<M> {
  /** latin1 form of the cache key bytes; orders like the bytes. */
  readonly sortKey: string;
  /** What the caching layer needs to write the entry below (key parts, window start …). */
  readonly meta: M;
  /** null = deleted (a dirty tombstone). */
  readonly value: Buffer | null;
  /** Timestamp of the write, passed on to the change-logging layer at flush. */
  readonly timestamp: number;
  readonly size: number;
}

/** A dirty entry as a flush took it (later writes to the key replace the entry, not this). */
export interface DirtySnapshot<M> {
  readonly entry: CacheEntry<M>;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

export type CacheTree<M> = InstanceType<typeof BTree<string, CacheEntry<M>>>;

export class NamedCache<M> {
  private tree: CacheTree<M> = new BTree<string, CacheEntry<M>>();
  private readonly lru = new Map<string, CacheEntry<M>>();
  private readonly dirty = new Map<string, CacheEntry<M>>();

  constructor(private readonly pool: CacheMemoryPool) {}

  get size(): number {
    return this.lru.size;
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  overBudget(): boolean {
    return this.pool.usedBytes() > this.pool.maxBytes;
  }

  /** Looks an entry up and marks it most recently used. */
  get(sortKey: string): CacheEntry<M> | undefined {
    const entry = this.lru.get(sortKey);
    if (entry !== undefined) {
      this.lru.delete(sortKey);
      this.lru.set(sortKey, entry);
    }
    return entry;
  }

  put(sortKey: string, meta: M, value: Buffer | null, timestamp: number, dirty: boolean): void {
    const size = sortKey.length + (value?.length ?? 0) + CACHE_ENTRY_OVERHEAD_BYTES;
    const entry: CacheEntry<M> = { sortKey, meta, value, timestamp, size };
    const previous = this.lru.get(sortKey);
    this.pool.reserve(size - (previous?.size ?? 0));
    this.tree.set(sortKey, entry);
    if (previous !== undefined) this.lru.delete(sortKey);
    this.lru.set(sortKey, entry);
    // Map.set on a present key keeps its place: a key stays where it was first dirtied.
    if (dirty || this.dirty.has(sortKey)) this.dirty.set(sortKey, entry);
  }

  isDirty(entry: CacheEntry<M>): boolean {
    return this.dirty.get(entry.sortKey) === entry;
  }

  /** The least recently used entry. */
  eldest(): CacheEntry<M> | undefined {
    for (const e of this.lru.values()) return e;
    return undefined;
  }

  /** Takes every dirty entry, in first-dirtied order, and marks them clean. */
  takeDirty(): DirtySnapshot<M>[] {
    const out: DirtySnapshot<M>[] = [];
    for (const entry of this.dirty.values()) out.push({ entry, value: entry.value, timestamp: entry.timestamp });
    this.dirty.clear();
    return out;
  }

  /** After a flush wrote them: forget deletions nobody wrote to again meanwhile. */
  dropFlushedTombstones(flushed: readonly DirtySnapshot<M>[]): void {
    for (const { entry } of flushed) {
      if (entry.value === null && !this.dirty.has(entry.sortKey) && this.lru.get(entry.sortKey) === entry) this.remove(entry.sortKey);
    }
  }

  /** Removes a clean entry (a dirty one must be flushed first). */
  remove(sortKey: string): void {
    const entry = this.lru.get(sortKey);
    if (entry === undefined) return;
    this.lru.delete(sortKey);
    this.dirty.delete(sortKey);
    this.tree.delete(sortKey);
    this.pool.reserve(-entry.size);
  }

  /** A copy-on-write snapshot for iterators. */
  snapshot(): CacheTree<M> {
    return this.tree.clone();
  }

  /** Drops everything, dirty entries included, and returns the memory to the pool. */
  clear(): void {
    let bytes = 0;
    for (const e of this.lru.values()) bytes += e.size;
    this.pool.reserve(-bytes);
    this.lru.clear();
    this.dirty.clear();
    this.tree = new BTree<string, CacheEntry<M>>();
  }
}
