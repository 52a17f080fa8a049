// Owns the in-memory key-value bytes store: a B+ tree keyed by the latin1 form of the key bytes (same
// order as unsigned byte comparison). Iterators walk a copy-on-write clone, so writes made while an
// iterator is open never disturb it (they are not visible to it either).
import { StateStoreError, ErrorCodes } from '@sluice/common';
import type { KeyValue, KeyValueBytesStore, KeyValueIterator, StateStoreContext } from '../../store.js';
import { BTree } from '../btree.js';
import { sortKey, prefixUpperBound } from '../bytes.js';
import { emptyIterator, fromSyncIterator } from '../iterators.js';

type Tree = InstanceType<typeof BTree<string, KeyValue<Buffer, Buffer>>>;

/** Ranges up to this many entries are copied out at once instead of iterated over a clone of the tree. */
const SMALL_RANGE = 32;

/** What one entry costs beyond its key and value bytes (two Buffers, the latin1 sort key, a tree slot). */
export const ENTRY_OVERHEAD_BYTES = 160;

function entryBytes(key: Buffer, value: Buffer): number {
  return key.length * 2 + value.length + ENTRY_OVERHEAD_BYTES;
}

export class InMemoryKeyValueStore implements KeyValueBytesStore {
  readonly persistent = false;
  private tree: Tree = new BTree<string, KeyValue<Buffer, Buffer>>();
  private open = false;
  private bytes = 0;

  constructor(readonly name: string) {}

  async init(_context: StateStoreContext): Promise<void> {
    this.open = true;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.open = false;
    this.tree = new BTree<string, KeyValue<Buffer, Buffer>>();
    this.bytes = 0;
  }

  isOpen(): boolean {
    return this.open;
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    this.checkOpen();
    return this.tree.get(sortKey(key))?.value;
  }

  async put(key: Buffer, value: Buffer | null): Promise<void> {
    this.checkOpen();
    this.write(key, value);
  }

  async putAll(entries: readonly KeyValue<Buffer, Buffer | null>[]): Promise<void> {
    this.checkOpen();
    for (const e of entries) this.write(e.key, e.value);
  }

  async delete(key: Buffer): Promise<Buffer | undefined> {
    this.checkOpen();
    const k = sortKey(key);
    const old = this.tree.get(k);
    if (old !== undefined) this.write(key, null);
    return old?.value;
  }

  range(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    this.checkOpen();
    return this.scan(from === undefined ? undefined : sortKey(from), to === undefined ? undefined : sortKey(to), false, true);
  }

  reverseRange(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    this.checkOpen();
    return this.scan(from === undefined ? undefined : sortKey(from), to === undefined ? undefined : sortKey(to), true, true);
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    this.checkOpen();
    const upper = prefixUpperBound(prefix);
    return this.scan(sortKey(prefix), upper === undefined ? undefined : sortKey(upper), false, false);
  }

  async approximateNumEntries(): Promise<number> {
    this.checkOpen();
    return this.tree.size;
  }

  async wipe(): Promise<void> {
    this.tree = new BTree<string, KeyValue<Buffer, Buffer>>();
    this.bytes = 0;
  }

  /**
   * The entries in [from, to] (inclusive; undefined = open), copied out now: the synchronous read of
   * a small range (a key's windows). Keys are ordered by their bytes, descending when `reverse`.
   */
  rangeSync(from: Buffer | undefined, to: Buffer | undefined, reverse: boolean): KeyValue<Buffer, Buffer>[] {
    this.checkOpen();
    const lo = from === undefined ? undefined : sortKey(from);
    const hi = to === undefined ? undefined : sortKey(to);
    if (lo !== undefined && hi !== undefined && lo > hi) return [];
    return [...(reverse ? descending(this.tree, lo, hi, true) : ascending(this.tree, lo, hi, true))];
  }

  /** Key and value bytes held, plus `ENTRY_OVERHEAD_BYTES` per entry: what the store costs in memory, roughly. */
  get approximateBytes(): number {
    return this.bytes;
  }

  private write(key: Buffer, value: Buffer | null): void {
    const k = sortKey(key);
    const old = this.tree.get(k);
    if (old !== undefined) this.bytes -= entryBytes(old.key, old.value);
    if (value === null) {
      if (old !== undefined) this.tree.delete(k);
    } else {
      this.tree.set(k, { key, value });
      this.bytes += entryBytes(key, value);
    }
  }

  /** `lo` inclusive; `hi` inclusive or exclusive per `hiInclusive`. */
  private scan(lo: string | undefined, hi: string | undefined, reverse: boolean, hiInclusive: boolean): KeyValueIterator<Buffer, Buffer> {
    if (lo !== undefined && hi !== undefined && (lo > hi || (lo === hi && !hiInclusive))) return emptyIterator();
    // A small range (a key's windows, say) is copied out now, which is its snapshot; cloning the tree
    // instead would make the next write copy the nodes on its path, for every lookup.
    const walk = reverse ? descending(this.tree, lo, hi, hiInclusive) : ascending(this.tree, lo, hi, hiInclusive);
    const head: KeyValue<Buffer, Buffer>[] = [];
    for (let step = walk.next(); !step.done; step = walk.next()) {
      head.push(step.value);
      if (head.length > SMALL_RANGE) {
        const snapshot = this.tree.clone();
        return fromSyncIterator(reverse ? descending(snapshot, lo, hi, hiInclusive) : ascending(snapshot, lo, hi, hiInclusive));
      }
    }
    return fromSyncIterator(head[Symbol.iterator]());
  }

  private checkOpen(): void {
    if (!this.open) {
      throw new StateStoreError(`store '${this.name}' is not open; it is initialised by the task that owns it (was it closed?)`, {
        code: ErrorCodes.STATE_STORE_CLOSED,
        context: { store: this.name },
      });
    }
  }
}

function* ascending(tree: Tree, lo: string | undefined, hi: string | undefined, hiInclusive: boolean): Generator<KeyValue<Buffer, Buffer>> {
  for (const [k, kv] of tree.entries(lo)) {
    if (hi !== undefined && (k > hi || (k === hi && !hiInclusive))) return;
    yield kv;
  }
}

function* descending(tree: Tree, lo: string | undefined, hi: string | undefined, hiInclusive: boolean): Generator<KeyValue<Buffer, Buffer>> {
  // entriesReversed(highest, reusedArray, skipHighest) starts at the largest key <= highest.
  for (const [k, kv] of tree.entriesReversed(hi, undefined, !hiInclusive)) {
    if (lo !== undefined && k < lo) return;
    yield kv;
  }
}
