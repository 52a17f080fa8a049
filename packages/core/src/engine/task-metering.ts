// Owns what a task records about the records it processes (Kafka's task and processor-node metrics):
// record-e2e-latency at source nodes and at nodes without successors (info), and at debug level the
// task's process count and latency, record lateness and enforced processing. Built once per task;
// the task calls `record` per record only when metrics were given, and nothing here allocates.
import type { Meter, Sampled, TaskMetrics } from '@sluice/common';
import type { RuntimeNode } from './nodes.js';
import type { RecordQueue } from './record-queue.js';

interface SourceMeters {
  readonly e2e: Sampled;
  readonly process: Meter | undefined;
}

export class TaskMetering {
  private readonly sources = new Map<string, SourceMeters>();
  /** The queue of the last record and its source's meters: consecutive records mostly share them. */
  private lastQueue: RecordQueue | undefined;
  private lastSource: SourceMeters | undefined;

  constructor(
    readonly metrics: TaskMetrics,
    nodes: ReadonlyMap<string, RuntimeNode>,
    sourceNames: Iterable<string>,
    /** Whether the record being recorded was taken while another input had nothing (PartitionGroup.enforced). */
    private readonly enforced: () => boolean,
  ) {
    const sources = new Set(sourceNames);
    for (const [name, node] of nodes) {
      if (sources.has(name)) this.sources.set(name, metrics.node(name, true));
      else if (node.children.length === 0) node.meter = { task: metrics, e2e: metrics.node(name, false).e2e };
    }
  }

  /** A record of `queue` with `timestamp` is about to be processed; `streamTime` includes it. */
  record(queue: RecordQueue, timestamp: number, streamTime: number): void {
    const m = this.metrics;
    if (queue !== this.lastQueue) {
      this.lastQueue = queue;
      this.lastSource = this.sources.get(queue.sourceName);
    }
    const s = this.lastSource;
    if (s !== undefined) {
      s.e2e.record(m.now - timestamp);
      s.process?.mark();
    }
    if (!m.debug) return;
    m.process!.mark();
    m.lateness!.record(streamTime - timestamp);
    if (this.enforced()) m.enforced!.mark();
  }
}
