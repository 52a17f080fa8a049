// The input data of every scenario, generated deterministically from a seed, together with what a
// correct system must output for it (the harness checks each run against that). Records are made
// in chunks so a million of them never sit in memory at once.

export type ScenarioId = 's1' | 's2' | 's3' | 's4' | 's5' | 's6' | 's7';

export interface InputRecord {
  key: string | null;
  value: string;
  partition: number;
  /** epoch ms; CreateTime of the input record (event time for S3 and S6) */
  timestamp: number;
  /** S6/S7: the record goes to the scenario's other input topic (payments, customers) */
  other?: true;
}

/** What the output of a correct run looks like once all input is processed. */
export type Expectation =
  | { kind: 'count'; records: number } // S1, S6, S7: exactly this many output records
  | { kind: 'final-values'; values: Map<string, number> } // S2/S3/S4: latest count per key
  | { kind: 'store-size'; keys: number }; // S5: keys in the restored store

export interface DataShape {
  records: number;
  partitions: number;
  seed: number;
  /** S2/S4: words in the vocabulary */
  vocabulary: number;
  /** S3: distinct keys, window size, grace; event time spans `windows` windows */
  windowKeys: number;
  windowSizeMs: number;
  graceMs: number;
  windows: number;
  /** S3: how far back event time runs behind the newest record (< grace, so nothing is dropped) */
  maxDisorderMs: number;
  /** S3, S6: the event time of the first window's start (a multiple of the window size) */
  eventTimeBase: number;
  /** S6: JoinWindows time difference (grace is graceMs); a payment follows its order by less */
  joinWindowMs: number;
  /** S7: customers in the table (loaded before the clicks, with earlier timestamps) */
  tableKeys: number;
}

export const VALUE_BYTES = 100;

/** mulberry32: small, fast, good enough for test data; the same seed gives the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** A pool of random letters; values are slices of it, which is much faster than building each. */
function letterPool(rand: () => number, size = 1 << 16): string {
  const chars: string[] = new Array<string>(size);
  for (let i = 0; i < size; i++) chars[i] = LETTERS[Math.floor(rand() * 26)]!;
  return chars.join('');
}

function slice(pool: string, rand: () => number, length: number): string {
  const at = Math.floor(rand() * (pool.length - length));
  return pool.slice(at, at + length);
}

/** S1 values: one decimal digit (the filter keeps 0-7, i.e. 80 %) then 99 lowercase letters. */
export function s1Passes(value: string): boolean {
  const c = value.charCodeAt(0);
  return c >= 48 && c < 56;
}

/** S1's mapValues, shared by the plain-code systems so they do the same work as the DSL ones. */
export function s1Map(value: string): string {
  return value.toUpperCase();
}

/** A fixed vocabulary of pronounceable pseudo-words, 3 to 10 letters, all distinct. */
export function vocabulary(size: number, seed = 7): string[] {
  const rand = prng(seed);
  const consonants = 'bcdfghjklmnprstvwz';
  const vowels = 'aeiou';
  const words = new Set<string>();
  while (words.size < size) {
    const len = 3 + Math.floor(rand() * 8);
    let w = '';
    for (let i = 0; i < len; i++) {
      const set = i % 2 === 0 ? consonants : vowels;
      w += set[Math.floor(rand() * set.length)];
    }
    words.add(w);
  }
  return [...words];
}

/** Zipf(1) sampler over `n` ranks: word frequencies like natural text (a few hot keys). */
function zipfSampler(n: number, rand: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1);
    cdf[i] = sum;
  }
  for (let i = 0; i < n; i++) cdf[i]! /= sum;
  return () => {
    const u = rand();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** A line of words separated by single spaces, at most `maxBytes` long (ASCII). */
function line(words: readonly string[], next: () => number, maxBytes: number): string {
  let out = words[next()]!;
  for (;;) {
    const w = words[next()]!;
    if (out.length + 1 + w.length > maxBytes) return out;
    out += ' ' + w;
  }
}

/** S6: one pair in this many has a payment without an order (key `stray-…`): neither finds a partner. */
export const S6_STRAY_EVERY = 10;
/** S7: this share of clicks comes from no known customer (key `anon-…`) and is dropped by the inner join. */
export const S7_ANONYMOUS_SHARE = 0.05;

/** S6: an order and its payment share the key `order-…`; a payment joins exactly when it has one. */
export function s6Joins(r: Pick<InputRecord, 'key' | 'other'>): boolean {
  return r.other === true && r.key !== null && !r.key.startsWith('stray-');
}

/** S7: a click joins exactly when its key is a customer's (`cust-…`); table records output nothing. */
export function s7Joins(r: Pick<InputRecord, 'key' | 'other'>): boolean {
  return r.other !== true && r.key !== null && r.key.startsWith('cust-');
}

function customerKey(k: number): string {
  return `cust-${String(k).padStart(6, '0')}`;
}

export interface GeneratedInput {
  /** chunks of records in production order */
  chunks: Iterable<InputRecord[]>;
  /** the input records a rate is computed from: all but S7's table records */
  records: number;
  /** filled in while `chunks` is iterated; complete once it is exhausted */
  expectation: () => Expectation;
}

/**
 * The input of a scenario. S1: unique keys, filter digit + letters. S2/S4: null keys, lines of
 * Zipf-distributed words. S3: `windowKeys` keys, event time running through `windows` windows with
 * bounded disorder. S5: `records` distinct keys (the store to restore holds them all). S6: `records`
 * / 2 orders and as many payments (records marked `other`), event time as S3's. S7: `tableKeys`
 * customers (`other`), then `records` clicks.
 */
export function generateInput(scenario: ScenarioId, shape: DataShape, chunkSize = 10_000): GeneratedInput {
  const rand = prng(shape.seed);
  const pool = letterPool(rand);
  const now = Date.now();
  let expected: Expectation;
  let produce: (i: number) => InputRecord;
  let total = shape.records;

  switch (scenario) {
    case 's1': {
      const e = { kind: 'count' as const, records: 0 };
      expected = e;
      produce = (i) => {
        const value = String(Math.floor(rand() * 10)) + slice(pool, rand, VALUE_BYTES - 1);
        if (s1Passes(value)) e.records++;
        return { key: `k${i}`, value, partition: i % shape.partitions, timestamp: now };
      };
      break;
    }
    case 's2':
    case 's4': {
      const words = vocabulary(shape.vocabulary);
      const next = zipfSampler(words.length, rand);
      const e: Expectation = { kind: 'final-values', values: new Map() };
      expected = e;
      produce = (i) => {
        const r: InputRecord = { key: null, value: line(words, next, VALUE_BYTES), partition: i % shape.partitions, timestamp: now };
        addToExpectation(scenario, e, r, shape);
        return r;
      };
      break;
    }
    case 's3': {
      const spanMs = shape.windows * shape.windowSizeMs;
      const e: Expectation = { kind: 'final-values', values: new Map() };
      expected = e;
      produce = (i) => {
        const k = Math.floor(rand() * shape.windowKeys);
        const key = `sensor-${String(k).padStart(5, '0')}`;
        // event time advances with i; each record may lag the newest by up to maxDisorderMs,
        // which is below the grace period: out of order, but never dropped
        const ts = Math.max(shape.eventTimeBase, shape.eventTimeBase + Math.floor((i * spanMs) / shape.records) - Math.floor(rand() * shape.maxDisorderMs));
        const r: InputRecord = { key, value: slice(pool, rand, VALUE_BYTES), partition: k % shape.partitions, timestamp: ts };
        addToExpectation(scenario, e, r, shape);
        return r;
      };
      break;
    }
    case 's6': {
      // pair p: an order at event time base + p·span/pairs, then its payment up to a fifth of the
      // join window later — or, one pair in S6_STRAY_EVERY, a payment of another key (no partner)
      const pairs = Math.max(1, Math.floor(shape.records / 2));
      const spanMs = shape.windows * shape.windowSizeMs;
      const maxDelayMs = Math.max(1, Math.floor(shape.joinWindowMs / 5));
      const e = { kind: 'count' as const, records: 0 };
      expected = e;
      total = 2 * pairs;
      let orderTs = shape.eventTimeBase;
      produce = (i) => {
        const p = i >> 1;
        const partition = p % shape.partitions;
        const value = slice(pool, rand, VALUE_BYTES);
        const id = String(p).padStart(9, '0');
        if ((i & 1) === 0) {
          orderTs = shape.eventTimeBase + Math.floor((p * spanMs) / pairs);
          return { key: `order-${id}`, value, partition, timestamp: orderTs };
        }
        const stray = Math.floor(rand() * S6_STRAY_EVERY) === 0;
        const r: InputRecord = { key: `${stray ? 'stray' : 'order'}-${id}`, value, partition, timestamp: orderTs + Math.floor(rand() * maxDelayMs), other: true };
        if (s6Joins(r)) e.records++;
        return r;
      };
      break;
    }
    case 's7': {
      // first the customers table (an hour older than the clicks, so it is read first), then the clicks
      const e = { kind: 'count' as const, records: 0 };
      expected = e;
      total = shape.tableKeys + shape.records;
      produce = (i) => {
        const value = slice(pool, rand, VALUE_BYTES);
        if (i < shape.tableKeys) return { key: customerKey(i), value, partition: i % shape.partitions, timestamp: now - 3_600_000, other: true };
        const j = i - shape.tableKeys;
        let r: InputRecord;
        if (rand() < S7_ANONYMOUS_SHARE) {
          r = { key: `anon-${j}`, value, partition: j % shape.partitions, timestamp: now };
        } else {
          const k = Math.floor(rand() * shape.tableKeys);
          r = { key: customerKey(k), value, partition: k % shape.partitions, timestamp: now };
        }
        if (s7Joins(r)) e.records++;
        return r;
      };
      break;
    }
    case 's5': {
      expected = { kind: 'store-size', keys: shape.records };
      produce = (i) => ({
        key: `key-${String(i).padStart(9, '0')}`,
        value: slice(pool, rand, VALUE_BYTES),
        partition: i % shape.partitions,
        timestamp: now,
      });
      break;
    }
  }
  return { chunks: chunked(total, chunkSize, produce), records: scenario === 's7' ? shape.records : total, expectation: () => expected };
}

/**
 * Account for one more input record in the expected output. The latency phase appends records to
 * the shared input topic, so the systems that run after it see them too; their expectation grows.
 */
export function addToExpectation(scenario: ScenarioId, e: Expectation, r: InputRecord, shape: Pick<DataShape, 'windowSizeMs'>): void {
  if (e.kind === 'count') {
    if (scenario === 's6' ? s6Joins(r) : scenario === 's7' ? s7Joins(r) : s1Passes(r.value)) e.records++;
  } else if (e.kind === 'final-values') {
    if (scenario === 's3') {
      const wk = `${r.key ?? ''}@${r.timestamp - (r.timestamp % shape.windowSizeMs)}`;
      e.values.set(wk, (e.values.get(wk) ?? 0) + 1);
    } else {
      for (const w of r.value.split(' ')) e.values.set(w, (e.values.get(w) ?? 0) + 1);
    }
  } else {
    e.keys++;
  }
}

function* chunked(total: number, size: number, make: (i: number) => InputRecord): Generator<InputRecord[]> {
  for (let start = 0; start < total; start += size) {
    const n = Math.min(size, total - start);
    const chunk = new Array<InputRecord>(n);
    for (let j = 0; j < n; j++) chunk[j] = make(start + j);
    yield chunk;
  }
}

/**
 * Records for the latency phase: the scenario's kind of record, stamped with the wall clock at
 * send time by the live producer (live-load.ts). Keys and partitions as in the main input.
 */
export function liveRecordFactory(scenario: ScenarioId, shape: DataShape): (i: number) => Omit<InputRecord, 'timestamp'> {
  const rand = prng(shape.seed ^ 0x5eed);
  const pool = letterPool(rand);
  switch (scenario) {
    case 's1':
      return (i) => ({ key: `live${i}`, value: String(Math.floor(rand() * 8)) + slice(pool, rand, VALUE_BYTES - 1), partition: i % shape.partitions });
    case 's2':
    case 's4': {
      const words = vocabulary(shape.vocabulary);
      const next = zipfSampler(words.length, rand);
      return (i) => ({ key: null, value: line(words, next, VALUE_BYTES), partition: i % shape.partitions });
    }
    case 's3':
      return () => {
        const k = Math.floor(rand() * shape.windowKeys);
        return { key: `sensor-${String(k).padStart(5, '0')}`, value: slice(pool, rand, VALUE_BYTES), partition: k % shape.partitions };
      };
    case 's5':
      return (i) => ({ key: `live-${i}`, value: slice(pool, rand, VALUE_BYTES), partition: i % shape.partitions });
    case 's6':
      // an order, then its payment (same key, the next record: at most one tick of 10 ms later)
      return (i) => {
        const p = i >> 1;
        const r = { key: `order-live-${p}`, value: slice(pool, rand, VALUE_BYTES), partition: p % shape.partitions };
        return (i & 1) === 0 ? r : { ...r, other: true as const };
      };
    case 's7':
      return () => {
        const k = Math.floor(rand() * shape.tableKeys);
        return { key: customerKey(k), value: slice(pool, rand, VALUE_BYTES), partition: k % shape.partitions };
      };
  }
}
