// Owns the read-only view of one store partition that queries get (never the processors' writable
// store): only the read operations, each checking that the store is still open and turning an error
// of a store closed under it (its task moved away) into StateStoreMigratedError. A facade variant
// drops the timestamps of a timestamped store's values (Kafka's ReadOnlyKeyValueStoreFacade and
// ReadOnlyWindowStoreFacade, used when a plain keyValueStore()/windowStore() type asks).
import type { Serde } from '@sluice/serdes';
import type {
  KeyValue,
  KeyValueIterator,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  StateStore,
  ValueAndTimestamp,
  WindowedIterator,
  WindowedKeyValue,
  WindowStoreIterator,
} from '@sluice/state';
import { StateStoreMigratedError } from './errors.js';
import { mapIterator, type ClosableIterator } from './iterators.js';

/** Any read-only store view a query hands out. */
export type ReadOnlyStore = ReadOnlyKeyValueStore<unknown, unknown> | ReadOnlyWindowStore<unknown, unknown> | ReadOnlySessionStore<unknown, unknown>;

type ValueFn = (v: unknown) => unknown;
const same: ValueFn = (v) => v;
const withoutTimestamp: ValueFn = (v) => (v as ValueAndTimestamp<unknown>).value;

class Guard {
  constructor(
    private readonly store: StateStore,
    private readonly where: string,
  ) {}

  migrated(cause?: unknown): StateStoreMigratedError {
    return new StateStoreMigratedError(
      `${this.where} was closed: its task moved to another worker or is being rebuilt; find the store's current host (queryMetadataForKey / streamsMetadataForStore) and retry`,
      cause === undefined ? {} : { cause },
    );
  }

  private check(): void {
    if (!this.store.isOpen()) throw this.migrated();
  }

  async call<R>(fn: () => Promise<R>): Promise<R> {
    this.check();
    try {
      return await fn();
    } catch (err) {
      throw this.store.isOpen() ? err : this.migrated(err);
    }
  }

  /** Every entry is checked too: an entry read after the store closed may be from a state that moved on. */
  iterator<A, B>(open: () => ClosableIterator<A>, fn: (a: A) => B): ClosableIterator<B> {
    this.check();
    const checked = (a: A): B => {
      this.check();
      return fn(a);
    };
    return mapIterator(open(), checked, (err) => (this.store.isOpen() ? err : this.migrated(err)));
  }
}

function describe(store: StateStore, partition: number | undefined): string {
  return partition === undefined ? `store '${store.name}'` : `partition ${partition} of store '${store.name}'`;
}

/** A read-only view of a key-value store partition; `timestamped` drops the stored timestamps. */
export function readOnlyKeyValueStore(store: ReadOnlyKeyValueStore<unknown, unknown> & StateStore, partition: number | undefined, dropTimestamps: boolean): ReadOnlyKeyValueStore<unknown, unknown> {
  const g = new Guard(store, describe(store, partition));
  const tv = dropTimestamps ? withoutTimestamp : same;
  const kv = (e: KeyValue<unknown, unknown>): KeyValue<unknown, unknown> => ({ key: e.key, value: tv(e.value) });
  return {
    name: store.name,
    get: (key) => g.call(async () => {
      const v = await store.get(key);
      return v === undefined ? undefined : tv(v);
    }),
    range: (from, to) => g.iterator(() => store.range(from, to), kv) as KeyValueIterator<unknown, unknown>,
    reverseRange: (from, to) => g.iterator(() => store.reverseRange(from, to), kv) as KeyValueIterator<unknown, unknown>,
    all: () => g.iterator(() => store.all(), kv) as KeyValueIterator<unknown, unknown>,
    reverseAll: () => g.iterator(() => store.reverseAll(), kv) as KeyValueIterator<unknown, unknown>,
    prefixScan: <P>(prefix: P, prefixSerde: Serde<P>) => g.iterator(() => store.prefixScan(prefix, prefixSerde), kv) as KeyValueIterator<unknown, unknown>,
    approximateNumEntries: () => g.call(() => store.approximateNumEntries()),
  };
}

/** A read-only view of a window store partition; `dropTimestamps` for a timestamped store read as a plain one. */
export function readOnlyWindowStore(store: ReadOnlyWindowStore<unknown, unknown> & StateStore, partition: number | undefined, dropTimestamps: boolean): ReadOnlyWindowStore<unknown, unknown> {
  const g = new Guard(store, describe(store, partition));
  const tv = dropTimestamps ? withoutTimestamp : same;
  const at = (e: KeyValue<number, unknown>): KeyValue<number, unknown> => ({ key: e.key, value: tv(e.value) });
  const win = (e: WindowedKeyValue<unknown, unknown>): WindowedKeyValue<unknown, unknown> => ({ key: e.key, value: tv(e.value) });
  const view = {
    name: store.name,
    fetch(...args: unknown[]): unknown {
      if (args.length <= 2) return g.call(async () => {
        const v = await store.fetch(args[0], args[1] as number);
        return v === undefined ? undefined : tv(v);
      });
      if (args.length === 3) return g.iterator(() => store.fetch(args[0], args[1] as number, args[2] as number), at) as WindowStoreIterator<unknown>;
      return g.iterator(() => store.fetch(args[0], args[1], args[2] as number, args[3] as number), win) as WindowedIterator<unknown, unknown>;
    },
    backwardFetch(...args: unknown[]): unknown {
      if (args.length === 3) return g.iterator(() => store.backwardFetch(args[0], args[1] as number, args[2] as number), at) as WindowStoreIterator<unknown>;
      return g.iterator(() => store.backwardFetch(args[0], args[1], args[2] as number, args[3] as number), win) as WindowedIterator<unknown, unknown>;
    },
    fetchAll: (from: number, to: number) => g.iterator(() => store.fetchAll(from, to), win) as WindowedIterator<unknown, unknown>,
    backwardFetchAll: (from: number, to: number) => g.iterator(() => store.backwardFetchAll(from, to), win) as WindowedIterator<unknown, unknown>,
    all: () => g.iterator(() => store.all(), win) as WindowedIterator<unknown, unknown>,
  };
  return view as unknown as ReadOnlyWindowStore<unknown, unknown>;
}

/** A read-only view of a session store partition. */
export function readOnlySessionStore(store: ReadOnlySessionStore<unknown, unknown> & StateStore, partition: number | undefined): ReadOnlySessionStore<unknown, unknown> {
  const g = new Guard(store, describe(store, partition));
  const win = (e: WindowedKeyValue<unknown, unknown>) => e;
  return {
    name: store.name,
    // both overloads: (key, earliestEnd, latestStart) and (keyFrom, keyTo, earliestEnd, latestStart)
    findSessions: ((...args: unknown[]) =>
      g.iterator(() => (store.findSessions as (...a: unknown[]) => WindowedIterator<unknown, unknown>)(...args), win) as WindowedIterator<unknown, unknown>) as ReadOnlySessionStore<unknown, unknown>['findSessions'],
    backwardFindSessions: (key, earliestEnd, latestStart) => g.iterator(() => store.backwardFindSessions(key, earliestEnd, latestStart), win) as WindowedIterator<unknown, unknown>,
    fetch: (key) => g.iterator(() => store.fetch(key), win) as WindowedIterator<unknown, unknown>,
    backwardFetch: (key) => g.iterator(() => store.backwardFetch(key), win) as WindowedIterator<unknown, unknown>,
    fetchSession: (key, start, end) => g.call(() => store.fetchSession(key, start, end)),
  };
}
