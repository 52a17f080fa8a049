// Owns the 128-bit Murmur3 hash (x64 variant) exactly as Kafka Streams' state.internals.Murmur3
// computes it, seed 104729 by default: foreign-key joins hash the primary table's serialized value
// and drop responses whose hash no longer matches (a newer value was written in the meantime).
const MASK = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;
const M = 5n;
const N1 = 0x52dce729n;
const N2 = 0x38495ab5n;

export const MURMUR3_DEFAULT_SEED = 104729;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function mul(a: bigint, b: bigint): bigint {
  return (a * b) & MASK;
}

function fmix64(h: bigint): bigint {
  h ^= h >> 33n;
  h = mul(h, 0xff51afd7ed558ccdn);
  h ^= h >> 33n;
  h = mul(h, 0xc4ceb9fe1a85ec53n);
  h ^= h >> 33n;
  return h;
}

function mixK1(k1: bigint): bigint {
  return mul(rotl(mul(k1, C1), 31n), C2);
}

function mixK2(k2: bigint): bigint {
  return mul(rotl(mul(k2, C2), 33n), C1);
}

/** Little-endian 64-bit word of `data` at `at`, `n` bytes (the tail may be shorter). */
function word(data: Uint8Array, at: number, n: number): bigint {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < Math.min(n, 4); i++) lo |= data[at + i]! << (8 * i);
  for (let i = 4; i < n; i++) hi |= data[at + i]! << (8 * (i - 4));
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Kafka's Murmur3.hash128 as 16 bytes: h1 then h2, each a big-endian long (the layout the FK-join wrappers write). */
export function murmur3Hash128(data: Uint8Array, seed = MURMUR3_DEFAULT_SEED): Buffer {
  const length = data.length;
  // Java widens the int seed to a long with its sign
  let h1 = BigInt.asUintN(64, BigInt(seed));
  let h2 = h1;
  const nblocks = length >> 4;
  for (let i = 0; i < nblocks; i++) {
    const at = i << 4;
    h1 ^= mixK1(word(data, at, 8));
    h1 = rotl(h1, 27n);
    h1 = (h1 + h2) & MASK;
    h1 = (mul(h1, M) + N1) & MASK;
    h2 ^= mixK2(word(data, at + 8, 8));
    h2 = rotl(h2, 31n);
    h2 = (h2 + h1) & MASK;
    h2 = (mul(h2, M) + N2) & MASK;
  }
  const tail = nblocks << 4;
  const rest = length - tail;
  if (rest > 8) h2 ^= mixK2(word(data, tail + 8, rest - 8));
  if (rest > 0) h1 ^= mixK1(word(data, tail, Math.min(rest, 8)));
  h1 ^= BigInt(length);
  h2 ^= BigInt(length);
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  const out = Buffer.allocUnsafe(16);
  out.writeBigUInt64BE(h1, 0);
  out.writeBigUInt64BE(h2, 8);
  return out;
}
