// Owns what a foreign-key join writes to its internal topics and subscription store, byte for byte
// as Kafka Streams' SubscriptionWrapperSerde, SubscriptionResponseWrapperSerde and CombinedKeySchema
// write it, so the topics hold what Kafka would:
//   subscription  {1 bit hash-is-null}{7 bits version=1}{instruction}{16-byte hash?}{primary key}{int32 primary partition}
//   response      {1 bit hash-is-null}{7 bits version=0}{16-byte hash?}{foreign value?}
//   combined key  {int32 foreign key length}{foreign key}{primary key}
// Keys inside the wrappers are serialized for Kafka's pseudo topics "<app>-<subscription topic>-pk"
// and "-fk", which schema-registry serdes see as subjects, exactly as in Kafka Streams.
import { ErrorCodes, SerdeError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import type { DefaultsAware, SerdeDefaults } from '../../topology/defaults.js';

/** What the foreign side does with a subscription (Kafka's SubscriptionWrapper.Instruction). */
export const Instruction = {
  /** Unsubscribe; send nothing back. */
  DELETE_KEY_NO_PROPAGATE: 0,
  /** Unsubscribe; send back "no foreign value" (the result is deleted). */
  DELETE_KEY_AND_PROPAGATE: 1,
  /** Subscribe; send back the foreign value, or "none" when there is no match. */
  PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE: 2,
  /** Subscribe; send back the foreign value only when there is one. */
  PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE: 3,
} as const;
export type Instruction = (typeof Instruction)[keyof typeof Instruction];

export const SUBSCRIPTION_VERSION = 1;
export const RESPONSE_VERSION = 0;

export interface SubscriptionWrapper<K> {
  /** Murmur3 128 of the primary value the subscription was made for (16 bytes); null after a delete. */
  readonly hash: Buffer | null;
  readonly instruction: Instruction;
  readonly primaryKey: K;
  readonly version: number;
  /** The partition of the primary table the response must go back to (version 1 and later). */
  readonly primaryPartition: number | undefined;
}

export interface SubscriptionResponseWrapper<VO> {
  readonly originalValueHash: Buffer | null;
  readonly foreignValue: VO | null;
  readonly version: number;
  /** Not written to the topic: where the response sink sends it. */
  readonly primaryPartition: number | undefined;
}

/**
 * The names one foreign-key join serializes its keys and hashed values for. The application id is
 * known only when the topology runs: the join's processors set it in init(), before any record.
 */
export class FkJoinTopics {
  private appId: string | undefined;

  constructor(readonly subscriptionTopic: string) {}

  bind(applicationId: string): void {
    this.appId = applicationId;
  }

  private decorate(suffix: string): string {
    if (this.appId === undefined) throw new SerdeError(ErrorCodes.SERDE_FAILED, `foreign-key join of '${this.subscriptionTopic}' was used before its processors were initialised`);
    return `${this.appId}-${this.subscriptionTopic}${suffix}`;
  }

  get primaryKey(): string {
    return this.decorate('-pk');
  }
  get foreignKey(): string {
    return this.decorate('-fk');
  }
  get valueHash(): string {
    return this.decorate('-vh');
  }
}

/** A serde that may be the application's default, bound before the topology runs. */
export class BoundSerde<T> implements DefaultsAware {
  private bound: Serde<T> | undefined;

  constructor(
    private readonly given: Serde<T> | undefined,
    private readonly which: 'key' | 'value',
    private readonly fix: string,
  ) {
    this.bound = given;
  }

  bindDefaults(defaults: SerdeDefaults): void {
    this.bound = this.given ?? ((this.which === 'key' ? defaults.defaultKeySerde : defaults.defaultValueSerde) as Serde<T> | undefined);
  }

  missingSerdes(defaults: SerdeDefaults): string[] {
    if (this.given || (this.which === 'key' ? defaults.defaultKeySerde : defaults.defaultValueSerde)) return [];
    return [this.fix];
  }

  get serde(): Serde<T> {
    if (!this.bound) throw new SerdeError(ErrorCodes.SERDE_FAILED, this.fix);
    return this.bound;
  }
}

export class SubscriptionWrapperSerde<K> implements Serde<SubscriptionWrapper<K>> {
  readonly name = 'SubscriptionWrapper';

  constructor(
    private readonly topics: FkJoinTopics,
    private readonly primaryKey: BoundSerde<K>,
  ) {}

  serialize(_topic: string, data: SubscriptionWrapper<K>): Buffer {
    if (data.version !== 0 && data.version !== SUBSCRIPTION_VERSION) {
      throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `unsupported SubscriptionWrapper version ${data.version}`);
    }
    const pk = this.primaryKey.serde.serialize(this.topics.primaryKey, data.primaryKey);
    const hashLength = data.hash ? 16 : 0;
    const partitionLength = data.version > 0 ? 4 : 0;
    const out = Buffer.allocUnsafe(2 + hashLength + pk.length + partitionLength);
    out[0] = data.hash ? data.version : data.version | 0x80;
    out[1] = data.instruction;
    if (data.hash) data.hash.copy(out, 2);
    pk.copy(out, 2 + hashLength);
    if (partitionLength > 0) out.writeInt32BE(data.primaryPartition ?? -1, 2 + hashLength + pk.length);
    return out;
  }

  deserialize(topic: string, data: Buffer): SubscriptionWrapper<K> {
    if (data.length < 2) throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `subscription record of '${topic}' is too short (${data.length} bytes)`);
    const version = data[0]! & 0x7f;
    const hashIsNull = (data[0]! & 0x80) === 0x80;
    const instruction = data[1]!;
    if (instruction > 3) throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `unknown subscription instruction ${instruction} in '${topic}'`);
    let at = 2;
    const hash = hashIsNull ? null : Buffer.from(data.subarray(at, (at += 16)));
    const pkEnd = version > 0 ? data.length - 4 : data.length;
    const primaryKey = this.primaryKey.serde.deserialize(this.topics.primaryKey, data.subarray(at, pkEnd));
    const primaryPartition = version > 0 ? data.readInt32BE(pkEnd) : undefined;
    return { hash, instruction: instruction as Instruction, primaryKey, version, primaryPartition };
  }
}

export class SubscriptionResponseWrapperSerde<VO> implements Serde<SubscriptionResponseWrapper<VO>> {
  readonly name = 'SubscriptionResponseWrapper';

  constructor(private readonly foreignValue: BoundSerde<VO>) {}

  serialize(topic: string, data: SubscriptionResponseWrapper<VO>): Buffer {
    const value = data.foreignValue === null || data.foreignValue === undefined ? undefined : this.foreignValue.serde.serialize(topic, data.foreignValue);
    const hashLength = data.originalValueHash ? 16 : 0;
    const out = Buffer.allocUnsafe(1 + hashLength + (value?.length ?? 0));
    out[0] = data.originalValueHash ? data.version : data.version | 0x80;
    if (data.originalValueHash) data.originalValueHash.copy(out, 1);
    if (value) value.copy(out, 1 + hashLength);
    return out;
  }

  deserialize(topic: string, data: Buffer): SubscriptionResponseWrapper<VO> {
    if (data.length < 1) throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `subscription response of '${topic}' is empty`);
    const version = data[0]! & 0x7f;
    const hashIsNull = (data[0]! & 0x80) === 0x80;
    const at = hashIsNull ? 1 : 17;
    const originalValueHash = hashIsNull ? null : Buffer.from(data.subarray(1, 17));
    const foreignValue = data.length > at ? this.foreignValue.serde.deserialize(topic, data.subarray(at)) : null;
    return { originalValueHash, foreignValue, version, primaryPartition: undefined };
  }
}

/** The subscription store's key: foreign key, then primary key, so one foreign key's subscribers are a prefix range. */
export class CombinedKeySchema<KO, K> {
  constructor(
    private readonly topics: FkJoinTopics,
    private readonly foreignKey: BoundSerde<KO>,
    private readonly primaryKey: BoundSerde<K>,
  ) {}

  toBytes(foreignKey: KO, primaryKey: K): Buffer {
    const fk = this.foreignKey.serde.serialize(this.topics.foreignKey, foreignKey);
    const pk = this.primaryKey.serde.serialize(this.topics.primaryKey, primaryKey);
    const out = Buffer.allocUnsafe(4 + fk.length + pk.length);
    out.writeInt32BE(fk.length, 0);
    fk.copy(out, 4);
    pk.copy(out, 4 + fk.length);
    return out;
  }

  prefixBytes(foreignKey: KO): Buffer {
    const fk = this.foreignKey.serde.serialize(this.topics.foreignKey, foreignKey);
    const out = Buffer.allocUnsafe(4 + fk.length);
    out.writeInt32BE(fk.length, 0);
    fk.copy(out, 4);
    return out;
  }

  primaryKeyOf(bytes: Buffer): K {
    const fkLength = bytes.readInt32BE(0);
    return this.primaryKey.serde.deserialize(this.topics.primaryKey, bytes.subarray(4 + fkLength));
  }
}
