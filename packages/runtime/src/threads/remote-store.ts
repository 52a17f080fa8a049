// Owns how the main thread reads a store partition that a stream thread on a worker thread holds: a
// stand-in StateStore whose read operations are calls to that thread (store-server.ts answers them)
// — one message per get, pages of entries per iterator. Queries wrap it in the same read-only views
// as a local store. Keys and values cross by structured cloning: plain data, Buffers and windowed
// keys arrive as they were; instances of the application's own classes arrive as plain objects.
import type { Serde } from '@sluice/serdes';
import type { QueryableStoreKind, StateStore } from '@sluice/state';
import { reviveEntry, reviveValue, type IteratorPage, type StoreCall } from './thread-messages.js';

/** Methods that answer with a promise; every other read method opens an iterator (window fetch: by its arguments). */
const PROMISED = new Set(['get', 'approximateNumEntries', 'fetchSession']);
const ITERATING = new Set(['range', 'reverseRange', 'all', 'reverseAll', 'prefixScan', 'fetch', 'backwardFetch', 'fetchAll', 'backwardFetchAll', 'findSessions', 'backwardFindSessions']);
const PAGE = 256;

export type StoreCaller = (call: StoreCall) => Promise<unknown>;

export interface RemoteStoreOptions {
  readonly name: string;
  readonly taskId: string;
  readonly standby: boolean;
  readonly kind: QueryableStoreKind | undefined;
  /** The serde topic a prefix is serialized for (the store's changelog name). */
  readonly serdeTopic: string;
  /** Whether the thread still holds the task (as of its last report). */
  readonly open: () => boolean;
  readonly call: StoreCaller;
}

export function remoteStore(o: RemoteStoreOptions): StateStore {
  const windows = o.kind === 'session' ? 'session' : o.kind === 'window' || o.kind === 'timestampedWindow' ? 'time' : undefined;
  const base: StateStore = {
    name: o.name,
    persistent: true,
    init: () => Promise.reject(new Error(`store '${o.name}' of task ${o.taskId} lives in another stream thread and cannot be initialised here`)),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    isOpen: o.open,
  };
  const target = base as unknown as Record<string, unknown>;
  const callOf = (method: string, args: unknown[]): StoreCall => ({ kind: 'call', taskId: o.taskId, standby: o.standby, store: o.name, method, args });
  for (const method of PROMISED) {
    target[method] = async (...args: unknown[]) => reviveValue(await o.call(callOf(method, args)));
  }
  for (const method of ITERATING) {
    target[method] = (...args: unknown[]) => {
      if (method === 'fetch' && args.length === 2 && windows === 'time') return o.call(callOf(method, args)).then(reviveValue);
      // a prefix is serialized here, where its serde is: the other thread scans for its bytes
      const sent = method === 'prefixScan' ? [(args[1] as Serde<unknown>).serialize(o.serdeTopic, args[0])] : args;
      return new RemotePages(o.call, callOf(method, sent), (e) => reviveEntry(e, windows));
    };
  }
  return base;
}

/** An iterator over pages the other thread sends; closing it lets go of the thread's iterator. */
class RemotePages implements AsyncIterableIterator<unknown> {
  private buffer: unknown[] = [];
  private cursor: number | undefined;
  private done = false;
  private opened = false;

  constructor(
    private readonly call: StoreCaller,
    private readonly open: StoreCall,
    private readonly revive: (e: unknown) => unknown,
  ) {}

  async next(): Promise<IteratorResult<unknown>> {
    while (this.buffer.length === 0) {
      if (this.done) return { done: true, value: undefined };
      const page = (await this.call(this.opened ? { kind: 'next', cursor: this.cursor!, max: PAGE } : this.open)) as IteratorPage;
      this.opened = true;
      this.cursor = page.cursor;
      this.buffer = page.entries;
      this.done = page.done;
    }
    return { done: false, value: this.revive(this.buffer.shift()) };
  }

  async return(): Promise<IteratorResult<unknown>> {
    await this.close();
    return { done: true, value: undefined };
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.buffer = [];
    if (this.cursor !== undefined) await this.call({ kind: 'close', cursor: this.cursor });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }
}
