// Owns the versioned key-value store (Kafka Streams' VersionedKeyValueStore, KIP-889): every key
// keeps its values with the time each became valid, for the history retention past the observed
// stream time, so readers can ask for the value as of a time. Stored in one key-value bytes store
// (version-list.ts), never cached; each put is logged as Kafka logs it (key, value or tombstone,
// the put's timestamp) and restoration replays the puts through the same rules (versions.ts).
import type { Serde } from '@sluice/serdes';
import type { ChangelogRecord, KeyValueBytesStore, StateStoreContext, VersionedKeyValueStore, VersionedRecord } from '../../store.js';
import { changelogTopicName, contextWithoutRegistration } from '../layers/typed-context.js';
import { dataKey, decodeTime, decodeVersions, encodeTime, encodeVersions, META_OBSERVED_STREAM_TIME, type Version } from './version-list.js';
import { asOf, latest, PUT_RETURN_CODE_NOT_PUT, prune, putVersion, type Found } from './versions.js';

export interface VersionedStoreOptions<K, V> {
  readonly bytes: KeyValueBytesStore;
  readonly historyRetentionMs: number;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly logging: boolean;
}

export class VersionedKeyValueStoreImpl<K, V> implements VersionedKeyValueStore<K, V> {
  readonly versioned = true;
  readonly name: string;
  readonly persistent: boolean;
  readonly historyRetentionMs: number;
  private context: StateStoreContext | undefined;
  private topic = '';
  private observedStreamTime = -1;
  /** Puts dropped because they were older than the history retention (Kafka's dropped-records). */
  droppedRecords = 0;

  constructor(private readonly o: VersionedStoreOptions<K, V>) {
    this.name = o.bytes.name;
    this.persistent = o.bytes.persistent;
    this.historyRetentionMs = o.historyRetentionMs;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context;
    this.topic = changelogTopicName(context.applicationId, this.name);
    await this.o.bytes.init(contextWithoutRegistration(context));
    this.observedStreamTime = decodeTime(await this.o.bytes.get(META_OBSERVED_STREAM_TIME));
    context.register(this, (batch) => this.restore(batch));
  }

  flush(): Promise<void> {
    return this.o.bytes.flush();
  }

  close(): Promise<void> {
    return this.o.bytes.close();
  }

  isOpen(): boolean {
    return this.o.bytes.isOpen();
  }

  /** Puts `value` (null = a tombstone) as valid from `timestamp`; returns Kafka's put return code. */
  async put(key: K, value: V | null, timestamp: number): Promise<number> {
    const raw = this.rawKey(key);
    const bytes = value === null ? null : this.o.valueSerde.serialize(this.topic, value);
    const code = await this.apply(raw, bytes, timestamp);
    if (code !== PUT_RETURN_CODE_NOT_PUT && this.o.logging) this.context!.logChange(this.name, raw, bytes, timestamp);
    return code;
  }

  /** Puts a tombstone at `timestamp`; returns the record that was valid then, if any. */
  async delete(key: K, timestamp: number): Promise<VersionedRecord<V> | undefined> {
    if (timestamp < this.minQueryable()) {
      this.dropped('delete', timestamp);
      return undefined;
    }
    const existing = await this.get(key, timestamp);
    await this.put(key, null, timestamp);
    return existing;
  }

  /** The latest value, or (with `asOfTimestamp`) the value that was valid then. */
  async get(key: K, asOfTimestamp?: number): Promise<VersionedRecord<V> | undefined> {
    const versions = decodeVersions(await this.o.bytes.get(dataKey(this.rawKey(key))));
    const found = asOfTimestamp === undefined ? latest(versions) : asOf(versions, asOfTimestamp, this.minQueryable());
    return found === undefined ? undefined : this.record(found);
  }

  private record(found: Found): VersionedRecord<V> {
    const value = this.o.valueSerde.deserialize(this.topic, found.value);
    return found.validTo === undefined ? { value, timestamp: found.validFrom } : { value, timestamp: found.validFrom, validTo: found.validTo };
  }

  private minQueryable(): number {
    return this.observedStreamTime - this.historyRetentionMs;
  }

  private rawKey(key: K): Buffer {
    return this.o.keySerde.serialize(this.topic, key);
  }

  private dropped(what: string, timestamp: number): void {
    this.droppedRecords++;
    this.context?.logger.debug(`store ${this.name}: skipping an expired ${what} at ${timestamp} (observed stream time ${this.observedStreamTime}, history retention ${this.historyRetentionMs} ms)`);
  }

  /** One put through the store's rules, unlogged (shared by put and restoration). */
  private async apply(raw: Buffer, value: Buffer | null, timestamp: number, batch?: Map<string, Version[]>): Promise<number> {
    if (timestamp < this.minQueryable()) {
      this.dropped('put', timestamp);
      return PUT_RETURN_CODE_NOT_PUT;
    }
    if (timestamp > this.observedStreamTime) {
      this.observedStreamTime = timestamp;
      if (batch === undefined) await this.o.bytes.put(META_OBSERVED_STREAM_TIME, encodeTime(timestamp));
    }
    const k = dataKey(raw);
    const cacheKey = batch && k.toString('latin1');
    const current = (cacheKey !== undefined ? batch!.get(cacheKey) : undefined) ?? decodeVersions(await this.o.bytes.get(k));
    const { versions, code } = putVersion(current, timestamp, value);
    const kept = prune(versions, this.minQueryable());
    if (batch !== undefined) batch.set(cacheKey!, kept);
    else await this.o.bytes.put(k, kept.length === 0 ? null : encodeVersions(kept));
    return code;
  }

  /** Replays logged puts in order, each key's history read once per batch and written once at the end. */
  private async restore(records: readonly ChangelogRecord[]): Promise<void> {
    const batch = new Map<string, Version[]>();
    for (const r of records) await this.apply(r.key, r.value, r.timestamp, batch);
    const writes = [...batch].map(([k, versions]) => ({ key: Buffer.from(k, 'latin1'), value: versions.length === 0 ? null : encodeVersions(versions) }));
    writes.push({ key: META_OBSERVED_STREAM_TIME, value: encodeTime(this.observedStreamTime) });
    await this.o.bytes.putAll(writes);
  }
}
