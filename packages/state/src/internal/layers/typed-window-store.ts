// Owns the typed layer of window stores: serdes, the fetch overloads of ReadOnlyWindowStore, window
// objects for results, restoration registration and typed flush records.
import { TimeWindow, Windowed, type Serde, type Window } from '@sluice/serdes';
import type { KeyValue, RestoreCallback, StateStoreContext, WindowStore, WindowStoreIterator, WindowedIterator } from '../../store.js';
import type { CacheFlushListener, CachedStateStore } from '../../store-builder.js';
import { MAX_TIMESTAMP } from '../bytes.js';
import { mapIterator } from '../iterators.js';
import type { BytesCachingLayer, WindowBytesLayer } from './layer-types.js';
import { changelogTopicName, contextWithoutRegistration } from './typed-context.js';

type WindowKey = { key: Buffer; windowStart: number };

export interface TypedWindowStoreOptions<K, V> {
  readonly inner: WindowBytesLayer;
  readonly caching: BytesCachingLayer<WindowKey> | undefined;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly timestampOf?: (value: V) => number;
  readonly restore: RestoreCallback;
}

export class TypedWindowStore<K, V> implements WindowStore<K, V>, CachedStateStore<Windowed<K>, V> {
  readonly name: string;
  readonly persistent: boolean;
  private topic = '';
  private readonly inner: WindowBytesLayer;

  constructor(private readonly options: TypedWindowStoreOptions<K, V>) {
    this.inner = options.inner;
    this.name = options.inner.name;
    this.persistent = options.inner.persistent;
  }

  /** Writes dropped because their window had expired. */
  get droppedRecords(): number {
    return this.inner.droppedRecords ?? 0;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.topic = changelogTopicName(context.applicationId, this.name);
    await this.inner.init(contextWithoutRegistration(context));
    context.register(this, this.options.restore);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  isOpen(): boolean {
    return this.inner.isOpen();
  }

  put(key: K, value: V | null, windowStartMs: number): Promise<void> {
    const raw = value === null ? null : this.options.valueSerde.serialize(this.topic, value);
    const timestamp = value === null || this.options.timestampOf === undefined ? undefined : this.options.timestampOf(value);
    return this.inner.put(this.rawKey(key), raw, windowStartMs, timestamp);
  }

  fetch(key: K, windowStartMs: number): Promise<V | undefined>;
  fetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>;
  fetch(keyFrom: K | undefined, keyTo: K | undefined, timeFrom: number, timeTo: number): WindowedIterator<K, V>;
  fetch(a: K | undefined, b: K | number | undefined, c?: number, d?: number): Promise<V | undefined> | WindowStoreIterator<V> | WindowedIterator<K, V> {
    if (arguments.length <= 2) return this.fetchOne(a as K, b as number);
    if (arguments.length === 3) return this.single(a as K, b as number, c!, false);
    return this.multi(a, b as K | undefined, c!, d!, false);
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>;
  backwardFetch(keyFrom: K | undefined, keyTo: K | undefined, timeFrom: number, timeTo: number): WindowedIterator<K, V>;
  backwardFetch(a: K | undefined, b: K | number | undefined, c: number, d?: number): WindowStoreIterator<V> | WindowedIterator<K, V> {
    if (arguments.length === 3) return this.single(a as K, b as number, c, true);
    return this.multi(a, b as K | undefined, c, d!, true);
  }

  fetchAll(timeFrom: number, timeTo: number): WindowedIterator<K, V> {
    return this.multi(undefined, undefined, timeFrom, timeTo, false);
  }

  backwardFetchAll(timeFrom: number, timeTo: number): WindowedIterator<K, V> {
    return this.multi(undefined, undefined, timeFrom, timeTo, true);
  }

  all(): WindowedIterator<K, V> {
    return this.multi(undefined, undefined, 0, MAX_TIMESTAMP, false);
  }

  setFlushListener(listener: CacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): boolean {
    const caching = this.options.caching;
    if (caching === undefined) return false;
    caching.setBytesFlushListener(
      (key, newValue, oldValue, timestamp, recordContext) =>
        listener({ key: this.windowed(key.key, key.windowStart), newValue: this.value(newValue), oldValue: this.value(oldValue), timestamp, recordContext }),
      sendOldValues,
    );
    return true;
  }

  private async fetchOne(key: K, windowStartMs: number): Promise<V | undefined> {
    return this.value(await this.inner.fetch(this.rawKey(key), windowStartMs));
  }

  private single(key: K, timeFrom: number, timeTo: number, backward: boolean): WindowStoreIterator<V> {
    const raw = this.rawKey(key);
    const it = this.inner.fetchRange(raw, raw, timeFrom, timeTo, backward);
    return mapIterator(it, (kv): KeyValue<number, V> => ({ key: kv.key.windowStart, value: this.options.valueSerde.deserialize(this.topic, kv.value) }));
  }

  private multi(keyFrom: K | undefined, keyTo: K | undefined, timeFrom: number, timeTo: number, backward: boolean): WindowedIterator<K, V> {
    const from = keyFrom === undefined ? undefined : this.rawKey(keyFrom);
    const to = keyTo === undefined ? undefined : this.rawKey(keyTo);
    const it = this.inner.fetchRange(from, to, timeFrom, timeTo, backward);
    return mapIterator(it, (kv) => ({ key: this.windowed(kv.key.key, kv.key.windowStart), value: this.options.valueSerde.deserialize(this.topic, kv.value) }));
  }

  private windowed(rawKey: Buffer, start: number): Windowed<K> {
    return new Windowed(this.options.keySerde.deserialize(this.topic, rawKey), timeWindow(start, this.inner.windowSizeMs));
  }

  private rawKey(key: K): Buffer {
    return this.options.keySerde.serialize(this.topic, key);
  }

  private value(raw: Buffer | null | undefined): V | undefined {
    return raw === null || raw === undefined ? undefined : this.options.valueSerde.deserialize(this.topic, raw);
  }
}

/**
 * The window of a stored entry. A window store of size 0 (stream-stream joins with a zero time
 * difference) has windows that TimeWindow cannot represent, so those get a plain [start, start] window.
 */
function timeWindow(start: number, size: number): Window {
  if (size <= 0) return Object.freeze({ start, end: start });
  return new TimeWindow(start, Math.min(start + size, Number.MAX_SAFE_INTEGER));
}
