// A fleet of workers in one process for the query layer's unit tests: each "worker" answers Kafka
// Streams' query API (what StreamsHttpServer builds on) from real in-memory stores through the
// runtime's real read-only views, for the partitions the fleet's assignment gives it; keys are placed
// on partitions with Kafka's default partitioner, as KafkaStreams places them. Real query servers on
// 127.0.0.1 serve each worker. The real KafkaStreams behind the same routes is tested in
// test/integration/queries-over-http-across-workers.test.ts.
import { once } from 'node:events';
import net from 'node:net';
import { partitionForKey } from '@sluice/common';
import type { StreamPartitioner } from '@sluice/core';
import {
  HostInfo,
  InvalidStateStorePartitionError,
  KeyQueryMetadata,
  LagInfo,
  StreamsMetadata,
  StreamsRebalancingError,
  type QueryableStoreInfo,
  type StoreQueryParameters,
  type ThreadMetadata,
} from '@sluice/runtime/query';
import { StreamsMetrics, type StreamsState } from '@sluice/runtime';
import { Serdes, SessionWindow, Windowed, type Serde, type Serializer } from '@sluice/serdes';
import { Stores, type KeyValueStore, type QueryableStoreKind, type SessionStore, type StateStore, type StoreBuilder, type WindowStore } from '@sluice/state';
import { ManualClock, MetricsRegistry, noopLogger } from '@sluice/common';
import { StreamsHttpServer, type QueryableApp, type StreamsHttpOptions } from '../../src/index.js';

export const PARTITIONS = 6;
const WINDOW_MS = 60_000;

interface StoreSpec {
  readonly kind: QueryableStoreKind;
  readonly keySerde: Serde<unknown>;
  readonly builder: () => StoreBuilder<StateStore>;
}

const S = Serdes.String() as Serde<unknown>;
const SPECS: { [name: string]: StoreSpec } = {
  counts: { kind: 'keyValue', keySerde: S, builder: () => Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.String(), Serdes.Long()) },
  profiles: { kind: 'timestampedKeyValue', keySerde: S, builder: () => Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('profiles'), Serdes.String(), Serdes.Json()) },
  totals: { kind: 'keyValue', keySerde: Serdes.Long() as Serde<unknown>, builder: () => Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('totals'), Serdes.Long(), Serdes.BigLong()) },
  'views-per-minute': {
    kind: 'timestampedWindow',
    keySerde: S,
    builder: () => Stores.timestampedWindowStoreBuilder(Stores.inMemoryWindowStore('views-per-minute', 24 * 3_600_000, WINDOW_MS, false), Serdes.String(), Serdes.Long()),
  },
  visits: { kind: 'session', keySerde: S, builder: () => Stores.sessionStoreBuilder(Stores.inMemorySessionStore('visits', 24 * 3_600_000), Serdes.String(), Serdes.Long()) },
};

export const STORE_NAMES = Object.keys(SPECS);

function context(partition: number) {
  return {
    applicationId: 'fleet-app',
    taskId: `0_${partition}`,
    partition,
    taskDir: '/nonexistent',
    clock: new ManualClock(0),
    logger: noopLogger,
    cache: undefined,
    rocksdb: { blockCacheBytes: 1 << 20, writeBufferBytes: 1 << 20, maxOpenFiles: 16 },
    register: () => undefined,
    logChange: () => undefined,
    streamTime: () => 0,
  };
}

/** A free port on 127.0.0.1 (so a worker knows its applicationServer before its server starts). */
export async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}

export class Fleet {
  readonly workers: FakeWorker[] = [];
  /** Partition → index of the worker with the active task, and of those with standbys. */
  active: number[] = [];
  standbys: number[][] = [];
  private readonly stores = new Map<string, StateStore>();

  static async create(size: number, options: StreamsHttpOptions = {}): Promise<Fleet> {
    const f = new Fleet();
    for (let p = 0; p < PARTITIONS; p++) {
      f.active.push(p % size);
      f.standbys.push([]);
      for (const [name, spec] of Object.entries(SPECS)) {
        const store = spec.builder().build();
        await store.init(context(p));
        f.stores.set(`${name}/${p}`, store);
      }
    }
    for (let i = 0; i < size; i++) f.workers.push(new FakeWorker(f, i, new HostInfo('127.0.0.1', await freePort())));
    for (const w of f.workers) await w.startServer(options);
    return f;
  }

  partitionOf(store: string, key: unknown): number {
    return partitionForKey(SPECS[store]!.keySerde.serialize(`fleet-app-${store}-changelog`, key), PARTITIONS);
  }

  store<T>(name: string, partition: number): T {
    return this.stores.get(`${name}/${partition}`) as T;
  }

  /** Write through the real stores, each key into the partition it belongs to. */
  async put(store: 'counts' | 'totals', key: unknown, value: unknown): Promise<void> {
    await this.store<KeyValueStore<unknown, unknown>>(store, this.partitionOf(store, key)).put(key, value);
  }

  async putProfile(key: string, value: unknown, timestamp: number): Promise<void> {
    await this.store<KeyValueStore<string, unknown>>('profiles', this.partitionOf('profiles', key)).put(key, { value, timestamp });
  }

  async putWindow(key: string, start: number, count: number, timestamp: number): Promise<void> {
    await this.store<WindowStore<string, unknown>>('views-per-minute', this.partitionOf('views-per-minute', key)).put(key, { value: count, timestamp }, start);
  }

  async putSession(key: string, start: number, end: number, count: number): Promise<void> {
    await this.store<SessionStore<string, number>>('visits', this.partitionOf('visits', key)).put(new Windowed(key, new SessionWindow(start, end)), count);
  }

  async close(): Promise<void> {
    for (const w of this.workers) await w.server?.close();
  }
}

/** One worker as the query server sees it: Kafka Streams' query API over the fleet's stores. */
export class FakeWorker implements QueryableApp {
  state: StreamsState = 'RUNNING';
  server: StreamsHttpServer | undefined;

  constructor(
    private readonly fleet: Fleet,
    readonly index: number,
    readonly applicationServer: HostInfo,
  ) {}

  get url(): string {
    return this.server!.url;
  }

  async startServer(options: StreamsHttpOptions): Promise<void> {
    this.server = new StreamsHttpServer(this, { host: '127.0.0.1', ...options });
    await this.server.start();
  }

  /** Stop answering (as a killed worker: its port closes). */
  async kill(): Promise<void> {
    await this.server?.close();
  }

  private owns(p: number, stale: boolean): boolean {
    return this.fleet.active[p] === this.index || (stale && this.fleet.standbys[p]!.includes(this.index));
  }

  store<T>(params: StoreQueryParameters<T>): T {
    const p = params.partition!;
    if (this.state === 'REBALANCING' && !params.staleStoresEnabled) throw new StreamsRebalancingError(`cannot query store '${params.storeName}' while this worker is rebalancing`);
    if (!this.owns(p, params.staleStoresEnabled)) throw new InvalidStateStorePartitionError(`partition ${p} of store '${params.storeName}' is not hosted by this worker`);
    return params.queryableStoreType.view(this.fleet.store(params.storeName, p), SPECS[params.storeName]!.kind, p) as T;
  }

  queryMetadataForKey<K>(storeName: string, key: K, how: Serializer<K> | StreamPartitioner<K, unknown>): KeyQueryMetadata {
    const topic = `fleet-app-${storeName}-source`;
    const p = typeof how === 'function' ? how(topic, key, null, PARTITIONS)! : partitionForKey(how.serialize(topic, key), PARTITIONS);
    const host = (i: number) => this.fleet.workers[i]!.applicationServer;
    return new KeyQueryMetadata(host(this.fleet.active[p]!), this.fleet.standbys[p]!.map(host), p);
  }

  metadataForAllStreamsClients(): StreamsMetadata[] {
    return this.fleet.workers.map((w) => {
      const mine = (list: number[][]) => list.flatMap((ws, p) => (ws.includes(w.index) ? [{ topic: 'source', partition: p }] : []));
      const active = mine(this.fleet.active.map((i) => [i]));
      const standby = mine(this.fleet.standbys);
      return new StreamsMetadata(w.applicationServer, new Set(active.length ? STORE_NAMES : []), active, new Set(standby.length ? STORE_NAMES : []), standby);
    });
  }

  streamsMetadataForStore(): StreamsMetadata[] {
    return this.metadataForAllStreamsClients().filter((m) => m.stateStoreNames.size > 0 || m.standbyStateStoreNames.size > 0);
  }

  metadataForLocalThreads(): ThreadMetadata[] {
    const tasks = this.fleet.active.flatMap((i, p) => (i === this.index ? [{ taskId: `0_${p}`, topicPartitions: [{ topic: 'source', partition: p }] }] : []));
    return [{ threadName: `w${this.index}-StreamThread-1`, threadState: 'RUNNING', consumerClientId: `w${this.index}`, activeTasks: tasks, standbyTasks: [] }];
  }

  async allLocalStorePartitionLags(): Promise<Map<string, Map<number, LagInfo>>> {
    const parts = new Map(this.fleet.active.flatMap((i, p) => (i === this.index ? [[p, new LagInfo(10, 10)] as const] : [])));
    return new Map(STORE_NAMES.map((s) => [s, parts]));
  }

  /** Records "processed" (no stream thread runs here): reported as the thread's process-total. */
  processed = 0;

  metrics(): StreamsMetrics {
    const registry = new MetricsRegistry('info', () => 0);
    registry.gauge('thread', 'stream-thread-metrics', 'process-total', { 'thread-id': `w${this.index}-StreamThread-1` }, 'The total number of processed records', () => this.processed, 'counter');
    return new StreamsMetrics(registry, () => [], () => 0);
  }

  consumerLags(): { topic: string; partition: number; lag: number }[] {
    return this.fleet.active.flatMap((i, p) => (i === this.index ? [{ topic: 'source', partition: p, lag: 0 }] : []));
  }

  describe(): ReturnType<QueryableApp['describe']> {
    return { subtopologies: [], globalStores: [], toString: () => 'Topologies:\n' };
  }

  queryableStores(): QueryableStoreInfo[] {
    return Object.entries(SPECS).map(([name, spec]) => ({ name, kind: spec.kind, keySerde: spec.keySerde, serdeTopic: `fleet-app-${name}-changelog`, partitions: PARTITIONS }));
  }
}
