// Owns the change-logging layer of key-value stores: after each write reaches the store below, the
// same change goes to the store's changelog topic through context.logChange (format in
// changelog-format.ts). Reads pass straight through.
import type { KeyValueIterator, StateStoreContext } from '../../store.js';
import { toChangelog } from './changelog-format.js';
import type { KeyValueBytesLayer, TimestampedEntry } from './layer-types.js';
import { writeTime } from './write-time.js';

export class ChangeLoggingKeyValueStore implements KeyValueBytesLayer {
  readonly name: string;
  readonly persistent: boolean;
  private context: StateStoreContext | undefined;

  constructor(
    private readonly inner: KeyValueBytesLayer,
    private readonly timestamped: boolean,
  ) {
    this.name = inner.name;
    this.persistent = inner.persistent;
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context;
    await this.inner.init(context);
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

  wipe(): Promise<void> {
    return this.inner.wipe();
  }

  private log(key: Buffer, value: Buffer | null, timestamp: number | undefined): void {
    const context = this.context!;
    const change = toChangelog(value, this.timestamped, timestamp ?? writeTime(context));
    context.logChange(this.name, key, change.value, change.timestamp);
  }
}
