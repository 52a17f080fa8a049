// Owns what a topology says about its global stores (Kafka Streams' InternalTopologyBuilder
// globalStateStores / globalTopics): which source/processor pairs keep a global store current, read
// every partition of their topic on every worker, and never become tasks. Also the read-only view a
// processor of a stream task gets of a global store (Kafka's *ReadOnlyDecorator): only the global
// processor writes to it.
import { StateStoreError, TopologyError } from '@sluice/common';
import type { Deserializer, Serde } from '@sluice/serdes';
import type { StateStore } from '@sluice/state';

/** One global store and the source + processor that keep it current. */
export interface GlobalStoreDef {
  /** The id of its node group, numbered with the sub-topologies (as Kafka Streams does). */
  readonly id: number;
  readonly storeName: string;
  readonly sourceName: string;
  readonly processorName: string;
  /** Topic name as written in the topology. */
  readonly topic: string;
  /**
   * Restore by running the records through the processor (Topology.addGlobalStore, as Kafka since
   * 3.7), or by copying them into the store as they are (a DSL globalTable, whose topic is its
   * changelog).
   */
  readonly reprocessOnRestore: boolean;
}

const WRITES = new Set(['put', 'putIfAbsent', 'putAll', 'delete', 'remove']);

/** A view of a global store for stream-task processors: reads pass through, writes throw. */
export function readOnlyGlobalStore<S extends StateStore>(store: S, processor: string): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && WRITES.has(prop)) {
        return () => {
          throw new StateStoreError(
            `global store '${target.name}' is read only for processor '${processor}': only its global processor writes to it (it is a copy of its topic); write to the topic instead`,
          );
        };
      }
      if (prop === 'init' || prop === 'flush' || prop === 'close') {
        return () => {
          throw new StateStoreError(`processor '${processor}' may not ${prop}() global store '${target.name}'; the runtime manages it`);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A Deserializer used where a source needs a Serde (a global store's source only deserializes). */
export function deserializerSerde<T>(d: Deserializer<T>): Serde<T> {
  if (typeof (d as Partial<Serde<T>>).serialize === 'function' && typeof (d as Partial<Serde<T>>).name === 'string') return d as Serde<T>;
  return {
    name: d.constructor?.name && d.constructor.name !== 'Object' ? d.constructor.name : 'Deserializer',
    deserialize: (topic, data) => d.deserialize(topic, data),
    serialize: () => {
      throw new TopologyError('a global store source only deserializes; this deserializer cannot serialize');
    },
  };
}
