// Owns what the windowed aggregation processors share: the contract by which suppress() finds the
// grace period of the windowed aggregation upstream, the session-store forwarder (results stamped
// with the session end, as Kafka Streams' SessionCacheFlushListener does), and the late-record drop.
import type { CachedStateStore } from '@sluice/state';
import type { Windowed } from '@sluice/serdes';
import { Record } from '../../processor/record.js';
import { Headers } from '../../processor/headers.js';
import type { ProcessorContext } from '../../processor/api.js';
import { internalContext } from '../../engine/node-context.js';
import type { Change } from '../ktable/change.js';
import type { TableSupplier } from '../ktable/table-processors.js';

/** A windowed aggregation: suppress(untilWindowCloses) waits this long past a window's end. */
export interface WindowedTableSupplier extends TableSupplier {
  /** Grace period (time windows) or inactivity gap + grace (sessions), as Kafka's GraphGraceSearchUtil. */
  windowCloseDelayMs(): number;
}

export function isWindowedTableSupplier(s: unknown): s is WindowedTableSupplier {
  return typeof (s as Partial<WindowedTableSupplier> | null)?.windowCloseDelayMs === 'function';
}

/** Forwards session aggregates: through the cache's flush when caching, else each update. */
export class SessionForwarder<K, V> {
  private readonly caching: boolean;

  constructor(
    store: CachedStateStore<Windowed<K>, V>,
    private readonly ctx: ProcessorContext<Windowed<K>, Change<V>>,
    private readonly sendOldValues: boolean,
  ) {
    this.caching = store.setFlushListener(
      (r) =>
        ctx.forward(
          new Record(r.key, { newValue: r.newValue ?? null, oldValue: sendOldValues ? (r.oldValue ?? null) : null }, r.key.window.end, r.recordContext instanceof Headers ? r.recordContext : undefined),
        ),
      sendOldValues,
    );
  }

  /** The update of one session; the record is stamped with the session's end. */
  maybeForward(key: Windowed<K>, newValue: V | null, oldValue: V | null, headers?: Headers): void | Promise<void> {
    if (this.caching) return undefined;
    return this.ctx.forward(new Record(key, { newValue, oldValue: this.sendOldValues ? oldValue : null }, key.window.end, headers));
  }
}

/** Count and log (at debug, as the issue asks; Kafka logs at warn) a record too late for a window. */
export function dropLateRecord(ctx: unknown, detail: { timestamp: number; window: string; expiration: number; streamTime: number }): void {
  internalContext(ctx).droppedRecord(
    `record for expired window: timestamp=[${detail.timestamp}] window=${detail.window} expiration=[${detail.expiration}] streamTime=[${detail.streamTime}]`,
    'debug',
  );
}
