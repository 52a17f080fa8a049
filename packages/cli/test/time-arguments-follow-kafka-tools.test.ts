// --to-datetime and --by-duration read times as Kafka's tools do (ISO-8601, UTC without a zone;
// Java Duration), plus short durations; anything else is refused with the format to use.
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../src/io.js';
import { parseDateTime, parseDuration, parseWholeNumber } from '../src/time-arguments.js';

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(ExitCode.USAGE);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('time arguments', () => {
  it('reads date-times as UTC unless they name a zone', () => {
    expect(parseDateTime('--to-datetime', '2026-11-26T10:15:00.000')).toBe(Date.UTC(2026, 10, 26, 10, 15, 0, 0));
    expect(parseDateTime('--to-datetime', '2026-11-26T10:15:00.5Z')).toBe(Date.UTC(2026, 10, 26, 10, 15, 0, 500));
    expect(parseDateTime('--to-datetime', '2026-11-26T10:15:00.000+01:00')).toBe(Date.UTC(2026, 10, 26, 9, 15));
    expect(parseDateTime('--to-datetime', '2026-11-26T10:15:00-0230')).toBe(Date.UTC(2026, 10, 26, 12, 45));
    expect(parseDateTime('--to-datetime', '2026-11-26T10:15:00+08')).toBe(Date.UTC(2026, 10, 26, 2, 15));
  });

  it('refuses dates that do not exist or are not ISO-8601', () => {
    expect(usage(() => parseDateTime('--to-datetime', '2026-02-30T00:00:00'))).toBe("--to-datetime '2026-02-30T00:00:00' is not a valid date-time");
    expect(usage(() => parseDateTime('--to-datetime', '26.11.2026'))).toContain('use ISO-8601 like 2026-11-26T10:15:00.000');
    expect(usage(() => parseDateTime('--to-datetime', '2026-11-26T24:00:00'))).toContain('is not a valid date-time');
  });

  it('reads Java durations and short forms', () => {
    expect(parseDuration('--by-duration', 'PT1H30M')).toBe(90 * 60_000);
    expect(parseDuration('--by-duration', 'P2D')).toBe(2 * 86_400_000);
    expect(parseDuration('--by-duration', 'P1DT0.5S')).toBe(86_400_000 + 500);
    expect(parseDuration('--by-duration', 'pt10m')).toBe(600_000);
    expect(parseDuration('--by-duration', '90s')).toBe(90_000);
    expect(parseDuration('--by-duration', '2h')).toBe(7_200_000);
    expect(parseDuration('--by-duration', '7d')).toBe(7 * 86_400_000);
    expect(parseDuration('--by-duration', '250ms')).toBe(250);
  });

  it('refuses empty, zero and unknown durations', () => {
    for (const bad of ['P', 'PT', '1 hour', '-PT1H', '5w']) expect(usage(() => parseDuration('--by-duration', bad))).toContain('is not a duration');
    expect(usage(() => parseDuration('--by-duration', 'PT0S'))).toBe("--by-duration 'PT0S' must be longer than zero");
  });

  it('reads whole numbers with a lower bound', () => {
    expect(parseWholeNumber('--to-offset', '42')).toBe(42);
    expect(parseWholeNumber('--shift-by', '-5', Number.MIN_SAFE_INTEGER)).toBe(-5);
    expect(usage(() => parseWholeNumber('--to-offset', '-1'))).toBe("--to-offset must be a whole number ≥ 0, got '-1'");
    expect(usage(() => parseWholeNumber('--limit', '0', 1))).toBe("--limit must be a whole number ≥ 1, got '0'");
    expect(usage(() => parseWholeNumber('--partition', '1.5'))).toContain('must be a whole number');
  });
});
