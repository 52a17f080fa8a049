// Owns the physical topology: the graph of sources, processors and sinks, the stores connected to
// processors, and the internal topics. Built by hand (Processor API) or by StreamsBuilder. Knows how
// nodes group into sub-topologies and how to describe itself in Kafka Streams' text format.
import { TopologyError } from '@sluice/common';
import type { StateStore, StoreBuilder } from '@sluice/state';
import { supplierStores, type ProcessorSupplier, type TopicNameExtractor } from '../processor/api.js';
import type {
  InternalTopicSpec,
  NodeDef,
  ProcessorNodeDef,
  SinkNodeDef,
  SinkOptions,
  SourceNodeDef,
  SourceOptions,
} from './node-factories.js';
import { describeTopology, type TopologyDescription } from './topology-description.js';
import type { DefaultsAware, SerdeDefaults } from './defaults.js';
import { deserializerSerde, type GlobalStoreDef } from './global-stores.js';
import { nodeGroups, subtopologyDef, topicsFeeding, type NodeGroup } from './node-groups.js';
import type { Deserializer } from '@sluice/serdes';
import type { TimestampExtractor } from '../processor/api.js';

export interface StoreDef {
  readonly builder: StoreBuilder<StateStore>;
  readonly users: Set<string>;
}

export interface SubtopologyDef {
  readonly id: number;
  /** Node names in the order they were added (parents before children). */
  readonly nodes: readonly string[];
  /** Source topic names as written in the topology (internal ones undecorated). */
  readonly sourceTopics: readonly string[];
  readonly sourcePatterns: readonly RegExp[];
  /** Internal (repartition) topics this sub-topology reads. */
  readonly repartitionSourceTopics: readonly string[];
  /** Static sink topics (undecorated). */
  readonly sinkTopics: readonly string[];
  readonly stores: readonly string[];
}

function checkName(what: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TopologyError(`${what} name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
}

export class Topology {
  private readonly nodeDefs = new Map<string, NodeDef>();
  private readonly storeDefs = new Map<string, StoreDef>();
  private readonly internalTopicSpecs = new Map<string, InternalTopicSpec>();
  private readonly topicToSource = new Map<string, string>();
  private readonly defaultsAware: DefaultsAware[] = [];
  private readonly copartitioned: string[][] = [];
  /** Global source node name → how its store is restored. */
  private readonly globalSources = new Map<string, { storeName: string; processorName: string; topic: string; reprocessOnRestore: boolean }>();

  // ---- building (Processor API) ----

  addSource<K = unknown, V = unknown>(name: string, topics: string | readonly string[] | RegExp, options: SourceOptions<K, V> = {}): this {
    checkName('source', name);
    this.checkUnique(name);
    let list: string[] | undefined;
    let pattern: RegExp | undefined;
    if (topics instanceof RegExp) {
      pattern = topics;
    } else {
      list = typeof topics === 'string' ? [topics] : [...topics];
      if (list.length === 0) {
        throw new TopologyError(`source '${name}' reads from no topic: give at least one topic name or a RegExp pattern`);
      }
      for (const t of list) {
        if (typeof t !== 'string' || t.length === 0) throw new TopologyError(`source '${name}' has an empty topic name; topic names must be non-empty strings`);
        const other = this.topicToSource.get(t);
        if (other !== undefined) {
          throw new TopologyError(
            `topic '${t}' is read by two sources ('${other}' and '${name}'); read it once and share the stream (in the DSL: keep the KStream and reuse it, or merge())`,
          );
        }
      }
      for (const t of list) this.topicToSource.set(t, name);
    }
    const def: SourceNodeDef = {
      kind: 'source',
      name,
      topics: list,
      pattern,
      keySerde: options.keySerde as SourceNodeDef['keySerde'],
      valueSerde: options.valueSerde as SourceNodeDef['valueSerde'],
      timestampExtractor: options.timestampExtractor,
      offsetReset: options.offsetReset,
      predecessors: [],
    };
    this.nodeDefs.set(name, def);
    return this;
  }

  addProcessor<KIn, VIn, KOut, VOut>(name: string, supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>, ...parentNames: string[]): this {
    checkName('processor', name);
    this.checkUnique(name);
    if (supplier === undefined || supplier === null || (typeof supplier !== 'function' && typeof supplier.get !== 'function')) {
      throw new TopologyError(`processor '${name}' needs a supplier: a function returning a new Processor, or an object with get()`);
    }
    this.checkParents(name, parentNames);
    const def: ProcessorNodeDef = {
      kind: 'processor',
      name,
      supplier: supplier as ProcessorNodeDef['supplier'],
      predecessors: [...parentNames],
      stores: [],
    };
    this.nodeDefs.set(name, def);
    for (const builder of supplierStores(supplier as ProcessorNodeDef['supplier'])) {
      if (!this.storeDefs.has(builder.name)) this.addStateStore(builder);
      this.connectProcessorAndStateStores(name, builder.name);
    }
    return this;
  }

  addSink<K = unknown, V = unknown>(name: string, topic: string | TopicNameExtractor<K, V>, ...rest: [SinkOptions<K, V>, ...string[]] | string[]): this {
    checkName('sink', name);
    this.checkUnique(name);
    let options: SinkOptions<K, V> = {};
    let parents: string[];
    if (rest.length > 0 && typeof rest[0] === 'object' && rest[0] !== null) {
      options = rest[0];
      parents = rest.slice(1) as string[];
    } else {
      parents = rest as string[];
    }
    if (typeof topic === 'string') {
      if (topic.length === 0) throw new TopologyError(`sink '${name}' writes to an empty topic name; give the output topic's name`);
    } else if (typeof topic !== 'function') {
      throw new TopologyError(`sink '${name}' needs a topic name or a function (key, value, context) => topic`);
    }
    if (parents.length === 0) {
      throw new TopologyError(`sink '${name}' has no parent: a sink must receive records from at least one source or processor`);
    }
    this.checkParents(name, parents);
    const def: SinkNodeDef = {
      kind: 'sink',
      name,
      topic: typeof topic === 'string' ? topic : undefined,
      topicExtractor: typeof topic === 'function' ? (topic as SinkNodeDef['topicExtractor']) : undefined,
      keySerde: options.keySerde as SinkNodeDef['keySerde'],
      valueSerde: options.valueSerde as SinkNodeDef['valueSerde'],
      partitioner: options.partitioner as SinkNodeDef['partitioner'],
      predecessors: parents,
    };
    this.nodeDefs.set(name, def);
    return this;
  }

  addStateStore(builder: StoreBuilder<StateStore>, ...processorNames: string[]): this {
    if (!builder || typeof builder.build !== 'function' || typeof builder.name !== 'string') {
      throw new TopologyError('addStateStore needs a StoreBuilder (for example Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keySerde, valueSerde))');
    }
    checkName('store', builder.name);
    if (this.storeDefs.has(builder.name)) {
      throw new TopologyError(`store '${builder.name}' is already added; give each store a unique name`);
    }
    this.storeDefs.set(builder.name, { builder, users: new Set() });
    if (processorNames.length > 0) {
      for (const p of processorNames) this.connectProcessorAndStateStores(p, builder.name);
    }
    return this;
  }

  /**
   * A global store: a full copy of `topic` on every worker, kept current by `stateUpdateSupplier`'s
   * processor (which must not forward). Kafka Streams' signature, with an optional timestamp
   * extractor after the source name: (storeBuilder, sourceName, [timestampExtractor,]
   * keyDeserializer, valueDeserializer, topic, processorName, stateUpdateSupplier). The store must
   * have logging disabled: its topic is its changelog. Restoring runs the records through the
   * processor again, as Kafka Streams does since 3.7.
   */
  addGlobalStore<K, V>(
    storeBuilder: StoreBuilder<StateStore>,
    sourceName: string,
    ...rest:
      | [Deserializer<K>, Deserializer<V>, string, string, ProcessorSupplier<K, V, void, void>]
      | [TimestampExtractor, Deserializer<K>, Deserializer<V>, string, string, ProcessorSupplier<K, V, void, void>]
  ): this {
    const args = typeof rest[0] === 'function' ? rest : [undefined, ...rest];
    const [timestampExtractor, keyDeserializer, valueDeserializer, topic, processorName, supplier] = args as [
      TimestampExtractor | undefined,
      Deserializer<K>,
      Deserializer<V>,
      string,
      string,
      ProcessorSupplier<K, V, void, void>,
    ];
    for (const [what, d] of [
      ['key', keyDeserializer],
      ['value', valueDeserializer],
    ] as const) {
      if (!d || typeof d.deserialize !== 'function') throw new TopologyError(`global store source '${sourceName}' needs a ${what} deserializer (a Serde, or an object with deserialize(topic, bytes)), got ${String(d)}`);
    }
    return this.addGlobalStoreNodes({
      storeBuilder,
      sourceName,
      topic,
      processorName,
      supplier: supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      source: { keySerde: deserializerSerde(keyDeserializer), valueSerde: deserializerSerde(valueDeserializer), ...(timestampExtractor ? { timestampExtractor } : {}) },
      reprocessOnRestore: true,
    });
  }

  /** @internal Adds the source, processor and store of a global store (Topology.addGlobalStore, StreamsBuilder.globalTable). */
  addGlobalStoreNodes(o: {
    storeBuilder: StoreBuilder<StateStore>;
    sourceName: string;
    topic: string;
    processorName: string;
    supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
    source: SourceOptions<unknown, unknown>;
    reprocessOnRestore: boolean;
  }): this {
    if (!o.storeBuilder || typeof o.storeBuilder.build !== 'function') throw new TopologyError(`global store source '${o.sourceName}' needs a StoreBuilder (Stores.keyValueStoreBuilder(...).withLoggingDisabled())`);
    if (o.storeBuilder.loggingEnabled) {
      throw new TopologyError(`StateStore ${o.storeBuilder.name} for global table must not have logging enabled: its topic '${o.topic}' is its changelog; call withLoggingDisabled() on the store builder`);
    }
    if (typeof o.topic !== 'string' || o.topic.length === 0) throw new TopologyError(`global store '${o.storeBuilder.name}' reads from no topic: give its topic name`);
    if (this.storeDefs.has(o.storeBuilder.name)) throw new TopologyError(`store '${o.storeBuilder.name}' is already added; give each store a unique name`);
    checkName('processor', o.processorName);
    this.addSource(o.sourceName, o.topic, o.source);
    this.addProcessor(o.processorName, o.supplier, o.sourceName);
    this.storeDefs.set(o.storeBuilder.name, { builder: o.storeBuilder, users: new Set() });
    this.connectProcessorAndStateStores(o.processorName, o.storeBuilder.name);
    this.globalSources.set(o.sourceName, { storeName: o.storeBuilder.name, processorName: o.processorName, topic: o.topic, reprocessOnRestore: o.reprocessOnRestore });
    return this;
  }

  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    const node = this.nodeDefs.get(processorName);
    if (!node) throw new TopologyError(`processor '${processorName}' is not added yet; add it before connecting stores to it`);
    if (node.kind !== 'processor') throw new TopologyError(`'${processorName}' is a ${node.kind}; only processors can use state stores`);
    for (const storeName of storeNames) {
      const store = this.storeDefs.get(storeName);
      if (!store) throw new TopologyError(`store '${storeName}' is not added yet; call addStateStore(builder) first (processor '${processorName}')`);
      if (this.isGlobalStore(storeName) && !this.isGlobalProcessor(processorName)) {
        throw new TopologyError(`Global StateStore ${storeName} can be used by a Processor without being specified; it should not be explicitly passed (processor '${processorName}')`);
      }
      store.users.add(processorName);
      if (!node.stores.includes(storeName)) node.stores.push(storeName);
    }
    return this;
  }

  /** Declares an internal (repartition) topic that the application creates. Used by the DSL. */
  addInternalTopic(spec: InternalTopicSpec): this {
    this.internalTopicSpecs.set(spec.name, spec);
    return this;
  }

  /**
   * Declares that the input topics of these nodes must have the same number of partitions (Kafka
   * Streams' copartitionSources; joins use it). A node stands for the source topics feeding it in
   * its sub-topology. Internal topics in such a group get the partition count of the group's other
   * topics. Used by the DSL.
   */
  copartitionSources(nodeNames: readonly string[]): this {
    this.copartitioned.push([...nodeNames]);
    return this;
  }

  /** The groups of source topics (as written in the topology) that must be co-partitioned. */
  copartitionGroups(): string[][] {
    return this.copartitioned.map((group) => [...new Set(group.flatMap((n) => topicsFeeding(this.nodeDefs, n)))]);
  }

  /** Registers a part whose serdes may come from the app's default serdes. Used by the DSL. */
  registerDefaultsAware(part: DefaultsAware): this {
    this.defaultsAware.push(part);
    return this;
  }

  /** Gives the app's default serdes to every part that needs them; returns what is still missing. */
  bindDefaults(defaults: SerdeDefaults): string[] {
    const missing: string[] = [];
    for (const part of this.defaultsAware) {
      part.bindDefaults(defaults);
      missing.push(...(part.missingSerdes?.(defaults) ?? []));
    }
    return missing;
  }

  // ---- reading ----

  describe(): TopologyDescription {
    return describeTopology(this.nodeDefs, this.subtopologies(), this.globalStores());
  }

  /** Global stores and the node groups keeping them current (Kafka's globalStateStores). */
  globalStores(): GlobalStoreDef[] {
    return this.nodeGroups()
      .filter((g) => g.global)
      .map((g) => {
        const sourceName = g.nodes.find((n) => this.globalSources.has(n))!;
        return { id: g.id, sourceName, ...this.globalSources.get(sourceName)! };
      });
  }

  /** The node group of one global store, in the shape tasks are built from (for the global task). */
  globalSubtopology(storeName: string): SubtopologyDef {
    const def = this.globalStores().find((g) => g.storeName === storeName);
    if (!def) throw new TopologyError(`'${storeName}' is not a global store of this topology`);
    return this.subtopologyDef(def.id, [def.sourceName, def.processorName]);
  }

  /** Topics read into global stores (as written in the topology). */
  globalTopics(): string[] {
    return [...this.globalSources.values()].map((g) => g.topic);
  }

  isGlobalStore(storeName: string): boolean {
    return [...this.globalSources.values()].some((g) => g.storeName === storeName);
  }

  private isGlobalProcessor(name: string): boolean {
    return [...this.globalSources.values()].some((g) => g.processorName === name);
  }

  get nodes(): ReadonlyMap<string, NodeDef> {
    return this.nodeDefs;
  }

  get stores(): ReadonlyMap<string, StoreDef> {
    return this.storeDefs;
  }

  get internalTopics(): ReadonlyMap<string, InternalTopicSpec> {
    return this.internalTopicSpecs;
  }

  isInternalTopic(topic: string): boolean {
    return this.internalTopicSpecs.has(topic);
  }

  /**
   * Sub-topologies (without the node groups of global stores, which never become tasks), numbered
   * with them in the order their first node was added (as Kafka Streams does).
   */
  subtopologies(): SubtopologyDef[] {
    return this.nodeGroups()
      .filter((g) => !g.global)
      .map((g) => this.subtopologyDef(g.id, g.nodes));
  }

  private nodeGroups(): NodeGroup[] {
    return nodeGroups(this.nodeDefs, this.storeDefs, (n) => this.globalSources.has(n));
  }

  private subtopologyDef(id: number, nodes: readonly string[]): SubtopologyDef {
    return subtopologyDef(id, nodes, this.nodeDefs, (t) => this.internalTopicSpecs.has(t));
  }

  /**
   * Checks what can only be checked on the whole graph. Throws a TopologyError listing every problem.
   * Called by KafkaStreams and TopologyTestDriver before they run a topology.
   */
  validate(): void {
    const problems: string[] = [];
    const hasSource = [...this.nodeDefs.values()].some((d) => d.kind === 'source');
    if (!hasSource) problems.push('the topology has no source: read at least one topic (builder.stream(topic) or topology.addSource(name, topic))');
    for (const [name, store] of this.storeDefs) {
      if (store.users.size === 0) {
        problems.push(`store '${name}' is not connected to any processor: pass its name to addProcessor's stores, or connectProcessorAndStateStores(processor, '${name}')`);
      }
    }
    for (const sub of this.subtopologies()) {
      const hasSrc = sub.nodes.some((n) => this.nodeDefs.get(n)!.kind === 'source');
      if (!hasSrc) problems.push(`nodes [${sub.nodes.join(', ')}] are not reachable from any source; connect them to a source`);
    }
    if (problems.length > 0) {
      throw new TopologyError(`invalid topology:\n  - ${problems.join('\n  - ')}`);
    }
  }

  private checkUnique(name: string): void {
    if (this.nodeDefs.has(name)) {
      throw new TopologyError(`a node named '${name}' already exists; node names must be unique (Named.as(...) names must differ)`);
    }
  }

  private checkParents(name: string, parents: readonly string[]): void {
    if (parents.length === 0) {
      throw new TopologyError(`processor '${name}' has no parent: name at least one source or processor it reads from`);
    }
    for (const p of parents) {
      if (p === name) throw new TopologyError(`'${name}' cannot be its own parent`);
      const parent = this.nodeDefs.get(p);
      if (!parent) throw new TopologyError(`parent '${p}' of '${name}' is not added yet; add parents before children`);
      if (parent.kind === 'sink') throw new TopologyError(`'${p}' is a sink and cannot have children ('${name}'); read its topic with a new source instead`);
    }
  }
}
