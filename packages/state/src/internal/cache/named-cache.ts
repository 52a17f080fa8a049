// Owns one store's record cache: entries in key order (for range reads), in least-recently-used
// order (for eviction) and, for dirty ones, in the order of their latest write since the last
// flush (the order a flush writes them). Its memory is charged to the worker's CacheMemoryPool.
// The key order (a B-tree) is built on the first range read and kept from then on: a store that is
// only read by key (a count, a word count) never pays for it.
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
  /** The writing record's context (headers …), opaque here; handed to the flush listener. */
  readonly recordContext?: unknown;
  readonly size: number;
}

/** A dirty entry as a flush took it (later writes to the key replace the entry, not this). */
export interface DirtySnapshot<M> {
  readonly entry: CacheEntry<M>;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly recordContext?: unknown;
}

export type CacheTree<M> = InstanceType<typeof BTree<string, CacheEntry<M>>>;

/**
 * One cached key, on two lists: the LRU list runs from the least (head) to the most (tail) recently
 * used key; the dirty list holds the dirty keys in the order of their latest write.
 */
interface LruNode<M> {
  entry: CacheEntry<M>;
  prev: LruNode<M> | undefined;
  next: LruNode<M> | undefined;
  dirty: boolean;
  dirtyPrev: LruNode<M> | undefined;
  dirtyNext: LruNode<M> | undefined;
}

export class NamedCache<M> {
  /** Key order; undefined until the first range read. */
  private tree: CacheTree<M> | undefined;
  // A linked list, not Map insertion order: V8 Maps keep deleted slots until they rehash, so
  // "first entry" after many deletions at the front costs O(deleted) — evicting became O(n).
  private readonly nodes = new Map<string, LruNode<M>>();
  private head: LruNode<M> | undefined;
  private tail: LruNode<M> | undefined;
  private dirtyHead: LruNode<M> | undefined;
  private dirtyTail: LruNode<M> | undefined;

  constructor(private readonly pool: CacheMemoryPool) {}

  get size(): number {
    return this.nodes.size;
  }

  overBudget(): boolean {
    return this.pool.usedBytes() > this.pool.maxBytes;
  }

  /** Looks an entry up and marks it most recently used. */
  get(sortKey: string): CacheEntry<M> | undefined {
    const node = this.nodes.get(sortKey);
    if (node === undefined) return undefined;
    this.moveToTail(node);
    return node.entry;
  }

  put(sortKey: string, meta: M, value: Buffer | null, timestamp: number, dirty: boolean, recordContext?: unknown): void {
    const size = sortKey.length + (value?.length ?? 0) + CACHE_ENTRY_OVERHEAD_BYTES;
    const entry: CacheEntry<M> = { sortKey, meta, value, timestamp, size, recordContext };
    const node = this.nodes.get(sortKey);
    this.pool.reserve(size - (node?.entry.size ?? 0));
    this.tree?.set(sortKey, entry);
    let target: LruNode<M>;
    if (node === undefined) {
      target = { entry, prev: this.tail, next: undefined, dirty: false, dirtyPrev: undefined, dirtyNext: undefined };
      if (this.tail === undefined) this.head = target;
      else this.tail.next = target;
      this.tail = target;
      this.nodes.set(sortKey, target);
    } else {
      target = node;
      node.entry = entry;
      this.moveToTail(node);
    }
    // as Kafka's NamedCache: a key dirtied again moves to the end, so a flush sends keys in the order
    // of their latest writes (a clean write to a dirty key keeps it dirty, in place)
    if (dirty) {
      if (target.dirty) this.unlinkDirty(target);
      this.appendDirty(target);
    }
  }

  isDirty(entry: CacheEntry<M>): boolean {
    const node = this.nodes.get(entry.sortKey);
    return node !== undefined && node.dirty && node.entry === entry;
  }

  /** The least recently used entry. */
  eldest(): CacheEntry<M> | undefined {
    return this.head?.entry;
  }

  /** Takes every dirty entry, in the order of their latest writes, and marks them clean. */
  takeDirty(): DirtySnapshot<M>[] {
    const out: DirtySnapshot<M>[] = [];
    for (let n = this.dirtyHead; n !== undefined; ) {
      const { entry } = n;
      out.push({ entry, value: entry.value, timestamp: entry.timestamp, recordContext: entry.recordContext });
      const next = n.dirtyNext;
      n.dirty = false;
      n.dirtyPrev = n.dirtyNext = undefined;
      n = next;
    }
    this.dirtyHead = this.dirtyTail = undefined;
    return out;
  }

  /** After a flush wrote them: forget deletions nobody wrote to again meanwhile. */
  dropFlushedTombstones(flushed: readonly DirtySnapshot<M>[]): void {
    for (const { entry } of flushed) {
      if (entry.value !== null) continue;
      const node = this.nodes.get(entry.sortKey);
      if (node !== undefined && !node.dirty && node.entry === entry) this.remove(entry.sortKey);
    }
  }

  /** Removes a clean entry (a dirty one must be flushed first). */
  remove(sortKey: string): void {
    const node = this.nodes.get(sortKey);
    if (node === undefined) return;
    this.unlink(node);
    if (node.dirty) this.unlinkDirty(node);
    this.nodes.delete(sortKey);
    this.tree?.delete(sortKey);
    this.pool.reserve(-node.entry.size);
  }

  /** A copy-on-write snapshot for iterators. */
  snapshot(): CacheTree<M> {
    if (this.tree === undefined) {
      const sorted = [...this.nodes.values()].map((n): [string, CacheEntry<M>] => [n.entry.sortKey, n.entry]);
      sorted.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.tree = new BTree<string, CacheEntry<M>>(sorted);
    }
    return this.tree.clone();
  }

  /** Drops everything, dirty entries included, and returns the memory to the pool. */
  clear(): void {
    let bytes = 0;
    for (const node of this.nodes.values()) bytes += node.entry.size;
    this.pool.reserve(-bytes);
    this.nodes.clear();
    this.head = this.tail = undefined;
    this.dirtyHead = this.dirtyTail = undefined;
    this.tree = undefined;
  }

  private moveToTail(node: LruNode<M>): void {
    if (this.tail === node) return;
    this.unlink(node);
    node.prev = this.tail;
    node.next = undefined;
    if (this.tail === undefined) this.head = node;
    else this.tail.next = node;
    this.tail = node;
  }

  private appendDirty(node: LruNode<M>): void {
    node.dirty = true;
    node.dirtyPrev = this.dirtyTail;
    node.dirtyNext = undefined;
    if (this.dirtyTail === undefined) this.dirtyHead = node;
    else this.dirtyTail.dirtyNext = node;
    this.dirtyTail = node;
  }

  private unlinkDirty(node: LruNode<M>): void {
    if (node.dirtyPrev === undefined) this.dirtyHead = node.dirtyNext;
    else node.dirtyPrev.dirtyNext = node.dirtyNext;
    if (node.dirtyNext === undefined) this.dirtyTail = node.dirtyPrev;
    else node.dirtyNext.dirtyPrev = node.dirtyPrev;
    node.dirty = false;
    node.dirtyPrev = node.dirtyNext = undefined;
  }

  private unlink(node: LruNode<M>): void {
    if (node.prev === undefined) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = undefined;
  }
}
