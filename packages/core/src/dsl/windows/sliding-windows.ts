// Owns SlidingWindows: windows of a fixed length defined by the records themselves (Kafka Streams'
// SlidingWindows). Two records fall in a common window when their timestamps differ by at most the
// time difference; each record opens a window ending at it and one starting just after it.
import { ConfigError } from '@sluice/common';
import { checkDurationMs } from './durations.js';

export class SlidingWindows {
  private constructor(
    private readonly timeDifference: number,
    private readonly graceMs: number,
  ) {}

  /** Windows of `timeDifferenceMs`; records after a window's end are dropped (no grace period). */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /** Windows of `timeDifferenceMs` that accept out-of-order records until `afterWindowEndMs` past their end. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, afterWindowEndMs: number): SlidingWindows {
    const diff = checkDurationMs('window time difference', timeDifferenceMs, 'SlidingWindows.ofTimeDifferenceWithNoGrace(60_000)');
    const grace = checkDurationMs('grace period (afterWindowEnd)', afterWindowEndMs, 'SlidingWindows.ofTimeDifferenceAndGrace(60_000, 10_000)');
    // Kafka Streams accepts 0 here but then fails on the first record (a window cannot end where it starts)
    if (diff === 0) {
      throw new ConfigError('sliding window time difference must be at least 1 ms (a window of 0 ms would end where it starts); use SlidingWindows.ofTimeDifferenceWithNoGrace(1) or more');
    }
    return new SlidingWindows(diff, grace);
  }

  timeDifferenceMs(): number {
    return this.timeDifference;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  equals(other: unknown): boolean {
    return other instanceof SlidingWindows && other.timeDifference === this.timeDifference && other.graceMs === this.graceMs;
  }

  toString(): string {
    return `SlidingWindows{timeDifferenceMs=${this.timeDifference}, graceMs=${this.graceMs}}`;
  }
}
