// Owns what windowed aggregations need to emit on window close (Kafka Streams' EmitStrategy
// ON_WINDOW_CLOSE): the throttle (at most one scan of closed windows per emit interval of wall-clock
// time, Kafka's internal "__emit.interval.ms.kstreams.windowed.aggregation__", default 1000 ms), and
// the last window close time emitted. Kafka keeps that time in processor metadata committed with
// the offsets; Sluice keeps it in a small change-logged store of the aggregation
// (<store>-emit-metadata), written in the same commit (transaction under exactly-once) as the
// window store, so a restarted task neither repeats nor skips final results.
import type { KeyValueStore } from '@sluice/state';
import type { ProcessorContext } from '../../processor/api.js';

export const EMIT_INTERVAL_CONFIG = '__emit.interval.ms.kstreams.windowed.aggregation__';
const DEFAULT_EMIT_INTERVAL_MS = 1000;

/** The name of the store keeping an emit-on-close aggregation's last emitted window close time. */
export function emitMetadataStoreName(windowStoreName: string): string {
  return `${windowStoreName}-emit-metadata`;
}

/**
 * How much longer than its retention an emit-on-close store keeps windows: Kafka's segmented stores
 * drop whole segments (at least a minute, or half the retention), so a closed window is still there
 * when the next throttled scan emits it; Sluice's stores expire windows to the millisecond.
 */
export function emitOnCloseRetention(retentionMs: number): number {
  return retentionMs + Math.max(Math.floor(retentionMs / 2), 60_000);
}

export class WindowCloseEmitter {
  /** -1 (Kafka's NO_TIMESTAMP) until the first emit. */
  lastEmitWindowCloseTime = -1;
  private nextTimeToEmit = 0;
  private emitIntervalMs = DEFAULT_EMIT_INTERVAL_MS;
  private metadata!: KeyValueStore<string, number>;

  constructor(private readonly windowStoreName: string) {}

  async init(ctx: ProcessorContext<unknown, unknown>): Promise<void> {
    this.metadata = ctx.getStateStore<KeyValueStore<string, number>>(emitMetadataStoreName(this.windowStoreName));
    this.lastEmitWindowCloseTime = (await this.metadata.get(this.windowStoreName)) ?? -1;
    const configured = ctx.appConfigs[EMIT_INTERVAL_CONFIG];
    if (configured !== undefined) {
      const ms = Number(configured);
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${EMIT_INTERVAL_CONFIG} must be a non-negative number of milliseconds, got ${String(configured)}`);
      this.emitIntervalMs = ms;
    }
  }

  /** Kafka's shouldEmitFinal: the throttle allows a scan now, and the close time has moved on. */
  shouldEmit(windowCloseTime: number, now: number): boolean {
    if (now < this.nextTimeToEmit) return false;
    this.nextTimeToEmit = now + this.emitIntervalMs;
    return this.lastEmitWindowCloseTime === -1 || this.lastEmitWindowCloseTime < windowCloseTime;
  }

  async emitted(windowCloseTime: number): Promise<void> {
    this.lastEmitWindowCloseTime = windowCloseTime;
    await this.metadata.put(this.windowStoreName, windowCloseTime);
  }
}
