// Owns what the caching layers of window and session stores share: the retention of the store below,
// mirrored so that queries never return a cached entry the store below would already have expired
// (measured from the largest time written through this layer), and the drop count of the store below.
import { CachingLayer } from './caching-layer.js';
import type { SessionBytesLayer, WindowBytesLayer } from './layer-types.js';

export abstract class SegmentedCachingLayer<M, S extends WindowBytesLayer | SessionBytesLayer> extends CachingLayer<M, S> {
  readonly retentionMs: number;
  protected observedStreamTime = Number.NEGATIVE_INFINITY;

  constructor(
    inner: S,
    protected readonly segmentIntervalMs: number,
  ) {
    super(inner);
    this.retentionMs = inner.retentionMs;
  }

  get droppedRecords(): number | undefined {
    return this.inner.droppedRecords;
  }

  override async wipe(): Promise<void> {
    this.observedStreamTime = Number.NEGATIVE_INFINITY;
    await super.wipe();
  }

  /** The oldest time still retained: anything earlier is expired. */
  protected minLiveTime(): number {
    return this.observedStreamTime - this.retentionMs + 1;
  }
}
