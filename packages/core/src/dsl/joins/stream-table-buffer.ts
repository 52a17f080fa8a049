// Owns the buffer of a stream-table join with a grace period (Kafka Streams'
// RocksDBTimeOrderedKeyValueBuffer as KStreamKTableJoin uses it): stream records wait, ordered by
// <timestamp><key><seqnum>, until stream time has passed their timestamp by the grace period; a
// record already that late is not buffered. Kept in memory and change-logged on every put and
// eviction, so it is restored from its changelog whenever its task starts.
import { ConfigError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import { changelogTopicName, type ChangelogRecord, type StateStore, type StateStoreContext, type StoreBuilder } from '@sluice/state';
import { Headers } from '../../processor/headers.js';
import type { DefaultsAware, SerdeDefaults } from '../../topology/defaults.js';

export interface BufferedRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

interface Entry {
  readonly id: string;
  readonly key: Buffer;
  readonly timestamp: number;
  readonly value: Buffer;
}

const TWO_32 = 2 ** 32;

function storeKey(key: Buffer, timestamp: number, seqnum: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + 12);
  out.writeUInt32BE(Math.floor(timestamp / TWO_32), 0);
  out.writeUInt32BE(timestamp >>> 0, 4);
  key.copy(out, 8);
  out.writeUInt32BE(seqnum >>> 0, key.length + 8);
  return out;
}

/** Buffered value: <value length int32><value><header count int32>(<key length int32><key><value length int32, -1 = null><value>)*. */
function encodeValue(value: Buffer, headers: Headers): Buffer {
  const parts: Buffer[] = [];
  const int = (n: number) => {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(n, 0);
    parts.push(b);
  };
  int(value.length);
  parts.push(value);
  const list = [...headers];
  int(list.length);
  for (const h of list) {
    const k = Buffer.from(h.key, 'utf8');
    int(k.length);
    parts.push(k);
    int(h.value === null ? -1 : h.value.length);
    if (h.value !== null) parts.push(h.value);
  }
  return Buffer.concat(parts);
}

function decodeValue(raw: Buffer): { value: Buffer; headers: Headers } {
  let o = 0;
  const int = () => {
    const n = raw.readInt32BE(o);
    o += 4;
    return n;
  };
  const len = int();
  const value = raw.subarray(o, o + len);
  o += len;
  const headers = new Headers();
  for (let i = int(); i > 0; i--) {
    const kl = int();
    const key = raw.toString('utf8', o, o + kl);
    o += kl;
    const vl = int();
    headers.add(key, vl < 0 ? null : Buffer.from(raw.subarray(o, o + vl)));
    o += Math.max(0, vl);
  }
  return { value, headers };
}

export class StreamTableJoinBuffer<K, V> implements StateStore {
  readonly persistent = false;
  /** Entries in store-key byte order: by timestamp, then key bytes, then seqnum. */
  private entries: Entry[] = [];
  private observedStreamTime = -1;
  private seqnum = 0;
  private context: StateStoreContext | undefined;
  private topic = '';
  private opened = false;

  constructor(
    readonly name: string,
    private readonly gracePeriodMs: number,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly logging: boolean,
  ) {}

  init(context: StateStoreContext): Promise<void> {
    this.context = context;
    this.topic = changelogTopicName(context.applicationId, this.name);
    context.register(this, (batch) => this.restore(batch));
    this.opened = true;
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.opened = false;
    this.entries = [];
    return Promise.resolve();
  }

  isOpen(): boolean {
    return this.opened;
  }

  numRecords(): number {
    return this.entries.length;
  }

  /** Buffers the record, or returns false when it is already older than stream time minus the grace period. */
  put(record: BufferedRecord<K, V>): boolean {
    if (this.observedStreamTime - this.gracePeriodMs > record.timestamp) return false;
    this.seqnum = (this.seqnum + 1) & 0x7fff_ffff;
    const key = storeKey(this.keySerde.serialize(this.topic, record.key), record.timestamp, this.seqnum);
    const value = encodeValue(this.valueSerde.serialize(this.topic, record.value), record.headers);
    this.insert({ id: key.toString('latin1'), key, timestamp: record.timestamp, value });
    if (this.logging) this.context!.logChange(this.name, key, value, record.timestamp);
    return true;
  }

  /** Removes and hands out, oldest first, every record at least the grace period behind stream time. */
  async evict(callback: (record: BufferedRecord<K, V>) => void | Promise<void>): Promise<void> {
    const until = this.observedStreamTime - this.gracePeriodMs;
    while (this.entries.length > 0 && this.entries[0]!.timestamp <= until) {
      const e = this.entries.shift()!;
      const { value, headers } = decodeValue(e.value);
      const keyBytes = e.key.subarray(8, e.key.length - 4);
      await callback({ key: this.keySerde.deserialize(this.topic, keyBytes), value: this.valueSerde.deserialize(this.topic, value), timestamp: e.timestamp, headers });
      if (this.logging) this.context!.logChange(this.name, e.key, null, e.timestamp);
    }
  }

  private insert(e: Entry): void {
    this.observedStreamTime = Math.max(this.observedStreamTime, e.timestamp);
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.id < e.id) lo = mid + 1;
      else hi = mid;
    }
    if (this.entries[lo]?.id === e.id) this.entries[lo] = e;
    else this.entries.splice(lo, 0, e);
  }

  private restore(batch: readonly ChangelogRecord[]): Promise<void> {
    for (const r of batch) {
      if (r.key.length < 12) continue;
      const hi = r.key.readUInt32BE(0);
      const timestamp = hi * TWO_32 + r.key.readUInt32BE(4);
      const id = r.key.toString('latin1');
      this.seqnum = Math.max(this.seqnum, r.key.readUInt32BE(r.key.length - 4));
      if (r.value === null) {
        this.entries = this.entries.filter((e) => e.id !== id);
        this.observedStreamTime = Math.max(this.observedStreamTime, timestamp);
      } else {
        this.insert({ id, key: Buffer.from(r.key), timestamp, value: Buffer.from(r.value) });
      }
    }
    return Promise.resolve();
  }
}

/** Builds one buffer per task; the stream's serdes may come from the app's defaults. Never cached. */
export class StreamTableJoinBufferBuilder<K, V> implements StoreBuilder<StateStore>, DefaultsAware {
  readonly cachingEnabled = false;
  private logging = true;
  private defaults: SerdeDefaults | undefined;

  constructor(
    readonly name: string,
    private readonly gracePeriodMs: number,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
  ) {}

  get loggingEnabled(): boolean {
    return this.logging;
  }
  get logConfig(): Readonly<{ [key: string]: string }> {
    return {};
  }
  withCachingEnabled(): this {
    return this;
  }
  withCachingDisabled(): this {
    return this;
  }
  withLoggingEnabled(): this {
    this.logging = true;
    return this;
  }
  withLoggingDisabled(): this {
    this.logging = false;
    return this;
  }
  changelogConfig(): { [key: string]: string } {
    return { 'cleanup.policy': 'compact' };
  }
  bindDefaults(defaults: SerdeDefaults): void {
    this.defaults = defaults;
  }
  missingSerdes(defaults: SerdeDefaults): string[] {
    const fix = 'give them with Joined.with(keySerde, valueSerde, otherValueSerde) or Consumed.with on the stream, or set default serdes';
    const out: string[] = [];
    if (!this.keySerde && !defaults.defaultKeySerde) out.push(`buffer '${this.name}' of a stream-table join has no key serde: ${fix}`);
    if (!this.valueSerde && !defaults.defaultValueSerde) out.push(`buffer '${this.name}' of a stream-table join has no value serde: ${fix}`);
    return out;
  }
  build(): StreamTableJoinBuffer<K, V> {
    const key = this.keySerde ?? (this.defaults?.defaultKeySerde as Serde<K> | undefined);
    const value = this.valueSerde ?? (this.defaults?.defaultValueSerde as Serde<V> | undefined);
    if (!key || !value) throw new ConfigError(this.missingSerdes(this.defaults ?? { defaultKeySerde: undefined, defaultValueSerde: undefined }).join('; '));
    return new StreamTableJoinBuffer(this.name, this.gracePeriodMs, key, value, this.logging);
  }
}
