// Owns what every layer of a store stack shares with the store it wraps (Kafka's WrappedStateStore):
// the name and persistence of the store below, init remembering the context before the store below is
// initialized, and flush, close and isOpen passed straight through. A layer overrides only what it adds.
import type { StateStore, StateStoreContext } from '../../store.js';

export abstract class WrappingLayer<S extends StateStore> implements StateStore {
  readonly name: string;
  readonly persistent: boolean;
  /** The context this layer was initialized with (undefined before init). */
  protected context: StateStoreContext | undefined;

  constructor(protected readonly inner: S) {
    this.name = inner.name;
    this.persistent = inner.persistent;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context;
    await this.inner.init(context);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  isOpen(): boolean {
    return this.inner.isOpen();
  }
}
