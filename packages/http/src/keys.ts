// Owns how a store key is written in a URL and read back, chosen by the store's key serde: text for
// String keys, numbers for number keys (Integer, Long, Short, Double, Float), integer text for BigLong,
// true/false for Boolean, base64 for bytes, JSON text for Json keys and any other serde (Avro, custom).
// The server and the typed client share it, so a key the client writes is the key the server reads.

export interface KeyCodec {
  /** The key a path segment or parameter names; throws a message saying what a key looks like. */
  parse(text: string): unknown;
  /** The text that names `key` (the client puts it in the URL). */
  format(key: unknown): string;
}

const INTEGER = /^-?(0|[1-9]\d*)$/;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

const text: KeyCodec = { parse: (t) => t, format: (k) => String(k) };

function integer(bits: number): KeyCodec {
  const max = bits === 64 ? Number.MAX_SAFE_INTEGER : 2 ** (bits - 1) - 1;
  const min = bits === 64 ? Number.MIN_SAFE_INTEGER : -(2 ** (bits - 1));
  return {
    parse(t) {
      const n = Number(t);
      if (!INTEGER.test(t) || n > max || n < min) throw new Error(`expected an integer from ${min} to ${max}, got ${JSON.stringify(t)}`);
      return n;
    },
    format: (k) => String(k),
  };
}

const decimal: KeyCodec = {
  parse(t) {
    if (!NUMBER.test(t) || !Number.isFinite(Number(t))) throw new Error(`expected a number such as 42 or -1.5e3, got ${JSON.stringify(t)}`);
    return Number(t);
  },
  format: (k) => String(k),
};

const bigLong: KeyCodec = {
  parse(t) {
    const n = INTEGER.test(t) ? BigInt(t) : undefined;
    if (n === undefined || n > 2n ** 63n - 1n || n < -(2n ** 63n)) throw new Error(`expected a 64-bit integer, got ${JSON.stringify(t)}`);
    return n;
  },
  format: (k) => String(k),
};

const boolean: KeyCodec = {
  parse(t) {
    if (t !== 'true' && t !== 'false') throw new Error(`expected true or false, got ${JSON.stringify(t)}`);
    return t === 'true';
  },
  format: (k) => String(k),
};

const bytes: KeyCodec = {
  parse(t) {
    if (!BASE64.test(t)) throw new Error(`expected the key's bytes in base64, got ${JSON.stringify(t)}`);
    return Buffer.from(t, 'base64');
  },
  format: (k) => (k as Buffer).toString('base64url'),
};

const json: KeyCodec = {
  parse(t) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      throw new Error(`expected JSON text (strings in quotes), got ${JSON.stringify(t)}`);
    }
  },
  format: (k) => JSON.stringify(k),
};

const BY_SERDE: { [name: string]: KeyCodec } = {
  String: text,
  Integer: integer(32),
  Short: integer(16),
  Long: integer(64),
  Double: decimal,
  Float: decimal,
  BigLong: bigLong,
  Boolean: boolean,
  ByteArray: bytes,
  Bytes: bytes,
  Json: json,
};

/** The codec for keys of a serde named `serdeName` (a Serde's `name`). */
export function keyCodecFor(serdeName: string): KeyCodec {
  return BY_SERDE[serdeName] ?? json;
}
