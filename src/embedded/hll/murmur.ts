// MurmurHash3_x64_128 with seed 0 (cf_hash_math.h murmurHash3_x64_128), the
// hash the server's HyperLogLog puts every element through. Returns h1 and
// h2, the two little-endian words of its output. 64-bit words are kept as
// [high, low] 32-bit halves: BigInt arithmetic is an order of magnitude slower.

export type U64 = [number, number]

function add (a: U64, b: U64): U64 {
  const lo = (a[1] >>> 0) + (b[1] >>> 0)
  return [(a[0] + b[0] + Math.floor(lo / 0x100000000)) >>> 0, lo >>> 0]
}

// The low 64 bits of a * b, from 16-bit limbs; partial sums stay below 2^53.
function mul (a: U64, b: U64): U64 {
  const a3 = a[0] >>> 16; const a2 = a[0] & 0xffff; const a1 = a[1] >>> 16; const a0 = a[1] & 0xffff
  const b3 = b[0] >>> 16; const b2 = b[0] & 0xffff; const b1 = b[1] >>> 16; const b0 = b[1] & 0xffff
  const c0 = a0 * b0
  const c1 = Math.floor(c0 / 0x10000) + a1 * b0 + a0 * b1
  const c2 = Math.floor(c1 / 0x10000) + a2 * b0 + a1 * b1 + a0 * b2
  const c3 = Math.floor(c2 / 0x10000) + a3 * b0 + a2 * b1 + a1 * b2 + a0 * b3
  return [((c3 % 0x10000) * 0x10000 + (c2 % 0x10000)) >>> 0, ((c1 % 0x10000) * 0x10000 + (c0 % 0x10000)) >>> 0]
}

function rotl (a: U64, r: number): U64 {
  if (r === 32) return [a[1], a[0]]
  if (r > 32) return rotl([a[1], a[0]], r - 32)
  return [((a[0] << r) | (a[1] >>> (32 - r))) >>> 0, ((a[1] << r) | (a[0] >>> (32 - r))) >>> 0]
}

function xor (a: U64, b: U64): U64 {
  return [(a[0] ^ b[0]) >>> 0, (a[1] ^ b[1]) >>> 0]
}

// a >> 33, for the finalizer.
function shr33 (a: U64): U64 {
  return [0, a[0] >>> 1]
}

const C1: U64 = [0x87c37b91, 0x114253d5]
const C2: U64 = [0x4cf5ad43, 0x2745937f]
const F1: U64 = [0xff51afd7, 0xed558ccd]
const F2: U64 = [0xc4ceb9fe, 0x1a85ec53]
const FIVE: U64 = [0, 5]

function fmix (k: U64): U64 {
  k = xor(k, shr33(k))
  k = mul(k, F1)
  k = xor(k, shr33(k))
  k = mul(k, F2)
  return xor(k, shr33(k))
}

const mixK1 = (k: U64): U64 => mul(rotl(mul(k, C1), 31), C2)
const mixK2 = (k: U64): U64 => mul(rotl(mul(k, C2), 33), C1)

// Bytes [from, from + n) as a little-endian word (n <= 8).
function le (data: Buffer, from: number, n: number): U64 {
  let hi = 0
  let lo = 0
  for (let i = n - 1; i >= 0; i--) {
    if (i >= 4) hi = (hi * 256 + data[from + i]) >>> 0
    else lo = (lo * 256 + data[from + i]) >>> 0
  }
  return [hi, lo]
}

export function murmur3x64128 (data: Buffer): [U64, U64] {
  const len = data.length
  const nBlocks = Math.floor(len / 16)
  let h1: U64 = [0, 0]
  let h2: U64 = [0, 0]
  for (let i = 0; i < nBlocks; i++) {
    h1 = xor(h1, mixK1(le(data, i * 16, 8)))
    h1 = add(mul(add(rotl(h1, 27), h2), FIVE), [0, 0x52dce729])
    h2 = xor(h2, mixK2(le(data, i * 16 + 8, 8)))
    h2 = add(mul(add(rotl(h2, 31), h1), FIVE), [0, 0x38495ab5])
  }
  const tail = nBlocks * 16
  const rest = len & 15
  if (rest > 8) h2 = xor(h2, mixK2(le(data, tail + 8, rest - 8)))
  if (rest > 0) h1 = xor(h1, mixK1(le(data, tail, Math.min(rest, 8))))
  const length: U64 = [Math.floor(len / 0x100000000) >>> 0, len >>> 0]
  h1 = xor(h1, length)
  h2 = xor(h2, length)
  h1 = add(h1, h2)
  h2 = add(h2, h1)
  h1 = fmix(h1)
  h2 = fmix(h2)
  h1 = add(h1, h2)
  h2 = add(h2, h1)
  return [h1, h2]
}
