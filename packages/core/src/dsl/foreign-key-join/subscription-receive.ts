// Owns the foreign side of a foreign-key join, reading the subscription topic (Kafka Streams'
// SubscriptionReceiveProcessorSupplier and SubscriptionJoinProcessorSupplier): subscriptions are
// kept in the subscription store under (foreign key, primary key) and answered at once with the
// foreign table's current value, as the subscription's instruction says.
import { IllegalStateError } from '@sluice/common';
import { Serdes } from '@sluice/serdes';
import type { TimestampedKeyValueStore, ValueAndTimestamp } from '@sluice/state';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import { internalContext } from '../../engine/node-context.js';
import { change, type Change } from '../ktable/change.js';
import type { TableValueGetter, TableValueGetterSupplier } from '../ktable/value-getter.js';
import { Instruction, SUBSCRIPTION_VERSION, RESPONSE_VERSION, type CombinedKeySchema, type FkJoinTopics, type SubscriptionResponseWrapper, type SubscriptionWrapper } from './wrappers.js';

export interface CombinedKey<KO, K> {
  readonly foreignKey: KO | null;
  readonly primaryKey: K;
}

export type SubscriptionStore<K> = TimestampedKeyValueStore<Buffer, SubscriptionWrapper<K>>;

export const SUBSCRIPTION_KEY_SERDE = Serdes.ByteArray();

function checkVersion(version: number): void {
  if (version > SUBSCRIPTION_VERSION) {
    throw new IllegalStateError(`subscription of version ${version} is newer than this application understands (${SUBSCRIPTION_VERSION}); upgrade every instance before sending newer subscriptions`);
  }
}

type Subscription<K> = Change<ValueAndTimestamp<SubscriptionWrapper<K>>>;

export class SubscriptionReceiveSupplier<K, KO> implements ProcessorSupplierObject<KO | null, SubscriptionWrapper<K>, CombinedKey<KO, K>, Subscription<K>> {
  constructor(
    readonly storeName: string,
    private readonly schema: CombinedKeySchema<KO, K>,
    private readonly topics: FkJoinTopics,
  ) {}

  get(): Processor<KO | null, SubscriptionWrapper<K>, CombinedKey<KO, K>, Subscription<K>> {
    const { storeName, schema, topics } = this;
    let ctx: ProcessorContext<CombinedKey<KO, K>, Subscription<K>>;
    let store: SubscriptionStore<K>;
    return {
      init(c) {
        ctx = c;
        topics.bind(c.applicationId);
        store = c.getStateStore<SubscriptionStore<K>>(storeName);
      },
      async process(record) {
        const wrapper = record.value;
        const foreignKey = record.key ?? null;
        if (foreignKey === null && wrapper.instruction !== Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE) {
          internalContext(ctx).droppedRecord('null foreign key in a subscription', 'warn');
          return;
        }
        checkVersion(wrapper.version);
        const newValue = { value: wrapper, timestamp: record.timestamp };
        let oldValue: ValueAndTimestamp<SubscriptionWrapper<K>> | undefined;
        // a null foreign key (a left join's delete or null key) subscribes to nothing: it only asks for an answer
        if (foreignKey !== null) {
          const key = schema.toBytes(foreignKey, wrapper.primaryKey);
          oldValue = await store.get(key);
          if (wrapper.instruction === Instruction.DELETE_KEY_AND_PROPAGATE || wrapper.instruction === Instruction.DELETE_KEY_NO_PROPAGATE) await store.delete(key);
          else await store.put(key, newValue);
        }
        return ctx.forward(record.withKey({ foreignKey, primaryKey: wrapper.primaryKey }).withValue(change(newValue, oldValue)));
      },
    };
  }
}

export class SubscriptionJoinSupplier<K, KO, VO> implements ProcessorSupplierObject<CombinedKey<KO, K>, Subscription<K>, K, SubscriptionResponseWrapper<VO>> {
  constructor(private readonly foreignValues: TableValueGetterSupplier<KO, VO>) {}

  get(): Processor<CombinedKey<KO, K>, Subscription<K>, K, SubscriptionResponseWrapper<VO>> {
    const getter: TableValueGetter<KO, VO> = this.foreignValues.get();
    let ctx: ProcessorContext<K, SubscriptionResponseWrapper<VO>>;
    return {
      init(c) {
        ctx = c;
        return getter.init(c as ProcessorContext<unknown, unknown>);
      },
      async process(record) {
        const subscription = record.value.newValue;
        if (subscription === null) throw new IllegalStateError('a subscription without a value reached the foreign-key join');
        const wrapper = subscription.value;
        checkVersion(wrapper.version);
        const foreign = record.key.foreignKey === null ? undefined : await getter.get(record.key.foreignKey);
        const timestamp = foreign === undefined ? subscription.timestamp : Math.max(subscription.timestamp, foreign.timestamp);
        const respond = (foreignValue: VO | null) =>
          ctx.forward(
            record
              .withKey(record.key.primaryKey)
              .withValue({ originalValueHash: wrapper.hash, foreignValue, version: RESPONSE_VERSION, primaryPartition: wrapper.primaryPartition })
              .withTimestamp(timestamp),
          );
        switch (wrapper.instruction) {
          case Instruction.DELETE_KEY_AND_PROPAGATE:
            return respond(null);
          case Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE:
            // the foreign key changed and may match nothing: the old result must still be replaced
            return respond(foreign?.value ?? null);
          case Instruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE:
            return foreign === undefined ? undefined : respond(foreign.value);
          case Instruction.DELETE_KEY_NO_PROPAGATE:
            return undefined;
        }
      },
      close: () => getter.close?.(),
    };
  }
}
