// kafkajs' v0 Record (the record of a v2 record batch), written into one exact-size buffer: kafkajs
// builds a growable Encoder per record and does its varints with a Long library.

export type HeaderValue = Buffer | string;
export type RecordHeaders = { [key: string]: HeaderValue | HeaderValue[] | undefined };

export interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: RecordHeaders;
}

/** What kafkajs' Encoder.writeEncoder accepts: `buf` marks it, `buffer` is what gets written. */
export interface EncodedBytes {
  buf: Buffer;
  buffer: Buffer;
}

/** Zigzag for any safe integer (kafkajs' 32- and 64-bit variants agree on that range). */
function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}
export function varintSize(n: number): number {
  let z = zigzag(n);
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}
export function writeVarint(buf: Buffer, at: number, n: number): number {
  let z = zigzag(n);
  while (z >= 128) {
    buf[at++] = (z % 128) | 128;
    z = Math.floor(z / 128);
  }
  buf[at++] = z;
  return at;
}
function bytesOf(v: Buffer | string): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
}

const NO_HEADERS: [Buffer, Buffer][] = [];

/** One record's bytes (length-prefixed, as in a record batch). */
export function encodeRecordBytes(offsetDelta: number, timestampDelta: number, key: Buffer | string | null | undefined, value: Buffer | string | null | undefined, headers: RecordHeaders | undefined): Buffer {
  const k = key == null ? null : bytesOf(key);
  const v = value == null ? null : bytesOf(value);
  let hs = NO_HEADERS;
  if (headers !== undefined) {
    for (const name in headers) {
      const h = headers[name];
      if (h === undefined) continue;
      if (hs === NO_HEADERS) hs = [];
      for (const one of Array.isArray(h) ? h : [h]) hs.push([Buffer.from(name, 'utf8'), bytesOf(one)]);
    }
  }
  let body = 1 + varintSize(timestampDelta) + varintSize(offsetDelta);
  body += k === null ? 1 : varintSize(k.length) + k.length;
  body += v === null ? 1 : varintSize(v.length) + v.length;
  body += varintSize(hs.length);
  for (const [hk, hv] of hs) body += varintSize(hk.length) + hk.length + varintSize(hv.length) + hv.length;
  const out = Buffer.allocUnsafe(varintSize(body) + body);
  let at = writeVarint(out, 0, body);
  out[at++] = 0; // attributes
  at = writeVarint(out, at, timestampDelta);
  at = writeVarint(out, at, offsetDelta);
  if (k === null) at = writeVarint(out, at, -1);
  else {
    at = writeVarint(out, at, k.length);
    at += k.copy(out, at);
  }
  if (v === null) at = writeVarint(out, at, -1);
  else {
    at = writeVarint(out, at, v.length);
    at += v.copy(out, at);
  }
  at = writeVarint(out, at, hs.length);
  for (const [hk, hv] of hs) {
    at = writeVarint(out, at, hk.length);
    at += hk.copy(out, at);
    at = writeVarint(out, at, hv.length);
    at += hv.copy(out, at);
  }
  return out;
}

/** kafkajs' Record v0 with the same output: an object Encoder-like enough for RecordBatch. */
export function encodeRecord({ offsetDelta = 0, timestampDelta = 0, key, value, headers }: RecordArgs): EncodedBytes {
  const out = encodeRecordBytes(offsetDelta, timestampDelta, key, value, headers);
  return { buf: out, buffer: out };
}
