// Owns what the typed (outermost) layers share, Kafka's metered stores minus metrics: keys and values
// go through the serdes with the changelog topic as the serde topic, init registers the whole stack
// for restoration (the layers below get a context that ignores registration, see typed-context.ts),
// and the caching layer's byte-level flushes become typed CacheFlushRecords.
import type { Serde } from '@sluice/serdes';
import type { RestoreCallback, StateStore, StateStoreContext } from '../../store.js';
import type { CacheFlushListener, CachedStateStore } from '../../store-builder.js';
import type { BytesCachingLayer } from './layer-types.js';
import { checkedRestore } from './encryption.js';
import { changelogTopicName, contextWithoutRegistration } from './typed-context.js';
import { WrappingLayer } from './wrapping-layer.js';

/** `S`: the bytes layer below; `LK`: its key shape, which the caching layer hands to flush listeners. */
export interface TypedLayerOptions<S, LK, K, V> {
  readonly inner: S;
  readonly caching: BytesCachingLayer<LK> | undefined;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly restore: RestoreCallback;
  /** Checks a changelog value before restoration writes it (encrypted stores: that it decrypts). */
  readonly checkRestored?: (value: Buffer, topic: string) => void;
}

/** Options of a store whose values may carry a record timestamp (timestamped stores). */
export interface TimestampOfOption<V> {
  /** The record timestamp a value carries, logged with the change. */
  readonly timestampOf?: (value: V) => number;
}

/** `FK`: the key of the typed flush records (`K`, or `Windowed<K>` for window and session stores). */
const NO_KEY = Symbol('no key');
const NO_BYTES = Buffer.alloc(0);

export abstract class TypedLayer<S extends StateStore, LK, K, V, FK> extends WrappingLayer<S> implements CachedStateStore<FK, V> {
  protected topic = '';
  private lastKey: unknown = NO_KEY;
  private lastRaw: Buffer = NO_BYTES;

  constructor(protected readonly options: TypedLayerOptions<S, LK, K, V>) {
    super(options.inner);
  }

  override async init(context: StateStoreContext): Promise<void> {
    this.topic = changelogTopicName(context.applicationId, this.name);
    this.lastKey = NO_KEY;
    await super.init(contextWithoutRegistration(context));
    const { restore, checkRestored } = this.options;
    const topic = this.topic;
    context.register(this, checkRestored ? checkedRestore(restore, (value) => checkRestored(value, topic)) : restore);
  }

  setFlushListener(listener: CacheFlushListener<FK, V>, sendOldValues: boolean): boolean {
    const caching = this.options.caching;
    if (caching === undefined) return false;
    caching.setBytesFlushListener(
      (key, newValue, oldValue, timestamp, recordContext) => listener({ key: this.flushKey(key), newValue: this.value(newValue), oldValue: this.value(oldValue), timestamp, recordContext }),
      sendOldValues,
    );
    return true;
  }

  /** The typed key of a flush record for the caching layer's key. */
  protected abstract flushKey(key: LK): FK;

  /**
   * The key's bytes. The last primitive key's bytes are kept: an aggregation reads and then writes the
   * same key, and a string key is equal by value. (Object keys are not kept: they may change in between.)
   */
  protected rawKey(key: K): Buffer {
    if (key === this.lastKey) return this.lastRaw;
    const raw = this.options.keySerde.serialize(this.topic, key);
    const type = typeof key;
    if (type === 'string' || type === 'number' || type === 'bigint' || type === 'boolean') {
      this.lastKey = key;
      this.lastRaw = raw;
    }
    return raw;
  }

  /** The raw key of a query bound (undefined = open). */
  protected optionalKey(key: K | undefined): Buffer | undefined {
    return key === undefined ? undefined : this.rawKey(key);
  }

  protected typedKey(raw: Buffer): K {
    return this.options.keySerde.deserialize(this.topic, raw);
  }

  protected rawValue(value: V | null): Buffer | null {
    return value === null ? null : this.options.valueSerde.serialize(this.topic, value);
  }

  protected typedValue(raw: Buffer): V {
    return this.options.valueSerde.deserialize(this.topic, raw);
  }

  /** The typed value of what the layer below returned (undefined for none or a deletion). */
  protected value(raw: Buffer | null | undefined): V | undefined {
    return raw === null || raw === undefined ? undefined : this.options.valueSerde.deserialize(this.topic, raw);
  }
}

/** The record timestamp `value` carries, or undefined (a deletion, or a store that is not timestamped). */
export function valueTimestamp<V>(options: TimestampOfOption<V>, value: V | null): number | undefined {
  return value === null || options.timestampOf === undefined ? undefined : options.timestampOf(value);
}
