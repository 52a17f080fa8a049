// Owns the state stores of one task (the part of Kafka's ProcessorStateManager that lives with the
// task; registering and restoring them is the runtime's): built fresh from their builders in the
// order the sub-topology first uses them, initialised with the context the runtime gives (which
// registers them for restore), flushed at commit — a cache forwards what it holds, and a processor
// failing on that is named with the store — and closed.
import { ProcessingError, describeError } from '@sluice/common';
import type { StateStore, StateStoreContext } from '@sluice/state';
import type { SubtopologyDef, Topology } from '../topology/topology.js';
import { NodeFailure } from './nodes.js';
import type { PendingForwards } from './pending-forwards.js';

export class TaskStores {
  private readonly stores = new Map<string, StateStore>();

  constructor(
    private readonly taskId: string,
    private readonly topology: Topology,
    private readonly subtopology: SubtopologyDef,
    private readonly pending: PendingForwards,
  ) {}

  /** The initialised stores by name, in the order they were built. */
  get all(): ReadonlyMap<string, StateStore> {
    return this.stores;
  }

  get(name: string): StateStore | undefined {
    return this.stores.get(name);
  }

  /** Builds the stores and initialises them with `context`, in the order the sub-topology's nodes first use them. */
  async init(context: StateStoreContext): Promise<void> {
    const order = this.subtopology.stores
      .map((name) => ({ name, first: this.subtopology.nodes.findIndex((n) => [...this.topology.stores.get(name)!.users].includes(n)) }))
      .sort((a, b) => a.first - b.first);
    for (const { name } of order) {
      const store = this.topology.stores.get(name)!.builder.build();
      await store.init(context);
      this.stores.set(name, store);
    }
  }

  /** Flush every store (caches forward what they hold), in topological order. */
  async flush(): Promise<void> {
    for (const store of this.stores.values()) {
      try {
        await store.flush();
        await this.pending.drain();
      } catch (err) {
        if (!(err instanceof NodeFailure)) throw err;
        // a processor reached through the cache's forwarding failed: say which, and why
        throw new ProcessingError(`processor '${err.nodeName}' in task ${this.taskId} failed on a record forwarded by the cache of store '${store.name}' at commit: ${describeError(err.error)}`, {
          cause: err.error,
          context: { taskId: this.taskId, node: err.nodeName, store: store.name },
        });
      }
    }
  }

  /** Closes every store still open; what fails is added to `errors`. */
  async close(errors: unknown[]): Promise<void> {
    for (const store of this.stores.values()) {
      try {
        if (store.isOpen()) await store.close();
      } catch (err) {
        errors.push(err);
      }
    }
  }
}
