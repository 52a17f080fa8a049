import { describe, expect, it } from 'vitest';
import { LatencyRecorder, median, percentile, ratio, spread } from '../lib/stats.js';

describe('bench stats', () => {
  it('takes nearest-rank percentiles of unsorted values', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile(values, 101)).toThrow(RangeError);
  });

  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('reports the spread of repetitions relative to their median', () => {
    expect(spread([90, 100, 110])).toEqual({ median: 100, min: 90, max: 110, relative: 0.2, n: 3 });
    expect(spread([])).toBeNull();
  });

  it('divides by a reference only when both figures exist', () => {
    expect(ratio(50, 100)).toBe(0.5);
    expect(ratio(null, 100)).toBeNull();
    expect(ratio(1, 0)).toBeNull();
  });

  it('summarises latencies with HdrHistogram and counts clock-skewed samples', () => {
    const rec = new LatencyRecorder();
    for (let i = 1; i <= 1000; i++) rec.record(i);
    rec.record(-3);
    const s = rec.summary()!;
    expect(s.samples).toBe(1001);
    expect(s.p50).toBeGreaterThanOrEqual(499);
    expect(s.p50).toBeLessThanOrEqual(501);
    expect(s.p99).toBeGreaterThanOrEqual(989);
    expect(s.p99).toBeLessThanOrEqual(991);
    expect(rec.negative).toBe(1);
    expect(new LatencyRecorder().summary()).toBeNull();
  });
});
