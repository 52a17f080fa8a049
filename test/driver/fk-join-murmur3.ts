// Kafka Streams' Murmur3.hash128 (seed 104729) computed independently of Sluice's implementation
// with BigInt arithmetic, written out from the MurmurHash3 x64_128 reference, for wire-format tests.
const MASK = (1n << 64n) - 1n;
const mul = (a: bigint, b: bigint) => (a * b) & MASK;
const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK;
const fmix = (k: bigint) => {
  k ^= k >> 33n;
  k = mul(k, 0xff51afd7ed558ccdn);
  k ^= k >> 33n;
  k = mul(k, 0xc4ceb9fe1a85ec53n);
  return k ^ (k >> 33n);
};

export function murmur3(data: Buffer, seed = 104729n): Buffer {
  const c1 = 0x87c37b91114253d5n;
  const c2 = 0x4cf5ad432745937fn;
  let h1 = seed;
  let h2 = seed;
  const blocks = Math.floor(data.length / 16);
  const readLE = (at: number, n: number) => {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[at + i]!);
    return v;
  };
  for (let i = 0; i < blocks; i++) {
    const k1 = readLE(i * 16, 8);
    const k2 = readLE(i * 16 + 8, 8);
    h1 ^= mul(rotl(mul(k1, c1), 31n), c2);
    h1 = (mul((rotl(h1, 27n) + h2) & MASK, 5n) + 0x52dce729n) & MASK;
    h2 ^= mul(rotl(mul(k2, c2), 33n), c1);
    h2 = (mul((rotl(h2, 31n) + h1) & MASK, 5n) + 0x38495ab5n) & MASK;
  }
  const tail = data.length - blocks * 16;
  if (tail > 8) h2 ^= mul(rotl(mul(readLE(blocks * 16 + 8, tail - 8), c2), 33n), c1);
  if (tail > 0) h1 ^= mul(rotl(mul(readLE(blocks * 16, Math.min(tail, 8)), c1), 31n), c2);
  h1 ^= BigInt(data.length);
  h2 ^= BigInt(data.length);
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  const out = Buffer.alloc(16);
  out.writeBigUInt64BE(h1, 0);
  out.writeBigUInt64BE(h2, 8);
  return out;
}
