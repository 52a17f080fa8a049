// Owns forwarding the updates of a KTable processor that writes a store: with caching, the cache
// forwards when it flushes or evicts (latest value per key); without, every update is forwarded.
import { Record } from '../../processor/record.js';
import { Headers } from '../../processor/headers.js';
import type { ProcessorContext } from '../../processor/api.js';
import type { CachedStateStore, ValueAndTimestamp } from '@sluice/state';
import type { Change } from './change.js';

export class TimestampedForwarder<K, V> {
  private readonly caching: boolean;

  constructor(
    store: CachedStateStore<K, ValueAndTimestamp<V>>,
    private readonly ctx: ProcessorContext<K, Change<V>>,
    sendOldValues: boolean,
  ) {
    this.caching = store.setFlushListener(
      (r) =>
        ctx.forward(
          new Record(
            r.key,
            { newValue: r.newValue?.value ?? null, oldValue: sendOldValues ? (r.oldValue?.value ?? null) : null },
            r.newValue?.timestamp ?? r.timestamp,
            // the headers of the record that made the update, as Kafka Streams' cache keeps its context
            r.recordContext instanceof Headers ? r.recordContext : undefined,
          ),
        ),
      sendOldValues,
    );
  }

  maybeForward(record: Record<K, Change<V>>): void | Promise<void> {
    if (this.caching) return undefined;
    return this.ctx.forward(record);
  }
}
