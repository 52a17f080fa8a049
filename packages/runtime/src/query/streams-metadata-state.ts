// Owns what this worker knows about where the application's stores live (Kafka's
// StreamsMetadataState): built from each assignment's task owners (active, and standby once standby
// replicas exist), each worker's applicationServer endpoint, and which sub-topology holds which
// stores and reads which topics. Answers which worker hosts a store, and which partition and
// worker a key of a store belongs to (Kafka's default partitioner over the key's bytes).
import { ConfigError, partitionForKey } from '@sluice/common';
import type { StreamPartitioner, Topology } from '@sluice/core';
import type { Serializer } from '@sluice/serdes';
import { HostInfo, KeyQueryMetadata, StreamsMetadata, type TopicPartition } from './metadata.js';

export interface TaskOwner {
  readonly processId: string;
  readonly endpoint: string | undefined;
}

/** What one assignment says about the whole group. */
export interface FleetAssignment {
  /** Task id → the worker that runs it. */
  readonly activeOwners: ReadonlyMap<string, TaskOwner>;
  /** Task id → the workers that keep a standby copy of it (empty until standby replicas exist). */
  readonly standbyOwners?: ReadonlyMap<string, readonly TaskOwner[]>;
  /** Every member, also those without tasks. */
  readonly clients?: readonly TaskOwner[];
}

/** The application's topics as start-up found them. */
export interface TopicLayout {
  /** Real topic names read by each sub-topology (internal ones prefixed, patterns resolved). */
  readonly sourceTopics: ReadonlyMap<number, readonly string[]>;
  readonly partitionCounts: ReadonlyMap<string, number>;
}

interface HostEntry {
  readonly host: HostInfo;
  readonly active: TopicPartition[];
  readonly activeStores: Set<string>;
  readonly standby: TopicPartition[];
  readonly standbyStores: Set<string>;
}

function parseTaskId(id: string): { sub: number; partition: number } | undefined {
  const m = /^(\d+)_(\d+)$/.exec(id);
  return m ? { sub: Number(m[1]), partition: Number(m[2]) } : undefined;
}

export class StreamsMetadataState {
  private layout: TopicLayout | undefined;
  private assignment: FleetAssignment | undefined;
  private all: StreamsMetadata[] = [];
  private readonly storesOfSub = new Map<number, string[]>();
  private readonly subOfStore = new Map<string, number>();

  constructor(
    topology: Topology,
    readonly thisHost: HostInfo | undefined,
  ) {
    for (const sub of topology.subtopologies()) {
      this.storesOfSub.set(sub.id, [...sub.stores]);
      for (const s of sub.stores) this.subOfStore.set(s, sub.id);
    }
  }

  setTopics(layout: TopicLayout): void {
    this.layout = layout;
    this.rebuild();
  }

  onAssignment(assignment: FleetAssignment): void {
    this.assignment = assignment;
    this.rebuild();
  }

  /** Known once the topics and an assignment are. */
  isInitialized(): boolean {
    return this.layout !== undefined && this.assignment !== undefined;
  }

  allMetadata(): StreamsMetadata[] {
    return [...this.all];
  }

  allMetadataForStore(storeName: string): StreamsMetadata[] {
    return this.all.filter((m) => m.stateStoreNames.has(storeName) || m.standbyStateStoreNames.has(storeName));
  }

  localMetadata(): StreamsMetadata | undefined {
    return this.thisHost === undefined ? undefined : this.all.find((m) => m.hostInfo.equals(this.thisHost));
  }

  /** Real source topics of the sub-topology that holds the store (empty for an unknown store). */
  sourceTopicsForStore(storeName: string): readonly string[] {
    const sub = this.subOfStore.get(storeName);
    return sub === undefined ? [] : (this.layout?.sourceTopics.get(sub) ?? []);
  }

  /** How many partitions (= tasks) the store has: the most of its sub-topology's source topics. */
  partitionCount(storeName: string): number | undefined {
    const counts = this.sourceTopicsForStore(storeName).map((t) => this.layout?.partitionCounts.get(t) ?? 0);
    return counts.length === 0 || !this.layout ? undefined : Math.max(...counts);
  }

  keyQueryMetadataForKey<K>(storeName: string, key: K, how: Serializer<K> | StreamPartitioner<K, unknown>): KeyQueryMetadata {
    if (!this.isInitialized()) return KeyQueryMetadata.NOT_AVAILABLE;
    const topics = this.sourceTopicsForStore(storeName);
    let topic = topics[0]!;
    let max = 0;
    for (const t of topics) {
      const n = this.layout!.partitionCounts.get(t) ?? 0;
      if (n > max) [topic, max] = [t, n];
    }
    if (max === 0) return KeyQueryMetadata.NOT_AVAILABLE;
    const partition = typeof how === 'function' ? how(topic, key, null, max) : partitionForKey(how.serialize(topic, key), max);
    if (!Number.isSafeInteger(partition) || partition! < 0 || partition! >= max) {
      throw new ConfigError(`the partitioner gave ${String(partition)} for a key of store '${storeName}', but its source topic '${topic}' has partitions 0..${max - 1}; return one of them (or pass the key serde instead of a partitioner)`);
    }
    const task = `${this.subOfStore.get(storeName)!}_${partition!}`;
    const active = this.hostOf(this.assignment!.activeOwners.get(task)) ?? HostInfo.unavailable();
    const standbys = (this.assignment!.standbyOwners?.get(task) ?? []).map((o) => this.hostOf(o)).filter((h): h is HostInfo => h !== undefined);
    return new KeyQueryMetadata(active, standbys, partition!);
  }

  private hostOf(owner: TaskOwner | undefined): HostInfo | undefined {
    if (owner?.endpoint === undefined) return undefined;
    try {
      return HostInfo.buildFromEndpoint(owner.endpoint);
    } catch {
      return undefined; // a member with a malformed endpoint is left out, as one without an endpoint
    }
  }

  private rebuild(): void {
    if (!this.layout || !this.assignment) return;
    const hosts = new Map<string, HostEntry>();
    const entry = (owner: TaskOwner | undefined): HostEntry | undefined => {
      const host = this.hostOf(owner);
      if (host === undefined) return undefined;
      let e = hosts.get(host.toString());
      if (!e) hosts.set(host.toString(), (e = { host, active: [], activeStores: new Set(), standby: [], standbyStores: new Set() }));
      return e;
    };
    for (const c of this.assignment.clients ?? []) entry(c);
    for (const [task, owner] of this.assignment.activeOwners) {
      const e = entry(owner);
      if (e) this.addTask(task, e.active, e.activeStores);
    }
    for (const [task, owners] of this.assignment.standbyOwners ?? []) {
      for (const owner of owners) {
        const e = entry(owner);
        if (e) this.addTask(task, e.standby, e.standbyStores);
      }
    }
    const byTp = (a: TopicPartition, b: TopicPartition) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);
    this.all = [...hosts.values()]
      .sort((a, b) => (a.host.host < b.host.host ? -1 : a.host.host > b.host.host ? 1 : a.host.port - b.host.port))
      .map((e) => new StreamsMetadata(e.host, e.activeStores, e.active.sort(byTp), e.standbyStores, e.standby.sort(byTp)));
  }

  private addTask(taskId: string, partitions: TopicPartition[], stores: Set<string>): void {
    const t = parseTaskId(taskId);
    if (!t) return;
    for (const topic of this.layout!.sourceTopics.get(t.sub) ?? []) {
      const count = this.layout!.partitionCounts.get(topic);
      if (count === undefined || t.partition < count) partitions.push({ topic, partition: t.partition });
    }
    for (const s of this.storesOfSub.get(t.sub) ?? []) stores.add(s);
  }
}
