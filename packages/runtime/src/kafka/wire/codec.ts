// Owns the bytes of the Kafka protocol: a Writer that grows one buffer and a Reader over a
// response, with the primitive types of Kafka's protocol guide (big-endian integers, strings and
// bytes with int16/int32 lengths, zigzag varints, and the compact types of flexible versions,
// KIP-482, whose lengths are unsigned varints of length + 1 followed by tagged fields).

export class Writer {
  private buf: Buffer;
  private at = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  int8(n: number): this {
    this.room(1);
    this.at = this.buf.writeInt8(n, this.at);
    return this;
  }
  bool(b: boolean): this {
    return this.int8(b ? 1 : 0);
  }
  int16(n: number): this {
    this.room(2);
    this.at = this.buf.writeInt16BE(n, this.at);
    return this;
  }
  int32(n: number): this {
    this.room(4);
    this.at = this.buf.writeInt32BE(n, this.at);
    return this;
  }
  uint32(n: number): this {
    this.room(4);
    this.at = this.buf.writeUInt32BE(n, this.at);
    return this;
  }
  int64(n: number | bigint): this {
    this.room(8);
    this.at = this.buf.writeBigInt64BE(typeof n === 'bigint' ? n : BigInt(n), this.at);
    return this;
  }
  /** Unsigned varint (lengths of compact types, tag counts). */
  uvarint(n: number): this {
    this.room(5);
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.at++] = n;
    return this;
  }
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s, 'utf8');
    this.int16(len);
    this.room(len);
    this.at += this.buf.write(s, this.at, 'utf8');
    return this;
  }
  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const len = Buffer.byteLength(s, 'utf8');
    this.uvarint(len + 1);
    this.room(len);
    this.at += this.buf.write(s, this.at, 'utf8');
    return this;
  }
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }
  compactBytes(b: Buffer | null): this {
    if (b === null) return this.uvarint(0);
    this.uvarint(b.length + 1);
    return this.raw(b);
  }
  raw(b: Buffer): this {
    this.room(b.length);
    this.at += b.copy(this.buf, this.at);
    return this;
  }
  array<T>(items: readonly T[] | null, each: (w: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }
  compactArray<T>(items: readonly T[] | null, each: (w: this, item: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const item of items) each(this, item);
    return this;
  }
  /** An empty set of tagged fields (all we ever send). */
  tags(): this {
    return this.uvarint(0);
  }

  get length(): number {
    return this.at;
  }

  /** The bytes written (a view; the writer must not be used afterwards). */
  finish(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

export class Reader {
  at = 0;
  constructor(readonly buf: Buffer) {}

  int8(): number {
    const v = this.buf.readInt8(this.at);
    this.at += 1;
    return v;
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  int16(): number {
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  uint32(): number {
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  /** An int64 as a number (offsets, timestamps and producer ids stay below 2^53 in practice; larger values lose precision only in the last digits). */
  int64(): number {
    const hi = this.buf.readInt32BE(this.at);
    const lo = this.buf.readUInt32BE(this.at + 4);
    this.at += 8;
    return hi * 4294967296 + lo;
  }
  bigint64(): bigint {
    const v = this.buf.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }
  uvarint(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.buf[this.at++]!;
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b >= 0x80);
    return result;
  }
  string(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const s = this.buf.toString('utf8', this.at, this.at + len);
    this.at += len;
    return s;
  }
  compactString(): string | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    const s = this.buf.toString('utf8', this.at, this.at + len);
    this.at += len;
    return s;
  }
  bytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    const b = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return b;
  }
  compactBytes(): Buffer | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    const b = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return b;
  }
  array<T>(each: (r: this) => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
  compactArray<T>(each: (r: this) => T): T[] {
    const n = this.uvarint() - 1;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
  /** Skip a set of tagged fields (we understand none). */
  tags(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint();
      const size = this.uvarint();
      this.at += size;
    }
  }
  remaining(): number {
    return this.buf.length - this.at;
  }
}
