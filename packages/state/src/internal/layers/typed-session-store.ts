// Owns the typed layer of session stores: serdes, session windows for results, restoration
// registration and typed flush records.
import { SessionWindow, Windowed, type Serde } from '@sluice/serdes';
import type { RestoreCallback, SessionStore, StateStoreContext, WindowedIterator } from '../../store.js';
import type { CacheFlushListener, CachedStateStore } from '../../store-builder.js';
import { MAX_TIMESTAMP } from '../bytes.js';
import { mapIterator } from '../iterators.js';
import type { BytesCachingLayer, SessionBytesLayer } from './layer-types.js';
import { changelogTopicName, contextWithoutRegistration } from './typed-context.js';

type SessionKey = { key: Buffer; start: number; end: number };

export interface TypedSessionStoreOptions<K, V> {
  readonly inner: SessionBytesLayer;
  readonly caching: BytesCachingLayer<SessionKey> | undefined;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly restore: RestoreCallback;
}

export class TypedSessionStore<K, V> implements SessionStore<K, V>, CachedStateStore<Windowed<K>, V> {
  readonly name: string;
  readonly persistent: boolean;
  private topic = '';
  private readonly inner: SessionBytesLayer;

  constructor(private readonly options: TypedSessionStoreOptions<K, V>) {
    this.inner = options.inner;
    this.name = options.inner.name;
    this.persistent = options.inner.persistent;
  }

  /** Writes dropped because their session had expired. */
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

  /** A null aggregate removes the session, as in Kafka. */
  put(sessionKey: Windowed<K>, aggregate: V): Promise<void> {
    const raw = aggregate === null ? null : this.options.valueSerde.serialize(this.topic, aggregate);
    return this.inner.put(this.rawKey(sessionKey.key), sessionKey.window.start, sessionKey.window.end, raw);
  }

  remove(sessionKey: Windowed<K>): Promise<void> {
    return this.inner.put(this.rawKey(sessionKey.key), sessionKey.window.start, sessionKey.window.end, null);
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): WindowedIterator<K, V> {
    return this.find(key, earliestSessionEndTime, latestSessionStartTime, false);
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

  setFlushListener(listener: CacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): boolean {
    const caching = this.options.caching;
    if (caching === undefined) return false;
    caching.setBytesFlushListener(
      (key, newValue, oldValue, timestamp, recordContext) => listener({ key: this.windowed(key), newValue: this.value(newValue), oldValue: this.value(oldValue), timestamp, recordContext }),
      sendOldValues,
    );
    return true;
  }

  private find(key: K, earliestEnd: number, latestStart: number, backward: boolean): WindowedIterator<K, V> {
    const raw = this.rawKey(key);
    const it = this.inner.findSessions(raw, raw, earliestEnd, latestStart, backward);
    return mapIterator(it, (kv) => ({ key: this.windowed(kv.key), value: this.options.valueSerde.deserialize(this.topic, kv.value) }));
  }

  private windowed(key: SessionKey): Windowed<K> {
    return new Windowed(this.options.keySerde.deserialize(this.topic, key.key), new SessionWindow(key.start, key.end));
  }

  private rawKey(key: K): Buffer {
    return this.options.keySerde.serialize(this.topic, key);
  }

  private value(raw: Buffer | null | undefined): V | undefined {
    return raw === null || raw === undefined ? undefined : this.options.valueSerde.deserialize(this.topic, raw);
  }
}
