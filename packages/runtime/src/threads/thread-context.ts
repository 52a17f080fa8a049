// Owns what every stream thread of a worker is prepared with once the topics are known (the same in
// the main thread and in a worker thread, which prepares its own): the engine settings, the tasks of
// the topology, the changelog topics, the serdes of each source topic (configured and told their
// topics), the internal topics read back, where a source without a committed offset starts, and the
// global stores (one copy per thread that is not the main one).
import { describeError, type Logger } from '@sluice/common';
import type { EngineConfig, Topology } from '@sluice/core';
import type { Serde } from '@sluice/serdes';
import { createCacheMemoryPool, type CacheMemoryPool, type StateDirectory } from '@sluice/state';
import { TopologyTasks } from '../assignment/topology-tasks.js';
import type { ResolvedConfig } from '../config.js';
import { GlobalStreamThread } from '../global/global-stream-thread.js';
import type { Admin, KafkaClient } from '../ports.js';

/** The topics as start-up found them (serializable: a worker thread is given them). */
export interface ThreadTopics {
  /** Real source topics per sub-topology (internal ones prefixed, patterns resolved). */
  readonly sourceTopics: Map<number, string[]>;
  /** Changelog topic per store name (logged stores only). */
  readonly changelogTopics: Map<string, string>;
  readonly partitionCounts: Map<string, number>;
}

export type SourceSerdes = Map<string, { key: Serde<unknown>; value: Serde<unknown> }>;

export interface ThreadContext {
  readonly engine: EngineConfig;
  readonly topologyTasks: TopologyTasks;
  readonly topics: ThreadTopics;
  readonly cache: CacheMemoryPool | undefined;
  readonly sourceSerdes: SourceSerdes;
  /** Internal topics the application reads back (repartition, foreign-key subscription and response). */
  readonly repartitionTopics: ReadonlySet<string>;
  readonly resetPolicy: (topic: string) => 'earliest' | 'latest' | 'none';
}

export interface ThreadContextOptions {
  readonly topology: Topology;
  readonly config: ResolvedConfig;
  readonly topics: ThreadTopics;
  /** The record cache of this thread (Kafka splits cacheMaxBytes evenly between a worker's threads). */
  readonly cacheBytes: number;
  readonly globalStore: EngineConfig['globalStore'];
}

export async function prepareThreadContext(o: ThreadContextOptions): Promise<ThreadContext> {
  const { topology, config } = o;
  const engine: EngineConfig = {
    applicationId: config.applicationId,
    defaultKeySerde: config.defaultKeySerde,
    defaultValueSerde: config.defaultValueSerde,
    defaultTimestampExtractor: config.defaultTimestampExtractor,
    deserializationExceptionHandler: config.deserializationExceptionHandler,
    processingExceptionHandler: config.processingExceptionHandler,
    deadLetterQueueTopic: config.deadLetterQueueTopicName,
    processingRetry: config.processingRetry,
    appConfigs: config.appConfigs,
    clock: config.clock,
    logger: config.logger,
    globalStore: o.globalStore,
  };
  const resolve = (t: string) => (topology.isInternalTopic(t) ? `${config.applicationId}-${t}` : t);
  const repartitionTopics = new Set(topology.subtopologies().flatMap((sub) => sub.sourceTopics.filter((t) => topology.isInternalTopic(t)).map(resolve)));
  return {
    engine,
    topologyTasks: new TopologyTasks(topology.subtopologies(), o.topics.sourceTopics),
    topics: o.topics,
    cache: o.cacheBytes > 0 ? createCacheMemoryPool(o.cacheBytes) : undefined,
    sourceSerdes: await prepareSerdes(topology, config, o.topics.sourceTopics),
    repartitionTopics,
    resetPolicy: resetPolicies(topology, config, o.topics.sourceTopics),
  };
}

/** Configures every serde of the topology once and tells it the topics it is used on; the serdes of each source topic. */
export async function prepareSerdes(topology: Topology, config: ResolvedConfig, sourceTopics: Map<number, string[]>): Promise<SourceSerdes> {
  const bySource: SourceSerdes = new Map();
  const configured = new Set<Serde<unknown>>();
  const prep = async (serde: Serde<unknown>, topic: string) => {
    if (!configured.has(serde)) {
      configured.add(serde);
      await serde.configure?.();
    }
    await serde.prepareTopic?.(topic);
  };
  const resolve = (t: string) => (topology.isInternalTopic(t) ? `${config.applicationId}-${t}` : t);
  for (const sub of topology.subtopologies()) {
    for (const name of sub.nodes) {
      const def = topology.nodes.get(name)!;
      if (def.kind === 'processor') continue;
      const key = (def.keySerde ?? config.defaultKeySerde)!;
      const value = (def.valueSerde ?? config.defaultValueSerde)!;
      const topics = def.kind === 'source' ? (def.topics ? def.topics.map(resolve) : (sourceTopics.get(sub.id) ?? []).filter((t) => def.pattern!.test(t))) : def.topic !== undefined ? [resolve(def.topic)] : [];
      for (const t of topics) {
        await prep(key, t);
        await prep(value, t);
        if (def.kind === 'source') bySource.set(t, { key, value });
      }
    }
  }
  return bySource;
}

/** Where each source topic starts without a committed offset: its source's offset reset policy, else earliest. */
export function resetPolicies(topology: Topology, config: ResolvedConfig, sourceTopics: Map<number, string[]>): (topic: string) => 'earliest' | 'latest' | 'none' {
  const byTopic = new Map<string, 'earliest' | 'latest'>();
  const resolve = (t: string) => (topology.isInternalTopic(t) ? `${config.applicationId}-${t}` : t);
  const all = [...sourceTopics.values()].flat();
  for (const def of topology.nodes.values()) {
    if (def.kind !== 'source' || def.offsetReset === undefined) continue;
    const topics = def.topics ? def.topics.map(resolve) : all.filter((t) => def.pattern!.test(t));
    for (const t of topics) byTopic.set(t, def.offsetReset);
  }
  const patterns = [...topology.nodes.values()].flatMap((d) => (d.kind === 'source' && d.pattern && d.offsetReset ? [{ pattern: d.pattern, reset: d.offsetReset }] : []));
  return (topic) => byTopic.get(topic) ?? patterns.find((p) => p.pattern.test(topic))?.reset ?? 'earliest';
}

export interface GlobalThreadOptions {
  readonly topology: Topology;
  readonly config: ResolvedConfig;
  readonly engine: EngineConfig;
  readonly client: KafkaClient;
  readonly admin: Admin;
  readonly stateDirectory: StateDirectory;
  /** 'global' for the worker's main thread; a stream thread on a worker thread keeps its own copy. */
  readonly dirName: string;
  readonly cache: CacheMemoryPool | undefined;
  readonly logger: Logger;
  readonly onFatal: (error: unknown) => void;
}

/** Locks the global state directory and restores every global store before the thread joins the group. */
export async function startGlobalThread(o: GlobalThreadOptions): Promise<GlobalStreamThread> {
  o.stateDirectory.lock(o.dirName);
  const thread = new GlobalStreamThread({
    topology: o.topology,
    engine: o.engine,
    client: o.client,
    admin: o.admin,
    readCommitted: o.config.guarantee === 'exactly_once',
    globalDir: o.stateDirectory.taskDir(o.dirName),
    commitIntervalMs: o.config.commitIntervalMs,
    maxPartitionFetchBytes: o.config.maxPartitionFetchBytes,
    cache: o.cache,
    rocksdb: o.config.rocksdb,
    logger: o.logger,
    onFatal: o.onFatal,
  });
  try {
    await thread.start();
  } catch (err) {
    await thread.close(false).catch((e: unknown) => o.logger.warn(`closing the global stream thread failed: ${describeError(e)}`));
    o.stateDirectory.unlock(o.dirName);
    throw err;
  }
  return thread;
}
