// Owns the Prometheus exposition of Sluice's metrics, on prom-client: each Kafka Streams metric
// becomes one Prometheus series named `kafka_<group without -metrics>_<name>` in snake_case
// (stream-thread-metrics process-total → kafka_stream_thread_process_total), its tags as labels
// (thread-id → thread_id). `-total` counters are counters; `-rate` metrics are left out (rate() of
// the counter gives them); time metrics are converted to seconds and end in `_seconds`; gauges never
// end in `_total`. The mapping, metric by metric, is in docs/metrics.md.
import { Registry } from 'prom-client';
import type { Metric } from '@sluice/common';
import type { StreamsMetrics } from './streams-metrics.js';

/** Anything with metrics: a KafkaStreams app, what its metrics() returns, or a TopologyTestDriver. */
export type MetricsSource = { metrics(): StreamsMetrics | readonly Metric[] } | StreamsMetrics;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
}

interface Sample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The Prometheus name of a Kafka Streams metric, or undefined for metrics left out (`-rate`). */
export function prometheusName(m: Pick<Metric, 'group' | 'name' | 'type' | 'unit'>): string | undefined {
  if (m.name.endsWith('-rate')) return undefined;
  const group = m.group.replace(/-metrics$/, '').replace(/-/g, '_');
  let name = m.name.replace(/-/g, '_');
  if (m.type === 'gauge' && name.endsWith('_total')) name = name.slice(0, -'_total'.length);
  if (m.unit !== undefined) name += '_seconds';
  return `kafka_${group}_${name}`;
}

/** The value as Prometheus reports it: seconds for time metrics. */
function prometheusValue(m: Metric): number {
  return m.unit === 'ms' ? m.value / 1e3 : m.unit === 'ns' ? m.value / 1e9 : m.value;
}

function labelsOf(m: Metric): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.tags)) out[k.replace(/[^a-zA-Z0-9_]/g, '_')] = v;
  return out;
}

function metricsOf(source: MetricsSource): readonly Metric[] {
  if ('all' in source) return source.all();
  const m = source.metrics();
  return 'all' in m ? m.all() : m;
}

/**
 * A prom-client Registry with the metrics of `sources` (usually one KafkaStreams app). It reads them
 * at every scrape: `await registry.metrics()` is the Prometheus text, `registry.contentType` its
 * Content-Type. Add the process's own metrics with prom-client's collectDefaultMetrics({ register }).
 */
export function prometheusRegistry(...sources: MetricsSource[]): Registry {
  return new SluiceRegistry(sources);
}

/** The Prometheus text exposition of the metrics of `sources`, as GET /metrics serves it. */
export function prometheusText(...sources: MetricsSource[]): Promise<string> {
  return prometheusRegistry(...sources).metrics();
}

class SluiceRegistry extends Registry {
  private readonly families = new Map<string, Family>();
  private samples = new Map<string, Sample[]>();

  constructor(private readonly sources: readonly MetricsSource[]) {
    super();
  }

  override async metrics(): Promise<string> {
    this.refresh();
    return super.metrics();
  }

  override async getMetricsAsJSON(): ReturnType<Registry['getMetricsAsJSON']> {
    this.refresh();
    return super.getMetricsAsJSON();
  }

  /** Reads every source once and registers the families seen for the first time. */
  private refresh(): void {
    const samples = new Map<string, Sample[]>();
    for (const source of this.sources) {
      for (const m of metricsOf(source)) {
        const name = prometheusName(m);
        if (name === undefined) continue;
        if (!this.families.has(name)) this.register({ name, help: m.description, type: m.type });
        let list = samples.get(name);
        if (!list) samples.set(name, (list = []));
        list.push({ labels: labelsOf(m), value: prometheusValue(m) });
      }
    }
    this.samples = samples;
  }

  private register(f: Family): void {
    this.families.set(f.name, f);
    const metric = {
      name: f.name,
      help: f.help,
      type: f.type,
      aggregator: 'sum',
      get: () => Promise.resolve({ name: f.name, help: f.help, type: f.type, aggregator: 'sum', values: this.samples.get(f.name) ?? [] }),
    };
    this.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }
}
