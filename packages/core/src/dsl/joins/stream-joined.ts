// Owns StreamJoined, the options of a stream-stream join (Kafka Streams' StreamJoined): the serdes
// of the key and of both values, the processor name, the base name or suppliers of the two window
// stores, their store type, and whether their changelogs are written. Immutable; `with*` copies.
import type { Serde } from '@sluice/serdes';
import type { StoreType, WindowBytesStoreSupplier } from '@sluice/state';

interface Fields<K, V1, V2> {
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V1> | undefined;
  readonly otherValueSerde: Serde<V2> | undefined;
  readonly thisStoreSupplier: WindowBytesStoreSupplier | undefined;
  readonly otherStoreSupplier: WindowBytesStoreSupplier | undefined;
  readonly name: string | undefined;
  readonly storeName: string | undefined;
  readonly storeType: StoreType | undefined;
  readonly loggingEnabled: boolean;
  readonly topicConfig: Readonly<{ [key: string]: string }>;
}

const EMPTY: Fields<never, never, never> = {
  keySerde: undefined,
  valueSerde: undefined,
  otherValueSerde: undefined,
  thisStoreSupplier: undefined,
  otherStoreSupplier: undefined,
  name: undefined,
  storeName: undefined,
  storeType: undefined,
  loggingEnabled: true,
  topicConfig: {},
};

function isSerde(x: unknown): boolean {
  return typeof (x as { serialize?: unknown } | null)?.serialize === 'function';
}

export class StreamJoined<K, V1, V2> implements Fields<K, V1, V2> {
  readonly keySerde!: Serde<K> | undefined;
  readonly valueSerde!: Serde<V1> | undefined;
  readonly otherValueSerde!: Serde<V2> | undefined;
  readonly thisStoreSupplier!: WindowBytesStoreSupplier | undefined;
  readonly otherStoreSupplier!: WindowBytesStoreSupplier | undefined;
  readonly name!: string | undefined;
  readonly storeName!: string | undefined;
  readonly storeType!: StoreType | undefined;
  readonly loggingEnabled!: boolean;
  readonly topicConfig!: Readonly<{ [key: string]: string }>;

  private constructor(fields: Fields<K, V1, V2>) {
    Object.assign(this, fields);
    Object.freeze(this);
  }

  private copy(changes: Partial<Fields<K, V1, V2>>): StreamJoined<K, V1, V2> {
    return new StreamJoined<K, V1, V2>({ ...(this as Fields<K, V1, V2>), ...changes });
  }

  /** The serdes of the key, this stream's values and the other stream's values (for the window stores and any repartition topics). */
  static with<K, V1, V2>(keySerde: Serde<K> | undefined, valueSerde: Serde<V1> | undefined, otherValueSerde: Serde<V2> | undefined): StreamJoined<K, V1, V2>;
  /** The window stores of both sides; each must keep duplicates, with retention = size + grace and window size = the join window's size. */
  static with<K, V1, V2>(thisStoreSupplier: WindowBytesStoreSupplier, otherStoreSupplier: WindowBytesStoreSupplier): StreamJoined<K, V1, V2>;
  static with<K, V1, V2>(a: unknown, b: unknown, c?: unknown): StreamJoined<K, V1, V2> {
    if (c !== undefined || isSerde(a) || isSerde(b) || (a === undefined && b === undefined)) {
      return new StreamJoined<K, V1, V2>({ ...EMPTY, keySerde: a as Serde<K>, valueSerde: b as Serde<V1>, otherValueSerde: c as Serde<V2> });
    }
    return new StreamJoined<K, V1, V2>({ ...EMPTY, thisStoreSupplier: a as WindowBytesStoreSupplier, otherStoreSupplier: b as WindowBytesStoreSupplier });
  }

  /** The base name of the window stores: `<storeName>-this-join-store` and `<storeName>-other-join-store` (also names their changelogs). */
  static as<K, V1, V2>(storeName: string): StreamJoined<K, V1, V2> {
    return new StreamJoined<K, V1, V2>({ ...EMPTY, storeName });
  }

  /** Names the join's processors (`<name>-this-join`, `<name>-merge`, …) and its repartition topics. */
  withName(name: string): StreamJoined<K, V1, V2> {
    return this.copy({ name });
  }
  withStoreName(storeName: string): StreamJoined<K, V1, V2> {
    return this.copy({ storeName });
  }
  withKeySerde(keySerde: Serde<K>): StreamJoined<K, V1, V2> {
    return this.copy({ keySerde });
  }
  withValueSerde(valueSerde: Serde<V1>): StreamJoined<K, V1, V2> {
    return this.copy({ valueSerde });
  }
  withOtherValueSerde(otherValueSerde: Serde<V2>): StreamJoined<K, V1, V2> {
    return this.copy({ otherValueSerde });
  }
  withThisStoreSupplier(thisStoreSupplier: WindowBytesStoreSupplier): StreamJoined<K, V1, V2> {
    return this.copy({ thisStoreSupplier });
  }
  withOtherStoreSupplier(otherStoreSupplier: WindowBytesStoreSupplier): StreamJoined<K, V1, V2> {
    return this.copy({ otherStoreSupplier });
  }
  /** The kind of the join's stores when no supplier is given (Kafka's withDslStoreSuppliers): 'rocksdb' (default), 'level' or 'in_memory'. */
  withStoreType(storeType: StoreType): StreamJoined<K, V1, V2> {
    return this.copy({ storeType });
  }
  /** Write the stores' changelogs, with these extra topic configs (cleanup.policy is always delete). */
  withLoggingEnabled(topicConfig: { [key: string]: string } = {}): StreamJoined<K, V1, V2> {
    return this.copy({ loggingEnabled: true, topicConfig: { ...topicConfig } });
  }
  withLoggingDisabled(): StreamJoined<K, V1, V2> {
    return this.copy({ loggingEnabled: false, topicConfig: {} });
  }
}
