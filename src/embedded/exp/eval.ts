// Evaluates a compiled expression against a record (exp.c eval_*). A value
// of undefined is the server's "unknown": a missing or mistyped bin, a
// division by zero, a failed call. It spreads upward except where and/or
// decide without it.

import { trailingZeros } from '../bits'
import { Cmp, compare } from '../cdt/compare'
import { CITRUSLEAF_EPOCH } from '../store'
import type { Bin } from '../store'
import { Particle } from '../wire'
import { Compiled, Node } from './build'
import { evalCall } from './call'
import { Op } from './codes'
import { geoMatch } from './geo-match'
import { bool, comparable, FALSE, fromParticle, isType, NIL_VAL, Result, TRUE, UNK, Val } from './value'
import { hasUnorderedMap } from './unordered'

/** What an expression can see of a record. */
export interface ExpRecord {
  // Undefined while only metadata is loaded (the server's first filter pass).
  bins: readonly Bin[] | undefined
  setName: string
  // The key field as stored (particle type byte, then the key).
  key: Buffer | undefined
  digest: Buffer
  // Seconds since 2010-01-01; 0 = never expires.
  voidTime: number
  // Milliseconds since 2010-01-01.
  lastUpdate: number
  // as_record_stored_size.
  storedSize: number
}

export interface Runtime {
  rec: ExpRecord
  // Milliseconds since 2010-01-01.
  nowMs: number
  vars: Result[]
}

const INT64_MIN = -(2n ** 63n)
const U64 = (v: bigint): bigint => BigInt.asUintN(64, v)
const I64 = (v: bigint): bigint => BigInt.asIntN(64, v)

export function run (exp: Compiled, rec: ExpRecord, nowMs: number): Result {
  return evaluate(exp.root, { rec, nowMs, vars: new Array(exp.slotCount) })
}

export function evaluate (n: Node, rt: Runtime): Result {
  switch (n.code) {
    case Op.UNKNOWN: return UNK
    case Op.EQ: case Op.NE: case Op.GT: case Op.GE: case Op.LT: case Op.LE: case Op.CMP_GEO:
      return compareOp(n, rt)
    case Op.CMP_REGEX: {
      const v = evaluate(n.kids[0], rt)
      if (v === UNK) return UNK
      const s = comparable(v)
      if (s.k !== 'str') return UNK
      const nul = s.v.indexOf(0)
      const text = (nul < 0 ? s.v : s.v.subarray(0, nul)).toString('latin1')
      return bool((n.regex as RegExp).test(text))
    }
    case Op.AND: return logic(n, rt, false)
    case Op.OR: return logic(n, rt, true)
    case Op.NOT: {
      const v = evaluate(n.kids[0], rt)
      return v === UNK ? UNK : bool(!(v as { v: boolean }).v)
    }
    case Op.EXCLUSIVE: {
      let seen = false
      for (const k of n.kids) {
        const v = evaluate(k, rt)
        if (v === UNK) return UNK
        if ((v as { v: boolean }).v) {
          if (seen) return FALSE
          seen = true
        }
      }
      return bool(seen)
    }
    case Op.ADD: case Op.SUB: case Op.MUL: case Op.DIV: case Op.MIN: case Op.MAX:
    case Op.INT_AND: case Op.INT_OR: case Op.INT_XOR:
      return arithmetic(n, rt)
    default:
      return unary(n, rt)
  }
}

function compareOp (n: Node, rt: Runtime): Result {
  const a = evaluate(n.kids[0], rt)
  if (a === UNK) return UNK
  const b = evaluate(n.kids[1], rt)
  if (b === UNK) return UNK
  const v0 = comparable(a)
  const v1 = comparable(b)
  if (n.code === Op.CMP_GEO) return v0.k === 'geo' && v1.k === 'geo' ? bool(geoMatch(v0.v, v1.v)) : UNK
  let c: number
  switch (v0.k) {
    case 'nil': c = 0; break
    case 'bool': c = Number(v0.v) - Number((v1 as { v: boolean }).v); break
    case 'int': c = order(v0.v, (v1 as { v: bigint }).v); break
    case 'float': {
      const y = (v1 as { v: number }).v
      // Every comparison with NaN is false but !=.
      if (Number.isNaN(v0.v) || Number.isNaN(y)) return bool(n.code === Op.NE)
      c = order(v0.v, y)
      break
    }
    case 'str': case 'blob': case 'hll':
      c = Math.sign(Buffer.compare(v0.v, (v1 as { v: Buffer }).v))
      break
    case 'msgpack': {
      const other = (v1 as { v: Buffer }).v
      const r = compare(v0.v, other)
      if (r === Cmp.ERROR || hasUnorderedMap(v0.v) || hasUnorderedMap(other)) return UNK
      c = r === Cmp.LESS ? -1 : r === Cmp.GREATER ? 1 : 0
      break
    }
    default: return UNK
  }
  switch (n.code) {
    case Op.EQ: return bool(c === 0)
    case Op.NE: return bool(c !== 0)
    case Op.GT: return bool(c > 0)
    case Op.GE: return bool(c >= 0)
    case Op.LT: return bool(c < 0)
    default: return bool(c <= 0)
  }
}

function order<V extends number | bigint> (a: V, b: V): number {
  return a < b ? -1 : a > b ? 1 : 0
}

// eval_and / eval_or: an unknown argument does not stop the walk; a deciding
// one does, and wins over earlier unknowns.
function logic (n: Node, rt: Runtime, decider: boolean): Result {
  let sawUnknown = false
  for (const k of n.kids) {
    const v = evaluate(k, rt)
    if (v === UNK) {
      sawUnknown = true
      continue
    }
    if ((v as { v: boolean }).v === decider) return bool(decider)
  }
  return sawUnknown ? UNK : bool(!decider)
}

function arithmetic (n: Node, rt: Runtime): Result {
  const first = evaluate(n.kids[0], rt)
  if (first === UNK) return UNK
  const args: Val[] = [first]
  for (let i = 1; i < n.kids.length; i++) {
    const v = evaluate(n.kids[i], rt)
    if (v === UNK) return UNK
    args.push(v)
  }
  if (first.k === 'float') return floatArithmetic(n.code, args.map((a) => (a as { v: number }).v))
  return intArithmetic(n.code, args.map((a) => (a as { v: bigint }).v))
}

function floatArithmetic (code: number, xs: number[]): Val {
  let r = xs[0]
  switch (code) {
    case Op.ADD: for (const x of xs.slice(1)) r += x; break
    case Op.SUB: if (xs.length === 1) r = 0 - r; else for (const x of xs.slice(1)) r -= x; break
    case Op.MUL: for (const x of xs.slice(1)) r *= x; break
    case Op.DIV: {
      if (xs.length === 1) return { k: 'float', v: 1.0 / r }
      let p = 1.0
      for (const x of xs.slice(1)) p *= x
      r /= p
      break
    }
    case Op.MIN: for (const x of xs.slice(1)) if (r > x) r = x; break
    case Op.MAX: for (const x of xs.slice(1)) if (r < x) r = x; break
  }
  return { k: 'float', v: r }
}

function intArithmetic (code: number, xs: bigint[]): Result {
  let r = xs[0]
  const rest = xs.slice(1)
  switch (code) {
    case Op.ADD: for (const x of rest) r = I64(r + x); break
    case Op.SUB: if (xs.length === 1) r = I64(-r); else for (const x of rest) r = I64(r - x); break
    case Op.MUL: for (const x of rest) r = I64(r * x); break
    case Op.DIV: {
      let p = 1n
      if (xs.length === 1) {
        p = r
        r = 1n
      } else {
        for (const x of rest) p = I64(p * x)
      }
      if (p === 0n) return UNK
      r = I64(r / p)
      break
    }
    case Op.MIN: for (const x of rest) if (r > x) r = x; break
    case Op.MAX: for (const x of rest) if (r < x) r = x; break
    case Op.INT_AND: for (const x of rest) r &= x; break
    case Op.INT_OR: for (const x of rest) r |= x; break
    case Op.INT_XOR: for (const x of rest) r ^= x; break
  }
  return { k: 'int', v: r }
}

function leadingZeros (x: bigint): number {
  if (x === 0n) return 64
  return 64 - x.toString(2).length
}

function popCount (x: bigint): number {
  let n = 0
  for (const c of x.toString(2)) if (c === '1') n++
  return n
}

// (int64_t)d on x86-64: out of range and NaN become INT64_MIN.
function truncToInt (d: number): bigint {
  if (Number.isNaN(d) || d >= 2 ** 63 || d < -(2 ** 63)) return INT64_MIN
  return BigInt(Math.trunc(d))
}

function binary (n: Node, rt: Runtime): [Val, Val] | undefined {
  const a = evaluate(n.kids[0], rt)
  if (a === UNK) return undefined
  const b = evaluate(n.kids[1], rt)
  return b === UNK ? undefined : [a, b]
}

function unary (n: Node, rt: Runtime): Result {
  switch (n.code) {
    case Op.POW: case Op.LOG: {
      const ab = binary(n, rt)
      if (ab === undefined) return UNK
      const [x, y] = ab.map((v) => (v as { v: number }).v)
      return { k: 'float', v: n.code === Op.POW ? Math.pow(x, y) : Math.log(x) / Math.log(y) }
    }
    case Op.MOD: {
      const ab = binary(n, rt)
      if (ab === undefined) return UNK
      const [x, y] = ab.map((v) => (v as { v: bigint }).v)
      return y === 0n ? UNK : { k: 'int', v: I64(x % y) }
    }
    case Op.INT_LSHIFT: case Op.INT_RSHIFT: case Op.INT_ARSHIFT: {
      const ab = binary(n, rt)
      if (ab === undefined) return UNK
      const [x, s] = ab.map((v) => (v as { v: bigint }).v)
      const by = s & 63n
      if (n.code === Op.INT_LSHIFT) return { k: 'int', v: I64(x << by) }
      if (n.code === Op.INT_RSHIFT) return { k: 'int', v: I64(U64(x) >> by) }
      return { k: 'int', v: x >> by }
    }
    case Op.INT_LSCAN: case Op.INT_RSCAN: {
      const ab = binary(n, rt)
      if (ab === undefined) return UNK
      let x = (ab[0] as { v: bigint }).v
      if (!(ab[1] as { v: boolean }).v) x = ~x
      const u = U64(x)
      if (n.code === Op.INT_LSCAN) {
        const lz = leadingZeros(u)
        return { k: 'int', v: lz === 64 ? -1n : BigInt(lz) }
      }
      return { k: 'int', v: BigInt(63 - trailingZeros(u)) }
    }
    case Op.ABS: case Op.FLOOR: case Op.CEIL: case Op.TO_INT: case Op.TO_FLOAT: case Op.INT_NOT: case Op.INT_COUNT: {
      const v = evaluate(n.kids[0], rt)
      if (v === UNK) return UNK
      return oneArg(n.code, v)
    }
    default:
      return leaf(n, rt)
  }
}

function oneArg (code: number, v: Val): Val {
  const f = (v as { v: number }).v
  const i = (v as { v: bigint }).v
  switch (code) {
    case Op.ABS: return v.k === 'float' ? { k: 'float', v: Math.abs(f) } : { k: 'int', v: I64(i < 0n ? -i : i) }
    case Op.FLOOR: return { k: 'float', v: Math.floor(f) }
    case Op.CEIL: return { k: 'float', v: Math.ceil(f) }
    case Op.TO_INT: return { k: 'int', v: truncToInt(f) }
    case Op.TO_FLOAT: return { k: 'float', v: Number(i) }
    case Op.INT_NOT: return { k: 'int', v: ~i }
    default: return { k: 'int', v: BigInt(popCount(U64(i))) }
  }
}

function leaf (n: Node, rt: Runtime): Result {
  const r = rt.rec
  switch (n.code) {
    case Op.META_DIGEST_MOD: {
      const v = BigInt(r.digest.readUInt32LE(16))
      return { k: 'int', v: v % (n.int as bigint) }
    }
    case Op.META_DEVICE_SIZE: return { k: 'int', v: 0n }
    case Op.META_MEMORY_SIZE: case Op.META_RECORD_SIZE: return { k: 'int', v: BigInt(r.storedSize) }
    case Op.META_LAST_UPDATE: return { k: 'int', v: (BigInt(r.lastUpdate) + BigInt(CITRUSLEAF_EPOCH) * 1000n) * 1000000n }
    case Op.META_SINCE_UPDATE: return { k: 'int', v: BigInt(Math.max(0, rt.nowMs - r.lastUpdate)) }
    case Op.META_VOID_TIME:
      return { k: 'int', v: r.voidTime === 0 ? -1n : (BigInt(r.voidTime) + BigInt(CITRUSLEAF_EPOCH)) * 1000000000n }
    case Op.META_TTL: {
      if (r.voidTime === 0) return { k: 'int', v: -1n }
      const now = Math.floor(rt.nowMs / 1000)
      return { k: 'int', v: BigInt(r.voidTime > now ? r.voidTime - now : 1) }
    }
    case Op.META_SET_NAME: return { k: 'str', v: Buffer.from(r.setName) }
    case Op.META_KEY_EXISTS: return bool(r.key !== undefined)
    case Op.META_IS_TOMBSTONE: return FALSE
    case Op.REC_KEY: return recordKey(n, r)
    case Op.BIN: {
      if (r.bins === undefined) return UNK
      const b = r.bins.find((x) => x.name === n.name)
      if (b === undefined || !isType(n.type, b.type)) return UNK
      return fromParticle(b.type, b.value)
    }
    case Op.BIN_TYPE: {
      if (r.bins === undefined) return UNK
      const b = r.bins.find((x) => x.name === n.name)
      return { k: 'int', v: BigInt(b === undefined ? Particle.NULL : b.type) }
    }
    case Op.COND: {
      const last = n.kids.length - 1
      for (let i = 0; i < last; i += 2) {
        const test = evaluate(n.kids[i], rt)
        if (test === UNK) return UNK
        if ((test as { v: boolean }).v) return evaluate(n.kids[i + 1], rt)
      }
      return evaluate(n.kids[last], rt)
    }
    case Op.VAR: return rt.vars[n.slot as number]
    case Op.LET: {
      const slots = n.slots as number[]
      slots.forEach((s, i) => { rt.vars[s] = evaluate(n.kids[i], rt) })
      return evaluate(n.kids[n.kids.length - 1], rt)
    }
    case Op.CALL: return evalCall(n, rt)
    case Op.VALUE_NIL: return NIL_VAL
    case Op.VALUE_BOOL: return n.int === 1n ? TRUE : FALSE
    case Op.VALUE_INT: return { k: 'int', v: n.int as bigint }
    case Op.VALUE_FLOAT: return { k: 'float', v: n.float as number }
    case Op.VALUE_STR: return { k: 'str', v: n.bytes as Buffer }
    case Op.VALUE_BLOB: return { k: 'blob', v: n.bytes as Buffer }
    case Op.VALUE_HLL: return { k: 'hll', v: n.bytes as Buffer }
    case Op.VALUE_GEO: return { k: 'geo', v: n.geo as Buffer }
    case Op.VALUE_MSGPACK: return { k: 'msgpack', v: n.bytes as Buffer }
    default: return UNK
  }
}

// eval_rec_key: only a stored key of the asked type.
function recordKey (n: Node, r: ExpRecord): Result {
  if (r.bins === undefined || r.key === undefined || r.key.length === 0) return UNK
  const data = r.key.subarray(1)
  let v: Val
  switch (r.key[0]) {
    case Particle.INTEGER:
      if (data.length !== 8) return UNK
      v = { k: 'int', v: data.readBigInt64BE(0) }
      break
    case Particle.STRING: v = { k: 'str', v: data }; break
    case Particle.BLOB: v = { k: 'blob', v: data }; break
    default: return UNK
  }
  const want = n.type === 2 ? 'int' : n.type === 3 ? 'str' : 'blob'
  return v.k === want ? v : UNK
}
