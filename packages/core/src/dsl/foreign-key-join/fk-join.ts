// Owns wiring a KTable-KTable foreign-key join into the topology as Kafka Streams' KTableImpl
// doJoinOnForeignKey does, names included:
//   primary table ─▶ SUBSCRIPTION-REGISTRATION processor ─▶ <…-REGISTRATION-n-topic> ─▶ receive
//   (subscription store) ─▶ join with the foreign value ─┐
//   foreign table ─▶ prefix scan of the subscription store ─┴▶ <…-RESPONSE-n-topic> ─▶ resolver
//   (joins with the current primary value, drops stale responses) ─▶ OUTPUT table
// The subscription topic is co-partitioned with the foreign table, the response topic with the
// primary table; the response goes back to the partition the subscription came from.
import { TopologyError } from '@sluice/common';
import { Serdes, type Serde } from '@sluice/serdes';
import { Stores, type StateStore, type StoreBuilder } from '@sluice/state';
import type { ProcessorSupplier } from '../../processor/api.js';
import type { InternalStreamsBuilder } from '../internal-builder.js';
import { KTable, materializedTable } from '../ktable.js';
import { keyValueStoreFor, Materialized, resolveMaterialized } from '../materialized.js';
import { TableSourceSupplier } from '../ktable/table-processors.js';
import { valueGetterOf, type TableValueGetterSupplier } from '../ktable/value-getter.js';
import { ForeignTableJoinSupplier, ResponseJoinSupplier, type FkValueJoiner } from './responses.js';
import { SubscriptionJoinSupplier, SubscriptionReceiveSupplier } from './subscription-receive.js';
import { SubscriptionSendSupplier, type ForeignKeyExtractor } from './subscription-send.js';
import { TableJoined } from './table-joined.js';
import { BoundSerde, CombinedKeySchema, FkJoinTopics, SubscriptionResponseWrapperSerde, SubscriptionWrapperSerde, type SubscriptionResponseWrapper } from './wrappers.js';

const FK_JOIN = 'KTABLE-FK-JOIN-';
export const FkJoinPrefix = {
  STATE_STORE: `${FK_JOIN}SUBSCRIPTION-STATE-STORE-`,
  REGISTRATION: `${FK_JOIN}SUBSCRIPTION-REGISTRATION-`,
  RESPONSE: `${FK_JOIN}SUBSCRIPTION-RESPONSE-`,
  PROCESSOR: `${FK_JOIN}SUBSCRIPTION-PROCESSOR-`,
  RESOLVER: `${FK_JOIN}SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-`,
  OUTPUT: `${FK_JOIN}OUTPUT-`,
  SINK: 'KTABLE-SINK-',
  SOURCE: 'KTABLE-SOURCE-',
} as const;

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/** Kafka's NamedInternal.suffixWithOrElseGet: the user's name + suffix, or a generated one (the counter moves either way). */
function nameFor(b: InternalStreamsBuilder, name: string | undefined, suffix: string, prefix: string): string {
  const generated = b.newProcessorName(prefix);
  return name === undefined ? generated : name + suffix;
}

function getter<K, V>(b: InternalStreamsBuilder, table: KTable<K, V>, what: string, node: string): TableValueGetterSupplier<K, V> | undefined {
  try {
    return valueGetterOf<K, V>(table.internals.supplier, table.internals.nodeName, what);
  } catch (err) {
    if (!(err instanceof TopologyError)) throw err;
    b.problem(err.message, node);
    return undefined;
  }
}

export function foreignKeyJoin<K, V, KO, VO, VR>(
  left: KTable<K, V>,
  other: KTable<KO, VO>,
  extractor: ForeignKeyExtractor<K, V, KO>,
  joiner: FkValueJoiner<V, VO | null, VR>,
  options: readonly (TableJoined<K, KO> | Materialized<K, VR>)[],
  leftJoin: boolean,
): KTable<K, VR> {
  const b = left.internals.builder;
  const op = leftJoin ? 'leftJoin' : 'join';
  const tableJoined = options.find((o): o is TableJoined<K, KO> => o instanceof TableJoined) ?? TableJoined.with<K, KO>(undefined, undefined);
  const materialized = options.find((o): o is Materialized<K, VR> => o instanceof Materialized);
  const unknown = options.filter((o) => !(o instanceof TableJoined) && !(o instanceof Materialized));
  const problems: string[] = [];
  if (!(other instanceof KTable) || other.internals.builder !== b) problems.push(`foreign-key ${op}() of table '${left.internals.nodeName}' needs the other table, a KTable built by the same StreamsBuilder`);
  if (typeof extractor !== 'function') problems.push(`foreign-key ${op}() needs a foreign-key extractor function (value, key) => foreignKey`);
  if (typeof joiner !== 'function') problems.push(`foreign-key ${op}() needs a joiner function (value, foreignValue) => result`);
  if (unknown.length > 0) problems.push(`foreign-key ${op}() takes TableJoined and Materialized after the joiner, got ${unknown.map(String).join(', ')}`);
  if (problems.length > 0) {
    for (const p of problems) b.problem(p, left.internals.nodeName);
    return left as unknown as KTable<K, VR>;
  }

  // the foreign side compares old and new values; the primary side must unsubscribe old foreign keys
  other.enableSendingOldValues(true);
  left.enableSendingOldValues(true);

  const named = tableJoined.name;
  const subscriptionTopic = nameFor(b, named, '-subscription-registration', FkJoinPrefix.REGISTRATION) + '-topic';
  const topics = new FkJoinTopics(subscriptionTopic);
  const primaryKey = new BoundSerde<K>(left.internals.keySerde, 'key', `foreign-key ${op}() has no key serde for table '${left.internals.nodeName}': give it with Consumed/Materialized.with(keySerde, valueSerde), or set defaultKeySerde`);
  const primaryValue = new BoundSerde<V>(left.internals.valueSerde, 'value', `foreign-key ${op}() has no value serde for table '${left.internals.nodeName}' (its values are hashed to drop stale results): give it with Materialized.with(keySerde, valueSerde), or set defaultValueSerde`);
  const foreignKey = new BoundSerde<KO>(other.internals.keySerde, 'key', `foreign-key ${op}() has no key serde for the other table '${other.internals.nodeName}': give it with Consumed/Materialized.with(keySerde, valueSerde), or set defaultKeySerde`);
  const foreignValue = new BoundSerde<VO>(other.internals.valueSerde, 'value', `foreign-key ${op}() has no value serde for the other table '${other.internals.nodeName}': give it with Consumed/Materialized.with(keySerde, valueSerde), or set defaultValueSerde`);
  const subscriptionSerde = new SubscriptionWrapperSerde<K>(topics, primaryKey);
  const responseSerde = new SubscriptionResponseWrapperSerde<VO>(foreignValue);
  const schema = new CombinedKeySchema<KO, K>(topics, foreignKey, primaryKey);

  // primary side: subscriptions out
  const sendName = nameFor(b, named, '-subscription-registration-processor', FkJoinPrefix.REGISTRATION);
  const send = new SubscriptionSendSupplier<K, V, KO>({ extractor, topics, foreignKeySerde: foreignKey, valueSerde: primaryValue, leftJoin });
  const leftNode = left.internals.nodeName;
  b.add(sendName, [leftNode], (t) => {
    for (const part of [primaryKey, primaryValue, foreignKey, foreignValue]) t.registerDefaultsAware(part);
    t.addProcessor(sendName, send as unknown as AnySupplier, leftNode);
  });
  const otherPartitioner = tableJoined.otherPartitioner;
  const subscriptionSink = nameFor(b, named, '-subscription-registration-sink', FkJoinPrefix.SINK);
  b.add(subscriptionSink, [sendName], (t) => {
    t.addInternalTopic({ name: subscriptionTopic, numberOfPartitions: undefined, config: {} });
    t.addSink(subscriptionSink, subscriptionTopic, {
      keySerde: other.internals.keySerde as Serde<unknown> | undefined,
      valueSerde: subscriptionSerde as Serde<unknown>,
      partitioner: otherPartitioner ? (topic, key, _value, n) => otherPartitioner(topic, key as KO, undefined, n) : undefined,
    }, sendName);
  });

  // foreign side: subscriptions in, stored, answered
  const subscriptionSource = nameFor(b, named, '-subscription-registration-source', FkJoinPrefix.SOURCE);
  b.add(subscriptionSource, [subscriptionSink], (t) => {
    t.addSource(subscriptionSource, subscriptionTopic, { keySerde: other.internals.keySerde, valueSerde: subscriptionSerde });
    t.copartitionSources([other.internals.nodeName, subscriptionSource]);
  });
  const storeName = nameFor(b, named, '-subscription-store', FkJoinPrefix.STATE_STORE);
  const receiveName = nameFor(b, named, '-subscription-receive', FkJoinPrefix.PROCESSOR);
  const store = Stores.timestampedKeyValueStoreBuilder(Stores.persistentKeyValueStore(storeName), Serdes.ByteArray(), subscriptionSerde).withCachingDisabled();
  b.add(receiveName, [subscriptionSource], (t) => {
    t.addProcessor(receiveName, new SubscriptionReceiveSupplier<K, KO>(storeName, schema, topics) as unknown as AnySupplier, subscriptionSource);
    t.addStateStore(store as unknown as StoreBuilder<StateStore>, receiveName);
  });
  const joinForeignName = nameFor(b, named, '-subscription-join-foreign', FkJoinPrefix.PROCESSOR);
  const foreignValues = getter(b, other, `foreign-key ${op}()`, joinForeignName);
  if (foreignValues) {
    b.add(joinForeignName, [receiveName], (t) => {
      t.addProcessor(joinForeignName, new SubscriptionJoinSupplier<K, KO, VO>(foreignValues) as unknown as AnySupplier, receiveName);
      t.connectProcessorAndStateStores(joinForeignName, ...foreignValues.storeNames());
    });
  }
  const foreignJoinName = nameFor(b, named, '-foreign-join-subscription', FkJoinPrefix.PROCESSOR);
  const otherNode = other.internals.nodeName;
  b.add(foreignJoinName, [otherNode, receiveName], (t) => {
    t.addProcessor(foreignJoinName, new ForeignTableJoinSupplier<K, KO, VO>(storeName, schema, topics) as unknown as AnySupplier, otherNode);
    t.connectProcessorAndStateStores(foreignJoinName, storeName);
  });
  const responseTopic = nameFor(b, named, '-subscription-response', FkJoinPrefix.RESPONSE) + '-topic';
  const partitioner = tableJoined.partitioner;
  const responseSink = nameFor(b, named, '-subscription-response-sink', FkJoinPrefix.SINK);
  b.add(responseSink, [joinForeignName, foreignJoinName], (t) => {
    t.addInternalTopic({ name: responseTopic, numberOfPartitions: undefined, config: {} });
    t.addSink(responseSink, responseTopic, {
      keySerde: left.internals.keySerde as Serde<unknown> | undefined,
      valueSerde: responseSerde as Serde<unknown>,
      // back to the partition the subscription came from, unless the primary table has its own partitioner
      partitioner: partitioner
        ? (topic, key, _value, n) => partitioner(topic, key as K, undefined, n)
        : (_topic, _key, value, _n) => (value as SubscriptionResponseWrapper<VO>).primaryPartition,
    }, joinForeignName, foreignJoinName);
  });

  // primary side: responses in, joined with the current primary value
  const responseSource = nameFor(b, named, '-subscription-response-source', FkJoinPrefix.SOURCE);
  b.add(responseSource, [responseSink], (t) => {
    t.addSource(responseSource, responseTopic, { keySerde: left.internals.keySerde, valueSerde: responseSerde });
    t.copartitionSources([leftNode, responseSource]);
  });
  const resolverName = nameFor(b, named, '-subscription-response-resolver', FkJoinPrefix.RESOLVER);
  const primaryValues = getter(b, left, `foreign-key ${op}()`, resolverName);
  if (primaryValues) {
    b.add(resolverName, [responseSource], (t) => {
      t.addProcessor(resolverName, new ResponseJoinSupplier<K, V, VO, VR>({ primaryValues, valueSerde: primaryValue, topics, joiner, leftJoin }) as unknown as AnySupplier, responseSource);
      t.connectProcessorAndStateStores(resolverName, ...primaryValues.storeNames());
    });
  }

  // the result table, stored when Materialized names a store (or when something reads it later)
  const resultName = nameFor(b, named, '-result', FkJoinPrefix.OUTPUT);
  const mat = resolveMaterialized(b, materialized, FkJoinPrefix.OUTPUT, { keySerde: left.internals.keySerde, valueSerde: undefined });
  const resultStore = keyValueStoreFor(mat, `foreign-key ${op}() '${resultName}'`);
  const addStore = () =>
    b.add(`${resultName}#store`, [resultName], (t) => {
      t.addStateStore(resultStore, resultName);
      t.registerDefaultsAware(resultStore);
    });
  const result = new TableSourceSupplier<K, VR>(mat.storeName, mat.queryable ? mat.storeName : undefined, addStore);
  b.add(resultName, [resolverName], (t) => t.addProcessor(resultName, result as unknown as AnySupplier, resolverName));
  if (mat.queryable) addStore();
  return materializedTable(b, resultName, result, mat);
}
