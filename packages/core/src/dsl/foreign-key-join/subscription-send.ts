// Owns the first step of a foreign-key join (Kafka Streams' SubscriptionSendProcessorSupplier): each
// update of the primary (left) table becomes subscriptions keyed by foreign key, sent through the
// subscription topic to the foreign table's partition. An update that moves a row to another foreign
// key unsubscribes from the old one; every subscription carries the hash of the primary value it was
// made for, so responses to an older value can be recognized and dropped.
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import type { Change } from '../ktable/change.js';
import { murmur3Hash128 } from './murmur3.js';
import { Instruction, SUBSCRIPTION_VERSION, type BoundSerde, type FkJoinTopics, type SubscriptionWrapper } from './wrappers.js';

/** Picks the foreign key from a row of the primary table (and, optionally, its key); null skips the row. */
export type ForeignKeyExtractor<K, V, KO> = (value: V, key: K) => KO | null | undefined;

export interface SubscriptionSendOptions<K, V, KO> {
  readonly extractor: ForeignKeyExtractor<K, V, KO>;
  readonly topics: FkJoinTopics;
  readonly foreignKeySerde: BoundSerde<KO>;
  readonly valueSerde: BoundSerde<V>;
  readonly leftJoin: boolean;
}

export class SubscriptionSendSupplier<K, V, KO> implements ProcessorSupplierObject<K, Change<V>, KO | null, SubscriptionWrapper<K>> {
  constructor(readonly o: SubscriptionSendOptions<K, V, KO>) {}

  get(): Processor<K, Change<V>, KO | null, SubscriptionWrapper<K>> {
    return new SubscriptionSendProcessor(this.o);
  }
}

class SubscriptionSendProcessor<K, V, KO> implements Processor<K, Change<V>, KO | null, SubscriptionWrapper<K>> {
  private ctx!: ProcessorContext<KO | null, SubscriptionWrapper<K>>;
  private hash: Buffer | null | undefined;

  constructor(private readonly o: SubscriptionSendOptions<K, V, KO>) {}

  init(ctx: ProcessorContext<KO | null, SubscriptionWrapper<K>>): void {
    this.ctx = ctx;
    this.o.topics.bind(ctx.applicationId);
  }

  async process(record: Record<K, Change<V>>): Promise<void> {
    this.hash = undefined;
    if (this.o.leftJoin) await this.leftJoinInstructions(record);
    else await this.innerJoinInstructions(record);
  }

  private extract(key: K, value: V | null): KO | null {
    return value === null ? null : (this.o.extractor(value, key) ?? null);
  }

  private async leftJoinInstructions(record: Record<K, Change<V>>): Promise<void> {
    const { oldValue, newValue } = record.value;
    // no output for a delete of a row that was not there
    if (oldValue === null && newValue === null) return;
    const oldForeignKey = this.extract(record.key, oldValue);
    const newForeignKey = this.extract(record.key, newValue);
    // the new subscription goes to another partition: remove the old one explicitly
    if (oldForeignKey !== null && this.changed(newForeignKey, oldForeignKey)) await this.send(record, oldForeignKey, Instruction.DELETE_KEY_NO_PROPAGATE);
    // always a response for a left join, a delete included (a null foreign key subscribes to nothing
    // but still comes back with "no foreign value")
    await this.send(record, newForeignKey, Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE);
  }

  private async innerJoinInstructions(record: Record<K, Change<V>>): Promise<void> {
    const { oldValue, newValue } = record.value;
    const oldForeignKey = this.extract(record.key, oldValue);
    const subscribed = oldForeignKey !== null;
    if (newValue === null) {
      if (subscribed) await this.send(record, oldForeignKey, Instruction.DELETE_KEY_AND_PROPAGATE);
      return;
    }
    const newForeignKey = this.extract(record.key, newValue);
    if (newForeignKey === null) {
      this.nullForeignKey();
      if (subscribed) await this.send(record, oldForeignKey, Instruction.DELETE_KEY_AND_PROPAGATE);
      return;
    }
    if (subscribed && this.changed(newForeignKey, oldForeignKey)) {
      await this.send(record, oldForeignKey, Instruction.DELETE_KEY_NO_PROPAGATE);
      // a result of the old foreign key may exist: delete it when the new one does not match
      await this.send(record, newForeignKey, Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE);
      return;
    }
    // an insert, or the same foreign key (whose earlier result, if any, the new one replaces)
    await this.send(record, newForeignKey, Instruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE);
  }

  /** Foreign keys are compared by their bytes, as Kafka Streams does. */
  private changed(a: KO | null, b: KO): boolean {
    if (a === null) return true;
    const serde = this.o.foreignKeySerde.serde;
    const topic = this.o.topics.foreignKey;
    return !serde.serialize(topic, a).equals(serde.serialize(topic, b));
  }

  private send(record: Record<K, Change<V>>, foreignKey: KO | null, instruction: Instruction): void | Promise<void> {
    const wrapper: SubscriptionWrapper<K> = {
      hash: this.valueHash(record.value.newValue),
      instruction,
      primaryKey: record.key,
      version: SUBSCRIPTION_VERSION,
      // Kafka takes the input record's partition: that of this task (records forwarded by a cache
      // flush have no record metadata here)
      primaryPartition: this.ctx.partition,
    };
    return this.ctx.forward(record.withKey(foreignKey).withValue(wrapper));
  }

  private valueHash(value: V | null): Buffer | null {
    if (this.hash === undefined) this.hash = value === null ? null : murmur3Hash128(this.o.valueSerde.serde.serialize(this.o.topics.valueHash, value));
    return this.hash;
  }

  private nullForeignKey(): void {
    internalContext(this.ctx).droppedRecord('null foreign key (the foreign-key extractor returned null, so the row joins nothing)', 'warn');
  }
}
