// Owns what the DSL shares while a topology is being built: the physical Topology it writes into,
// the node-name counter (KSTREAM-FILTER-0000000001 …), and the problems found so far, which
// StreamsBuilder.build() reports all at once; and what every DSL handle knows of its node.
import { TopologyError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import type { StateStore, StoreBuilder } from '@sluice/state';
import type { ProcessorSupplier } from '../processor/api.js';
import type { DefaultsAware } from '../topology/defaults.js';
import { Topology } from '../topology/topology.js';

/** What every DSL handle (KStream, KTable, their grouped forms) knows of the node it stands for. */
export interface NodeInternals<K, V> {
  readonly builder: InternalStreamsBuilder;
  readonly nodeName: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
}

/** Kafka's InternalStreamsBuilder.TABLE_SOURCE_SUFFIX: the source node of a table named <name> is <name>-source. */
export const TABLE_SOURCE_SUFFIX = '-source';

export class InternalStreamsBuilder {
  readonly topology = new Topology();
  private index = 0;
  private readonly problems: string[] = [];
  private readonly failed = new Set<string>();

  /** prefix + a 10-digit counter shared by processor and store names, as Kafka Streams does. */
  newProcessorName(prefix: string): string {
    return prefix + String(this.index++).padStart(10, '0');
  }

  /**
   * The user's name, else a generated one. The counter moves either way, as Kafka Streams'
   * NamedInternal.orElseGenerateWithPrefix moves it, so naming one operation renames no other.
   */
  nameOrGenerate(name: string | undefined, prefix: string): string {
    const generated = this.newProcessorName(prefix);
    return name ?? generated;
  }

  /** The user's name + `suffix`, else a generated one; the counter moves either way (Kafka's NamedInternal.suffixWithOrElseGet). */
  suffixOrGenerate(name: string | undefined, suffix: string, prefix: string): string {
    const generated = this.newProcessorName(prefix);
    return name === undefined ? generated : name + suffix;
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

  /**
   * Add processor `name` below `parent` with the store it writes, if any. The store, and the other
   * `defaultsAware` part when given (a windowed key serde), get the app's default serdes once bound.
   */
  addProcessorWithStore(
    name: string,
    parent: string,
    supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>,
    store: (StoreBuilder<StateStore> & DefaultsAware) | undefined,
    defaultsAware?: DefaultsAware,
  ): void {
    this.add(name, [parent], (t) => {
      t.addProcessor(name, supplier, parent);
      if (store) {
        t.addStateStore(store, name);
        t.registerDefaultsAware(store);
      }
      if (defaultsAware) t.registerDefaultsAware(defaultsAware);
    });
  }

  /** Declares that the sources upstream of these nodes (a join's inputs) must be co-partitioned. */
  copartition(nodeNames: readonly string[]): void {
    if (nodeNames.some((n) => this.failed.has(n))) return;
    this.topology.copartitionSources(nodeNames);
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
