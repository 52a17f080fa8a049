import { describe, expect, it } from 'vitest';
import { addToExpectation, generateInput, liveRecordFactory, s1Passes, VALUE_BYTES, vocabulary, type DataShape, type InputRecord } from '../lib/data.js';

const shape: DataShape = {
  records: 20_000,
  partitions: 4,
  seed: 1,
  vocabulary: 500,
  windowKeys: 50,
  windowSizeMs: 60_000,
  graceMs: 30_000,
  windows: 10,
  maxDisorderMs: 5_000,
  eventTimeBase: 1_700_000_040_000 - (1_700_000_040_000 % 60_000),
  joinWindowMs: 10_000,
  tableKeys: 500,
};

function all(chunks: Iterable<InputRecord[]>): InputRecord[] {
  return [...chunks].flat();
}

describe('bench input data', () => {
  it('is the same for the same seed', () => {
    const a = all(generateInput('s1', shape).chunks);
    const b = all(generateInput('s1', shape).chunks);
    expect(a.map((r) => r.value)).toEqual(b.map((r) => r.value));
  });

  it('S1: 100-byte values, about 80 % pass the filter, and the expectation counts exactly those', () => {
    const g = generateInput('s1', shape);
    const records = all(g.chunks);
    expect(records.every((r) => r.value.length === VALUE_BYTES)).toBe(true);
    const passing = records.filter((r) => s1Passes(r.value)).length;
    expect(g.expectation()).toEqual({ kind: 'count', records: passing });
    expect(passing / records.length).toBeGreaterThan(0.77);
    expect(passing / records.length).toBeLessThan(0.83);
  });

  it('S2: lines of at most 100 bytes from the vocabulary; expected counts sum to the words', () => {
    const g = generateInput('s2', shape);
    const records = all(g.chunks);
    const vocab = new Set(vocabulary(shape.vocabulary));
    let words = 0;
    let unknown = 0;
    for (const r of records) {
      for (const w of r.value.split(' ')) {
        if (!vocab.has(w)) unknown++;
        words++;
      }
    }
    expect(Math.max(...records.map((r) => r.value.length))).toBeLessThanOrEqual(VALUE_BYTES);
    expect(unknown).toBe(0);
    const e = g.expectation();
    if (e.kind !== 'final-values') throw new Error('expected final values');
    expect([...e.values.values()].reduce((a, b) => a + b, 0)).toBe(words);
    expect(words / records.length).toBeGreaterThan(8);
  });

  it('S3: event time lags the newest record of its partition by less than the grace period', () => {
    const records = all(generateInput('s3', shape).chunks);
    const newest = new Map<number, number>();
    for (const r of records) {
      const max = Math.max(newest.get(r.partition) ?? 0, r.timestamp);
      newest.set(r.partition, max);
      expect(max - r.timestamp).toBeLessThan(shape.graceMs);
      expect(r.timestamp).toBeGreaterThanOrEqual(shape.eventTimeBase);
    }
    const windows = new Set(records.map((r) => r.timestamp - (r.timestamp % shape.windowSizeMs)));
    expect(windows.size).toBe(shape.windows);
  });

  it('S3: keys keep to one partition (groupByKey needs no repartition)', () => {
    const records = all(generateInput('s3', shape).chunks);
    const partitionOf = new Map<string, number>();
    for (const r of records) {
      expect(partitionOf.get(r.key!) ?? r.partition).toBe(r.partition);
      partitionOf.set(r.key!, r.partition);
    }
  });

  it('adds latency-phase records to the expectation of the runs that follow', () => {
    const g = generateInput('s3', shape);
    all(g.chunks);
    const e = g.expectation();
    if (e.kind !== 'final-values') throw new Error('expected final values');
    const before = [...e.values.values()].reduce((a, b) => a + b, 0);
    const make = liveRecordFactory('s3', shape);
    for (let i = 0; i < 10; i++) addToExpectation('s3', e, { ...make(i), timestamp: 1_800_000_000_000 }, shape);
    expect([...e.values.values()].reduce((a, b) => a + b, 0)).toBe(before + 10);
    const s1 = { kind: 'count' as const, records: 0 };
    const live = liveRecordFactory('s1', shape);
    for (let i = 0; i < 10; i++) addToExpectation('s1', s1, { ...live(i), timestamp: 0 }, shape);
    expect(s1.records).toBe(10); // live S1 records all pass the filter: every one has a latency sample
  });

  it('S6: as many payments as orders, co-partitioned; the expectation counts the payments with an order within the join window', () => {
    const g = generateInput('s6', shape);
    const records = all(g.chunks);
    const orders = records.filter((r) => !r.other);
    const payments = records.filter((r) => r.other);
    expect(orders.length).toBe(shape.records / 2);
    expect(payments.length).toBe(shape.records / 2);
    expect(g.records).toBe(shape.records);
    const orderOf = new Map(orders.map((r) => [r.key!, r]));
    expect(orderOf.size).toBe(orders.length);
    let partners = 0;
    for (const p of payments) {
      const o = orderOf.get(p.key!);
      if (!o) continue;
      expect(p.partition).toBe(o.partition);
      if (Math.abs(p.timestamp - o.timestamp) <= shape.joinWindowMs) partners++;
    }
    expect(g.expectation()).toEqual({ kind: 'count', records: partners });
    // most find a partner; the rest are a payment without an order and an order without a payment
    expect(partners / payments.length).toBeGreaterThan(0.87);
    expect(partners / payments.length).toBeLessThan(0.93);
  });

  it('S6: within each topic and partition event time lags the newest record by less than the grace period', () => {
    const records = all(generateInput('s6', shape).chunks);
    const newest = new Map<string, number>();
    for (const r of records) {
      const at = `${r.other ? 'payments' : 'orders'}/${r.partition}`;
      const max = Math.max(newest.get(at) ?? 0, r.timestamp);
      newest.set(at, max);
      expect(max - r.timestamp).toBeLessThan(shape.graceMs);
      expect(r.timestamp).toBeGreaterThanOrEqual(shape.eventTimeBase);
    }
  });

  it('S7: the customers table comes first and is older than every click; clicks of a customer share its partition', () => {
    const g = generateInput('s7', shape);
    const records = all(g.chunks);
    const table = records.slice(0, shape.tableKeys);
    const clicks = records.slice(shape.tableKeys);
    expect(table.every((r) => r.other === true)).toBe(true);
    expect(clicks.some((r) => r.other === true)).toBe(false);
    expect(clicks.length).toBe(shape.records);
    expect(g.records).toBe(shape.records); // the rate counts clicks, not table records
    const customers = new Map(table.map((r) => [r.key!, r]));
    expect(customers.size).toBe(shape.tableKeys);
    const oldestClick = Math.min(...clicks.map((r) => r.timestamp));
    expect(Math.max(...table.map((r) => r.timestamp))).toBeLessThan(oldestClick);
    let enriched = 0;
    for (const c of clicks) {
      const customer = customers.get(c.key!);
      if (!customer) continue;
      expect(c.partition).toBe(customer.partition);
      enriched++;
    }
    expect(g.expectation()).toEqual({ kind: 'count', records: enriched });
    expect(enriched / clicks.length).toBeGreaterThan(0.93);
    expect(enriched / clicks.length).toBeLessThan(0.97);
  });

  it('S6/S7: every latency-phase payment and click finds its partner, and counts once in the expectation', () => {
    const s6 = { kind: 'count' as const, records: 0 };
    const pairs = liveRecordFactory('s6', shape);
    const live = Array.from({ length: 11 }, (_, i) => pairs(i));
    for (let i = 1; i < live.length; i += 2) {
      expect(live[i]!.other).toBe(true);
      expect(live[i - 1]!.other).toBeUndefined();
      expect([live[i]!.key, live[i]!.partition]).toEqual([live[i - 1]!.key, live[i - 1]!.partition]);
    }
    for (const r of live) addToExpectation('s6', s6, { ...r, timestamp: 0 }, shape);
    expect(s6.records).toBe(5); // the last order's payment has not been sent
    const table = new Set(all(generateInput('s7', shape).chunks).filter((r) => r.other).map((r) => r.key));
    const s7 = { kind: 'count' as const, records: 0 };
    const clicks = liveRecordFactory('s7', shape);
    for (let i = 0; i < 10; i++) {
      const c = clicks(i);
      expect(table.has(c.key)).toBe(true);
      addToExpectation('s7', s7, { ...c, timestamp: 0 }, shape);
    }
    expect(s7.records).toBe(10);
  });
});
