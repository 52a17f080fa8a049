// Owns the statistics behind Sluice's metrics (Kafka's Sensor stats, made cheap): a Meter counts
// events, a Sampled records values (latencies, lateness, ratios). Both keep a cumulative total that
// never resets (Prometheus counters) and two sample windows that the registry rolls (Kafka's
// metrics.sample.window.ms × metrics.num.samples = 30 s × 2), from which rates, averages, minima and
// maxima are read. Recording is a few number operations on the object's own fields: no allocation,
// no clock read.

/** Counts events: `-total` is the cumulative count, `-rate` the count over the sample windows per second. */
export class Meter {
  /** Cumulative count since the meter was created. */
  total = 0;
  private current = 0;
  private previous = 0;
  private currentStart: number;
  private previousStart: number;

  constructor(now: number) {
    this.currentStart = now;
    this.previousStart = now;
  }

  mark(n = 1): void {
    this.total += n;
    this.current += n;
  }

  /** Events per second over the two sample windows (the older one may be partly elapsed). */
  rate(now: number): number {
    const seconds = (now - this.previousStart) / 1000;
    return seconds <= 0 ? 0 : (this.current + this.previous) / seconds;
  }

  roll(now: number): void {
    this.previous = this.current;
    this.previousStart = this.currentStart;
    this.current = 0;
    this.currentStart = now;
  }
}

/**
 * Records values: count and sum since creation, and count, sum, min and max per sample window.
 * avg/min/max read the two windows (NaN when neither has a value, as Kafka's stats report).
 */
export class Sampled {
  /** Cumulative number of values. */
  count = 0;
  /** Cumulative sum of the values. */
  sum = 0;
  private cCount = 0;
  private cSum = 0;
  private cMin = Infinity;
  private cMax = -Infinity;
  private pCount = 0;
  private pSum = 0;
  private pMin = Infinity;
  private pMax = -Infinity;
  private currentStart: number;
  private previousStart: number;

  constructor(now: number) {
    this.currentStart = now;
    this.previousStart = now;
  }

  record(value: number): void {
    this.count++;
    this.sum += value;
    this.cCount++;
    this.cSum += value;
    if (value < this.cMin) this.cMin = value;
    if (value > this.cMax) this.cMax = value;
  }

  avg(): number {
    const n = this.cCount + this.pCount;
    return n === 0 ? NaN : (this.cSum + this.pSum) / n;
  }

  min(): number {
    return this.cCount + this.pCount === 0 ? NaN : Math.min(this.cMin, this.pMin);
  }

  max(): number {
    return this.cCount + this.pCount === 0 ? NaN : Math.max(this.cMax, this.pMax);
  }

  /** Values recorded per second over the two sample windows. */
  rate(now: number): number {
    const seconds = (now - this.previousStart) / 1000;
    return seconds <= 0 ? 0 : (this.cCount + this.pCount) / seconds;
  }

  roll(now: number): void {
    this.pCount = this.cCount;
    this.pSum = this.cSum;
    this.pMin = this.cMin;
    this.pMax = this.cMax;
    this.previousStart = this.currentStart;
    this.cCount = 0;
    this.cSum = 0;
    this.cMin = Infinity;
    this.cMax = -Infinity;
    this.currentStart = now;
  }
}

/**
 * A share of time (Kafka's `*-ratio` metrics): time spent on something, added as it is measured,
 * over the wall-clock time of the sample windows.
 */
export class TimeRatio {
  private current = 0;
  private previous = 0;
  private currentStart: number;
  private previousStart: number;

  constructor(now: number) {
    this.currentStart = now;
    this.previousStart = now;
  }

  add(ms: number): void {
    this.current += ms;
  }

  ratio(now: number): number {
    const elapsed = now - this.previousStart;
    return elapsed <= 0 ? 0 : Math.min(1, (this.current + this.previous) / elapsed);
  }

  roll(now: number): void {
    this.previous = this.current;
    this.previousStart = this.currentStart;
    this.current = 0;
    this.currentStart = now;
  }
}

export type Stat = Meter | Sampled | TimeRatio;

/** A monotonic time in ms for measuring durations (latencies), not wall-clock time. */
export function monotonicMs(): number {
  return performance.now();
}
