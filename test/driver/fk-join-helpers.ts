// Shared by the foreign-key join driver tests: the topology of Kafka's
// KTableKTableForeignKeyJoinIntegrationTest (left_table ⋈ right_table on "value|fk"), a reader that
// keeps tombstones (Kafka's readKeyValuesToMap keeps null values) and a store dump.
import { afterEach } from 'vitest';
import { Consumed, Materialized, Serdes, Stores, StreamsBuilder, TopologyTestDriver, type Produced, type TestOutputTopic, type TimestampedKeyValueStore } from 'sluice';

export const LEFT_TABLE = 'left_table';
export const RIGHT_TABLE = 'right_table';
export const OUTPUT = 'output-topic';
export const S = Serdes.String();

export function useFkDrivers(): (b: StreamsBuilder, config?: ConstructorParameters<typeof TopologyTestDriver>[1]) => TopologyTestDriver {
  const drivers: TopologyTestDriver[] = [];
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((d) => d.close()));
  });
  return (b, config = {}) => {
    const d = new TopologyTestDriver(b.build(), { applicationId: 'fk-join', ...config });
    drivers.push(d);
    return d;
  };
}

/** Last value per key, tombstones kept as null (as Kafka's TestOutputTopic.readKeyValuesToMap). */
export function readMap<V>(topic: TestOutputTopic<string, V>): Map<string, V | null> {
  const out = new Map<string, V | null>();
  for (const r of topic.readRecordsToList()) out.set(r.key!, r.value);
  return out;
}

export async function asMap<V>(store: TimestampedKeyValueStore<string, V> | undefined): Promise<Map<string, V>> {
  const out = new Map<string, V>();
  if (!store) throw new Error('store not found');
  for await (const kv of store.all()) out.set(kv.key, kv.value.value);
  return out;
}

export function mkMap<V>(...entries: [string, V][]): Map<string, V> {
  return new Map(entries);
}

/** The join of the integration test: "(left,right)", the result stored as 'store' when `materialized`. */
export function fkTopology(o: { leftJoin: boolean; materialized: boolean; extractor?: (v: string) => string | null; produced?: Produced<string, string> }): StreamsBuilder {
  const b = new StreamsBuilder();
  const left = b.table(LEFT_TABLE, Consumed.with(S, S));
  const right = b.table(RIGHT_TABLE, Consumed.with(S, S));
  const extractor = o.extractor ?? ((v: string) => v.split('|')[1]!);
  const joiner = (l: string, r: string | null) => `(${l},${r})`;
  // as Kafka's test: the cache would hide some of the unnecessary tombstones it asserts on
  const mat = o.materialized ? Materialized.as<string, string>(Stores.inMemoryKeyValueStore('store')).withValueSerde(S).withCachingDisabled() : Materialized.with<string, string>(undefined, S).withCachingDisabled();
  const joined = o.leftJoin ? left.leftJoin(right, extractor, joiner, mat) : left.join(right, extractor, joiner, mat);
  joined.toStream().to(OUTPUT, o.produced ?? (undefined as never));
  return b;
}
