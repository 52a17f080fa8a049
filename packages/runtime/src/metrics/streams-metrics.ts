// Owns what KafkaStreams.metrics() returns: every metric of the application as Kafka Streams names
// them (group, name, tags; Kafka's KafkaStreams#metrics()), the recording level, and the four
// counters Sluice's metrics() has always had (records processed, commits, punctuations, tasks).
import type { Metric, MetricsRegistry, RecordingLevel, ThreadMetrics } from '@sluice/common';

export type { Metric, RecordingLevel } from '@sluice/common';

export class StreamsMetrics {
  constructor(
    private readonly registry: MetricsRegistry,
    private readonly threads: () => readonly Pick<ThreadMetrics, 'totals'>[],
    private readonly taskCount: () => number,
    /** Metrics kept elsewhere than the registry (what stream threads on worker threads last reported). */
    private readonly reported: () => Metric[] = () => [],
  ) {}

  /** metricsRecordingLevel the application runs with. */
  get recordingLevel(): RecordingLevel {
    return this.registry.level;
  }

  /** Records processed by this worker's stream threads (the sum of stream-thread-metrics process-total). */
  get processed(): number {
    return this.sum((t) => t.processed);
  }

  /** Commits of this worker's stream threads (commit-total). */
  get commits(): number {
    return this.sum((t) => t.commits);
  }

  /** Punctuations run by this worker's tasks (punctuate-total). */
  get punctuations(): number {
    return this.sum((t) => t.punctuations);
  }

  /** Active tasks on this worker now. */
  get tasks(): number {
    return this.taskCount();
  }

  /** Every metric with its current value, in Kafka Streams' units (latencies in ms or ns). */
  all(): Metric[] {
    return [...this.registry.metrics(), ...this.reported()];
  }

  /** The metrics named `name` in `group` whose tags include `tags`. */
  find(group: string, name: string, tags: Readonly<Record<string, string>> = {}): Metric[] {
    return this.all().filter((m) => m.group === group && m.name === name && Object.entries(tags).every(([k, v]) => m.tags[k] === v));
  }

  /** The sum of the values of find(group, name, tags) (undefined when there is none). */
  value(group: string, name: string, tags: Readonly<Record<string, string>> = {}): number | undefined {
    const found = this.find(group, name, tags);
    return found.length === 0 ? undefined : found.reduce((sum, m) => sum + m.value, 0);
  }

  private sum(of: (totals: { processed: number; commits: number; punctuations: number }) => number): number {
    let n = 0;
    for (const t of this.threads()) n += of(t.totals());
    return n;
  }
}
