// The server's HyperLogLog / HyperMinHash sketch (particle_hll.c hmh_*): an
// 11-byte header (flags, index bits, minhash bits, a little-endian cached
// count) and 2^index_bits registers of 6 + minhash_bits bits each, packed
// big-endian. Estimates follow Ertl's algorithm 6 and HyperMinHash as the
// server computes them, so counts match the server's exactly.

import { murmur3x64128, U64 } from './murmur'

export const HEADER = 11
const HLL_BITS = 6
const HLL_MAX_VALUE = 1 << HLL_BITS
export const MIN_INDEX_BITS = 4
export const MAX_INDEX_BITS = 16
export const MIN_MINHASH_BITS = 4
export const MAX_MINHASH_BITS = 64 - HLL_BITS - 7
const MAX_INDEX_AND_MINHASH_BITS = 64

export const indexBits = (h: Buffer): number => h[1]
export const minhashBits = (h: Buffer): number => h[2]

export function validIndexBits (n: bigint | number): boolean {
  return n >= MIN_INDEX_BITS && n <= MAX_INDEX_BITS
}

export function validMinhashBits (n: bigint | number): boolean {
  return n === 0 || n === 0n || (n >= MIN_MINHASH_BITS && n <= MAX_MINHASH_BITS)
}

export function validCombinedBits (index: number, minhash: number): boolean {
  return validIndexBits(index) && validMinhashBits(minhash) && index + minhash <= MAX_INDEX_AND_MINHASH_BITS
}

export function requiredSize (index: number, minhash: number): number {
  return HEADER + Math.floor(((HLL_BITS + minhash) * (1 << index) + 7) / 8)
}

/** A well-formed sketch of exactly its described size (hll_verify_bin, hll_from_wire). */
export function isValid (h: Buffer): boolean {
  return h.length >= HEADER && h[0] === 0 && validCombinedBits(h[1], h[2]) && h.length === requiredSize(h[1], h[2])
}

export function create (index: number, minhash: number): Buffer {
  const h = Buffer.alloc(requiredSize(index, minhash))
  h[1] = index
  h[2] = minhash
  return h
}

function cache (h: Buffer): bigint {
  return h.readBigUInt64LE(3)
}

export function setCache (h: Buffer, v: bigint): void {
  h.writeBigUInt64LE(v, 3)
}

function registerBits (h: Buffer): number {
  return HLL_BITS + h[2]
}

function readBits (h: Buffer, bit: number, n: number): number {
  let v = 0
  for (let i = 0; i < n; i++, bit++) v = v * 2 + ((h[bit >> 3] >> (7 - (bit & 7))) & 1)
  return v
}

export function getRegister (h: Buffer, r: number): bigint {
  const n = registerBits(h)
  const bit = HEADER * 8 + n * r
  // Registers of up to 57 bits: read in two parts that each fit a double.
  if (n <= 32) return BigInt(readBits(h, bit, n))
  return (BigInt(readBits(h, bit, n - 32)) << 32n) | BigInt(readBits(h, bit + n - 32, 32))
}

export function setRegister (h: Buffer, r: number, value: bigint): void {
  const n = registerBits(h)
  let bit = HEADER * 8 + n * r
  for (let i = n - 1; i >= 0; i--, bit++) {
    const m = 0x80 >> (bit & 7)
    if (((value >> BigInt(i)) & 1n) !== 0n) h[bit >> 3] |= m
    else h[bit >> 3] &= ~m
  }
}

function hllValue (h: Buffer, v: bigint): number {
  return Number((v >> BigInt(h[2])) & 0xffn)
}

function trailingZeros64 ([hi, lo]: U64): number {
  if (lo !== 0) return 31 - Math.clz32(lo & -lo)
  return hi !== 0 ? 63 - Math.clz32(hi & -hi) : 64
}

// hmh_hash: the register an element lands in and the value it offers.
function hash (h: Buffer, element: Buffer): { register: number, value: bigint } {
  const [h1, h2] = murmur3x64128(element)
  const register = h1[1] & 0xffff & ((1 << h[1]) - 1)
  const hll = BigInt((trailingZeros64(h2) + 1) & 0xff)
  if (h[2] === 0) return { register, value: hll }
  const word = (BigInt(h1[0]) << 32n) | BigInt(h1[1])
  const minhash = (word >> BigInt(h[1])) & ((1n << BigInt(h[2])) - 1n)
  return { register, value: (hll << BigInt(h[2])) | minhash }
}

/** hmh_add: true when the element raised a register. */
export function add (h: Buffer, element: Buffer): boolean {
  const { register, value } = hash(h, element)
  if (getRegister(h, register) < value) {
    setRegister(h, register, value)
    setCache(h, 0n)
    return true
  }
  return false
}

export function mayContain (h: Buffer, element: Buffer): boolean {
  const { register, value } = hash(h, element)
  return value <= getRegister(h, register)
}

function sigma (val: number): number {
  if (val === 1.0) return Infinity
  let y = 1
  let z = val
  let prev: number
  do {
    val *= val
    prev = z
    z += val * y
    y += y
  } while (prev !== z)
  return z
}

function tau (val: number): number {
  if (val === 0.0 || val === 1.0) return 0.0
  let y = 1.0
  let z = 1 - val
  let prev: number
  do {
    val = Math.sqrt(val)
    prev = z
    y *= 0.5
    z -= (1 - val) * (1 - val) * y
  } while (prev !== z)
  return z / 3
}

function alpha (index: number): number {
  switch (index) {
    case 4: return 0.673
    case 5: return 0.697
    case 6: return 0.709
  }
  return 0.7213 / (1.0 + 1.079 / (1 << index))
}

// llround: halves away from zero.
function llround (x: number): bigint {
  if (!Number.isFinite(x)) return x > 0 ? 2n ** 63n - 1n : -(2n ** 63n)
  return BigInt(x < 0 ? -Math.round(-x) : Math.round(x))
}

/** hmh_estimate_cardinality, answering the cached count when there is one. */
export function estimate (h: Buffer): bigint {
  const cached = cache(h)
  if (cached !== 0n) return cached
  const m = 1 << h[1]
  const c = new Array<number>(HLL_MAX_VALUE + 1).fill(0)
  for (let r = 0; r < m; r++) c[hllValue(h, getRegister(h, r))]++
  let z = m * tau(c[HLL_MAX_VALUE] / m)
  for (let k = HLL_MAX_VALUE; k > 0; k--) z = 0.5 * (z + c[k])
  z += m * sigma(c[0] / m)
  return BigInt.asUintN(64, llround(alpha(h[1]) * m * m / z))
}

/** hmh_compatible_template: the smallest index bits, and minhash bits only if all agree. */
export function template (sketches: readonly Buffer[]): { index: number, minhash: number } {
  let index = sketches[0][1]
  let minhash = sketches[0][2]
  for (const s of sketches.slice(1)) {
    if (index > s[1]) index = s[1]
    if (minhash !== 0 && minhash !== s[2]) minhash = 0
  }
  return { index, minhash }
}

/** hmh_union into `into`, whose index bits are at most the other's. */
export function unionInto (into: Buffer, other: Buffer): void {
  const mask = (1 << into[1]) - 1
  const max = 1 << other[1]
  if (into[2] === 0) {
    for (let r = 0; r < max; r++) {
      const v0 = hllValue(into, getRegister(into, r & mask))
      const v1 = hllValue(other, getRegister(other, r))
      if (v0 < v1) setRegister(into, r & mask, BigInt(v1))
    }
    return
  }
  for (let r = 0; r < max; r++) {
    const v0 = getRegister(into, r & mask)
    const v1 = getRegister(other, r)
    if (v0 < v1) setRegister(into, r & mask, v1)
  }
  setCache(into, 0n)
}

export function union (sketches: readonly Buffer[]): Buffer {
  const t = template(sketches)
  const out = create(t.index, t.minhash)
  for (const s of sketches) unionInto(out, s)
  return out
}

export function estimateUnion (sketches: readonly Buffer[]): bigint {
  return estimate(union(sketches))
}

function hasData (h: Buffer): boolean {
  const n = (1 << h[1]) / 8
  for (let i = 0; i < n * 8; i++) if (h[HEADER + i] !== 0) return true
  return false
}

function usedRegisters (h: Buffer): number {
  let n = 0
  for (let r = 0; r < 1 << h[1]; r++) if (getRegister(h, r) !== 0n) n++
  return n
}

function intersectOne (into: Buffer, other: Buffer): void {
  const mask = (1 << into[1]) - 1
  for (let r = 0; r < 1 << other[1]; r++) {
    const v0 = getRegister(into, r & mask)
    setRegister(into, r & mask, v0 === getRegister(other, r) ? v0 : 0n)
  }
}

function jaccardCollisions (index: number, minhash: number, card0: bigint, card1: bigint): number {
  let cp = 0.0
  const m = 1 << index
  const buckets = 1 << HLL_BITS
  for (let i = 1; i <= buckets; i++) {
    let b1 = i !== buckets ? Math.pow(2, -i) : 0.0
    let b2 = Math.pow(2, -i + 1)
    b1 /= m
    b2 /= m
    const prX = Math.pow(1 - b1, Number(card0)) - Math.pow(1 - b2, Number(card0))
    const prY = Math.pow(1 - b1, Number(card1)) - Math.pow(1 - b2, Number(card1))
    cp += prX * prY
  }
  return cp * m / Math.pow(2, minhash)
}

function hllIntersect (sketches: readonly Buffer[]): bigint {
  const cu = estimateUnion(sketches)
  let sum = 0n
  for (const s of sketches) {
    sum += estimate(s)
    if (sum > 2n ** 64n - 1n) {
      sum = 2n ** 64n - 1n
      break
    }
  }
  if (sketches.length === 2) return sum > cu ? sum - cu : 0n
  const sumIntersect = estimateIntersect([sketches[0], sketches[1]]) + estimateIntersect([sketches[1], sketches[2]]) +
    estimateIntersect([sketches[0], sketches[2]])
  const result = BigInt.asIntN(64, cu) - (BigInt.asIntN(64, sum) - BigInt.asIntN(64, sumIntersect))
  return result < 0n ? 0n : result
}

export function estimateSimilarity (sketches: readonly Buffer[]): number {
  const t = template(sketches)
  if (t.minhash === 0) return Number(hllIntersect(sketches)) / Number(estimateUnion(sketches))
  const withData = sketches.filter(hasData).length
  if (withData < sketches.length) return withData > 0 ? 0.0 : NaN
  const agg = create(t.index, t.minhash)
  for (const s of sketches) unionInto(agg, s)
  const nUnion = usedRegisters(agg)
  const inter = create(t.index, t.minhash)
  unionInto(inter, sketches[0])
  for (const s of sketches.slice(1)) intersectOne(inter, s)
  const nIntersect = usedRegisters(inter)
  const ec = sketches.length === 2 ? jaccardCollisions(t.index, t.minhash, estimate(sketches[0]), estimate(sketches[1])) : 0.0
  const result = (nIntersect - ec) / nUnion
  return result < 0.0 ? 0.0 : result
}

export function estimateIntersect (sketches: readonly Buffer[]): bigint {
  if (template(sketches).minhash === 0) return hllIntersect(sketches)
  const j = estimateSimilarity(sketches)
  if (Number.isNaN(j)) return 0n
  return BigInt.asUintN(64, llround(Number(estimateUnion(sketches)) * j))
}
