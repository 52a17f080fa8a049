// Owns the immutable record that flows between processors: key, value, timestamp and headers.
// `with*` methods return a new record; the original is never changed.
import { Headers } from './headers.js';

export class Record<K, V> {
  readonly headers: Headers;

  constructor(
    readonly key: K,
    readonly value: V,
    readonly timestamp: number,
    headers?: Headers,
  ) {
    if (!Number.isFinite(timestamp) || timestamp < 0) {
      throw new RangeError(`record timestamp must be a non-negative number of milliseconds, got ${timestamp}`);
    }
    this.headers = headers ?? new Headers();
  }

  withKey<NK>(key: NK): Record<NK, V> {
    return new Record(key, this.value, this.timestamp, this.headers);
  }

  withValue<NV>(value: NV): Record<K, NV> {
    return new Record(this.key, value, this.timestamp, this.headers);
  }

  withTimestamp(timestamp: number): Record<K, V> {
    return new Record(this.key, this.value, timestamp, this.headers);
  }

  withHeaders(headers: Headers): Record<K, V> {
    return new Record(this.key, this.value, this.timestamp, headers);
  }

  toString(): string {
    return `Record(key=${String(this.key)}, value=${String(this.value)}, timestamp=${this.timestamp})`;
  }
}
