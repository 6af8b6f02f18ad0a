// Compiles an expression's msgpack (exp.c build_*) into a tree whose nodes
// carry the result type the server infers statically. Anything the server
// refuses to build (bad shape, wrong operand count or type, unknown op code)
// yields undefined: the caller answers a parameter error.

import { geoParticleFromClient } from '../geo'
import { MsgpackType, peekType, readBin, readDouble, readInt, readListHeader, skip } from '../cdt/msgpack'
import { Op, T } from './codes'
import { compileRegex } from './regex'

const EXP_MAX_SIZE = 1024 * 1024
const MAX_BIN_NAME_BYTES = 15
const BYTES_STRING = 3
const BYTES_BLOB = 4
const BYTES_HLL = 18
const BYTES_GEOJSON = 23
const CONTEXT_EVAL = 0xff
const CALL_MAX_VEC_IDX = 18
export const CALL_MODIFY_LOCAL = 0x40
export const CallSystem = { CDT: 0, BITS: 1, HLL: 2 } as const

export interface Node {
  code: number
  // The static result type (exp.c result_type); T.END for untyped msgpack.
  type: number
  kids: Node[]
  // True for the `unknown` op itself, which cond lets stand in for any type.
  isUnknown?: boolean
  int?: bigint
  float?: number
  bytes?: Buffer
  name?: string
  regex?: RegExp
  geo?: Buffer
  // let: the slots its variables use; var: the slot it reads.
  slots?: number[]
  slot?: number
  call?: CallSpec
}

/** A CDT, bit or HLL operation inside an expression (op_call). */
export interface CallSpec {
  system: number
  modifyLocal: boolean
  // The operation's msgpack, split where evaluated parameters go: parts[i]
  // is literal bytes, or a parameter expression.
  head: Buffer
  params: Array<Buffer | Node>
  // How many parameters follow the op code, for the rebuilt list header.
  paramCount: number
}

export interface Compiled {
  root: Node
  slotCount: number
}

interface Scope {
  parent: Scope | undefined
  vars: Map<string, { slot: number, type: number }>
}

class Builder {
  off = 0
  slot = 0
  maxSlot = 0
  scope: Scope | undefined

  constructor (readonly buf: Buffer) {}

  get end (): number {
    return this.buf.length
  }

  int (): bigint | undefined {
    const r = readInt(this.buf, this.off, this.end)
    if (r === undefined) return undefined
    this.off = r.next
    return r.value
  }

  bin (): Buffer | undefined {
    const r = readBin(this.buf, this.off, this.end)
    if (r === undefined) return undefined
    this.off = r.next
    return this.buf.subarray(r.start, r.next)
  }

  element (): Buffer | undefined {
    const next = skip(this.buf, this.off, this.end)
    if (next < 0) return undefined
    const out = this.buf.subarray(this.off, next)
    this.off = next
    return out
  }

  next (): Node | undefined {
    if (this.off >= this.end) return undefined
    const type = peekType(this.buf, this.off)
    if (type === MsgpackType.ERROR) return undefined
    if (type !== MsgpackType.LIST) return this.value(type)
    const h = readListHeader(this.buf, this.off, this.end)
    if (h === undefined || h.value === 0) return undefined
    this.off = h.next
    const code = this.int()
    if (code === undefined || code < 0n || code >= 128n) return undefined
    return this.op(Number(code), h.value - 1)
  }

  private value (type: number): Node | undefined {
    switch (type) {
      case MsgpackType.NIL:
        this.off++
        return { code: Op.VALUE_NIL, type: T.NIL, kids: [] }
      case MsgpackType.FALSE:
      case MsgpackType.TRUE:
        this.off++
        return { code: Op.VALUE_BOOL, type: T.TRILEAN, kids: [], int: type === MsgpackType.TRUE ? 1n : 0n }
      case MsgpackType.NEGINT:
      case MsgpackType.INT: {
        const v = this.int()
        return v === undefined ? undefined : { code: Op.VALUE_INT, type: T.INT, kids: [], int: v }
      }
      case MsgpackType.DOUBLE: {
        const r = readDouble(this.buf, this.off, this.end)
        if (r === undefined) return undefined
        this.off = r.next
        return { code: Op.VALUE_FLOAT, type: T.FLOAT, kids: [], float: r.value }
      }
      case MsgpackType.STRING:
      case MsgpackType.BYTES:
      case MsgpackType.GEOJSON:
        return this.bytesValue()
      default: {
        const v = this.element()
        if (v === undefined) return undefined
        return { code: Op.VALUE_MSGPACK, type: type === MsgpackType.MAP ? T.MAP : T.END, kids: [], bytes: v }
      }
    }
  }

  private bytesValue (): Node | undefined {
    const v = this.bin()
    if (v === undefined || v.length === 0) return undefined
    const data = v.subarray(1)
    switch (v[0]) {
      case BYTES_STRING: return { code: Op.VALUE_STR, type: T.STR, kids: [], bytes: data }
      case BYTES_BLOB: return { code: Op.VALUE_BLOB, type: T.BLOB, kids: [], bytes: data }
      case BYTES_HLL: return { code: Op.VALUE_HLL, type: T.HLL, kids: [], bytes: data }
      case BYTES_GEOJSON: {
        const parsed = geoParticleFromClient(Buffer.concat([Buffer.alloc(3), data]))
        if ('error' in parsed) return undefined
        return { code: Op.VALUE_GEO, type: T.GEOJSON, kids: [], geo: parsed.value }
      }
      default: return undefined
    }
  }

  private kids (n: number): Node[] | undefined {
    const out: Node[] = []
    for (let i = 0; i < n; i++) {
      const k = this.next()
      if (k === undefined) return undefined
      out.push(k)
    }
    return out
  }

  private fixed (code: number, n: number, count: number, type: number, check?: (kids: Node[]) => boolean): Node | undefined {
    if (count !== n) return undefined
    const kids = this.kids(n)
    if (kids === undefined || (check !== undefined && !check(kids))) return undefined
    return { code, type, kids }
  }

  private vargs (count: number, min: number, check: (k: Node) => boolean): Node[] | undefined {
    if (count < min) return undefined
    const kids: Node[] = []
    for (let i = 0; i < count; i++) {
      const k = this.next()
      if (k === undefined || !check(k)) return undefined
      kids.push(k)
    }
    return kids
  }

  private op (code: number, count: number): Node | undefined {
    const is = (t: number) => (k: Node) => k.type === t
    const all = (t: number) => (ks: Node[]) => ks.every((k) => k.type === t)
    switch (code) {
      case Op.UNKNOWN:
        return count === 0 ? { code, type: T.TRILEAN, kids: [], isUnknown: true } : undefined
      case Op.EQ: case Op.NE: case Op.GT: case Op.GE: case Op.LT: case Op.LE:
        return this.fixed(code, 2, count, T.TRILEAN, ([a, b]) => a.type === b.type && a.type !== T.GEOJSON && a.type !== T.HLL)
      case Op.CMP_REGEX: return this.regex(count)
      case Op.CMP_GEO:
        return this.fixed(code, 2, count, T.TRILEAN, ([a, b]) => a.type === T.GEOJSON && b.type === T.GEOJSON)
      case Op.AND: case Op.OR: case Op.EXCLUSIVE: {
        const kids = this.vargs(count, 2, is(T.TRILEAN))
        return kids === undefined ? undefined : { code, type: T.TRILEAN, kids }
      }
      case Op.NOT: return this.fixed(code, 1, count, T.TRILEAN, all(T.TRILEAN))
      case Op.ADD: case Op.SUB: case Op.MUL: case Op.DIV: case Op.MIN: case Op.MAX: {
        const kids = this.vargs(count, 1, (k) => k.type === T.INT || k.type === T.FLOAT)
        if (kids === undefined || !kids.every((k) => k.type === kids[0].type)) return undefined
        return { code, type: kids[0].type, kids }
      }
      case Op.POW: case Op.LOG: return this.fixed(code, 2, count, T.FLOAT, all(T.FLOAT))
      case Op.MOD: return this.fixed(code, 2, count, T.INT, all(T.INT))
      case Op.ABS: {
        const n = this.fixed(code, 1, count, T.INT, ([a]) => a.type === T.INT || a.type === T.FLOAT)
        if (n !== undefined) n.type = n.kids[0].type
        return n
      }
      case Op.FLOOR: case Op.CEIL: return this.fixed(code, 1, count, T.FLOAT, all(T.FLOAT))
      case Op.TO_INT: return this.fixed(code, 1, count, T.INT, all(T.FLOAT))
      case Op.TO_FLOAT: return this.fixed(code, 1, count, T.FLOAT, all(T.INT))
      case Op.INT_AND: case Op.INT_OR: case Op.INT_XOR: {
        const kids = this.vargs(count, 1, is(T.INT))
        return kids === undefined ? undefined : { code, type: T.INT, kids }
      }
      case Op.INT_NOT: case Op.INT_COUNT: return this.fixed(code, 1, count, T.INT, all(T.INT))
      case Op.INT_LSHIFT: case Op.INT_RSHIFT: case Op.INT_ARSHIFT: return this.fixed(code, 2, count, T.INT, all(T.INT))
      case Op.INT_LSCAN: case Op.INT_RSCAN:
        return this.fixed(code, 2, count, T.INT, ([a, b]) => a.type === T.INT && b.type === T.TRILEAN)
      case Op.META_DIGEST_MOD: {
        if (count !== 1) return undefined
        const mod = this.int()
        if (mod === undefined || BigInt.asIntN(32, mod) === 0n) return undefined
        return { code, type: T.INT, kids: [], int: BigInt.asIntN(32, mod) }
      }
      case Op.META_DEVICE_SIZE: case Op.META_LAST_UPDATE: case Op.META_SINCE_UPDATE: case Op.META_VOID_TIME:
      case Op.META_TTL: case Op.META_MEMORY_SIZE: case Op.META_RECORD_SIZE:
        return count === 0 ? { code, type: T.INT, kids: [] } : undefined
      case Op.META_SET_NAME: return count === 0 ? { code, type: T.STR, kids: [] } : undefined
      case Op.META_KEY_EXISTS: case Op.META_IS_TOMBSTONE:
        return count === 0 ? { code, type: T.TRILEAN, kids: [] } : undefined
      case Op.REC_KEY: {
        if (count !== 1) return undefined
        const t = this.int()
        if (t !== BigInt(T.INT) && t !== BigInt(T.STR) && t !== BigInt(T.BLOB)) return undefined
        return { code, type: Number(t), kids: [] }
      }
      case Op.BIN: {
        if (count !== 2) return undefined
        const t = this.int()
        const name = this.binName()
        if (t === undefined || name === undefined || t < 0n || t >= BigInt(T.END)) return undefined
        return { code, type: Number(t), kids: [], name }
      }
      case Op.BIN_TYPE: {
        if (count !== 1) return undefined
        const name = this.binName()
        return name === undefined ? undefined : { code, type: T.INT, kids: [], name }
      }
      case Op.COND: return this.cond(count)
      case Op.VAR: return this.variable(count)
      case Op.LET: return this.let(count)
      case Op.QUOTE: {
        if (count !== 1 || peekType(this.buf, this.off) !== MsgpackType.LIST) return undefined
        const v = this.element()
        return v === undefined ? undefined : { code: Op.VALUE_MSGPACK, type: T.LIST, kids: [], bytes: v }
      }
      case Op.CALL: return this.call(count)
      default:
        return undefined
    }
  }

  private binName (): string | undefined {
    const name = this.bin()
    if (name === undefined || name.length > MAX_BIN_NAME_BYTES) return undefined
    return name.toString('utf8')
  }

  private regex (count: number): Node | undefined {
    if (count !== 3) return undefined
    const flags = this.int()
    if (flags === undefined) return undefined
    const pattern = this.bin()
    if (pattern === undefined) return undefined
    const kid = this.next()
    if (kid === undefined || kid.type !== T.STR) return undefined
    const regex = compileRegex(pattern, Number(BigInt.asIntN(32, flags)))
    return regex === undefined ? undefined : { code: Op.CMP_REGEX, type: T.TRILEAN, kids: [kid], regex }
  }

  private cond (count: number): Node | undefined {
    if (count < 3 || count % 2 === 0) return undefined
    let type: number = T.END
    const kids: Node[] = []
    for (let i = 0; i < (count - 1) / 2; i++) {
      const test = this.next()
      if (test === undefined || test.type !== T.TRILEAN) return undefined
      const value = this.next()
      if (value === undefined) return undefined
      if (value.isUnknown !== true) {
        if (type === T.END) type = value.type
        if (value.type !== type) return undefined
      }
      kids.push(test, value)
    }
    const fallback = this.next()
    if (fallback === undefined) return undefined
    if (type === T.END) type = fallback.type
    else if (fallback.isUnknown !== true && fallback.type !== type) return undefined
    kids.push(fallback)
    return type >= T.END ? undefined : { code: Op.COND, type, kids }
  }

  private findVar (name: string): { slot: number, type: number } | undefined {
    for (let s = this.scope; s !== undefined; s = s.parent) {
      const v = s.vars.get(name)
      if (v !== undefined) return v
    }
    return undefined
  }

  private variable (count: number): Node | undefined {
    if (count !== 1) return undefined
    const name = this.bin()
    if (name === undefined) return undefined
    const v = this.findVar(name.toString('latin1'))
    if (v === undefined || v.type >= T.END) return undefined
    return { code: Op.VAR, type: v.type, kids: [], slot: v.slot }
  }

  private let (count: number): Node | undefined {
    if (count < 3 || count % 2 === 0) return undefined
    const scope: Scope = { parent: this.scope, vars: new Map() }
    this.scope = scope
    const kids: Node[] = []
    const slots: number[] = []
    for (let i = 0; i < (count - 1) / 2; i++) {
      const raw = this.bin()
      if (raw === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.toString('latin1'))) return undefined
      const name = raw.toString('latin1')
      if (this.findVar(name) !== undefined) return undefined
      const entry: { slot: number, type: number } = { slot: this.slot++, type: T.END }
      scope.vars.set(name, entry)
      const value = this.next()
      if (value === undefined) return undefined
      entry.type = value.type
      kids.push(value)
      slots.push(entry.slot)
    }
    const body = this.next()
    if (body === undefined) return undefined
    kids.push(body)
    this.maxSlot = Math.max(this.maxSlot, this.slot)
    this.scope = scope.parent
    this.slot -= scope.vars.size
    return { code: Op.LET, type: body.type, kids, slots }
  }

  private call (count: number): Node | undefined {
    if (count !== 4) return undefined
    const type = this.int()
    const system = this.int()
    if (type === undefined || system === undefined || type < 0n || type >= BigInt(T.END)) return undefined
    const call = this.callOp(Number(BigInt.asUintN(32, system)))
    if (call === undefined) return undefined
    const bin = this.next()
    if (bin === undefined) return undefined
    if (bin.type !== T.NIL) {
      switch (call.system) {
        case CallSystem.CDT: if (bin.type !== T.LIST && bin.type !== T.MAP) return undefined; break
        case CallSystem.HLL: if (bin.type !== T.HLL) return undefined; break
        case CallSystem.BITS: if (bin.type !== T.BLOB) return undefined; break
        default: return undefined
      }
    } else if (call.system > CallSystem.HLL) {
      return undefined
    }
    return { code: Op.CALL, type: Number(type), kids: [bin], call }
  }

  // parse_op_call: literal parameters are kept as bytes, list parameters are
  // expressions evaluated at run time.
  private callOp (systemBits: number): CallSpec | undefined {
    const start = this.off
    let h = readListHeader(this.buf, this.off, this.end)
    if (h === undefined) return undefined
    this.off = h.next
    let opCode = this.int()
    if (opCode === undefined) return undefined
    if (opCode === BigInt(CONTEXT_EVAL)) {
      if (h.value !== 3 || this.element() === undefined) return undefined
      h = readListHeader(this.buf, this.off, this.end)
      if (h === undefined) return undefined
      this.off = h.next
      opCode = this.int()
      if (opCode === undefined) return undefined
    }
    const head = this.buf.subarray(start, this.off)
    const params: Array<Buffer | Node> = []
    let idx = 0
    let literalOpen = true
    for (let i = 1; i < h.value; i++) {
      if (this.off >= this.end) return undefined
      const t = peekType(this.buf, this.off)
      if (t === MsgpackType.ERROR) return undefined
      if (t === MsgpackType.LIST) {
        if (literalOpen) idx++
        idx++
        const kid = this.next()
        if (kid === undefined) return undefined
        params.push(kid)
        literalOpen = false
      } else {
        const v = this.element()
        if (v === undefined || v.length === 0) return undefined
        params.push(v)
        literalOpen = true
      }
      if (idx >= CALL_MAX_VEC_IDX) return undefined
    }
    return {
      system: systemBits & ~CALL_MODIFY_LOCAL,
      modifyLocal: (systemBits & CALL_MODIFY_LOCAL) !== 0,
      head,
      params,
      paramCount: h.value - 1
    }
  }
}

/** Builds any expression (as_exp_build_buf); undefined when the server would refuse it. */
export function buildExpression (buf: Buffer): Compiled | undefined {
  if (buf.length === 0 || buf.length >= EXP_MAX_SIZE) return undefined
  const top = readListHeader(buf, 0, buf.length)
  if (top !== undefined && top.value === 0) return undefined
  const b = new Builder(buf)
  let root: Node | undefined
  try {
    root = b.next()
  } catch (err) {
    if (err instanceof RangeError) return undefined
    throw err
  }
  if (root === undefined || b.off !== buf.length || root.type >= T.END) return undefined
  return { root, slotCount: Math.max(b.maxSlot, 1) }
}

/** Builds a filter (as_exp_filter_build): it must return a boolean. */
export function buildFilter (buf: Buffer): Compiled | undefined {
  const exp = buildExpression(buf)
  return exp === undefined || exp.root.type !== T.TRILEAN ? undefined : exp
}
