// Owns the caching layer of key-value stores: reads go through the cache, writes stay in it until a
// flush or an eviction, and iterators merge a snapshot of the cache with the store below.
import type { KeyValue, KeyValueIterator } from '../../store.js';
import { prefixUpperBound, sortKey } from '../bytes.js';
import { cacheRange } from '../cache/merged-iterator.js';
import type { DirtySnapshot } from '../cache/named-cache.js';
import { emptyIterator } from '../iterators.js';
import { CachingLayer } from './caching-layer.js';
import type { KeyValueBytesLayer, SyncCachedBytes, TimestampedEntry } from './layer-types.js';

export class CachingKeyValueStore extends CachingLayer<Buffer, KeyValueBytesLayer> implements KeyValueBytesLayer, SyncCachedBytes {
  async get(key: Buffer): Promise<Buffer | undefined> {
    const sk = sortKey(key);
    const hit = this.cache.get(sk);
    this.countRead(hit !== undefined);
    if (hit !== undefined) return hit.value ?? undefined;
    const value = await this.inner.get(key);
    // A write may have landed in the cache while we read below; it is newer than what we read.
    const raced = this.cache.get(sk);
    if (raced !== undefined) return raced.value ?? undefined;
    if (value !== undefined) {
      this.cache.put(sk, key, value, this.now(), false);
      await this.maybeEvict();
    }
    return value;
  }

  /** The cached value of `key` (null: a cached deletion), or undefined when the cache does not hold it. */
  getCached(key: Buffer): Buffer | null | undefined {
    const hit = this.cache.get(sortKey(key));
    if (hit === undefined) return undefined; // the get() that follows a miss counts the read
    this.countRead(true);
    return hit.value;
  }

  /** put() without a promise unless the write pushes the worker's cache over budget (then it evicts). */
  putCached(key: Buffer, value: Buffer | null, timestamp?: number): void | Promise<void> {
    this.cache.put(sortKey(key), key, value, timestamp ?? this.now(), true, this.recordContext());
    return this.cache.overBudget() ? this.maybeEvict() : undefined;
  }

  async put(key: Buffer, value: Buffer | null, timestamp?: number): Promise<void> {
    this.cache.put(sortKey(key), key, value, timestamp ?? this.now(), true, this.recordContext());
    await this.maybeEvict();
  }

  async putAll(entries: readonly TimestampedEntry[]): Promise<void> {
    for (const e of entries) this.cache.put(sortKey(e.key), e.key, e.value, e.timestamp ?? this.now(), true, this.recordContext());
    await this.maybeEvict();
  }

  async delete(key: Buffer, timestamp?: number): Promise<Buffer | undefined> {
    const old = await this.get(key);
    await this.put(key, null, timestamp);
    return old;
  }

  range(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    return this.merged(from, to, false, false);
  }

  reverseRange(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    return this.merged(from, to, true, false);
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    return this.merged(prefix, prefixUpperBound(prefix), false, true);
  }

  approximateNumEntries(): Promise<number> {
    return this.inner.approximateNumEntries();
  }

  protected async writeBelow(batch: readonly DirtySnapshot<Buffer>[]): Promise<void> {
    if (batch.length === 0) return;
    await this.inner.putAll(batch.map((d) => ({ key: d.entry.meta, value: d.value, timestamp: d.timestamp })));
  }

  protected readBelow(key: Buffer): Promise<Buffer | undefined> {
    return this.inner.get(key);
  }

  /** `prefix`: `to` is the exclusive upper bound of a prefix scan rather than an inclusive one. */
  private merged(from: Buffer | undefined, to: Buffer | undefined, backward: boolean, prefix: boolean): KeyValueIterator<Buffer, Buffer> {
    if (!prefix && from !== undefined && to !== undefined && Buffer.compare(from, to) > 0) return emptyIterator();
    const lo = from === undefined ? undefined : sortKey(from);
    const hi = to === undefined ? undefined : sortKey(to);
    const store = prefix ? this.inner.prefixScan(from!) : backward ? this.inner.reverseRange(from, to) : this.inner.range(from, to);
    const entries = cacheRange(this.cache.snapshot(), lo, hi, backward);
    const cache = prefix && hi !== undefined ? skipKey(entries, hi) : entries;
    return this.mergeWithBelow(cache, store, backward, storeSortKey);
  }
}

function storeSortKey(kv: KeyValue<Buffer, Buffer>): string {
  return sortKey(kv.key);
}

function* skipKey<T extends { sortKey: string }>(entries: Iterable<T>, excluded: string): Generator<T> {
  for (const e of entries) if (e.sortKey !== excluded) yield e;
}
