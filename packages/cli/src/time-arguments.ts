// Owns reading times from the command line as Kafka's tools do: --to-datetime takes ISO-8601
// (`2026-11-26T10:15:00.000`, UTC unless it names a zone, as Kafka's Utils.getDateTime), --by-duration
// takes Java's Duration format (`PT1H30M`, `P2D`) or a short form (`90s`, `15m`, `2h`, `7d`).
import { usageError } from './io.js';

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Milliseconds since the epoch. */
export function parseDateTime(option: string, text: string): number {
  const m = DATETIME.exec(text.trim());
  if (!m) throw usageError(`${option} '${text}' is not a date-time; use ISO-8601 like 2026-11-26T10:15:00.000 (UTC) or 2026-11-26T10:15:00.000+01:00`);
  const [, y, mo, d, h, mi, s, ms = '0', zone = 'Z'] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0'))] as const;
  const utc = Date.UTC(...fields);
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-30 over to March: refuse it instead, as Kafka's strict parser does
  if (check.getUTCMonth() !== fields[1] || check.getUTCDate() !== fields[2] || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) {
    throw usageError(`${option} '${text}' is not a valid date-time`);
  }
  if (zone === 'Z') return utc;
  const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const offsetMs = (Number(zm[2]) * 60 + Number(zm[3] ?? 0)) * 60_000;
  return zm[1] === '+' ? utc - offsetMs : utc + offsetMs;
}

const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,9})?)S)?)?$/i;
const SHORT_DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A positive duration in milliseconds. */
export function parseDuration(option: string, text: string): number {
  const t = text.trim();
  const iso = ISO_DURATION.exec(t);
  let ms: number | undefined;
  if (iso && t.length > 1 && !/T$/i.test(t)) {
    const [, d = '0', h = '0', mi = '0', s = '0'] = iso;
    ms = Number(d) * 86_400_000 + Number(h) * 3_600_000 + Number(mi) * 60_000 + Math.round(Number(s.replace(',', '.')) * 1_000);
  } else {
    const short = SHORT_DURATION.exec(t);
    if (short) ms = Math.round(Number(short[1]) * UNIT_MS[short[2]!]!);
  }
  if (ms === undefined) throw usageError(`${option} '${text}' is not a duration; use ISO-8601 like PT1H30M or P2D, or a short form like 90s, 15m, 2h, 7d`);
  if (ms <= 0) throw usageError(`${option} '${text}' must be longer than zero`);
  return ms;
}

/** A whole number ≥ min, for options like --partition or --to-offset. */
export function parseWholeNumber(option: string, text: string, min = 0): number {
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw usageError(`${option} must be a whole number${min === 0 ? ' ≥ 0' : min > 0 ? ` ≥ ${min}` : ''}, got '${text}'`);
  }
  return Number(text);
}
