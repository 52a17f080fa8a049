// Owns the worker-thread side of remote-store.ts: it answers the main thread's reads of the stores of
// this thread's tasks — a read operation on the task's store (only reads: never a write), an
// iterator's next page, closing an iterator. Iterators the main thread forgets are closed after a
// minute without use, so a dropped query holds no store iterator open.
import { describeError, type Logger } from '@sluice/common';
import type { StateStore } from '@sluice/state';
import type { Serde } from '@sluice/serdes';
import { StateStoreMigratedError } from '../query/errors.js';
import type { RuntimeTask } from '../query/interactive-queries.js';
import type { IteratorPage, StoreCall } from './thread-messages.js';

const READS = new Set(['get', 'approximateNumEntries', 'fetchSession', 'range', 'reverseRange', 'all', 'reverseAll', 'prefixScan', 'fetch', 'backwardFetch', 'fetchAll', 'backwardFetchAll', 'findSessions', 'backwardFindSessions']);
const IDLE_MS = 60_000;

/** A prefix already serialized by the caller: scanned for as the bytes it is. */
const PREFIX_BYTES: Serde<Buffer> = { name: 'prefix-bytes', serialize: (_t, b) => b, deserialize: (_t, b) => b };

interface OpenCursor {
  readonly it: AsyncIterator<unknown> & { close?(): Promise<void> };
  used: number;
}

export class StoreServer {
  private readonly cursors = new Map<number, OpenCursor>();
  private nextCursor = 1;

  constructor(
    private readonly tasks: { active(): RuntimeTask[]; standby(): RuntimeTask[] },
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  async handle(call: StoreCall): Promise<unknown> {
    this.expire();
    if (call.kind === 'next') return this.page(call.cursor, call.max);
    if (call.kind === 'close') {
      await this.closeCursor(call.cursor);
      return undefined;
    }
    if (!READS.has(call.method)) throw new TypeError(`'${call.method}' is not a read operation of a store; queries only read`);
    const task = (call.standby ? this.tasks.standby() : this.tasks.active()).find((t) => t.id === call.taskId);
    const store = task?.task.stores.get(call.store);
    if (store === undefined || !store.isOpen()) {
      throw new StateStoreMigratedError(`store '${call.store}' of task ${call.taskId} is no longer open in this stream thread (the task moved or is being rebuilt); find the store's current host and retry`, {
        context: { store: call.store, task: call.taskId },
      });
    }
    const args = call.method === 'prefixScan' ? [call.args[0], PREFIX_BYTES] : call.args;
    const result = (store as unknown as Record<string, (...a: unknown[]) => unknown>)[call.method]!.apply(store as StateStore, args);
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') return await (result as Promise<unknown>);
    const cursor = this.nextCursor++;
    this.cursors.set(cursor, { it: result as OpenCursor['it'], used: this.now() });
    return this.page(cursor, 256);
  }

  /** Closes every open iterator (the thread is closing). */
  async closeAll(): Promise<void> {
    for (const id of [...this.cursors.keys()]) await this.closeCursor(id);
  }

  private async page(cursor: number, max: number): Promise<IteratorPage> {
    const open = this.cursors.get(cursor);
    if (open === undefined) throw new StateStoreMigratedError(`the iterator was closed (unused for ${IDLE_MS / 1000} s, or its store closed); run the query again`);
    open.used = this.now();
    const entries: unknown[] = [];
    try {
      while (entries.length < max) {
        const r = await open.it.next();
        if (r.done === true) {
          await this.closeCursor(cursor);
          return { cursor, entries, done: true };
        }
        entries.push(r.value);
      }
    } catch (err) {
      await this.closeCursor(cursor);
      throw err;
    }
    return { cursor, entries, done: false };
  }

  private async closeCursor(cursor: number): Promise<void> {
    const open = this.cursors.get(cursor);
    if (open === undefined) return;
    this.cursors.delete(cursor);
    await open.it.close?.().catch((err: unknown) => this.logger.warn(`closing a store iterator a query left open failed: ${describeError(err)}`));
  }

  private expire(): void {
    const now = this.now();
    for (const [id, c] of this.cursors) if (now - c.used > IDLE_MS) void this.closeCursor(id);
  }
}
