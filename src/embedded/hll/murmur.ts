// MurmurHash3_x64_128 with seed 0 (cf_hash_math.h murmurHash3_x64_128), the
// hash the server's HyperLogLog puts every element through. Returns h1 and
// h2, the two little-endian words of its output.

const M64 = (1n << 64n) - 1n
const C1 = 0x87c37b91114253d5n
const C2 = 0x4cf5ad432745937fn

function rotl (x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64
}

function fmix (k: bigint): bigint {
  k ^= k >> 33n
  k = (k * 0xff51afd7ed558ccdn) & M64
  k ^= k >> 33n
  k = (k * 0xc4ceb9fe1a85ec53n) & M64
  return k ^ (k >> 33n)
}

function mixK1 (k1: bigint): bigint {
  return (rotl((k1 * C1) & M64, 31n) * C2) & M64
}

function mixK2 (k2: bigint): bigint {
  return (rotl((k2 * C2) & M64, 33n) * C1) & M64
}

// Bytes [from, from + n) as a little-endian integer (n <= 8).
function le (data: Buffer, from: number, n: number): bigint {
  let v = 0n
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[from + i])
  return v
}

export function murmur3x64128 (data: Buffer): [bigint, bigint] {
  const len = data.length
  const nBlocks = Math.floor(len / 16)
  let h1 = 0n
  let h2 = 0n
  for (let i = 0; i < nBlocks; i++) {
    h1 ^= mixK1(data.readBigUInt64LE(i * 16))
    h1 = (rotl(h1, 27n) + h2) & M64
    h1 = (h1 * 5n + 0x52dce729n) & M64
    h2 ^= mixK2(data.readBigUInt64LE(i * 16 + 8))
    h2 = (rotl(h2, 31n) + h1) & M64
    h2 = (h2 * 5n + 0x38495ab5n) & M64
  }
  const tail = nBlocks * 16
  const rest = len & 15
  if (rest > 8) h2 ^= mixK2(le(data, tail + 8, rest - 8))
  if (rest > 0) h1 ^= mixK1(le(data, tail, Math.min(rest, 8)))
  h1 ^= BigInt(len)
  h2 ^= BigInt(len)
  h1 = (h1 + h2) & M64
  h2 = (h2 + h1) & M64
  h1 = fmix(h1)
  h2 = fmix(h2)
  h1 = (h1 + h2) & M64
  h2 = (h2 + h1) & M64
  return [h1, h2]
}
