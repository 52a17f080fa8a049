// Owns the async iterator plumbing shared by all stores: a base class with idempotent close, and the
// combinators (map/filter, concatenation over segments, the empty iterator) stores are built from.
import type { KeyValue, KeyValueIterator } from '../store.js';

type Step<K, V> = KeyValue<K, V> | undefined;
const DONE = Object.freeze({ done: true as const, value: undefined });

/**
 * An iterator that pulls one entry at a time from `advance()` and releases its resources exactly once:
 * when exhausted, when closed, or when a `for await` loop exits early (`return()`).
 */
export abstract class BaseKvIterator<K, V> implements KeyValueIterator<K, V> {
  private finished = false;

  /** The next entry, or undefined at the end. */
  protected abstract advance(): Promise<Step<K, V>> | Step<K, V>;

  /** Free native iterators, snapshots, registrations. Called at most once. */
  protected release(): Promise<void> | void {}

  async next(): Promise<IteratorResult<KeyValue<K, V>, undefined>> {
    if (this.finished) return DONE;
    let step: Step<K, V>;
    try {
      step = await this.advance();
    } catch (err) {
      await this.close();
      throw err;
    }
    if (step === undefined) {
      await this.close();
      return DONE;
    }
    return { done: false, value: step };
  }

  async return(): Promise<IteratorResult<KeyValue<K, V>, undefined>> {
    await this.close();
    return DONE;
  }

  async close(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.release();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

class EmptyIterator<K, V> extends BaseKvIterator<K, V> {
  protected advance(): undefined {
    return undefined;
  }
}

export function emptyIterator<K, V>(): KeyValueIterator<K, V> {
  return new EmptyIterator<K, V>();
}

/** Wraps a synchronous iterator (an in-memory snapshot). */
class SyncSourceIterator<K, V> extends BaseKvIterator<K, V> {
  constructor(
    private readonly source: Iterator<KeyValue<K, V>>,
    private readonly onClose: (() => void) | undefined,
  ) {
    super();
  }
  protected advance(): Step<K, V> {
    const r = this.source.next();
    return r.done ? undefined : r.value;
  }
  protected override release(): void {
    this.onClose?.();
  }
}

export function fromSyncIterator<K, V>(source: Iterator<KeyValue<K, V>>, onClose?: () => void): KeyValueIterator<K, V> {
  return new SyncSourceIterator(source, onClose);
}

/** Maps each entry; returning undefined skips it. */
class MappedIterator<K, V, K2, V2> extends BaseKvIterator<K2, V2> {
  constructor(
    private readonly inner: KeyValueIterator<K, V>,
    private readonly fn: (kv: KeyValue<K, V>) => Step<K2, V2>,
  ) {
    super();
  }
  protected async advance(): Promise<Step<K2, V2>> {
    for (;;) {
      const r = await this.inner.next();
      if (r.done) return undefined;
      const mapped = this.fn(r.value);
      if (mapped !== undefined) return mapped;
    }
  }
  protected override release(): Promise<void> {
    return this.inner.close();
  }
}

export function mapIterator<K, V, K2, V2>(inner: KeyValueIterator<K, V>, fn: (kv: KeyValue<K, V>) => Step<K2, V2>): KeyValueIterator<K2, V2> {
  return new MappedIterator(inner, fn);
}

/**
 * Iterates already-created iterators one after another (each took its snapshot when created), and
 * closes the ones not yet consumed when closed early.
 */
class ConcatIterator<K, V> extends BaseKvIterator<K, V> {
  private index = 0;

  constructor(private readonly parts: readonly KeyValueIterator<K, V>[]) {
    super();
  }

  protected async advance(): Promise<Step<K, V>> {
    while (this.index < this.parts.length) {
      const r = await this.parts[this.index]!.next();
      if (!r.done) return r.value;
      this.index++;
    }
    return undefined;
  }

  protected override async release(): Promise<void> {
    const rest = this.parts.slice(this.index);
    this.index = this.parts.length;
    await Promise.all(rest.map((it) => it.close()));
  }
}

export function concatIterators<K, V>(parts: readonly KeyValueIterator<K, V>[]): KeyValueIterator<K, V> {
  if (parts.length === 1) return parts[0]!;
  return new ConcatIterator(parts);
}

/** Reads every entry and closes the iterator; for tests, tools and small scans. */
export async function drain<K, V>(iterator: KeyValueIterator<K, V>): Promise<KeyValue<K, V>[]> {
  const out: KeyValue<K, V>[] = [];
  try {
    for await (const kv of iterator) out.push(kv);
  } finally {
    await iterator.close();
  }
  return out;
}

/**
 * The iterators a store has handed out and not yet seen closed, so closing the store can close them
 * first (a native iterator outliving its database is a use-after-free in the binding).
 */
export class OpenIterators {
  private readonly open = new Set<KeyValueIterator<unknown, unknown>>();

  track<K, V>(iterator: KeyValueIterator<K, V>): KeyValueIterator<K, V> {
    const set = this.open;
    set.add(iterator);
    const close = iterator.close.bind(iterator);
    iterator.close = async () => {
      set.delete(iterator);
      await close();
    };
    return iterator;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open];
    this.open.clear();
    await Promise.all(all.map((it) => it.close()));
  }
}
