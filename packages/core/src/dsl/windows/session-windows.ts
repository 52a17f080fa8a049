// Owns SessionWindows: per-key windows of activity separated by an inactivity gap (Kafka Streams'
// SessionWindows). A record within the gap of a session joins it; one that bridges two sessions
// merges them.
import { ConfigError } from '@sluice/common';
import { checkDurationMs } from './durations.js';

export class SessionWindows {
  private constructor(
    private readonly gapMs: number,
    private readonly graceMs: number,
  ) {
    if (gapMs <= 0) {
      throw new ConfigError(`session inactivity gap must be larger than zero, got ${gapMs} ms; for example SessionWindows.ofInactivityGapWithNoGrace(300_000) for 5-minute sessions`);
    }
  }

  /** Sessions closed by `inactivityGapMs` without records; later records are dropped (no grace period). */
  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0);
  }

  /** Sessions that still accept out-of-order records until `afterWindowEndMs` past their close time. */
  static ofInactivityGapAndGrace(inactivityGapMs: number, afterWindowEndMs: number): SessionWindows {
    const gap = checkDurationMs('session inactivity gap', inactivityGapMs, 'SessionWindows.ofInactivityGapWithNoGrace(300_000)');
    const grace = checkDurationMs('grace period (afterWindowEnd)', afterWindowEndMs, 'SessionWindows.ofInactivityGapAndGrace(300_000, 60_000)');
    return new SessionWindows(gap, grace);
  }

  inactivityGap(): number {
    return this.gapMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  equals(other: unknown): boolean {
    return other instanceof SessionWindows && other.gapMs === this.gapMs && other.graceMs === this.graceMs;
  }

  toString(): string {
    return `SessionWindows{gapMs=${this.gapMs}, graceMs=${this.graceMs}}`;
  }
}
