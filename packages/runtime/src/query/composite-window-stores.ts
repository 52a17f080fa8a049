// Owns the window and session views over every local partition of a store that a query may read
// (Kafka's CompositeReadOnlyWindowStore and CompositeReadOnlySessionStore). One key lives in one
// partition, so a key's windows or sessions come from the first partition that has any; key ranges
// and whole-store scans chain the partitions one after another, as Kafka does.
import type { ReadOnlySessionStore, ReadOnlyWindowStore, WindowedIterator, WindowStoreIterator } from '@sluice/state';
import { requireKey } from './composite-key-value-store.js';
import { chainIterators, firstNonEmpty, type ClosableIterator } from './iterators.js';
import type { QueryableStoreType, StateStoreProvider } from './queryable-store-types.js';

type WinStore = ReadOnlyWindowStore<unknown, unknown>;
type SesStore = ReadOnlySessionStore<unknown, unknown>;

abstract class Composite<S> {
  constructor(
    protected readonly provider: StateStoreProvider,
    protected readonly type: QueryableStoreType<unknown>,
    readonly name: string,
  ) {}

  protected stores(): S[] {
    return this.provider.stores<S>(this.name, this.type).map((p) => p.store);
  }

  /** The first partition's answer that is not undefined. */
  protected async first<R>(ask: (s: S) => Promise<R | undefined>): Promise<R | undefined> {
    for (const s of this.stores()) {
      const v = await ask(s);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

export class CompositeReadOnlyWindowStore extends Composite<WinStore> {
  fetch(...args: unknown[]): Promise<unknown> | WindowStoreIterator<unknown> | WindowedIterator<unknown, unknown> {
    if (args.length <= 2) {
      requireKey(`fetch() on window store '${this.name}'`, args[0]);
      return this.first((s) => s.fetch(args[0], args[1] as number));
    }
    if (args.length === 3) {
      requireKey(`fetch() on window store '${this.name}'`, args[0]);
      return firstNonEmpty(this.stores(), (s) => s.fetch(args[0], args[1] as number, args[2] as number) as ClosableIterator<never>) as WindowStoreIterator<unknown>;
    }
    return chainIterators(this.stores(), (s) => s.fetch(args[0], args[1], args[2] as number, args[3] as number) as ClosableIterator<never>) as WindowedIterator<unknown, unknown>;
  }

  backwardFetch(...args: unknown[]): WindowStoreIterator<unknown> | WindowedIterator<unknown, unknown> {
    if (args.length === 3) {
      requireKey(`backwardFetch() on window store '${this.name}'`, args[0]);
      return firstNonEmpty(this.stores(), (s) => s.backwardFetch(args[0], args[1] as number, args[2] as number) as ClosableIterator<never>) as WindowStoreIterator<unknown>;
    }
    return chainIterators(this.stores(), (s) => s.backwardFetch(args[0], args[1], args[2] as number, args[3] as number) as ClosableIterator<never>) as WindowedIterator<unknown, unknown>;
  }

  fetchAll(timeFrom: number, timeTo: number): WindowedIterator<unknown, unknown> {
    return chainIterators(this.stores(), (s) => s.fetchAll(timeFrom, timeTo)) as WindowedIterator<unknown, unknown>;
  }

  backwardFetchAll(timeFrom: number, timeTo: number): WindowedIterator<unknown, unknown> {
    return chainIterators(this.stores(), (s) => s.backwardFetchAll(timeFrom, timeTo)) as WindowedIterator<unknown, unknown>;
  }

  all(): WindowedIterator<unknown, unknown> {
    return chainIterators(this.stores(), (s) => s.all()) as WindowedIterator<unknown, unknown>;
  }
}

export class CompositeReadOnlySessionStore extends Composite<SesStore> implements ReadOnlySessionStore<unknown, unknown> {
  findSessions(key: unknown, earliestSessionEndTime: number, latestSessionStartTime: number): WindowedIterator<unknown, unknown> {
    requireKey(`findSessions() on session store '${this.name}'`, key);
    return firstNonEmpty(this.stores(), (s) => s.findSessions(key, earliestSessionEndTime, latestSessionStartTime)) as WindowedIterator<unknown, unknown>;
  }

  backwardFindSessions(key: unknown, earliestSessionEndTime: number, latestSessionStartTime: number): WindowedIterator<unknown, unknown> {
    requireKey(`backwardFindSessions() on session store '${this.name}'`, key);
    return firstNonEmpty(this.stores(), (s) => s.backwardFindSessions(key, earliestSessionEndTime, latestSessionStartTime)) as WindowedIterator<unknown, unknown>;
  }

  fetch(key: unknown): WindowedIterator<unknown, unknown> {
    requireKey(`fetch() on session store '${this.name}'`, key);
    return firstNonEmpty(this.stores(), (s) => s.fetch(key)) as WindowedIterator<unknown, unknown>;
  }

  backwardFetch(key: unknown): WindowedIterator<unknown, unknown> {
    requireKey(`backwardFetch() on session store '${this.name}'`, key);
    return firstNonEmpty(this.stores(), (s) => s.backwardFetch(key)) as WindowedIterator<unknown, unknown>;
  }

  fetchSession(key: unknown, sessionStartTime: number, sessionEndTime: number): Promise<unknown> {
    requireKey(`fetchSession() on session store '${this.name}'`, key);
    return this.first((s) => s.fetchSession(key, sessionStartTime, sessionEndTime));
  }
}
