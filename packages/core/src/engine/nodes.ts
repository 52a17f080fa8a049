// Owns the runnable nodes of a task: a source forwards deserialized records, a processor node runs
// one user or DSL Processor, a sink serializes and hands records to the RecordCollector. Exceptions
// are wrapped once, at the node that threw, with the node's name.
import { ErrorCodes, SerdeError, type Sampled, type TaskMetrics } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import type { Processor, RecordContext, StreamPartitioner, TopicNameExtractor } from '../processor/api.js';
import type { Record } from '../processor/record.js';
import type { SourceRecordContext } from './config.js';
import type { RecordCollector } from './record-collector.js';

/**
 * An exception thrown by the processor of `nodeName`, not yet decided by the handler, with the node
 * and the record it was given (a retry calls that node again with that record).
 */
export class NodeFailure extends Error {
  constructor(
    readonly nodeName: string,
    readonly error: unknown,
    readonly node?: RuntimeNode,
    readonly record?: Record<unknown, unknown>,
  ) {
    super(`processor '${nodeName}' failed`);
  }
}

function wrap(node: RuntimeNode, err: unknown, record: Record<unknown, unknown>): NodeFailure {
  return err instanceof NodeFailure ? err : new NodeFailure(node.name, err, node, record);
}

export abstract class RuntimeNode {
  readonly children: RuntimeNode[] = [];
  /** record-e2e-latency of a node without successors (set when the task records metrics). */
  meter: { readonly task: TaskMetrics; readonly e2e: Sampled } | undefined;
  private childIndex: Map<string, RuntimeNode> | undefined;

  constructor(readonly name: string) {}

  addChild(child: RuntimeNode): void {
    this.children.push(child);
    this.childIndex = undefined;
  }

  child(name: string): RuntimeNode | undefined {
    if (!this.childIndex) this.childIndex = new Map(this.children.map((c) => [c.name, c]));
    return this.childIndex.get(name);
  }

  abstract process(record: Record<unknown, unknown>): void | Promise<void>;
}

/** Runs `fn` for each item in order; stays synchronous until some call returns a promise. */
export function sequence<T>(items: readonly T[], fn: (item: T) => void | Promise<void>): void | Promise<void> {
  for (let i = 0; i < items.length; i++) {
    const r = fn(items[i]!);
    if (r) {
      let chain: Promise<void> = r;
      for (let j = i + 1; j < items.length; j++) {
        const item = items[j]!;
        chain = chain.then(() => fn(item));
      }
      return chain;
    }
  }
  return undefined;
}

/** Hands `record` to each node in order (waiting for one that returns a promise before the next). */
export function processAll(nodes: readonly RuntimeNode[], record: Record<unknown, unknown>): void | Promise<void> {
  // the common single child without a closure per record
  if (nodes.length === 1) return nodes[0]!.process(record);
  return sequence(nodes, (c) => c.process(record));
}

export class SourceRuntimeNode extends RuntimeNode {
  process(record: Record<unknown, unknown>): void | Promise<void> {
    return processAll(this.children, record);
  }
}

export class ProcessorRuntimeNode extends RuntimeNode {
  constructor(
    name: string,
    readonly processor: Processor<unknown, unknown, unknown, unknown>,
  ) {
    super(name);
  }

  process(record: Record<unknown, unknown>): void | Promise<void> {
    let r: void | Promise<void>;
    try {
      r = this.processor.process(record);
    } catch (err) {
      throw wrap(this, err, record);
    }
    if (this.meter !== undefined) this.meter.e2e.record(this.meter.task.now - record.timestamp);
    if (r && typeof (r as Promise<void>).then === 'function') {
      return (r as Promise<void>).then(undefined, (err: unknown) => {
        throw wrap(this, err, record);
      });
    }
    return undefined;
  }
}

export interface SinkRuntimeOptions {
  readonly topic: string | undefined;
  readonly topicExtractor: TopicNameExtractor<unknown, unknown> | undefined;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly partitioner: StreamPartitioner<unknown, unknown> | undefined;
  /** Maps a topic name of the topology to the real one (adds the application id to internal topics). */
  readonly resolveTopic: (topic: string) => string;
  readonly collector: RecordCollector;
  /** Origin of the current record, for topic name extractors. */
  readonly recordContext: () => RecordContext;
  /** The source record being processed (for production errors and dead letters), if any. */
  readonly sourceRecord: () => SourceRecordContext | undefined;
}

export class SinkRuntimeNode extends RuntimeNode {
  private readonly fixedTopic: string | undefined;

  constructor(
    name: string,
    private readonly o: SinkRuntimeOptions,
  ) {
    super(name);
    this.fixedTopic = o.topic === undefined ? undefined : o.resolveTopic(o.topic);
  }

  process(record: Record<unknown, unknown>): void {
    const o = this.o;
    let topic: string;
    try {
      topic = this.fixedTopic ?? o.resolveTopic(o.topicExtractor!(record.key, record.value, o.recordContext()));
    } catch (err) {
      throw wrap(this, err, record);
    }
    let key: Buffer | null;
    let value: Buffer | null;
    try {
      key = record.key === null || record.key === undefined ? null : o.keySerde.serialize(topic, record.key);
    } catch (err) {
      throw wrap(this, serializationError('key', topic, o.keySerde.name, this.name, err), record);
    }
    try {
      value = record.value === null || record.value === undefined ? null : o.valueSerde.serialize(topic, record.value);
    } catch (err) {
      throw wrap(this, serializationError('value', topic, o.valueSerde.name, this.name, err), record);
    }
    const partitioner = o.partitioner;
    if (this.meter !== undefined) this.meter.e2e.record(this.meter.task.now - record.timestamp);
    o.collector.send({
      topic,
      key,
      value,
      timestamp: record.timestamp,
      headers: record.headers,
      partition: undefined,
      partitioner: partitioner ? (n) => partitioner(topic, record.key, record.value, n) : undefined,
      source: o.sourceRecord(),
    });
  }
}

function serializationError(what: 'key' | 'value', topic: string, serde: string, node: string, err: unknown): unknown {
  if (err instanceof SerdeError) return err;
  return new SerdeError(
    ErrorCodes.SERIALIZATION_FAILED,
    `sink '${node}' could not serialize the record ${what} for topic '${topic}' with serde ${serde}: ${(err as Error)?.message ?? String(err)}; ` +
      `give the sink a serde that fits the ${what} type (Produced.with(keySerde, valueSerde))`,
    { cause: err, context: { topic, serde, node } },
  );
}
