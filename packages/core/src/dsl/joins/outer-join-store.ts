// Owns the shared store of a left/outer stream-stream join (Kafka Streams' outer-join store, 3.1+):
// records still without a partner, kept until their window closes. A key-value store whose keys are
// <timestamp int64><left side? 1 : 0><key> (so iteration goes by time, then right before left, then
// key) and whose values are lists of the records with that key and timestamp (Kafka's ListSerde of
// <1 if left><value>). Caching is always off, as in Kafka.
import { ErrorCodes, SerdeError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import { Stores, type KeyValueBytesStoreSupplier, type KeyValueStore, type StateStore, type StoreBuilder } from '@sluice/state';
import type { DefaultsAware, SerdeDefaults } from '../../topology/defaults.js';
import { DeferredStoreBuilder } from '../materialized.js';

export interface TimestampedKeyAndJoinSide<K> {
  readonly key: K;
  readonly timestamp: number;
  readonly leftSide: boolean;
}

/** The value of a record of one side: exactly one of the two is set. */
export interface LeftOrRightValue<V1, V2> {
  readonly left: V1 | null;
  readonly right: V2 | null;
}

export type OuterJoinStore<K, V1, V2> = KeyValueStore<TimestampedKeyAndJoinSide<K>, LeftOrRightValue<V1, V2>[]>;

const TWO_32 = 2 ** 32;

function writeInt64(out: Buffer, value: number, offset: number): void {
  out.writeUInt32BE(Math.floor(value / TWO_32) >>> 0, offset);
  out.writeUInt32BE(value >>> 0, offset + 4);
}

function readInt64(data: Buffer, offset: number): number {
  return data.readUInt32BE(offset) * TWO_32 + data.readUInt32BE(offset + 4);
}

function keySerde<K>(inner: Serde<K>): Serde<TimestampedKeyAndJoinSide<K>> {
  return {
    name: `TimestampedKeyAndJoinSide<${inner.name ?? 'key'}>`,
    serialize(topic, data) {
      const key = inner.serialize(topic, data.key);
      const out = Buffer.allocUnsafe(9 + key.length);
      writeInt64(out, data.timestamp, 0);
      out.writeUInt8(data.leftSide ? 1 : 0, 8);
      key.copy(out, 9);
      return out;
    },
    deserialize(topic, data) {
      if (data.length < 9) throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `outer-join store key on '${topic}' is too short (${data.length} bytes)`);
      return { timestamp: readInt64(data, 0), leftSide: data.readUInt8(8) === 1, key: inner.deserialize(topic, data.subarray(9)) };
    },
  };
}

/** Kafka's ListSerde (VARIABLE_SIZE: flag 1, int count, then int length + bytes per entry) of LeftOrRightValue (<1 if left><value>). */
function valueListSerde<V1, V2>(left: Serde<V1>, right: Serde<V2>): Serde<LeftOrRightValue<V1, V2>[]> {
  return {
    name: `List<LeftOrRightValue<${left.name ?? 'value'}, ${right.name ?? 'value'}>>`,
    serialize(topic, list) {
      const parts = list.map((v) => {
        const raw = v.left !== null ? left.serialize(topic, v.left) : right.serialize(topic, v.right as V2);
        return Buffer.concat([Buffer.from([v.left !== null ? 1 : 0]), raw]);
      });
      const out = Buffer.allocUnsafe(5 + parts.reduce((n, p) => n + 4 + p.length, 0));
      out.writeUInt8(1, 0);
      out.writeInt32BE(list.length, 1);
      let offset = 5;
      for (const p of parts) {
        out.writeInt32BE(p.length, offset);
        p.copy(out, offset + 4);
        offset += 4 + p.length;
      }
      return out;
    },
    deserialize(topic, data) {
      const count = data.readInt32BE(1);
      const list: LeftOrRightValue<V1, V2>[] = [];
      let offset = 5;
      for (let i = 0; i < count; i++) {
        const len = data.readInt32BE(offset);
        const entry = data.subarray(offset + 4, offset + 4 + len);
        offset += 4 + len;
        const raw = entry.subarray(1);
        list.push(entry.readUInt8(0) === 1 ? { left: left.deserialize(topic, raw), right: null } : { left: null, right: right.deserialize(topic, raw) });
      }
      return list;
    },
  };
}

/** Holds the app's default serdes for the other side's value serde, which DeferredStoreBuilder does not cover. */
class OtherValueDefaults implements DefaultsAware {
  defaults: SerdeDefaults | undefined;
  constructor(
    private readonly otherValueSerde: Serde<unknown> | undefined,
    private readonly storeName: string,
  ) {}
  bindDefaults(defaults: SerdeDefaults): void {
    this.defaults = defaults;
  }
  missingSerdes(defaults: SerdeDefaults): string[] {
    return this.otherValueSerde || defaults.defaultValueSerde
      ? []
      : [`store '${this.storeName}' of a stream-stream join has no value serde for the other stream: give it with StreamJoined.with(keySerde, valueSerde, otherValueSerde), or set defaultValueSerde`];
  }
  serde(): Serde<unknown> {
    const s = this.otherValueSerde ?? this.defaults?.defaultValueSerde;
    if (!s) throw new SerdeError(ErrorCodes.SERDE_FAILED, this.missingSerdes({ defaultKeySerde: undefined, defaultValueSerde: undefined })[0]!);
    return s;
  }
}

export interface OuterJoinStoreSpec {
  readonly name: string;
  readonly supplier: KeyValueBytesStoreSupplier;
  readonly keySerde: Serde<unknown> | undefined;
  readonly leftValueSerde: Serde<unknown> | undefined;
  readonly rightValueSerde: Serde<unknown> | undefined;
  readonly logging: boolean;
  readonly logConfig: { [key: string]: string };
}

/** The outer-join store builder and the parts of it that need the app's default serdes. */
export function outerJoinStoreBuilder(spec: OuterJoinStoreSpec): { store: StoreBuilder<StateStore> & DefaultsAware; defaultsAware: DefaultsAware } {
  const right = new OtherValueDefaults(spec.rightValueSerde, spec.name);
  const store = new DeferredStoreBuilder(
    spec.name,
    'a left/outer stream-stream join',
    spec.keySerde,
    spec.leftValueSerde,
    (k, v) => Stores.keyValueStoreBuilder(spec.supplier, keySerde(k), valueListSerde(v, right.serde())) as unknown as StoreBuilder<StateStore>,
    () => ({ 'cleanup.policy': 'compact' }),
    { caching: false, logging: spec.logging, logConfig: spec.logConfig },
  );
  return { store, defaultsAware: right };
}
