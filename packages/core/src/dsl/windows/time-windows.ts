// Owns TimeWindows: fixed-size windows aligned to the epoch, tumbling (advance = size) or hopping
// (advance < size), and the grace period after a window's end during which out-of-order records
// are still added to it (Kafka Streams' TimeWindows).
import { ConfigError } from '@sluice/common';
import { TimeWindow } from '@sluice/serdes';
import { checkDurationMs } from './durations.js';

export class TimeWindows {
  private constructor(
    /** Window length in milliseconds. */
    readonly sizeMs: number,
    /** Distance between the starts of consecutive windows; equals sizeMs for tumbling windows. */
    readonly advanceMs: number,
    private readonly graceMs: number,
  ) {
    if (sizeMs <= 0) {
      throw new ConfigError(`window size must be larger than zero, got ${sizeMs} ms; for example TimeWindows.ofSizeWithNoGrace(60_000) for one-minute windows`);
    }
    if (advanceMs <= 0 || advanceMs > sizeMs) {
      throw new ConfigError(
        `window advance must be more than zero and at most the window size (${sizeMs} ms), got ${advanceMs} ms; ` +
          `use advanceBy(ms) with 0 < ms <= ${sizeMs} (ms = size gives tumbling windows)`,
      );
    }
  }

  /** Tumbling windows of `sizeMs`; records after a window's end are dropped (no grace period). */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` that accept out-of-order records until `afterWindowEndMs` past their end. */
  static ofSizeAndGrace(sizeMs: number, afterWindowEndMs: number): TimeWindows {
    const size = checkDurationMs('window size', sizeMs, 'TimeWindows.ofSizeWithNoGrace(60_000)');
    const grace = checkDurationMs('grace period (afterWindowEnd)', afterWindowEndMs, 'TimeWindows.ofSizeAndGrace(60_000, 10_000)');
    return new TimeWindows(size, size, grace);
  }

  /** Hopping windows: a new window starts every `advanceMs` (at most the window size). */
  advanceBy(advanceMs: number): TimeWindows {
    const advance = checkDurationMs('window advance', advanceMs, 'TimeWindows.ofSizeWithNoGrace(60_000).advanceBy(10_000)');
    return new TimeWindows(this.sizeMs, advance, this.graceMs);
  }

  /** The windows a record with this timestamp falls in, by window start, oldest first. */
  windowsFor(timestamp: number): Map<number, TimeWindow> {
    let windowStart = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    const windows = new Map<number, TimeWindow>();
    while (windowStart <= timestamp) {
      windows.set(windowStart, new TimeWindow(windowStart, windowStart + this.sizeMs));
      windowStart += this.advanceMs;
    }
    return windows;
  }

  size(): number {
    return this.sizeMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  equals(other: unknown): boolean {
    return other instanceof TimeWindows && other.sizeMs === this.sizeMs && other.advanceMs === this.advanceMs && other.graceMs === this.graceMs;
  }

  toString(): string {
    return `TimeWindows{sizeMs=${this.sizeMs}, advanceMs=${this.advanceMs}, graceMs=${this.graceMs}}`;
  }
}
