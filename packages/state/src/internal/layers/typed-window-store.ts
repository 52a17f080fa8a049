// Owns the typed layer of window stores: the fetch overloads of ReadOnlyWindowStore over the serdes and
// window objects for results; init, restoration and typed flush records are in typed-layer.ts.
import { TimeWindow, Windowed, type Window } from '@sluice/serdes';
import type { KeyValue, WindowStore, WindowStoreIterator, WindowedIterator } from '../../store.js';
import { MAX_TIMESTAMP } from '../bytes.js';
import { mapIterator } from '../iterators.js';
import type { WindowBytesLayer } from './layer-types.js';
import { TypedLayer, valueTimestamp, type TimestampOfOption, type TypedLayerOptions } from './typed-layer.js';

type WindowKey = { key: Buffer; windowStart: number };

export interface TypedWindowStoreOptions<K, V> extends TypedLayerOptions<WindowBytesLayer, WindowKey, K, V>, TimestampOfOption<V> {}

export class TypedWindowStore<K, V> extends TypedLayer<WindowBytesLayer, WindowKey, K, V, Windowed<K>> implements WindowStore<K, V> {
  declare protected readonly options: TypedWindowStoreOptions<K, V>;

  /** Writes dropped because their window had expired. */
  get droppedRecords(): number {
    return this.inner.droppedRecords ?? 0;
  }

  put(key: K, value: V | null, windowStartMs: number): Promise<void> {
    const raw = this.rawValue(value);
    const timestamp = valueTimestamp(this.options, value);
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

  /**
   * fetch(key, timeFrom, timeTo) as an array of (window start, value), without a promise, when the
   * store can answer at once (its segments are in memory); undefined when it cannot — then fetch()
   * the asynchronous way. What a stream-stream join reads for every record (window-fetch-sync.ts).
   */
  fetchSync(key: K, timeFrom: number, timeTo: number): KeyValue<number, V>[] | undefined {
    const raw = this.rawKey(key);
    const found = this.inner.fetchRangeSync?.(raw, raw, timeFrom, timeTo, false);
    if (found === undefined) return undefined;
    const out = new Array<KeyValue<number, V>>(found.length);
    for (let i = 0; i < found.length; i++) out[i] = { key: found[i]!.key.windowStart, value: this.typedValue(found[i]!.value) };
    return out;
  }

  protected flushKey(key: WindowKey): Windowed<K> {
    return this.windowed(key.key, key.windowStart);
  }

  private async fetchOne(key: K, windowStartMs: number): Promise<V | undefined> {
    return this.value(await this.inner.fetch(this.rawKey(key), windowStartMs));
  }

  private single(key: K, timeFrom: number, timeTo: number, backward: boolean): WindowStoreIterator<V> {
    const raw = this.rawKey(key);
    const it = this.inner.fetchRange(raw, raw, timeFrom, timeTo, backward);
    return mapIterator(it, (kv): KeyValue<number, V> => ({ key: kv.key.windowStart, value: this.typedValue(kv.value) }));
  }

  private multi(keyFrom: K | undefined, keyTo: K | undefined, timeFrom: number, timeTo: number, backward: boolean): WindowedIterator<K, V> {
    const it = this.inner.fetchRange(this.optionalKey(keyFrom), this.optionalKey(keyTo), timeFrom, timeTo, backward);
    return mapIterator(it, (kv) => ({ key: this.windowed(kv.key.key, kv.key.windowStart), value: this.typedValue(kv.value) }));
  }

  private windowed(rawKey: Buffer, start: number): Windowed<K> {
    return new Windowed(this.typedKey(rawKey), timeWindow(start, this.inner.windowSizeMs));
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
