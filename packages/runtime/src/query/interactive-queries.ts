// Owns Kafka Streams' query API as KafkaStreams offers it (store, queryMetadataForKey,
// streamsMetadataForStore, metadataForAllStreamsClients, metadataForLocalThreads,
// allLocalStorePartitionLags) plus Sluice's localStores and queryableStores. KafkaStreams hands it
// read access to its state, tasks and admin client, and tells it each assignment; nothing here
// changes a store or a task.
import { ConfigError, IllegalStateError } from '@sluice/common';
import type { StreamPartitioner, Topology } from '@sluice/core';
import type { Serde, Serializer } from '@sluice/serdes';
import { changelogTopicName, type QueryableStoreKind, type StateStore, type StoreQueryInfo } from '@sluice/state';
import type { Admin } from '../ports.js';
import type { StreamsState } from '../state-machine.js';
import { InvalidStateStoreError, StreamsNotStartedError, UnknownStateStoreError } from './errors.js';
import { checkState, LocalStoreProvider, type LocalTask } from './local-store-provider.js';
import { HostInfo, LagInfo, type KeyQueryMetadata, type StreamsMetadata, type TaskMetadata, type ThreadMetadata, type ThreadState, type TopicPartition } from './metadata.js';
import { QueryableStoreTypes } from './queryable-store-types.js';
import type { ReadOnlyStore } from './read-only-stores.js';
import type { StoreQueryParameters } from './store-query-parameters.js';
import { StreamsMetadataState, type FleetAssignment, type TopicLayout } from './streams-metadata-state.js';

/** A task as the runtime keeps it (the task manager's ManagedTask fits). */
export interface RuntimeTask {
  readonly id: string;
  readonly restored: boolean;
  readonly inputs: readonly TopicPartition[];
  readonly task: { readonly partition: number; readonly stores: ReadonlyMap<string, StateStore> };
  readonly state: { changelogPartitions(): TopicPartition[]; changelogOffsets(): ReadonlyMap<string, number> };
}

/** What KafkaStreams lets the query API see. */
export interface QueryHost {
  readonly topology: Topology;
  readonly applicationId: string;
  readonly applicationServer: string | undefined;
  readonly clientId: string;
  state(): StreamsState;
  activeTasks(): Iterable<RuntimeTask>;
  /** Standby tasks, once standby replicas exist. */
  standbyTasks?(): Iterable<RuntimeTask>;
  /** The worker's stream threads and their tasks (metadataForLocalThreads); one thread when not given. */
  threads?(): { name: string; active: RuntimeTask[]; standby: RuntimeTask[] }[];
  admin(): Admin | undefined;
}

/** A store interactive queries can read, with what a client needs to address its keys. */
export interface QueryableStoreInfo {
  readonly name: string;
  readonly kind: QueryableStoreKind;
  readonly keySerde: Serde<unknown>;
  /** The topic name the store's serdes are given (its changelog's): serializing a key with it gives the store's bytes. */
  readonly serdeTopic: string;
  /** Partitions (= tasks) of the store; undefined before start() found the topics. */
  readonly partitions: number | undefined;
}

const THREAD_STATE: { [S in StreamsState]: ThreadState } = {
  CREATED: 'CREATED',
  REBALANCING: 'PARTITIONS_ASSIGNED',
  RUNNING: 'RUNNING',
  PENDING_SHUTDOWN: 'PENDING_SHUTDOWN',
  NOT_RUNNING: 'DEAD',
  PENDING_ERROR: 'PENDING_SHUTDOWN',
  ERROR: 'DEAD',
};

function localTask(t: RuntimeTask): LocalTask {
  return { id: t.id, partition: t.task.partition, restored: t.restored, store: (name) => t.task.stores.get(name) };
}

export class InteractiveQueries {
  private readonly metadata: StreamsMetadataState;
  readonly applicationServer: HostInfo | undefined;

  constructor(private readonly host: QueryHost) {
    this.applicationServer = HostInfo.buildFromEndpoint(host.applicationServer);
    this.metadata = new StreamsMetadataState(host.topology, this.applicationServer);
  }

  /** Start-up found the topics: partition counts of every source topic. */
  onTopics(layout: TopicLayout): void {
    this.metadata.setTopics(layout);
  }

  /** Each assignment: who runs (and, later, keeps standbys of) which task. */
  onAssignment(assignment: FleetAssignment): void {
    this.metadata.onAssignment(assignment);
  }

  store<T>(params: StoreQueryParameters<T>): T {
    const name = params.storeName;
    checkState(this.host.state(), name, true);
    const info = this.queryInfo(name);
    const type = params.queryableStoreType;
    if (!type.accepts(info.kind)) {
      throw new InvalidStateStoreError(`store '${name}' is a ${info.kind} store, which QueryableStoreTypes.${type.name}() does not accept; use QueryableStoreTypes.${suggestType(info.kind)}()`, {
        retriable: false,
        context: { store: name, kind: info.kind },
      });
    }
    const view = {
      state: () => this.host.state(),
      active: () => [...this.host.activeTasks()].map(localTask),
      standby: () => [...(this.host.standbyTasks?.() ?? [])].map(localTask),
    };
    const provider = new LocalStoreProvider(view, params, (s) => this.queryInfo(s), (s) => changelogTopicName(this.host.applicationId, s));
    return type.create(provider, name);
  }

  /** Read-only views of a store's partitions on this worker, by task id (restored tasks only). */
  localStores<S extends ReadOnlyStore = ReadOnlyStore>(storeName: string): Map<string, S> {
    if (!this.host.topology.stores.has(storeName)) {
      throw new ConfigError(`the topology has no store named '${storeName}'; its stores are: ${[...this.host.topology.stores.keys()].join(', ') || '(none)'}`);
    }
    const info = this.queryInfo(storeName);
    const type = info.kind === 'session' ? QueryableStoreTypes.sessionStore() : isWindow(info.kind) ? QueryableStoreTypes.timestampedWindowStore() : QueryableStoreTypes.timestampedKeyValueStore();
    const out = new Map<string, S>();
    for (const t of this.host.activeTasks()) {
      const s = t.task.stores.get(storeName);
      if (s && t.restored && s.isOpen()) out.set(t.id, type.view(s, info.kind, t.task.partition) as S);
    }
    return out;
  }

  queryMetadataForKey<K>(storeName: string, key: K, keySerdeOrPartitioner: Serializer<K> | StreamPartitioner<K, unknown>): KeyQueryMetadata {
    this.checkRunning();
    this.requireStore(storeName);
    if (key === undefined || key === null) throw new ConfigError(`queryMetadataForKey('${storeName}', key, ...) needs a key; got ${String(key)}`);
    const how = keySerdeOrPartitioner;
    if (typeof how !== 'function' && (how === null || typeof how !== 'object' || typeof how.serialize !== 'function')) {
      throw new ConfigError(`queryMetadataForKey('${storeName}', key, ...) needs the store's key serde (e.g. Serdes.String()) or a partitioner function (topic, key, value, numPartitions) => partition`);
    }
    return this.metadata.keyQueryMetadataForKey(storeName, key, how);
  }

  streamsMetadataForStore(storeName: string): StreamsMetadata[] {
    this.checkRunning();
    this.requireStore(storeName);
    return this.metadata.allMetadataForStore(storeName);
  }

  metadataForAllStreamsClients(): StreamsMetadata[] {
    this.checkRunning();
    return this.metadata.allMetadata();
  }

  metadataForLocalThreads(): ThreadMetadata[] {
    const state = this.host.state();
    if (state === 'NOT_RUNNING' || state === 'ERROR') return [];
    const meta = (t: RuntimeTask): TaskMetadata => ({ taskId: t.id, topicPartitions: [...t.inputs] });
    const threads = this.host.threads?.() ?? [{ name: `${this.host.clientId}-StreamThread-1`, active: [...this.host.activeTasks()], standby: [...(this.host.standbyTasks?.() ?? [])] }];
    return threads.map((t) => ({
      threadName: t.name,
      threadState: THREAD_STATE[state],
      consumerClientId: this.host.clientId,
      activeTasks: t.active.map(meta),
      standbyTasks: t.standby.map(meta),
    }));
  }

  /**
   * How far each local store partition (active or standby) is behind the end of its changelog. One
   * request to the brokers per changelog topic: call it every few seconds at most. Active tasks that
   * are processing are caught up by definition (lag 0), as in Kafka.
   */
  async allLocalStorePartitionLags(): Promise<Map<string, Map<number, LagInfo>>> {
    const admin = this.host.admin();
    if (!admin) throw new StreamsNotStartedError('store lags are known once KafkaStreams has started; call start() first');
    const tasks = [...this.host.activeTasks()].map((t) => ({ t, active: true })).concat([...(this.host.standbyTasks?.() ?? [])].map((t) => ({ t, active: false })));
    const topics = new Set(tasks.flatMap(({ t }) => t.state.changelogPartitions().map((tp) => tp.topic)));
    const ends = new Map<string, number>();
    await Promise.all(
      [...topics].map(async (topic) => {
        for (const o of await admin.topicOffsets(topic)) ends.set(`${topic}:${o.partition}`, o.high);
      }),
    );
    const out = new Map<string, Map<number, LagInfo>>();
    for (const { t, active } of tasks) {
      const offsets = t.state.changelogOffsets();
      for (const tp of t.state.changelogPartitions()) {
        const store = this.storeOfChangelog(tp.topic);
        const end = ends.get(`${tp.topic}:${tp.partition}`);
        if (store === undefined || end === undefined) continue;
        const current = active && t.restored ? end : Math.min(end, offsets.get(`${tp.topic}:${tp.partition}`) ?? 0);
        let byPartition = out.get(store);
        if (!byPartition) out.set(store, (byPartition = new Map()));
        byPartition.set(tp.partition, new LagInfo(current, end));
      }
    }
    return out;
  }

  /** The stores interactive queries can read, with their kind, key serde and partition count. */
  queryableStores(): QueryableStoreInfo[] {
    const out: QueryableStoreInfo[] = [];
    for (const [name, def] of this.host.topology.stores) {
      const info = def.builder.queryInfo?.();
      if (info) out.push({ name, kind: info.kind, keySerde: info.keySerde, serdeTopic: changelogTopicName(this.host.applicationId, name), partitions: this.metadata.partitionCount(name) });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private storeOfChangelog(topic: string): string | undefined {
    for (const name of this.host.topology.stores.keys()) if (changelogTopicName(this.host.applicationId, name) === topic) return name;
    return undefined;
  }

  private requireStore(storeName: string): void {
    if (!this.host.topology.stores.has(storeName)) {
      throw new UnknownStateStoreError(`the topology has no store named '${storeName}'; its stores are: ${[...this.host.topology.stores.keys()].join(', ') || '(none)'}`, {
        context: { store: storeName },
      });
    }
  }

  private queryInfo(storeName: string): StoreQueryInfo {
    this.requireStore(storeName);
    const info = this.host.topology.stores.get(storeName)!.builder.queryInfo?.();
    if (!info) {
      throw new InvalidStateStoreError(`store '${storeName}' cannot be queried: it is not a key-value, window or session store built by Stores or Materialized`, {
        retriable: false,
        context: { store: storeName },
      });
    }
    return info;
  }

  /** Kafka's validateIsRunningOrRebalancing. */
  private checkRunning(): void {
    const state = this.host.state();
    if (state === 'CREATED') throw new StreamsNotStartedError('KafkaStreams has not been started; call start() and retry');
    if (state !== 'RUNNING' && state !== 'REBALANCING') throw new IllegalStateError(`KafkaStreams is not running; its state is ${state}`);
  }
}

function isWindow(kind: QueryableStoreKind): boolean {
  return kind === 'window' || kind === 'timestampedWindow';
}

function suggestType(kind: QueryableStoreKind): string {
  return kind === 'session' ? 'sessionStore' : isWindow(kind) ? 'windowStore' : 'keyValueStore';
}
