// Owns JoinWindows: how far apart in time two records of a stream-stream join may be (before and
// after the record of this stream) and the grace period after which a window closes, so that
// left/outer joins emit their unmatched records (Kafka Streams' JoinWindows).
import { ConfigError } from '@sluice/common';
import { checkDurationMs } from '../windows/durations.js';

function checkSignedMs(what: string, ms: unknown, example: string): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms)) {
    throw new ConfigError(`${what} must be an integer number of milliseconds, got ${String(ms)}; for example ${example}`, { context: { [what]: ms } });
  }
  return ms;
}

export class JoinWindows {
  private constructor(
    /** How much earlier a record of the other stream may be (may be negative, with before + after >= 0). */
    readonly beforeMs: number,
    /** How much later a record of the other stream may be. */
    readonly afterMs: number,
    private readonly graceMs: number,
  ) {
    if (beforeMs + afterMs < 0) {
      throw new ConfigError(
        `join window interval (before ${beforeMs} ms + after ${afterMs} ms) must not be negative; ` +
          `for example JoinWindows.ofTimeDifferenceWithNoGrace(60_000).before(0) joins only records up to a minute later`,
      );
    }
  }

  /** Records join when at most `timeDifferenceMs` apart; out-of-order records are accepted until `afterWindowEndMs` past the window's end. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, afterWindowEndMs: number): JoinWindows {
    const diff = checkDurationMs('join window time difference', timeDifferenceMs, 'JoinWindows.ofTimeDifferenceAndGrace(60_000, 10_000)');
    const grace = checkDurationMs('join window grace period (afterWindowEnd)', afterWindowEndMs, 'JoinWindows.ofTimeDifferenceAndGrace(60_000, 10_000)');
    return new JoinWindows(diff, diff, grace);
  }

  /** Records join when at most `timeDifferenceMs` apart; no grace period. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /** Records of the other stream may be up to `timeDifferenceMs` earlier (the other bound is kept). */
  before(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(checkSignedMs('join window "before"', timeDifferenceMs, 'JoinWindows.ofTimeDifferenceWithNoGrace(60_000).before(0)'), this.afterMs, this.graceMs);
  }

  /** Records of the other stream may be up to `timeDifferenceMs` later (the other bound is kept). */
  after(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(this.beforeMs, checkSignedMs('join window "after"', timeDifferenceMs, 'JoinWindows.ofTimeDifferenceWithNoGrace(60_000).after(0)'), this.graceMs);
  }

  /** before + after: the window size of the join's window stores. */
  size(): number {
    return this.beforeMs + this.afterMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  toString(): string {
    return `JoinWindows{beforeMs=${this.beforeMs}, afterMs=${this.afterMs}, graceMs=${this.graceMs}}`;
  }
}
