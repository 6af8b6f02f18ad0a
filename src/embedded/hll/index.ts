// HyperLogLog operations on HLL bins (particle_hll.c hll_*): the op value is
// msgpack [op code, args...].

import { MsgpackType, extHeader, listHeader, packInt, peekType, readBin, readExt, readInt, readListHeader, skip, strHeader } from '../cdt/msgpack'
import { Cursor } from '../cursor'
import type { StoredBin } from '../cdt/operation'
import { Particle, Result } from '../wire'
import * as sketch from './sketch'

export const HllOp = {
  INIT: 0, ADD: 1, SET_UNION: 2, REFRESH_COUNT: 3, FOLD: 4,
  COUNT: 50, GET_UNION: 51, UNION_COUNT: 52, INTERSECT_COUNT: 53, SIMILARITY: 54, DESCRIBE: 55, MAY_CONTAIN: 56
} as const

const Flag = { CREATE_ONLY: 1, UPDATE_ONLY: 2, NO_FAIL: 4, ALLOW_FOLD: 8 } as const
// "Not given" for index and minhash bits (the server's 0xFF).
const UNSET = 0xff

interface HllArgs {
  elements: Buffer[]
  sketches: Buffer[]
  index: number
  minhash: number
  flags: number
}

type Parser = (c: Cursor, a: HllArgs) => boolean

const indexBitsArg: Parser = (c, a) => {
  const v = c.int()
  if (v === undefined || (v !== -1n && !sketch.validIndexBits(v))) return false
  a.index = Number(BigInt.asUintN(8, v))
  return true
}
const minhashBitsArg: Parser = (c, a) => {
  const v = c.int()
  if (v === undefined) return false
  if (v === -1n) {
    a.minhash = UNSET
    return true
  }
  if (!sketch.validMinhashBits(v) || (a.index !== UNSET && !sketch.validCombinedBits(a.index, Number(v)))) return false
  a.minhash = Number(v)
  return true
}
function flagsArg (allowed: number): Parser {
  return (c, a) => {
    const v = c.int()
    if (v === undefined || (BigInt.asUintN(64, v) & ~BigInt(allowed)) !== 0n) return false
    a.flags = Number(v)
    return (a.flags & (Flag.CREATE_ONLY | Flag.UPDATE_ONLY)) !== (Flag.CREATE_ONLY | Flag.UPDATE_ONLY)
  }
}

// msgpack_compactify of a scalar: numbers, strings and ext headers in their
// smallest encoding, as the elements are hashed.
function compact (e: Buffer): Buffer | undefined {
  const t = peekType(e, 0)
  if (t === MsgpackType.INT || t === MsgpackType.NEGINT) {
    const v = readInt(e, 0, e.length)
    return v === undefined ? undefined : packInt(v.value)
  }
  const bin = readBin(e, 0, e.length)
  if (bin !== undefined) return Buffer.concat([strHeader(bin.len), e.subarray(bin.start, bin.next)])
  const ext = readExt(e, 0, e.length)
  if (ext !== undefined) return Buffer.concat([extHeader(ext.size, ext.type), e.subarray(ext.dataStart, ext.next)])
  return e
}

const elementsArg: Parser = (c, a) => {
  const h = readListHeader(c.buf, c.off, c.buf.length)
  if (h === undefined || h.value === 0) return false
  c.off = h.next
  for (let i = 0; i < h.value; i++) {
    const t = peekType(c.buf, c.off)
    if (t === MsgpackType.LIST || t === MsgpackType.MAP) return false
    const next = skip(c.buf, c.off, c.buf.length)
    if (next < 0) return false
    const e = compact(c.buf.subarray(c.off, next))
    if (e === undefined) return false
    a.elements.push(e)
    c.off = next
  }
  return true
}
const sketchesArg: Parser = (c, a) => {
  let n = 1
  if (peekType(c.buf, c.off) === MsgpackType.LIST) {
    const h = readListHeader(c.buf, c.off, c.buf.length)
    if (h === undefined || h.value === 0) return false
    c.off = h.next
    n = h.value
  }
  for (let i = 0; i < n; i++) {
    const r = readBin(c.buf, c.off, c.buf.length)
    if (r === undefined || r.len < sketch.HEADER + 1) return false
    c.off = r.next
    const s = c.buf.subarray(r.start + 1, r.next)
    if (s[0] !== 0 || !sketch.validIndexBits(s[1]) || !sketch.validMinhashBits(s[2])) return false
    if (s.length !== sketch.requiredSize(s[1], s[2])) return false
    a.sketches.push(s)
  }
  return true
}
const intersectSketchesArg: Parser = (c, a) => {
  if (!sketchesArg(c, a)) return false
  if (a.sketches.length <= 2) return true
  const minhash = a.sketches[0][2]
  return minhash !== 0 && a.sketches.every((s) => s[2] === minhash)
}

interface OpDef {
  min: number
  max: number
  args: Parser[]
}

const MODIFY_DEFS: Record<number, OpDef> = {
  [HllOp.INIT]: { min: 0, max: 3, args: [indexBitsArg, minhashBitsArg, flagsArg(Flag.CREATE_ONLY | Flag.UPDATE_ONLY | Flag.NO_FAIL)] },
  [HllOp.ADD]: { min: 1, max: 4, args: [elementsArg, indexBitsArg, minhashBitsArg, flagsArg(Flag.CREATE_ONLY | Flag.NO_FAIL)] },
  [HllOp.SET_UNION]: { min: 1, max: 2, args: [sketchesArg, flagsArg(Flag.CREATE_ONLY | Flag.UPDATE_ONLY | Flag.ALLOW_FOLD | Flag.NO_FAIL)] },
  [HllOp.REFRESH_COUNT]: { min: 0, max: 0, args: [] },
  [HllOp.FOLD]: { min: 1, max: 1, args: [indexBitsArg] }
}

const READ_DEFS: Record<number, OpDef> = {
  [HllOp.COUNT]: { min: 0, max: 0, args: [] },
  [HllOp.GET_UNION]: { min: 1, max: 1, args: [sketchesArg] },
  [HllOp.UNION_COUNT]: { min: 1, max: 1, args: [sketchesArg] },
  [HllOp.INTERSECT_COUNT]: { min: 1, max: 1, args: [intersectSketchesArg] },
  [HllOp.SIMILARITY]: { min: 1, max: 1, args: [intersectSketchesArg] },
  [HllOp.DESCRIBE]: { min: 0, max: 0, args: [] },
  [HllOp.MAY_CONTAIN]: { min: 1, max: 1, args: [elementsArg] }
}

function parse (payload: Buffer, defs: Record<number, OpDef>, unset: number): { code: number, a: HllArgs } | undefined {
  const h = readListHeader(payload, 0, payload.length)
  if (h === undefined || h.value === 0) return undefined
  const c = new Cursor(payload, h.next)
  const code = c.int()
  if (code === undefined) return undefined
  const def = defs[Number(BigInt.asUintN(32, code))]
  const nArgs = h.value - 1
  if (def === undefined || nArgs < def.min || nArgs > def.max) return undefined
  const a: HllArgs = { elements: [], sketches: [], index: unset, minhash: unset, flags: 0 }
  for (let i = 0; i < nArgs; i++) if (!def.args[i](c, a)) return undefined
  return { code: Number(code), a }
}

// hll_verify_bin: a live bin must hold a well-formed HLL.
function verify (bin: StoredBin | undefined): number {
  if (bin === undefined) return Result.OK
  if (bin.type !== Particle.HLL) return Result.INCOMPATIBLE_TYPE
  return sketch.isValid(bin.value) ? Result.OK : Result.UNKNOWN
}

export function intResult (v: bigint): StoredBin {
  const value = Buffer.alloc(8)
  value.writeBigUInt64BE(BigInt.asUintN(64, v))
  return { type: Particle.INTEGER, value }
}

/** An HLL value written by a client (hll_from_wire): undefined when malformed. */
export function hllFromWire (value: Buffer): Buffer | undefined {
  return sketch.isValid(value) ? Buffer.from(value) : undefined
}

export interface HllModifyOutcome {
  rc: number
  bin?: StoredBin
  result?: StoredBin
}

// The prepare step of each modify op: the new sketch's shape, or a result code.
function prepare (code: number, a: HllArgs, old: Buffer | undefined): number {
  switch (code) {
    case HllOp.INIT:
    case HllOp.ADD:
      if (old === undefined) {
        if (a.index === UNSET) return Result.OP_NOT_APPLICABLE
        if (a.minhash === UNSET) a.minhash = 0
        return Result.OK
      }
      if (code === HllOp.ADD || a.index === UNSET) a.index = old[1]
      if (code === HllOp.ADD || a.minhash === UNSET) a.minhash = old[2]
      return sketch.validCombinedBits(a.index, a.minhash) ? Result.OK : Result.OP_NOT_APPLICABLE
    case HllOp.SET_UNION: {
      let minIndex = UNSET
      let minMinhash = UNSET
      for (const s of a.sketches) {
        if (s[1] < minIndex) minIndex = s[1]
        if (s[2] !== minMinhash) minMinhash = minMinhash === UNSET ? s[2] : 0
      }
      if (old === undefined) {
        a.index = minIndex
        a.minhash = minMinhash
      } else if ((a.flags & Flag.ALLOW_FOLD) === 0) {
        if (old[1] > minIndex || (old[2] !== 0 && old[2] !== minMinhash)) return Result.OP_NOT_APPLICABLE
        a.index = old[1]
        a.minhash = old[2]
      } else {
        a.index = Math.min(old[1], minIndex)
        a.minhash = old[2] !== minMinhash ? 0 : minMinhash
      }
      return Result.OK
    }
    case HllOp.REFRESH_COUNT:
      if (old === undefined) return Result.BIN_NOT_FOUND
      a.index = old[1]
      a.minhash = old[2]
      return Result.OK
    default:
      if (old === undefined) return Result.BIN_NOT_FOUND
      if (old[2] > 0 || old[1] < a.index) return Result.OP_NOT_APPLICABLE
      a.minhash = 0
      return Result.OK
  }
}

/** hll_modify: one modify op on a bin (undefined when absent). */
export function hllModify (bin: StoredBin | undefined, payload: Buffer): HllModifyOutcome {
  const bad = verify(bin)
  if (bad !== Result.OK) return { rc: bad }
  const p = parse(payload, MODIFY_DEFS, UNSET)
  if (p === undefined) return { rc: Result.PARAMETER }
  const { code, a } = p
  const noFail = (a.flags & Flag.NO_FAIL) !== 0
  if (bin !== undefined && (a.flags & Flag.CREATE_ONLY) !== 0) return { rc: noFail ? Result.OK : Result.BIN_EXISTS }
  if (bin === undefined && (a.flags & Flag.UPDATE_ONLY) !== 0) return { rc: noFail ? Result.OK : Result.BIN_NOT_FOUND }
  const old = bin?.value
  const rc = prepare(code, a, old)
  if (rc !== Result.OK) return { rc }
  let next: Buffer
  let result: StoredBin | undefined
  switch (code) {
    case HllOp.INIT:
      next = sketch.create(a.index, a.minhash)
      break
    case HllOp.ADD: {
      next = old === undefined ? sketch.create(a.index, a.minhash) : Buffer.from(old)
      let added = 0n
      for (const e of a.elements) if (sketch.add(next, e)) added++
      result = intResult(added)
      break
    }
    case HllOp.SET_UNION: {
      const all = old === undefined ? a.sketches : [...a.sketches, old]
      next = sketch.create(a.index, a.minhash)
      for (const s of all) sketch.unionInto(next, s)
      break
    }
    case HllOp.REFRESH_COUNT: {
      // A cached count stands: the server estimates only when there is none.
      next = Buffer.from(old as Buffer)
      const count = sketch.estimate(next)
      sketch.setCache(next, count)
      result = intResult(count)
      break
    }
    default: {
      const from = old as Buffer
      if (a.index === from[1]) {
        next = Buffer.from(from)
      } else {
        next = sketch.create(a.index, 0)
        sketch.unionInto(next, from)
      }
    }
  }
  return { rc: Result.OK, bin: { type: Particle.HLL, value: next }, result }
}

export interface HllReadOutcome {
  rc: number
  result?: StoredBin
}

/** hll_read: one read op on a live bin. */
export function hllRead (bin: StoredBin, payload: Buffer): HllReadOutcome {
  const bad = verify(bin)
  if (bad !== Result.OK) return { rc: bad }
  const p = parse(payload, READ_DEFS, 0)
  if (p === undefined) return { rc: Result.PARAMETER }
  const { code, a } = p
  const h = bin.value
  const all = [...a.sketches, h]
  switch (code) {
    case HllOp.COUNT:
      return { rc: Result.OK, result: intResult(sketch.estimate(h)) }
    case HllOp.GET_UNION:
      return { rc: Result.OK, result: { type: Particle.HLL, value: sketch.union(all) } }
    case HllOp.UNION_COUNT:
      return { rc: Result.OK, result: intResult(sketch.estimateUnion(all)) }
    case HllOp.INTERSECT_COUNT:
    case HllOp.SIMILARITY: {
      const minhash = a.sketches[0][2]
      if (a.sketches.length > 2 && (h[2] === 0 || h[2] !== minhash)) return { rc: Result.OP_NOT_APPLICABLE }
      if (code === HllOp.INTERSECT_COUNT) return { rc: Result.OK, result: intResult(sketch.estimateIntersect(all)) }
      const value = Buffer.alloc(8)
      value.writeDoubleBE(sketch.estimateSimilarity(all))
      return { rc: Result.OK, result: { type: Particle.FLOAT, value } }
    }
    case HllOp.DESCRIBE:
      return { rc: Result.OK, result: { type: Particle.LIST, value: Buffer.concat([listHeader(2), packInt(BigInt(h[1])), packInt(BigInt(h[2]))]) } }
    default:
      return { rc: Result.OK, result: intResult(a.elements.every((e) => sketch.mayContain(h, e)) ? 1n : 0n) }
  }
}
