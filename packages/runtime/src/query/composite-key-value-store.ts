// Owns the key-value view over every local partition of a store that a query may read (Kafka's
// CompositeReadOnlyKeyValueStore). The partitions are looked up again on each call, so a view stays
// usable across rebalances and fails (retriably) while it cannot answer. Unlike Kafka, which chains
// the partitions' iterators, ranges come back merged in the store's key order (key bytes) across
// partitions, as a single store would return them.
import type { Serde } from '@sluice/serdes';
import type { KeyValue, KeyValueIterator, ReadOnlyKeyValueStore } from '@sluice/state';
import { mapIterator, mergeIterators, type ClosableIterator } from './iterators.js';
import type { QueryableStoreType, StateStoreProvider } from './queryable-store-types.js';

type KvStore = ReadOnlyKeyValueStore<unknown, unknown>;
type Keyed = { readonly kv: KeyValue<unknown, unknown>; readonly bytes: Buffer };

export function requireKey(what: string, key: unknown): void {
  if (key === undefined || key === null) throw new TypeError(`${what} needs a key; got ${String(key)}`);
}

export class CompositeReadOnlyKeyValueStore<K, V> implements ReadOnlyKeyValueStore<K, V> {
  constructor(
    private readonly provider: StateStoreProvider,
    private readonly type: QueryableStoreType<unknown>,
    readonly name: string,
  ) {}

  async get(key: K): Promise<V | undefined> {
    requireKey(`get() on store '${this.name}'`, key);
    for (const { store } of this.stores()) {
      const v = await store.get(key);
      if (v !== undefined) return v as V;
    }
    return undefined;
  }

  range(from: K | undefined, to: K | undefined): KeyValueIterator<K, V> {
    return this.merged((s) => s.range(from, to), false);
  }

  reverseRange(from: K | undefined, to: K | undefined): KeyValueIterator<K, V> {
    return this.merged((s) => s.reverseRange(from, to), true);
  }

  all(): KeyValueIterator<K, V> {
    return this.merged((s) => s.all(), false);
  }

  reverseAll(): KeyValueIterator<K, V> {
    return this.merged((s) => s.reverseAll(), true);
  }

  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): KeyValueIterator<K, V> {
    requireKey(`prefixScan() on store '${this.name}'`, prefix);
    return this.merged((s) => s.prefixScan(prefix, prefixSerde), false);
  }

  async approximateNumEntries(): Promise<number> {
    let total = 0;
    for (const { store } of this.stores()) total += await store.approximateNumEntries();
    return Math.min(total, Number.MAX_SAFE_INTEGER);
  }

  private stores() {
    return this.provider.stores<KvStore>(this.name, this.type);
  }

  private merged(open: (s: KvStore) => KeyValueIterator<unknown, unknown>, descending: boolean): KeyValueIterator<K, V> {
    const stores = this.stores();
    if (stores.length === 1) return open(stores[0]!.store) as KeyValueIterator<K, V>;
    const sources: ClosableIterator<Keyed>[] = [];
    try {
      for (const { store } of stores) sources.push(mapIterator(open(store), (kv) => ({ kv, bytes: this.provider.keyBytes(this.name, kv.key) })));
    } catch (err) {
      for (const s of sources) void s.close().catch(() => undefined);
      throw err;
    }
    const sign = descending ? -1 : 1;
    const merged = mergeIterators(sources, (a, b) => sign * Buffer.compare(a.bytes, b.bytes));
    return mapIterator(merged, (k) => k.kv) as KeyValueIterator<K, V>;
  }
}
