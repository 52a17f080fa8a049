// Owns the iterator plumbing of interactive queries over several store partitions: mapping each
// entry, merging sorted iterators into one sorted iterator (key order across partitions), chaining
// them one after another, and taking the first that is not empty. Every combinator closes what it
// opened exactly once: at the end, on close(), when a for-await loop exits early, or on an error.

/** The shape of every store iterator (KeyValueIterator, WindowStoreIterator, WindowedIterator). */
export interface ClosableIterator<T> extends AsyncIterableIterator<T> {
  close(): Promise<void>;
}

const DONE = Object.freeze({ done: true as const, value: undefined });

abstract class BaseIterator<T> implements ClosableIterator<T> {
  private finished = false;

  /** The next item, or END at the end. */
  protected abstract advance(): Promise<T | typeof END>;
  protected abstract release(): Promise<void>;

  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.finished) return DONE;
    let item: T | typeof END;
    try {
      item = await this.advance();
    } catch (err) {
      await this.close().catch(() => undefined);
      throw err;
    }
    if (item === END) {
      await this.close();
      return DONE;
    }
    return { done: false, value: item };
  }

  async return(): Promise<IteratorResult<T, undefined>> {
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

const END: unique symbol = Symbol('end');

async function closeAll(its: readonly ClosableIterator<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(its.map((it) => it.close()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

class MappedIterator<A, B> extends BaseIterator<B> {
  constructor(
    private readonly source: ClosableIterator<A>,
    private readonly fn: (a: A) => B,
    private readonly onError: (err: unknown) => unknown,
  ) {
    super();
  }
  protected async advance(): Promise<B | typeof END> {
    let r: IteratorResult<A>;
    try {
      r = await this.source.next();
    } catch (err) {
      throw this.onError(err);
    }
    return r.done ? END : this.fn(r.value);
  }
  protected release(): Promise<void> {
    return this.source.close();
  }
}

/** Each entry through `fn`; an error of the source goes through `onError` (which returns what to throw). */
export function mapIterator<A, B>(source: ClosableIterator<A>, fn: (a: A) => B, onError: (err: unknown) => unknown = (e) => e): ClosableIterator<B> {
  return new MappedIterator(source, fn, onError);
}

class MergedIterator<T> extends BaseIterator<T> {
  private heads: (T | typeof END | undefined)[];

  constructor(
    private readonly sources: readonly ClosableIterator<T>[],
    private readonly compare: (a: T, b: T) => number,
  ) {
    super();
    this.heads = sources.map(() => undefined);
  }

  protected async advance(): Promise<T | typeof END> {
    // fill every empty head side by side: each partition's read goes out at once
    await Promise.all(
      this.heads.map(async (h, i) => {
        if (h === undefined) {
          const r = await this.sources[i]!.next();
          this.heads[i] = r.done ? END : r.value;
        }
      }),
    );
    let best = -1;
    for (let i = 0; i < this.heads.length; i++) {
      const h = this.heads[i];
      if (h === END || h === undefined) continue;
      if (best < 0 || this.compare(h, this.heads[best] as T) < 0) best = i;
    }
    if (best < 0) return END;
    const item = this.heads[best] as T;
    this.heads[best] = undefined;
    return item;
  }

  protected release(): Promise<void> {
    return closeAll(this.sources);
  }
}

/** One iterator over sorted `sources`, in `compare` order (each source must already be in that order). */
export function mergeIterators<T>(sources: readonly ClosableIterator<T>[], compare: (a: T, b: T) => number): ClosableIterator<T> {
  return new MergedIterator(sources, compare);
}

class ChainedIterator<T, S> extends BaseIterator<T> {
  private index = 0;
  private current: ClosableIterator<T> | undefined;

  constructor(
    private readonly stores: readonly S[],
    private readonly open: (store: S) => ClosableIterator<T>,
  ) {
    super();
  }

  protected async advance(): Promise<T | typeof END> {
    for (;;) {
      if (this.current === undefined) {
        if (this.index >= this.stores.length) return END;
        this.current = this.open(this.stores[this.index++]!);
      }
      const r = await this.current.next();
      if (!r.done) return r.value;
      await this.current.close();
      this.current = undefined;
    }
  }

  protected async release(): Promise<void> {
    await this.current?.close();
    this.current = undefined;
  }
}

/** The entries of each store's iterator, one store after another (opened lazily, as Kafka's CompositeKeyValueIterator). */
export function chainIterators<T, S>(stores: readonly S[], open: (store: S) => ClosableIterator<T>): ClosableIterator<T> {
  return new ChainedIterator(stores, open);
}

class FirstNonEmptyIterator<T, S> extends BaseIterator<T> {
  private chosen: ClosableIterator<T> | undefined;
  private pending: T | typeof END | undefined;
  private index = 0;

  constructor(
    private readonly stores: readonly S[],
    private readonly open: (store: S) => ClosableIterator<T>,
  ) {
    super();
  }

  protected async advance(): Promise<T | typeof END> {
    while (this.chosen === undefined) {
      if (this.index >= this.stores.length) return END;
      const it = this.open(this.stores[this.index++]!);
      const r = await it.next();
      if (r.done) {
        await it.close();
        continue;
      }
      this.chosen = it;
      this.pending = r.value;
    }
    if (this.pending !== undefined) {
      const item = this.pending;
      this.pending = undefined;
      return item;
    }
    const r = await this.chosen.next();
    return r.done ? END : r.value;
  }

  protected async release(): Promise<void> {
    await this.chosen?.close();
  }
}

/**
 * The entries of the first store whose iterator is not empty. For one key, which lives in one
 * partition only (Kafka's composite window and session stores do the same).
 */
export function firstNonEmpty<T, S>(stores: readonly S[], open: (store: S) => ClosableIterator<T>): ClosableIterator<T> {
  return new FirstNonEmptyIterator(stores, open);
}
