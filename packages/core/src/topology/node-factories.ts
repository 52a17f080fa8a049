// Owns the physical description of topology nodes (what Topology.add* records): sources, processors
// and sinks with their parents, serdes and stores. Tasks instantiate runnable nodes from these.
import type { Serde } from '@sluice/serdes';
import type { ProcessorSupplier, StreamPartitioner, TimestampExtractor, TopicNameExtractor } from '../processor/api.js';

export type OffsetReset = 'earliest' | 'latest';

export interface SourceNodeDef {
  readonly kind: 'source';
  readonly name: string;
  /** Topic names as written in the topology (internal ones without the application id prefix). */
  readonly topics: readonly string[] | undefined;
  readonly pattern: RegExp | undefined;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
  readonly offsetReset: OffsetReset | undefined;
  readonly predecessors: readonly string[];
}

export interface ProcessorNodeDef {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  readonly predecessors: readonly string[];
  readonly stores: string[];
}

export interface SinkNodeDef {
  readonly kind: 'sink';
  readonly name: string;
  readonly topic: string | undefined;
  readonly topicExtractor: TopicNameExtractor<unknown, unknown> | undefined;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly partitioner: StreamPartitioner<unknown, unknown> | undefined;
  readonly predecessors: readonly string[];
}

export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef;

export interface SourceOptions<K = unknown, V = unknown> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  timestampExtractor?: TimestampExtractor;
  offsetReset?: OffsetReset;
}

export interface SinkOptions<K = unknown, V = unknown> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}

/** How many partitions an internal (repartition) topic gets. */
export interface InternalTopicSpec {
  /** Name without the application id prefix. */
  readonly name: string;
  /** Fixed count (Repartitioned.withNumberOfPartitions); undefined = same as the upstream sources. */
  readonly numberOfPartitions: number | undefined;
  readonly config: Readonly<{ [key: string]: string }>;
}
