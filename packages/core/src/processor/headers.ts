// Owns record headers: an ordered list of (key, bytes) pairs where a key may repeat, as in Kafka.

export interface Header {
  readonly key: string;
  readonly value: Buffer | null;
}

export class Headers implements Iterable<Header> {
  private readonly list: Header[];

  constructor(headers?: Iterable<Header>) {
    this.list = headers === undefined ? [] : [...headers];
  }

  /** Headers from kafkajs-style `{ key: value | value[] }` objects. */
  static fromObject(obj: Readonly<{ [key: string]: Buffer | string | ReadonlyArray<Buffer | string> | undefined }> | undefined): Headers {
    const h = new Headers();
    if (!obj) return h;
    for (const key in obj) {
      if (!Object.hasOwn(obj, key)) continue;
      const v = obj[key];
      if (v === undefined) continue;
      const values = Array.isArray(v) ? v : [v];
      for (const one of values as (Buffer | string)[]) h.add(key, typeof one === 'string' ? Buffer.from(one) : one);
    }
    return h;
  }

  add(key: string, value: Buffer | string | null): this {
    this.list.push({ key, value: typeof value === 'string' ? Buffer.from(value) : value });
    return this;
  }

  remove(key: string): this {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.key === key) this.list.splice(i, 1);
    return this;
  }

  lastHeader(key: string): Header | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.key === key) return this.list[i];
    return undefined;
  }

  headers(key: string): Header[] {
    return this.list.filter((h) => h.key === key);
  }

  get size(): number {
    return this.list.length;
  }

  toArray(): Header[] {
    return [...this.list];
  }

  /** kafkajs-style object; repeated keys become arrays. */
  toObject(): { [key: string]: Buffer | Buffer[] } {
    const out: { [key: string]: Buffer | Buffer[] } = {};
    for (const h of this.list) {
      const v = h.value ?? Buffer.alloc(0);
      const prev = out[h.key];
      if (prev === undefined) out[h.key] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else out[h.key] = [prev, v];
    }
    return out;
  }

  copy(): Headers {
    return new Headers(this.list);
  }

  [Symbol.iterator](): Iterator<Header> {
    return this.list[Symbol.iterator]();
  }
}
