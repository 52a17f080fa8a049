// Owns the behaviour every caching layer shares (Kafka's record cache): writes stay in the cache
// (updates to one key between flushes collapse into one), a flush writes dirty entries below in the
// order they were first dirtied and then tells the flush listener, and when the worker's pool is
// over budget after a write the store evicts its least recently used entries, flushing first if the
// eldest is dirty (a flush writes all dirty entries, so the changelog keeps first-dirtied order).
// Also the lifecycle around the cache (init, flush, close, wipe) and the merge of cached entries
// with the store below for range queries. `M` is the key shape of both the cache and the store below.
import type { Sampled } from '@sluice/common';
import type { KeyValue, KeyValueIterator, StateStoreContext } from '../../store.js';
import { createCacheMemoryPool } from '../../cache-memory-pool.js';
import { mergeCacheAndStore } from '../cache/merged-iterator.js';
import { NamedCache, type CacheEntry, type DirtySnapshot } from '../cache/named-cache.js';
import type { BytesCachingLayer, BytesFlushListener, WipeableStore } from './layer-types.js';
import { WrappingLayer } from './wrapping-layer.js';
import { writeTime } from './write-time.js';

export abstract class CachingLayer<M, S extends WipeableStore> extends WrappingLayer<S> implements BytesCachingLayer<M> {
  private namedCache: NamedCache<M> | undefined;
  private listener: BytesFlushListener<M> | undefined;
  private sendOldValues = false;
  private flushChain: Promise<void> = Promise.resolve();
  /** Set while this store's flush runs; a listener that writes back into the store must not wait for it. */
  private flushing = false;
  /** hit-ratio of the record cache (debug level): hits over reads since the store opened. */
  private hitRatio: Sampled | undefined;
  private reads = 0;
  private hits = 0;

  /** Write a flushed batch to the layer below, in order. */
  protected abstract writeBelow(batch: readonly DirtySnapshot<M>[]): Promise<void>;
  /** The value below (for old values and to skip deleting what never existed). */
  protected abstract readBelow(meta: M): Promise<Buffer | undefined>;

  setBytesFlushListener(listener: BytesFlushListener<M>, sendOldValues: boolean): void {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
  }

  override async init(context: StateStoreContext): Promise<void> {
    // Without a worker cache every write is evicted at once: the store behaves as uncached but
    // still reports each update to the flush listener, so nothing is silently not forwarded.
    this.namedCache ??= new NamedCache<M>(context.cache ?? createCacheMemoryPool(0));
    this.hitRatio = context.metrics?.cache(this.name);
    await super.init(context);
  }

  override async flush(): Promise<void> {
    await this.flushCache();
    await this.inner.flush();
  }

  override async close(): Promise<void> {
    try {
      if (this.inner.isOpen()) await this.flushCache();
    } finally {
      this.clearCache();
      await this.inner.close();
    }
  }

  async wipe(): Promise<void> {
    this.clearCache();
    await this.inner.wipe();
  }

  protected get cache(): NamedCache<M> {
    if (this.namedCache === undefined) throw new Error('caching layer used before init');
    return this.namedCache;
  }

  /** A read looked in the cache (Kafka's NamedCache hit ratio). */
  protected countRead(hit: boolean): void {
    if (this.hitRatio === undefined) return;
    this.reads++;
    if (hit) this.hits++;
    this.hitRatio.record(this.hits / this.reads);
  }

  /** The context of the record being processed, kept with a cached write (headers reach downstream). */
  protected recordContext(): unknown {
    return this.context?.recordContext?.();
  }

  /** The timestamp of a write given none (see write-time.ts). */
  protected now(): number {
    return this.context === undefined ? 0 : writeTime(this.context);
  }

  /** Writes all dirty entries below. Serialized: a flush never overlaps another of the same store. */
  protected flushCache(): Promise<void> {
    if (this.flushing) return Promise.resolve();
    const run = this.flushChain.then(() => this.flushDirty());
    this.flushChain = run.catch(() => undefined);
    return run;
  }

  protected async maybeEvict(): Promise<void> {
    const cache = this.cache;
    if (this.flushing) return;
    while (cache.overBudget() && cache.size > 0) {
      const eldest = cache.eldest()!;
      if (cache.isDirty(eldest)) await this.flushCache();
      else cache.remove(eldest.sortKey);
    }
  }

  /** Drops the cache's content and memory (dirty entries are lost: use only on close after flush, or wipe). */
  protected clearCache(): void {
    this.namedCache?.clear();
  }

  /**
   * Merges cached entries (already cut to the query, in the store's order) with the store's own
   * iterator: `storeSortKey` gives a store entry's cache sort key; where both hold a key the cache wins.
   */
  protected mergeWithBelow(
    cache: Iterator<CacheEntry<M>>,
    below: KeyValueIterator<M, Buffer>,
    backward: boolean,
    storeSortKey: (kv: KeyValue<M, Buffer>) => string,
  ): KeyValueIterator<M, Buffer> {
    return mergeCacheAndStore({ cache, store: below, backward, storeSortKey, fromCache: cachedKeyValue, fromStore: storedKeyValue });
  }

  private async flushDirty(): Promise<void> {
    const cache = this.cache;
    const batch = cache.takeDirty();
    if (batch.length === 0) return;
    this.flushing = true;
    try {
      const listener = this.listener;
      if (listener === undefined) {
        await this.writeBelow(batch);
      } else {
        const toWrite: DirtySnapshot<M>[] = [];
        const oldValues: (Buffer | null)[] = [];
        for (const d of batch) {
          const old = d.value === null || this.sendOldValues ? ((await this.readBelow(d.entry.meta)) ?? null) : null;
          // Deleting a key that exists neither below nor in the cache: nothing to write or forward.
          if (d.value === null && old === null) continue;
          toWrite.push(d);
          oldValues.push(this.sendOldValues ? old : null);
        }
        await this.writeBelow(toWrite);
        for (let i = 0; i < toWrite.length; i++) {
          const d = toWrite[i]!;
          await listener(d.entry.meta, d.value, oldValues[i]!, d.timestamp, d.recordContext);
        }
      }
    } finally {
      this.flushing = false;
    }
    cache.dropFlushedTombstones(batch);
  }
}

function cachedKeyValue<M>(entry: CacheEntry<M>, value: Buffer): KeyValue<M, Buffer> {
  return { key: entry.meta, value };
}

function storedKeyValue<M>(kv: KeyValue<M, Buffer>): KeyValue<M, Buffer> {
  return kv;
}
