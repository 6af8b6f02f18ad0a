// Run-time values of expressions (exp.c rt_value) and their conversions to
// and from bins.

import { BytesType, MsgpackType, NIL, packDouble, packInt, peekType, strHeader } from '../cdt/msgpack'
import { Particle } from '../wire'
import { T } from './codes'

export type Val =
  | { k: 'nil' }
  | { k: 'bool', v: boolean }
  | { k: 'int', v: bigint }
  | { k: 'float', v: number }
  | { k: 'str' | 'blob' | 'hll', v: Buffer }
  // A GeoJSON particle (flags, cell count, cells, text), as the store keeps it.
  | { k: 'geo', v: Buffer }
  // A list or map literal, or a list or map bin's packed value.
  | { k: 'msgpack', v: Buffer }
  // A bin's particle, or what a CDT, bit or HLL call produced.
  | { k: 'bin', type: number, v: Buffer }

/** A failed evaluation (AS_EXP_UNK). */
export const UNK = undefined
export type Result = Val | undefined

export const NIL_VAL: Val = { k: 'nil' }
export const TRUE: Val = { k: 'bool', v: true }
export const FALSE: Val = { k: 'bool', v: false }

export function bool (v: boolean): Val {
  return v ? TRUE : FALSE
}

const TYPE_PARTICLE: readonly number[] = [
  Particle.NULL, Particle.BOOL, Particle.INTEGER, Particle.STRING, Particle.LIST, Particle.MAP,
  Particle.BLOB, Particle.FLOAT, Particle.GEOJSON, Particle.HLL
]

/** bin_is_type: the particle type a static result type stands for. */
export function particleOf (type: number): number {
  return TYPE_PARTICLE[type]
}

/** A bin or call result as the value an expression of its type sees (eval_bin). */
export function fromParticle (type: number, v: Buffer): Val {
  switch (type) {
    case Particle.INTEGER: return { k: 'int', v: v.readBigInt64BE(0) }
    case Particle.FLOAT: return { k: 'float', v: v.readDoubleBE(0) }
    case Particle.BOOL: return bool(v[0] !== 0)
    case Particle.NULL: return NIL_VAL
    default: return { k: 'bin', type, v }
  }
}

/** rt_value_translate: a bin reference as a comparable value. */
export function comparable (val: Val): Val {
  if (val.k !== 'bin') return val
  switch (val.type) {
    case Particle.STRING: return { k: 'str', v: val.v }
    case Particle.BLOB: return { k: 'blob', v: val.v }
    case Particle.HLL: return { k: 'hll', v: val.v }
    case Particle.GEOJSON: return { k: 'geo', v: val.v }
    default: return { k: 'msgpack', v: val.v }
  }
}

/** The text of a GeoJSON particle. */
export function geoText (particle: Buffer): Buffer {
  return particle.subarray(3 + 8 * particle.readUInt16BE(1))
}

function typedStr (type: number, v: Buffer): Buffer {
  return Buffer.concat([strHeader(v.length + 1), Buffer.from([type]), v])
}

/**
 * A value as the msgpack parameter of a CDT, bit or HLL call (eval_call with
 * rt_value_bin_translate); undefined where the server gives up.
 */
export function packParam (val: Val): Buffer | undefined {
  switch (val.k) {
    case 'nil': return NIL
    case 'bool': return Buffer.from([val.v ? 0xc3 : 0xc2])
    case 'int': return packInt(val.v)
    case 'float': return packDouble(val.v)
    case 'str': return typedStr(BytesType.STRING, val.v)
    case 'blob': return typedStr(BytesType.BLOB, val.v)
    case 'hll': return typedStr(Particle.HLL, val.v)
    case 'geo': return typedStr(BytesType.GEOJSON, geoText(val.v))
    case 'msgpack': return val.v
    case 'bin':
      switch (val.type) {
        case Particle.INTEGER: return packInt(val.v.readBigInt64BE(0))
        case Particle.FLOAT: return packDouble(val.v.readDoubleBE(0))
        case Particle.STRING: case Particle.BLOB: case Particle.HLL: return typedStr(val.type, val.v)
        case Particle.GEOJSON: return typedStr(BytesType.GEOJSON, geoText(val.v))
        case Particle.LIST: case Particle.MAP: return val.v
        default: return undefined
      }
  }
}

/** msgpack_to_bin: a literal as a bin, for calls and results. */
export function msgpackToBin (v: Buffer): { type: number, value: Buffer } | undefined {
  switch (peekType(v, 0)) {
    case MsgpackType.LIST: return { type: Particle.LIST, value: v }
    case MsgpackType.MAP: return { type: Particle.MAP, value: v }
    case MsgpackType.BYTES: return { type: Particle.BLOB, value: v }
    default: return undefined
  }
}

/** as_exp_eval: the value as a result bin; null for nil, undefined on failure. */
export function toBin (val: Result): { type: number, value: Buffer } | null | undefined {
  if (val === undefined) return undefined
  switch (val.k) {
    case 'nil': return null
    case 'bool': return { type: Particle.BOOL, value: Buffer.from([val.v ? 1 : 0]) }
    case 'int': {
      const value = Buffer.alloc(8)
      value.writeBigInt64BE(BigInt.asIntN(64, val.v))
      return { type: Particle.INTEGER, value }
    }
    case 'float': {
      const value = Buffer.alloc(8)
      value.writeDoubleBE(val.v)
      return { type: Particle.FLOAT, value }
    }
    case 'str': return { type: Particle.STRING, value: val.v }
    case 'blob': return { type: Particle.BLOB, value: val.v }
    case 'hll': return { type: Particle.HLL, value: val.v }
    case 'geo': return { type: Particle.GEOJSON, value: val.v }
    case 'msgpack': return msgpackToBin(val.v)
    case 'bin': return { type: val.type, value: val.v }
  }
}

export function isType (type: number, particle: number): boolean {
  return type < T.END && particleOf(type) === particle
}
