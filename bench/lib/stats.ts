// Summary statistics of the benchmark: latency histograms (HdrHistogram, 3 significant digits) and
// the median / spread of repeated runs. Pure functions, unit-tested in bench/test/stats.test.ts.
import * as hdr from 'hdr-histogram-js';

/** Latency samples in milliseconds; values are clamped to [0, 1 h] (clock skew can give -1). */
export class LatencyRecorder {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000,
    numberOfSignificantValueDigits: 3,
  });
  /** Samples below zero (output appended before the input's own timestamp: clock skew). */
  negative = 0;

  record(ms: number): void {
    if (ms < 0) this.negative++;
    // HdrHistogram's lowest discernible value is 1: 0 ms and 1 ms share a bucket, as they should
    this.histogram.recordValue(Math.min(3_600_000, Math.max(1, Math.round(ms))));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary | null {
    if (this.histogram.totalCount === 0) return null;
    return {
      samples: this.histogram.totalCount,
      p50: this.histogram.getValueAtPercentile(50),
      p99: this.histogram.getValueAtPercentile(99),
      max: this.histogram.maxValue,
      mean: Math.round(this.histogram.mean * 10) / 10,
    };
  }
}

export interface LatencySummary {
  samples: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of unsorted numbers (p in 0..100); null for an empty list. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (p < 0 || p > 100) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Median; the mean of the two middle values for an even count; null for an empty list. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median: 0.05 means the repetitions lie within 5 % of the median. */
  relative: number;
  n: number;
}

export function spread(values: readonly number[]): Spread | null {
  const m = median(values);
  if (m === null) return null;
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, relative: m === 0 ? 0 : (max - min) / m, n: values.length };
}

/** `value / base`, or null when either is missing or the base is zero. */
export function ratio(value: number | null | undefined, base: number | null | undefined): number | null {
  if (value === null || value === undefined || base === null || base === undefined || base === 0) return null;
  return value / base;
}
