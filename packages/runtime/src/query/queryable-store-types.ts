// Owns QueryableStoreTypes (Kafka Streams' names): which kinds of store each query type accepts, the
// read-only view it gives of one local partition, and the composite view over all partitions a query
// may read on this worker (Kafka's CompositeReadOnly*Store). A timestamped store read with the plain
// type shows values without their timestamps, as in Kafka.
import type { QueryableStoreKind, ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore, StateStore, ValueAndTimestamp } from '@sluice/state';
import { CompositeReadOnlyKeyValueStore } from './composite-key-value-store.js';
import { CompositeReadOnlySessionStore, CompositeReadOnlyWindowStore } from './composite-window-stores.js';
import { readOnlyKeyValueStore, readOnlySessionStore, readOnlyWindowStore } from './read-only-stores.js';

/** One local store partition a query may read, as a read-only view. */
export interface LocalStorePartition<S> {
  readonly partition: number;
  readonly store: S;
}

/** Hands composite stores the local partitions they may read, each time they are used (Kafka's StateStoreProvider). */
export interface StateStoreProvider {
  /** The views of the local partitions; throws an InvalidStateStoreError when none may be read now. */
  stores<S>(storeName: string, type: QueryableStoreType<unknown>): LocalStorePartition<S>[];
  /** A key's bytes: the order stores keep their keys in (composite ranges merge by it). */
  keyBytes(storeName: string, key: unknown): Buffer;
}

export interface QueryableStoreType<T> {
  /** Kafka's name of the type, for messages ('keyValueStore', 'windowStore', ...). */
  readonly name: string;
  accepts(kind: QueryableStoreKind): boolean;
  /** The read-only view of one local partition of a store of an accepted kind. */
  view(store: StateStore, kind: QueryableStoreKind, partition: number | undefined): unknown;
  /** The view over every local partition the provider allows. */
  create(provider: StateStoreProvider, storeName: string): T;
}

type KvStore = ReadOnlyKeyValueStore<unknown, unknown> & StateStore;
type WinStore = ReadOnlyWindowStore<unknown, unknown> & StateStore;
type SesStore = ReadOnlySessionStore<unknown, unknown> & StateStore;

function keyValueType<K, V>(name: string, kinds: readonly QueryableStoreKind[], dropTimestamps: (kind: QueryableStoreKind) => boolean): QueryableStoreType<ReadOnlyKeyValueStore<K, V>> {
  return {
    name,
    accepts: (kind) => kinds.includes(kind),
    view: (store, kind, partition) => readOnlyKeyValueStore(store as KvStore, partition, dropTimestamps(kind)),
    create(provider, storeName) {
      return new CompositeReadOnlyKeyValueStore<K, V>(provider, this as QueryableStoreType<unknown>, storeName);
    },
  };
}

function windowType<K, V>(name: string, kinds: readonly QueryableStoreKind[], dropTimestamps: (kind: QueryableStoreKind) => boolean): QueryableStoreType<ReadOnlyWindowStore<K, V>> {
  return {
    name,
    accepts: (kind) => kinds.includes(kind),
    view: (store, kind, partition) => readOnlyWindowStore(store as WinStore, partition, dropTimestamps(kind)),
    create(provider, storeName) {
      return new CompositeReadOnlyWindowStore(provider, this as QueryableStoreType<unknown>, storeName) as unknown as ReadOnlyWindowStore<K, V>;
    },
  };
}

export const QueryableStoreTypes = {
  /** Key-value stores, timestamped ones included (their values without timestamps). */
  keyValueStore<K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, V>> {
    return keyValueType<K, V>('keyValueStore', ['keyValue', 'timestampedKeyValue'], (kind) => kind === 'timestampedKeyValue');
  },
  /** Timestamped key-value stores (DSL KTables), values with their timestamps. */
  timestampedKeyValueStore<K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>> {
    return keyValueType<K, ValueAndTimestamp<V>>('timestampedKeyValueStore', ['timestampedKeyValue'], () => false);
  },
  /** Window stores, timestamped ones included (their values without timestamps). */
  windowStore<K, V>(): QueryableStoreType<ReadOnlyWindowStore<K, V>> {
    return windowType<K, V>('windowStore', ['window', 'timestampedWindow'], (kind) => kind === 'timestampedWindow');
  },
  /** Timestamped window stores (DSL windowed aggregations), values with their timestamps. */
  timestampedWindowStore<K, V>(): QueryableStoreType<ReadOnlyWindowStore<K, ValueAndTimestamp<V>>> {
    return windowType<K, ValueAndTimestamp<V>>('timestampedWindowStore', ['timestampedWindow'], () => false);
  },
  sessionStore<K, V>(): QueryableStoreType<ReadOnlySessionStore<K, V>> {
    return {
      name: 'sessionStore',
      accepts: (kind) => kind === 'session',
      view: (store, _kind, partition) => readOnlySessionStore(store as SesStore, partition),
      create(provider, storeName) {
        return new CompositeReadOnlySessionStore(provider, this as QueryableStoreType<unknown>, storeName) as unknown as ReadOnlySessionStore<K, V>;
      },
    };
  },
};
