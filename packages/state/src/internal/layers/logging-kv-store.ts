// Owns the change-logging layer of key-value stores: after each write reaches the store below, the
// same change goes to the store's changelog topic (logging-layer.ts), keyed by the store's key. Reads
// pass straight through.
import type { KeyValueIterator } from '../../store.js';
import type { KeyValueBytesLayer, TimestampedEntry } from './layer-types.js';
import { ChangeLoggingLayer } from './logging-layer.js';

export class ChangeLoggingKeyValueStore extends ChangeLoggingLayer<KeyValueBytesLayer> implements KeyValueBytesLayer {
  get(key: Buffer): Promise<Buffer | undefined> {
    return this.inner.get(key);
  }

  async put(key: Buffer, value: Buffer | null, timestamp?: number): Promise<void> {
    await this.inner.put(key, value, timestamp);
    this.log(key, value, timestamp);
  }

  async putAll(entries: readonly TimestampedEntry[]): Promise<void> {
    await this.inner.putAll(entries);
    for (const e of entries) this.log(e.key, e.value, e.timestamp);
  }

  async delete(key: Buffer, timestamp?: number): Promise<Buffer | undefined> {
    const old = await this.inner.delete(key, timestamp);
    this.log(key, null, timestamp);
    return old;
  }

  range(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    return this.inner.range(from, to);
  }

  reverseRange(from: Buffer | undefined, to: Buffer | undefined): KeyValueIterator<Buffer, Buffer> {
    return this.inner.reverseRange(from, to);
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    return this.inner.prefixScan(prefix);
  }

  approximateNumEntries(): Promise<number> {
    return this.inner.approximateNumEntries();
  }
}
