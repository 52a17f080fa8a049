// Owns what the DSL shares while a topology is being built: the physical Topology it writes into,
// the node-name counter (KSTREAM-FILTER-0000000001 …), and the problems found so far, which
// StreamsBuilder.build() reports all at once.
import { TopologyError } from '@sluice/common';
import { Topology } from '../topology/topology.js';

export class InternalStreamsBuilder {
  readonly topology = new Topology();
  private index = 0;
  private readonly problems: string[] = [];
  private readonly failed = new Set<string>();

  /** prefix + a 10-digit counter shared by processor and store names, as Kafka Streams does. */
  newProcessorName(prefix: string): string {
    return prefix + String(this.index++).padStart(10, '0');
  }

  /** prefix + "STATE-STORE-" + the shared counter (KSTREAM-AGGREGATE-STATE-STORE-0000000002). */
  newStoreName(prefix: string): string {
    return this.newProcessorName(`${prefix}STATE-STORE-`);
  }

  /**
   * Apply one change to the topology for node `name` with these parents. A TopologyError is kept for
   * build(); nodes below a failed one are skipped quietly (their problem is the parent's).
   */
  add(name: string, parents: readonly string[], change: (t: Topology) => void): void {
    if (parents.some((p) => this.failed.has(p))) {
      this.failed.add(name);
      return;
    }
    try {
      change(this.topology);
    } catch (err) {
      if (!(err instanceof TopologyError)) throw err;
      this.failed.add(name);
      this.problems.push(err.message);
    }
  }

  /** Record a problem found by the DSL itself (not by the Topology). */
  problem(message: string, failedNode?: string): void {
    this.problems.push(message);
    if (failedNode) this.failed.add(failedNode);
  }

  build(): Topology {
    if (this.problems.length > 0) {
      throw new TopologyError(`invalid topology:\n  - ${this.problems.join('\n  - ')}`);
    }
    this.topology.validate();
    return this.topology;
  }
}
