// Owns what the metered layers share (Kafka's Metered*Store, the metrics half; serdes stay in the
// typed layers): at init the layer asks the task's metrics for its store sensors, which exist only at
// the debug recording level — below it every operation goes straight to the layer below, so the
// default level pays one field test per call. Latencies are timed from the call to the promise
// settling; iterators from creation to close (or their end), as Kafka measures range and all.
import { monotonicMs, type Sampled, type StoreMetrics } from '@sluice/common';
import type { ChangelogRecord, KeyValueIterator, RestoreCallback, StateStore, StateStoreContext } from '../../store.js';
import type { StoreType } from '../../store-builder.js';
import { writeTime } from './write-time.js';
import { WrappingLayer } from './wrapping-layer.js';

export type StoreKind = 'key-value' | 'window' | 'session';

/** Kafka's store scope for the metrics tag `<scope>-id`, e.g. 'rocksdb-state', 'in-memory-window-state'. */
export function storeScope(type: StoreType, kind: StoreKind): string {
  const t = type === 'in_memory' ? 'in-memory' : type;
  return kind === 'key-value' ? `${t}-state` : `${t}-${kind}-state`;
}

export abstract class MeteredLayer<S extends StateStore> extends WrappingLayer<S> {
  /** The store's sensors; undefined below the debug recording level. */
  metrics: StoreMetrics | undefined;

  constructor(
    inner: S,
    private readonly scope: string,
  ) {
    super(inner);
  }

  override async init(context: StateStoreContext): Promise<void> {
    this.metrics = context.metrics?.store(this.name, this.scope);
    await super.init(context);
  }

  override flush(): Promise<void> {
    const m = this.metrics;
    return m === undefined ? this.inner.flush() : timed(m.flush, this.inner.flush());
  }

  /** record-e2e-latency of a write (trace level): the task's wall-clock time − the record's timestamp. */
  protected written(m: StoreMetrics): void {
    if (m.e2e !== undefined && this.context !== undefined) m.e2e.record(m.task.now - writeTime(this.context));
  }
}

/** `p`, with its latency recorded in `sensor` once it settles. */
export function timed<T>(sensor: Sampled, p: Promise<T>): Promise<T> {
  const t0 = monotonicMs();
  const done = () => sensor.record(monotonicMs() - t0);
  return p.then(
    (v) => {
      done();
      return v;
    },
    (err: unknown) => {
      done();
      throw err;
    },
  );
}

/** `it`, with the time from now to its close (or end) recorded in `sensor`. */
export function timedIterator<K, V>(sensor: Sampled, it: KeyValueIterator<K, V>): KeyValueIterator<K, V> {
  const t0 = monotonicMs();
  let open = true;
  const done = () => {
    if (!open) return;
    open = false;
    sensor.record(monotonicMs() - t0);
  };
  const wrapped: KeyValueIterator<K, V> = {
    async next() {
      const r = await it.next();
      if (r.done === true) done();
      return r;
    },
    async return(value?: unknown) {
      done();
      return it.return ? it.return(value) : { done: true, value: undefined };
    },
    async close() {
      done();
      await it.close();
    },
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  return wrapped;
}

/** The store's restore callback, each batch timed in the store's restore sensor and counted in its task's restore (or, for a standby, update) total. */
export function meteredRestore(restore: RestoreCallback, layer: { readonly metrics: StoreMetrics | undefined }): RestoreCallback {
  return (batch: readonly ChangelogRecord[]) => {
    const m = layer.metrics;
    if (m === undefined) return restore(batch);
    m.task.restored?.mark(batch.length);
    return timed(m.restore, restore(batch));
  };
}
