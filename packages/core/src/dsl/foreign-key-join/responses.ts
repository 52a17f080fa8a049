// Owns the two producers and the consumer of foreign-key join responses: a change of the foreign
// table answers every subscriber of its key (Kafka Streams' ForeignTableJoinProcessorSupplier, a
// prefix scan of the subscription store), and on the primary side each response is joined with the
// current primary value, or dropped when its hash shows it was computed for an older value
// (Kafka Streams' ResponseJoinProcessorSupplier).
import { IllegalStateError } from '@sluice/common';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import type { Change } from '../ktable/change.js';
import type { TableValueGetter, TableValueGetterSupplier } from '../ktable/value-getter.js';
import { murmur3Hash128 } from './murmur3.js';
import { SUBSCRIPTION_KEY_SERDE, type SubscriptionStore } from './subscription-receive.js';
import { RESPONSE_VERSION, type BoundSerde, type CombinedKeySchema, type FkJoinTopics, type SubscriptionResponseWrapper } from './wrappers.js';

export class ForeignTableJoinSupplier<K, KO, VO> implements ProcessorSupplierObject<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>> {
  constructor(
    readonly storeName: string,
    private readonly schema: CombinedKeySchema<KO, K>,
    private readonly topics: FkJoinTopics,
  ) {}

  get(): Processor<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>> {
    const { storeName, schema, topics } = this;
    let ctx: ProcessorContext<K, SubscriptionResponseWrapper<VO>>;
    let store: SubscriptionStore<K>;
    return {
      init(c) {
        ctx = c;
        topics.bind(c.applicationId);
        store = c.getStateStore<SubscriptionStore<K>>(storeName);
      },
      async process(record: Record<KO, Change<VO>>) {
        if (record.key === null || record.key === undefined) {
          internalContext(ctx).droppedRecord('null key in the foreign table of a foreign-key join', 'warn');
          return;
        }
        const it = store.prefixScan(schema.prefixBytes(record.key), SUBSCRIPTION_KEY_SERDE);
        try {
          for await (const { key, value } of it) {
            await ctx.forward(
              record.withKey(schema.primaryKeyOf(key)).withValue({
                originalValueHash: value.value.hash,
                foreignValue: record.value.newValue,
                version: RESPONSE_VERSION,
                primaryPartition: value.value.primaryPartition,
              }),
            );
          }
        } finally {
          await it.close();
        }
      },
    };
  }
}

/** Joins a primary value with a foreign one; in a left join the foreign value may be null. */
export type FkValueJoiner<V, VO, VR> = (value: V, foreignValue: VO) => VR;

export interface ResponseJoinOptions<K, V, VO, VR> {
  readonly primaryValues: TableValueGetterSupplier<K, V>;
  readonly valueSerde: BoundSerde<V>;
  readonly topics: FkJoinTopics;
  readonly joiner: FkValueJoiner<V, VO | null, VR>;
  readonly leftJoin: boolean;
}

export class ResponseJoinSupplier<K, V, VO, VR> implements ProcessorSupplierObject<K, SubscriptionResponseWrapper<VO>, K, VR | null> {
  constructor(private readonly o: ResponseJoinOptions<K, V, VO, VR>) {}

  get(): Processor<K, SubscriptionResponseWrapper<VO>, K, VR | null> {
    const o = this.o;
    const getter: TableValueGetter<K, V> = o.primaryValues.get();
    let ctx: ProcessorContext<K, VR | null>;
    return {
      init(c) {
        ctx = c;
        o.topics.bind(c.applicationId);
        return getter.init(c as ProcessorContext<unknown, unknown>);
      },
      async process(record) {
        const response = record.value;
        if (response.version !== RESPONSE_VERSION) {
          throw new IllegalStateError(`subscription response of version ${response.version} is not one this application understands (${RESPONSE_VERSION}); upgrade every instance`);
        }
        const current = await getter.get(record.key);
        const currentHash = current === undefined ? null : murmur3Hash128(o.valueSerde.serde.serialize(o.topics.valueHash, current.value));
        const expected = response.originalValueHash;
        const same = expected === null || currentHash === null ? expected === currentHash : expected.equals(currentHash);
        if (!same) {
          // computed for an older primary value: a response for the newer one is on its way
          internalContext(ctx).droppedRecord('foreign-key join response for an older value of the primary row (hash mismatch)', 'debug');
          return;
        }
        const result = response.foreignValue === null && (!o.leftJoin || current === undefined) ? null : o.joiner((current?.value ?? null) as V, response.foreignValue);
        return ctx.forward(record.withValue(result));
      },
      close: () => getter.close?.(),
    };
  }
}
