// Bit operations on blob bins (particle_blob.c bits_*): the op value is
// msgpack [op code, args...]. Offsets count bits from the blob's first (most
// significant) bit; negative ones count back from the end. The server's
// byte-shifting loops are replaced by their bit-for-bit meaning, quirks kept.

import { readBin, readListHeader } from './cdt/msgpack'
import { Cursor } from './cursor'
import type { StoredBin } from './cdt/operation'
import { Particle, Result } from './wire'

const PROTO_SIZE_MAX = 128 * 1024 * 1024

export const BitsOp = {
  RESIZE: 0, INSERT: 1, REMOVE: 2, SET: 3, OR: 4, XOR: 5, AND: 6, NOT: 7, LSHIFT: 8, RSHIFT: 9,
  ADD: 10, SUBTRACT: 11, SET_INT: 12,
  GET: 50, COUNT: 51, LSCAN: 52, RSCAN: 53, GET_INT: 54
} as const

const Flag = { CREATE_ONLY: 1, UPDATE_ONLY: 2, NO_FAIL: 4, PARTIAL: 8 } as const
const Sub = { SIGNED: 1, SATURATE: 2, WRAP: 4, FROM_FRONT: 1, GROW_ONLY: 2, SHRINK_ONLY: 4 } as const

interface BitsArgs {
  offset: number
  size: number
  value: bigint
  // The op's bytes, running on to the end of the op value: with PARTIAL the
  // server reads source bits past the value's own bytes.
  buf: Buffer | undefined
  flags: number
  subflags: number
}

type Parser = (c: Cursor, a: BitsArgs) => boolean

const byteOffset: Parser = (c, a) => {
  const v = c.int()
  if (v === undefined || (v < 0n ? -v : v) > BigInt(PROTO_SIZE_MAX)) return false
  a.offset = Number(v) * 8
  return true
}
const bitOffset: Parser = (c, a) => {
  const v = c.int()
  if (v === undefined || (v < 0n ? -v : v) > BigInt(PROTO_SIZE_MAX) * 8n) return false
  a.offset = Number(v)
  return true
}
function sized (zeroOk: boolean, max: bigint, scale: number): Parser {
  return (c, a) => {
    const v = c.uint()
    if (v === undefined || (v === 0n && !zeroOk) || v > max) return false
    a.size = Number(v) * scale
    return true
  }
}
const byteSize = sized(false, BigInt(PROTO_SIZE_MAX), 8)
const byteSizeAllowZero = sized(true, BigInt(PROTO_SIZE_MAX), 8)
const bitSize = sized(false, BigInt(PROTO_SIZE_MAX) * 8n, 1)
const intSize = sized(false, 64n, 1)
const integerValue: Parser = (c, a) => {
  const v = c.uint()
  if (v === undefined) return false
  a.value = v
  return true
}
const nBitsValue: Parser = (c, a) => integerValue(c, a) && a.value <= BigInt(PROTO_SIZE_MAX) * 8n
const booleanValue: Parser = (c, a) => {
  const b = c.buf[c.off]
  if (b !== 0xc2 && b !== 0xc3) return false
  c.off++
  a.value = b === 0xc3 ? 1n : 0n
  return true
}
// The first byte is the as_bytes type, which is ignored.
const bufArg: Parser = (c, a) => {
  const r = readBin(c.buf, c.off, c.buf.length)
  if (r === undefined || r.len === 1) return false
  c.off = r.next
  a.buf = c.buf.subarray(r.start + 1)
  const size = (r.len - 1) * 8
  if (a.size !== 0) return size >= a.size
  a.size = size
  return true
}
function flagsArg (allowed: number): Parser {
  return (c, a) => {
    const v = c.uint()
    if (v === undefined || (v & ~BigInt(allowed)) !== 0n) return false
    a.flags = Number(v)
    return (a.flags & (Flag.CREATE_ONLY | Flag.UPDATE_ONLY)) !== (Flag.CREATE_ONLY | Flag.UPDATE_ONLY)
  }
}
function subflagsArg (allowed: number, exclusive: number): Parser {
  return (c, a) => {
    const v = c.uint()
    if (v === undefined || (v & ~BigInt(allowed)) !== 0n) return false
    a.subflags = Number(v)
    return exclusive === 0 || (a.subflags & exclusive) !== exclusive
  }
}

interface OpDef {
  min: number
  max: number
  args: Parser[]
}

const UPDATE_FLAGS = flagsArg(Flag.UPDATE_ONLY | Flag.NO_FAIL | Flag.PARTIAL)
const INT_FLAGS = flagsArg(Flag.UPDATE_ONLY | Flag.NO_FAIL)
const CREATE_FLAGS = flagsArg(Flag.CREATE_ONLY | Flag.UPDATE_ONLY | Flag.NO_FAIL)
const ARITH_SUBFLAGS = subflagsArg(Sub.SIGNED | Sub.SATURATE | Sub.WRAP, Sub.SATURATE | Sub.WRAP)
const bitwise: OpDef = { min: 3, max: 4, args: [bitOffset, bitSize, bufArg, UPDATE_FLAGS] }
const shift: OpDef = { min: 3, max: 4, args: [bitOffset, bitSize, nBitsValue, UPDATE_FLAGS] }
const arith: OpDef = { min: 3, max: 5, args: [bitOffset, intSize, integerValue, INT_FLAGS, ARITH_SUBFLAGS] }

const MODIFY_DEFS: Record<number, OpDef> = {
  [BitsOp.RESIZE]: { min: 1, max: 3, args: [byteSizeAllowZero, CREATE_FLAGS, subflagsArg(Sub.FROM_FRONT | Sub.GROW_ONLY | Sub.SHRINK_ONLY, Sub.GROW_ONLY | Sub.SHRINK_ONLY)] },
  [BitsOp.INSERT]: { min: 2, max: 3, args: [byteOffset, bufArg, CREATE_FLAGS] },
  [BitsOp.REMOVE]: { min: 2, max: 3, args: [byteOffset, byteSize, UPDATE_FLAGS] },
  [BitsOp.SET]: bitwise,
  [BitsOp.OR]: bitwise,
  [BitsOp.XOR]: bitwise,
  [BitsOp.AND]: bitwise,
  [BitsOp.NOT]: { min: 2, max: 3, args: [bitOffset, bitSize, UPDATE_FLAGS] },
  [BitsOp.LSHIFT]: shift,
  [BitsOp.RSHIFT]: shift,
  [BitsOp.ADD]: arith,
  [BitsOp.SUBTRACT]: arith,
  [BitsOp.SET_INT]: { min: 3, max: 4, args: [bitOffset, intSize, integerValue, INT_FLAGS] }
}

const READ_DEFS: Record<number, OpDef> = {
  [BitsOp.GET]: { min: 2, max: 2, args: [bitOffset, bitSize] },
  [BitsOp.COUNT]: { min: 2, max: 2, args: [bitOffset, bitSize] },
  [BitsOp.LSCAN]: { min: 3, max: 3, args: [bitOffset, bitSize, booleanValue] },
  [BitsOp.RSCAN]: { min: 3, max: 3, args: [bitOffset, bitSize, booleanValue] },
  [BitsOp.GET_INT]: { min: 2, max: 3, args: [bitOffset, intSize, subflagsArg(Sub.SIGNED, 0)] }
}

interface Parsed {
  code: number
  a: BitsArgs
}

// bits_state_init and bits_parse_op.
function parse (payload: Buffer, defs: Record<number, OpDef>): Parsed | undefined {
  const h = readListHeader(payload, 0, payload.length)
  if (h === undefined || h.value === 0) return undefined
  const c = new Cursor(payload, h.next)
  const code = c.uint()
  if (code === undefined || code > 0xffffn) return undefined
  const def = defs[Number(code)]
  const nArgs = h.value - 1
  if (def === undefined || nArgs < def.min || nArgs > def.max) return undefined
  const a: BitsArgs = { offset: 0, size: 0, value: 0n, buf: undefined, flags: 0, subflags: 0 }
  for (let i = 0; i < nArgs; i++) if (!def.args[i](c, a)) return undefined
  return { code: Number(code), a }
}

/** Trailing zero bits of a 64-bit value, 64 for 0 (cf_lsb64). */
export function trailingZeros (x: bigint): number {
  if (x === 0n) return 64
  let n = 0
  while ((x & 1n) === 0n) {
    x >>= 1n
    n++
  }
  return n
}

export function getBit (buf: Buffer, i: number): number {
  return (buf[i >> 3] >> (7 - (i & 7))) & 1
}

function setBit (buf: Buffer, i: number, v: number): void {
  const m = 0x80 >> (i & 7)
  if (v !== 0) buf[i >> 3] |= m
  else buf[i >> 3] &= ~m
}

function loadInt (blob: Buffer, at: number, size: number): bigint {
  let v = 0n
  for (let i = 0; i < size; i++) v = (v << 1n) | BigInt(getBit(blob, at + i))
  return v
}

function storeInt (blob: Buffer, at: number, size: number, v: bigint): void {
  for (let i = 0; i < size; i++) setBit(blob, at + i, Number((v >> BigInt(size - 1 - i)) & 1n))
}

const signExtend = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v)

// handle_signed_overflow: false when the signed result overflowed and may not saturate.
function signedOverflow (bits: number, saturate: boolean, load: bigint, value: bigint, result: bigint): bigint | undefined {
  const mask = (1n << BigInt(bits)) - 1n
  const r = signExtend(result, bits)
  const l = signExtend(load, bits)
  const v = signExtend(value & mask, bits)
  if (l < 0n && v < 0n && r > 0n) return saturate ? 1n << BigInt(bits - 1) : undefined
  if (l > 0n && v > 0n && r < 0n) return saturate ? mask >> 1n : undefined
  return result
}

// The integer ops (bits_modify_op_add / _subtract): undefined on an overflow
// the flags do not allow.
function arithmetic (code: number, a: BitsArgs, load: bigint): bigint | undefined {
  const mask = (1n << BigInt(a.size)) - 1n
  const value = a.value & mask
  const isAdd = code === BitsOp.ADD
  const result = (isAdd ? load + value : load - value) & mask
  if ((a.subflags & Sub.WRAP) !== 0) return result
  const saturate = (a.subflags & Sub.SATURATE) !== 0
  if ((a.subflags & Sub.SIGNED) !== 0) {
    return signedOverflow(a.size, saturate, load, isAdd ? value : BigInt.asUintN(64, -value), result)
  }
  if (isAdd ? result < load : result > load) return saturate ? (isAdd ? mask : 0n) : undefined
  return result
}

// Applies an in-place op to bits [at, at + size) of the blob copy; false when it fails.
function overwrite (code: number, a: BitsArgs, blob: Buffer, at: number): boolean {
  const { size } = a
  switch (code) {
    case BitsOp.SET: case BitsOp.OR: case BitsOp.XOR: case BitsOp.AND: {
      const src = a.buf as Buffer
      for (let i = 0; i < size; i++) {
        const b = getBit(src, i)
        const old = getBit(blob, at + i)
        const v = code === BitsOp.SET ? b : code === BitsOp.OR ? old | b : code === BitsOp.XOR ? old ^ b : old & b
        setBit(blob, at + i, v)
      }
      return true
    }
    case BitsOp.NOT:
      for (let i = 0; i < size; i++) setBit(blob, at + i, getBit(blob, at + i) ^ 1)
      return true
    case BitsOp.LSHIFT: case BitsOp.RSHIFT: {
      const n = Number(a.value)
      const old: number[] = []
      for (let i = 0; i < size; i++) old.push(getBit(blob, at + i))
      for (let i = 0; i < size; i++) {
        const from = code === BitsOp.LSHIFT ? i + n : i - n
        setBit(blob, at + i, from >= 0 && from < size ? old[from] : 0)
      }
      return true
    }
    case BitsOp.SET_INT:
      storeInt(blob, at, size, a.value & ((1n << BigInt(size)) - 1n))
      return true
    default: {
      const result = arithmetic(code, a, loadInt(blob, at, size))
      if (result === undefined) return false
      storeInt(blob, at, size, result)
      return true
    }
  }
}

export interface BitsModifyOutcome {
  rc: number
  // The bin's new value, when it changed or was created.
  bin?: StoredBin
}

/** bits_modify: one modify op on a bin (undefined when the bin is absent). */
export function bitsModify (bin: StoredBin | undefined, payload: Buffer): BitsModifyOutcome {
  const p = parse(payload, MODIFY_DEFS)
  if (p === undefined) return { rc: Result.PARAMETER }
  const { code, a } = p
  const noFail = (a.flags & Flag.NO_FAIL) !== 0
  if (bin !== undefined) {
    if ((a.flags & Flag.CREATE_ONLY) !== 0) return { rc: noFail ? Result.OK : Result.BIN_EXISTS }
    if (bin.type !== Particle.BLOB) return { rc: Result.INCOMPATIBLE_TYPE }
  } else if ((code !== BitsOp.INSERT && code !== BitsOp.RESIZE) || (a.flags & Flag.UPDATE_ONLY) !== 0) {
    return { rc: noFail ? Result.OK : Result.BIN_NOT_FOUND }
  }
  const old = bin?.value ?? Buffer.alloc(0)
  if (bin === undefined && a.offset < 0) return { rc: Result.PARAMETER }
  if (a.offset < 0) {
    if (-a.offset > old.length * 8) return { rc: Result.PARAMETER }
    a.offset += old.length * 8
  }
  const byteOff = Math.floor(a.offset / 8)
  const opBytes = Math.floor((a.offset + a.size + 7) / 8)
  const quiet = (rc: number): BitsModifyOutcome => ({ rc: noFail ? Result.OK : rc })
  let next: Buffer
  switch (code) {
    case BitsOp.RESIZE: {
      const target = opBytes
      if (target === old.length) return { rc: Result.OK }
      if (target < old.length && (a.subflags & Sub.GROW_ONLY) !== 0) return quiet(Result.PARAMETER)
      if (target > old.length && (a.subflags & Sub.SHRINK_ONLY) !== 0) return quiet(Result.PARAMETER)
      const fromFront = (a.subflags & Sub.FROM_FRONT) !== 0
      if (target < old.length) next = Buffer.from(fromFront ? old.subarray(old.length - target) : old.subarray(0, target))
      else next = fromFront ? Buffer.concat([Buffer.alloc(target - old.length), old]) : Buffer.concat([old, Buffer.alloc(target - old.length)])
      break
    }
    case BitsOp.INSERT: {
      const ins = (a.buf as Buffer).subarray(0, opBytes - byteOff)
      next = byteOff >= old.length
        ? Buffer.concat([old, Buffer.alloc(byteOff - old.length), ins])
        : Buffer.concat([old.subarray(0, byteOff), ins, old.subarray(byteOff)])
      break
    }
    case BitsOp.REMOVE: {
      if (byteOff >= old.length) return quiet(Result.PARAMETER)
      let end = opBytes
      if (end > old.length) {
        if ((a.flags & Flag.PARTIAL) === 0) return quiet(Result.PARAMETER)
        end = old.length
      }
      next = Buffer.concat([old.subarray(0, byteOff), old.subarray(end)])
      break
    }
    default: {
      const integer = code >= BitsOp.ADD
      if (byteOff >= old.length) return quiet(Result.OP_NOT_APPLICABLE)
      if (opBytes > old.length) {
        if (integer || (a.flags & Flag.PARTIAL) === 0) return quiet(Result.OP_NOT_APPLICABLE)
        a.size = old.length * 8 - a.offset
      }
      next = Buffer.from(old)
      if (!overwrite(code, a, next, a.offset)) return quiet(Result.OP_NOT_APPLICABLE)
    }
  }
  if (next.length >= PROTO_SIZE_MAX) return { rc: Result.PARAMETER }
  return { rc: Result.OK, bin: { type: Particle.BLOB, value: next } }
}

function intResult (v: bigint): StoredBin {
  const value = Buffer.alloc(8)
  value.writeBigInt64BE(BigInt.asIntN(64, v))
  return { type: Particle.INTEGER, value }
}

export interface BitsReadOutcome {
  rc: number
  result?: StoredBin
}

/** bits_read: one read op on a live bin. */
export function bitsRead (bin: StoredBin, payload: Buffer): BitsReadOutcome {
  const p = parse(payload, READ_DEFS)
  if (p === undefined) return { rc: Result.PARAMETER }
  const { code, a } = p
  if (bin.type !== Particle.BLOB) return { rc: Result.INCOMPATIBLE_TYPE }
  const blob = bin.value
  if (a.offset < 0) {
    if (-a.offset > blob.length * 8) return { rc: Result.PARAMETER }
    a.offset += blob.length * 8
  }
  const byteOff = Math.floor(a.offset / 8)
  if (byteOff >= blob.length || Math.floor((a.offset + a.size + 7) / 8) > blob.length) return { rc: Result.OP_NOT_APPLICABLE }
  const at = a.offset
  switch (code) {
    case BitsOp.GET: {
      const out = Buffer.alloc(Math.floor((a.size + 7) / 8))
      for (let i = 0; i < a.size; i++) setBit(out, i, getBit(blob, at + i))
      return { rc: Result.OK, result: { type: Particle.BLOB, value: out } }
    }
    case BitsOp.COUNT: {
      let n = 0
      for (let i = 0; i < a.size; i++) n += getBit(blob, at + i)
      return { rc: Result.OK, result: intResult(BigInt(n)) }
    }
    case BitsOp.LSCAN: {
      for (let i = 0; i < a.size; i++) {
        if (getBit(blob, at + i) === Number(a.value)) return { rc: Result.OK, result: intResult(BigInt(i)) }
      }
      return { rc: Result.OK, result: intResult(-1n) }
    }
    case BitsOp.RSCAN: {
      // The server's backward scan runs on into the bits of the first byte
      // before the offset, and answers a negative index when it finds one there.
      const first = byteOff * 8
      for (let i = at + a.size - 1; i >= first; i--) {
        if (getBit(blob, i) === Number(a.value)) return { rc: Result.OK, result: intResult(BigInt(i - at)) }
      }
      return { rc: Result.OK, result: intResult(-1n) }
    }
    default: {
      let v = loadInt(blob, at, a.size)
      if ((a.subflags & Sub.SIGNED) !== 0) v = signExtend(v, a.size)
      return { rc: Result.OK, result: intResult(v) }
    }
  }
}
