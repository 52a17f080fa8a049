// Owns the record type that test topics read and write.
import { Headers } from '@sluice/core';

export class TestRecord<K, V> {
  readonly headers: Headers;
  constructor(
    readonly key: K,
    readonly value: V,
    readonly timestamp: number,
    headers?: Headers,
  ) {
    this.headers = headers ?? new Headers();
  }
  toString(): string {
    return `TestRecord[key=${String(this.key)}, value=${String(this.value)}, timestamp=${this.timestamp}]`;
  }
}
