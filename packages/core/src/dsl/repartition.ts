// Owns inserting a repartition step: a pass-through processor, a sink to the internal topic
// `<name>-repartition` and a source reading it back, named the way Kafka Streams names them.
import type { Serde } from '@sluice/serdes';
import type { StreamPartitioner } from '../processor/api.js';
import type { InternalStreamsBuilder } from './internal-builder.js';
import { PassThroughProcessor } from './operators/stateless.js';

export interface RepartitionSpec<K, V> {
  readonly parent: string;
  /** The generated (KSTREAM-REPARTITION-0000000003) or user-given name the topic is derived from. */
  readonly topicPrefix: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly numberOfPartitions: number | undefined;
  readonly partitioner: StreamPartitioner<K, V> | undefined;
}

const SUFFIX = '-repartition';

/** Adds the repartition nodes below `parent`; returns the name of the new source node. */
export function addRepartition<K, V>(b: InternalStreamsBuilder, spec: RepartitionSpec<K, V>): string {
  const topic = spec.topicPrefix.endsWith(SUFFIX) ? spec.topicPrefix : spec.topicPrefix + SUFFIX;
  // generated names burn counter values even when unused, as in Kafka Streams
  const genSink = b.newProcessorName('KSTREAM-SINK-');
  const genFilter = b.newProcessorName('KSTREAM-FILTER-');
  const genSource = b.newProcessorName('KSTREAM-SOURCE-');
  const generated = /^KSTREAM.*-[0-9]{10}$/.test(spec.topicPrefix);
  const sinkName = generated ? genSink : `${topic}-sink`;
  const filterName = generated ? genFilter : `${topic}-filter`;
  const sourceName = generated ? genSource : `${topic}-source`;
  b.add(filterName, [spec.parent], (t) => {
    t.addInternalTopic({ name: topic, numberOfPartitions: spec.numberOfPartitions, config: {} });
    t.addProcessor(filterName, () => new PassThroughProcessor(), spec.parent);
  });
  b.add(sinkName, [filterName], (t) =>
    t.addSink(
      sinkName,
      topic,
      { keySerde: spec.keySerde as Serde<unknown> | undefined, valueSerde: spec.valueSerde as Serde<unknown> | undefined, partitioner: spec.partitioner as never },
      filterName,
    ),
  );
  b.add(sourceName, [sinkName], (t) =>
    t.addSource(sourceName, topic, { keySerde: spec.keySerde as Serde<unknown> | undefined, valueSerde: spec.valueSerde as Serde<unknown> | undefined }),
  );
  return sourceName;
}
