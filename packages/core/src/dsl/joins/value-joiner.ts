// Owns the joiner types of every join. Sluice puts the read-only key last (as in mapValues), so one
// function type serves both of Kafka Streams' ValueJoiner and ValueJoinerWithKey.

/** Combines the values of a join: `value2` is null for an unmatched record of a left/outer join. */
export type ValueJoiner<V1, V2, VR> = (value1: V1, value2: V2) => VR;

/** A ValueJoiner that also reads the key (last, unlike Kafka Streams' (readOnlyKey, value1, value2)). */
export type ValueJoinerWithKey<K, V1, V2, VR> = (value1: V1, value2: V2, readOnlyKey: K) => VR;

/** Swaps a joiner's value arguments: what the other side of a join calls. */
export function reverseJoiner<K, V1, V2, VR>(joiner: ValueJoinerWithKey<K, V1, V2, VR>): ValueJoinerWithKey<K, V2, V1, VR> {
  return (value2, value1, key) => joiner(value1, value2, key);
}
