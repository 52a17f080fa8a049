// Owns the typed layer of session stores: the session operations over the serdes and session windows
// for results; init, restoration and typed flush records are in typed-layer.ts.
import { SessionWindow, Windowed } from '@sluice/serdes';
import type { SessionStore, WindowedIterator } from '../../store.js';
import { MAX_TIMESTAMP } from '../bytes.js';
import { mapIterator } from '../iterators.js';
import type { SessionBytesLayer } from './layer-types.js';
import { TypedLayer, type TypedLayerOptions } from './typed-layer.js';

type SessionKey = { key: Buffer; start: number; end: number };

export type TypedSessionStoreOptions<K, V> = TypedLayerOptions<SessionBytesLayer, SessionKey, K, V>;

export class TypedSessionStore<K, V> extends TypedLayer<SessionBytesLayer, SessionKey, K, V, Windowed<K>> implements SessionStore<K, V> {
  /** Writes dropped because their session had expired. */
  get droppedRecords(): number {
    return this.inner.droppedRecords ?? 0;
  }

  /** A null aggregate removes the session, as in Kafka. */
  put(sessionKey: Windowed<K>, aggregate: V): Promise<void> {
    const raw = this.rawValue(aggregate);
    return this.inner.put(this.rawKey(sessionKey.key), sessionKey.window.start, sessionKey.window.end, raw);
  }

  remove(sessionKey: Windowed<K>): Promise<void> {
    return this.inner.put(this.rawKey(sessionKey.key), sessionKey.window.start, sessionKey.window.end, null);
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): WindowedIterator<K, V>;
  findSessions(keyFrom: K | undefined, keyTo: K | undefined, earliestSessionEndTime: number, latestSessionStartTime: number): WindowedIterator<K, V>;
  findSessions(a: K | undefined, b: K | number | undefined, c: number, d?: number): WindowedIterator<K, V> {
    if (d === undefined) return this.find(a as K, b as number, c, false);
    const from = a === undefined ? undefined : this.rawKey(a);
    const to = b === undefined ? undefined : this.rawKey(b as K);
    const it = this.inner.findSessions(from, to, c, d, false);
    return mapIterator(it, (kv) => ({ key: this.windowed(kv.key), value: this.typedValue(kv.value) }));
  }

  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): WindowedIterator<K, V> {
    return this.find(key, earliestSessionEndTime, latestSessionStartTime, true);
  }

  fetch(key: K): WindowedIterator<K, V> {
    return this.find(key, 0, MAX_TIMESTAMP, false);
  }

  backwardFetch(key: K): WindowedIterator<K, V> {
    return this.find(key, 0, MAX_TIMESTAMP, true);
  }

  async fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): Promise<V | undefined> {
    return this.value(await this.inner.fetchSession(this.rawKey(key), sessionStartTime, sessionEndTime));
  }

  protected flushKey(key: SessionKey): Windowed<K> {
    return this.windowed(key);
  }

  private find(key: K, earliestEnd: number, latestStart: number, backward: boolean): WindowedIterator<K, V> {
    const raw = this.rawKey(key);
    const it = this.inner.findSessions(raw, raw, earliestEnd, latestStart, backward);
    return mapIterator(it, (kv) => ({ key: this.windowed(kv.key), value: this.typedValue(kv.value) }));
  }

  private windowed(key: SessionKey): Windowed<K> {
    return new Windowed(this.typedKey(key.key), new SessionWindow(key.start, key.end));
  }
}
