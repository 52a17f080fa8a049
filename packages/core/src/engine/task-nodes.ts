// Owns turning one sub-topology's node definitions into fresh runnable nodes for one task (new
// processor instances from the suppliers, each with its NodeContext), with serdes resolved against
// the app's defaults, and calling their processors' init() (parents first) and close().
import { ConfigError, ProcessingError, describeError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import { supplierGet, type RecordContext, type TimestampExtractor } from '../processor/api.js';
import type { SubtopologyDef, Topology } from '../topology/topology.js';
import type { EngineConfig, SourceRecordContext } from './config.js';
import { NodeContext, type TaskHooks } from './node-context.js';
import { ProcessorRuntimeNode, SinkRuntimeNode, SourceRuntimeNode, type RuntimeNode } from './nodes.js';
import type { RecordCollector } from './record-collector.js';

export interface SourceInfo {
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly timestampExtractor: TimestampExtractor;
}

export interface TaskNodes {
  /** In topology order: parents before children. */
  readonly nodes: Map<string, RuntimeNode>;
  /** Real topic name → source node name (static topics only; pattern topics come from the runtime). */
  readonly topicToSource: Map<string, string>;
  /** Each processor's context, by node name. */
  readonly contexts: Map<string, NodeContext>;
  readonly sources: Map<string, SourceInfo>;
}

export interface BuildTaskNodesOptions {
  readonly topology: Topology;
  readonly subtopology: SubtopologyDef;
  readonly config: EngineConfig;
  readonly collector: RecordCollector;
  readonly resolveTopic: (topic: string) => string;
  readonly recordContext: () => RecordContext;
  readonly sourceRecord: () => SourceRecordContext | undefined;
  /** What the processors' contexts need from their task. */
  readonly hooks: TaskHooks;
}

/**
 * Every source and sink that has no serde of its own and no default to fall back on, as messages.
 * KafkaStreams and TopologyTestDriver call this before starting so all are reported at once.
 */
export function missingSerdes(topology: Topology, config: Pick<EngineConfig, 'defaultKeySerde' | 'defaultValueSerde'>): string[] {
  const out: string[] = [...topology.bindDefaults(config)];
  for (const def of topology.nodes.values()) {
    if (def.kind === 'processor') continue;
    const where = def.kind === 'source' ? `source '${def.name}' (topics: ${def.topics?.join(', ') ?? def.pattern?.source})` : `sink '${def.name}' (topic: ${def.topic ?? 'chosen per record'})`;
    const topics = def.kind === 'source' ? (def.topics ?? []) : def.topic !== undefined ? [def.topic] : [];
    const internal = topics.some((t) => topology.isInternalTopic(t));
    const fix = internal
      ? 'Repartitioned.with(keySerde, valueSerde) (Grouped.with for groupBy, Joined.with or StreamJoined.with for a join) on the step that repartitions'
      : def.kind === 'source'
        ? 'Consumed.with(keySerde, valueSerde)'
        : 'Produced.with(keySerde, valueSerde)';
    if (!def.keySerde && !config.defaultKeySerde) out.push(`${where} has no key serde: give one with ${fix}, or set defaultKeySerde`);
    if (!def.valueSerde && !config.defaultValueSerde) out.push(`${where} has no value serde: give one with ${fix}, or set defaultValueSerde`);
  }
  return out;
}

/** Binds the app's default serdes into the topology and throws a ConfigError listing whatever is still missing. */
export function assertSerdes(topology: Topology, config: Pick<EngineConfig, 'defaultKeySerde' | 'defaultValueSerde'>): void {
  const missing = missingSerdes(topology, config);
  if (missing.length > 0) throw new ConfigError(`missing serdes:\n  - ${missing.join('\n  - ')}`);
}

export function buildTaskNodes(o: BuildTaskNodesOptions): TaskNodes {
  const { topology, subtopology, config } = o;
  const nodes = new Map<string, RuntimeNode>();
  const topicToSource = new Map<string, string>();
  const contexts = new Map<string, NodeContext>();
  const sources = new Map<string, SourceInfo>();
  for (const name of subtopology.nodes) {
    const def = topology.nodes.get(name)!;
    let node: RuntimeNode;
    if (def.kind === 'source') {
      node = new SourceRuntimeNode(name);
      for (const t of def.topics ?? []) topicToSource.set(o.resolveTopic(t), name);
      sources.set(name, {
        keySerde: (def.keySerde ?? config.defaultKeySerde)!,
        valueSerde: (def.valueSerde ?? config.defaultValueSerde)!,
        timestampExtractor: def.timestampExtractor ?? config.defaultTimestampExtractor,
      });
    } else if (def.kind === 'processor') {
      node = new ProcessorRuntimeNode(name, supplierGet(def.supplier));
      contexts.set(name, new NodeContext(node, o.hooks, [...def.stores]));
    } else {
      node = new SinkRuntimeNode(name, {
        topic: def.topic,
        topicExtractor: def.topicExtractor,
        keySerde: (def.keySerde ?? config.defaultKeySerde)!,
        valueSerde: (def.valueSerde ?? config.defaultValueSerde)!,
        partitioner: def.partitioner,
        resolveTopic: o.resolveTopic,
        collector: o.collector,
        recordContext: o.recordContext,
        sourceRecord: o.sourceRecord,
      });
    }
    nodes.set(name, node);
    for (const p of def.predecessors) nodes.get(p)?.addChild(node);
  }
  return { nodes, topicToSource, contexts, sources };
}

/** Calls init() of every processor, parents first, with its context; the first that fails is named. */
export async function initProcessors(taskId: string, nodes: ReadonlyMap<string, RuntimeNode>, contexts: ReadonlyMap<string, NodeContext>): Promise<void> {
  for (const [name, node] of nodes) {
    if (!(node instanceof ProcessorRuntimeNode)) continue;
    const init = node.processor.init;
    if (!init) continue;
    try {
      await init.call(node.processor, contexts.get(name)! as never);
    } catch (err) {
      throw new ProcessingError(`init() of processor '${name}' in task ${taskId} failed: ${describeError(err)}`, { cause: err, context: { taskId, node: name } });
    }
  }
}

/** Calls close() of every processor; what fails is added to `errors` and the others are still closed. */
export async function closeProcessors(nodes: ReadonlyMap<string, RuntimeNode>, errors: unknown[]): Promise<void> {
  for (const [name, node] of nodes) {
    if (!(node instanceof ProcessorRuntimeNode) || !node.processor.close) continue;
    try {
      await node.processor.close();
    } catch (err) {
      errors.push(new ProcessingError(`close() of processor '${name}' failed: ${describeError(err)}`, { cause: err }));
    }
  }
}
