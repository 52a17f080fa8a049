// Owns what every join does with a stream input whose key changed upstream: it is first
// repartitioned (Kafka Streams' repartitionForJoin, same names and topic). The join then records its
// inputs as a co-partition group (InternalStreamsBuilder.copartition), checked when the app starts.
import type { Serde } from '@sluice/serdes';
import { KStream } from '../kstream.js';
import { addRepartition } from '../repartition.js';

/** The stream a join's repartition of `stream` reads, by stream handle and topic prefix (reused as Kafka does). */
const repartitioned = new WeakMap<object, string>();

/**
 * `stream` read back from the repartition topic `<repartitionName>-repartition`, or `stream` itself
 * when its key did not change. Joining the same re-keyed stream twice without names shares one
 * topic (Kafka reuses a stream's join repartition node when the topic is named after the stream).
 */
export function repartitionForJoin<K, V>(
  stream: KStream<K, V>,
  repartitionName: string,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): KStream<K, V> {
  const { builder, nodeName } = stream.internals;
  if (!stream.internals.repartitionRequired) return stream;
  const key = keySerde ?? stream.internals.keySerde;
  const value = valueSerde ?? stream.internals.valueSerde;
  const previous = repartitioned.get(stream);
  // (Kafka reuses the stream's last join repartition whenever the topic would be named after the stream)
  if (previous !== undefined && repartitionName === nodeName) {
    // Kafka creates the names anyway (they keep later generated names stable) and then drops them
    builder.newProcessorName('KSTREAM-SINK-');
    builder.newProcessorName('KSTREAM-FILTER-');
    builder.newProcessorName('KSTREAM-SOURCE-');
    return new KStream<K, V>({ builder, nodeName: previous, keySerde: key, valueSerde: value, repartitionRequired: false });
  }
  const sourceName = addRepartition(builder, { parent: nodeName, topicPrefix: repartitionName, keySerde: key, valueSerde: value, numberOfPartitions: undefined, partitioner: undefined });
  repartitioned.set(stream, sourceName);
  return new KStream<K, V>({ builder, nodeName: sourceName, keySerde: key, valueSerde: value, repartitionRequired: false });
}
