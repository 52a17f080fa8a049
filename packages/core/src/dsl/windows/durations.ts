// Owns the validation of the millisecond durations that window specifications take, so every
// window kind rejects the same bad input with the same kind of message.
import { ConfigError } from '@sluice/common';

/** A non-negative safe integer number of milliseconds, or a ConfigError naming the argument. */
export function checkDurationMs(what: string, ms: unknown, example: string): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
    throw new ConfigError(`${what} must be a non-negative integer number of milliseconds, got ${String(ms)}; for example ${example}`, {
      context: { [what]: ms },
    });
  }
  return ms;
}
