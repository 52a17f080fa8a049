// Owns the registry of a Kafka Streams application's metrics (Kafka's Metrics + StreamsMetricsImpl):
// every metric has Kafka's group, name and tags, a description and a reader; the recording level
// decides which sensors exist at all (a sensor above the level is never created, so its call sites
// only test for undefined). Metrics are registered per owner (a thread, a task, a store) and removed
// with it. `metrics()` reads them all, in the unit Kafka Streams reports (ms or ns for latencies).
import { Meter, Sampled, TimeRatio, type Stat } from './stats.js';

/** Kafka's metrics.recording.level: which metrics are recorded (info ⊂ debug ⊂ trace). */
export type RecordingLevel = 'info' | 'debug' | 'trace';

export const RECORDING_LEVELS: readonly RecordingLevel[] = ['info', 'debug', 'trace'];

export type MetricTags = Readonly<Record<string, string>>;

/** One metric, named as Kafka Streams names it (e.g. group 'stream-thread-metrics', name 'process-total'). */
export interface Metric {
  readonly group: string;
  readonly name: string;
  readonly tags: MetricTags;
  readonly description: string;
  /** counter: only goes up (a `-total`); gauge: anything else (rates, averages, ratios, lags). */
  readonly type: 'counter' | 'gauge';
  /** The unit of `value` for time metrics: Kafka Streams reports thread and node latencies in ms, task and store latencies in ns. */
  readonly unit?: 'ms' | 'ns';
  readonly value: number;
}

interface Entry {
  readonly owner: string;
  readonly group: string;
  readonly name: string;
  readonly tags: MetricTags;
  readonly description: string;
  readonly type: 'counter' | 'gauge';
  readonly unit: 'ms' | 'ns' | undefined;
  readonly read: (now: number) => number;
}

/** Which statistics of a Sampled sensor become metrics, and how its ms values are reported. */
export interface SampledOptions {
  readonly avg?: string;
  readonly min?: string;
  readonly max?: string;
  /** Also `<name>-rate` and `<name>-total` (how many values were recorded). */
  readonly rate?: { readonly name: string; readonly rate: string; readonly total: string };
  /** Values are recorded in ms; 'ns' reports them ×1e6 (Kafka's task and store latencies). */
  readonly unit?: 'ms' | 'ns';
}

const SAMPLE_WINDOW_MS = 30_000;

export class MetricsRegistry {
  readonly debug: boolean;
  readonly trace: boolean;
  private readonly entries = new Map<string, Entry>();
  private readonly stats = new Map<string, Set<Stat>>();
  private lastRoll: number;

  constructor(
    readonly level: RecordingLevel,
    private readonly clock: () => number,
  ) {
    this.debug = level !== 'info';
    this.trace = level === 'trace';
    this.lastRoll = clock();
  }

  /** The wall-clock time of the registry's clock. */
  now(): number {
    return this.clock();
  }

  /** A count of events: `<name>-rate` and `<name>-total`. */
  meter(owner: string, group: string, name: string, tags: MetricTags, what: string): Meter {
    const m = new Meter(this.clock());
    this.track(owner, m);
    this.add({ owner, group, name: `${name}-rate`, tags, description: `The average number of ${what} per second`, type: 'gauge', unit: undefined, read: (now) => m.rate(now) });
    this.add({ owner, group, name: `${name}-total`, tags, description: `The total number of ${what}`, type: 'counter', unit: undefined, read: () => m.total });
    return m;
  }

  /** Values (latencies, lateness, ratios) with the statistics `o` names. */
  sampled(owner: string, group: string, tags: MetricTags, o: SampledOptions): Sampled {
    const s = new Sampled(this.clock());
    this.track(owner, s);
    const scale = o.unit === 'ns' ? 1e6 : 1;
    const unit = o.unit;
    if (o.avg !== undefined) this.add({ owner, group, name: `${o.avg}`, tags, description: describe(o.avg), type: 'gauge', unit, read: () => s.avg() * scale });
    if (o.min !== undefined) this.add({ owner, group, name: `${o.min}`, tags, description: describe(o.min), type: 'gauge', unit, read: () => s.min() * scale });
    if (o.max !== undefined) this.add({ owner, group, name: `${o.max}`, tags, description: describe(o.max), type: 'gauge', unit, read: () => s.max() * scale });
    if (o.rate !== undefined) {
      this.add({ owner, group, name: o.rate.rate, tags, description: `The average number of ${o.rate.name} per second`, type: 'gauge', unit: undefined, read: (now) => s.rate(now) });
      this.add({ owner, group, name: o.rate.total, tags, description: `The total number of ${o.rate.name}`, type: 'counter', unit: undefined, read: () => s.count });
    }
    return s;
  }

  /** The share of wall-clock time spent on something (`*-ratio`). */
  ratio(owner: string, group: string, name: string, tags: MetricTags, description: string): TimeRatio {
    const r = new TimeRatio(this.clock());
    this.track(owner, r);
    this.add({ owner, group, name, tags, description, type: 'gauge', unit: undefined, read: (now) => r.ratio(now) });
    return r;
  }

  /** A value read when the metrics are read (lags, states, sizes). */
  gauge(owner: string, group: string, name: string, tags: MetricTags, description: string, read: () => number, type: 'counter' | 'gauge' = 'gauge'): void {
    this.add({ owner, group, name, tags, description, type, unit: undefined, read });
  }

  /** Remove the metrics of `owner` and of every owner below it (`<owner>/…`). */
  remove(owner: string): void {
    const below = owner + '/';
    for (const [k, e] of this.entries) if (e.owner === owner || e.owner.startsWith(below)) this.entries.delete(k);
    for (const k of [...this.stats.keys()]) if (k === owner || k.startsWith(below)) this.stats.delete(k);
  }

  /** Every metric with its current value, in Kafka Streams' units. Rolls the sample windows when due. */
  metrics(): Metric[] {
    const now = this.clock();
    this.maybeRoll(now);
    const out: Metric[] = [];
    for (const e of this.entries.values()) {
      const m: { -readonly [K in keyof Metric]: Metric[K] } = { group: e.group, name: e.name, tags: e.tags, description: e.description, type: e.type, value: e.read(now) };
      if (e.unit !== undefined) m.unit = e.unit;
      out.push(m);
    }
    return out;
  }

  /** Start a new sample window once the current one is 30 s old (called by readers and the thread's loop). */
  maybeRoll(now = this.clock()): void {
    if (now - this.lastRoll < SAMPLE_WINDOW_MS) return;
    this.lastRoll = now;
    for (const set of this.stats.values()) for (const s of set) s.roll(now);
  }

  private track(owner: string, s: Stat): void {
    let set = this.stats.get(owner);
    if (!set) this.stats.set(owner, (set = new Set()));
    set.add(s);
  }

  private add(e: Entry): void {
    this.entries.set(`${e.group}\u0000${e.name}\u0000${tagKey(e.tags)}`, e);
  }
}

function tagKey(tags: MetricTags): string {
  let k = '';
  for (const name of Object.keys(tags).sort()) k += `${name}=${tags[name]},`;
  return k;
}

function describe(name: string): string {
  const stat = name.endsWith('-avg') ? 'average' : name.endsWith('-max') ? 'maximum' : name.endsWith('-min') ? 'minimum' : 'value';
  const what = name.replace(/-(avg|max|min)$/, '').replace(/-/g, ' ');
  return `The ${stat} ${what}`;
}
