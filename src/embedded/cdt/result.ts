// What a CDT operation returns, by result type (cdt_result_data in cdt.c):
// values, counts, existence, indexes, ranks and their ranges, inverted or not.

import { Particle, Result } from '../wire'
import { ResultType, RESULT_INVERTED, RESULT_TYPE_MASK, MapFlag } from './flags'
import { BytesType, MsgpackType, extHeader, listHeader, mapHeader, packInt, peekType, readBin, readDouble, readInt } from './msgpack'

/** A result bin: a particle type and its wire value. */
export interface CdtValue {
  type: number
  value: Buffer
}

export class ResultData {
  type: number
  inverted: boolean
  value: CdtValue | undefined

  constructor (resultType: number | bigint, readonly isMulti: boolean) {
    const bits = BigInt.asUintN(64, BigInt(resultType))
    this.type = Number(bits & BigInt(RESULT_TYPE_MASK))
    this.inverted = (bits & BigInt(RESULT_INVERTED)) !== 0n
    this.value = undefined
  }

  get isRev (): boolean {
    return this.type === ResultType.REVINDEX || this.type === ResultType.REVRANK
  }

  get isIndexRange (): boolean {
    return this.type === ResultType.INDEX_RANGE || this.type === ResultType.REVINDEX_RANGE
  }

  get isRankRange (): boolean {
    return this.type === ResultType.RANK_RANGE || this.type === ResultType.REVRANK_RANGE
  }

  get isRank (): boolean {
    return this.type === ResultType.RANK || this.type === ResultType.REVRANK
  }

  get isMap (): boolean {
    return this.type === ResultType.KEY_VALUE_MAP || this.type === ResultType.UNORDERED_MAP || this.type === ResultType.ORDERED_MAP
  }

  setInt (v: number | bigint): void {
    this.value = intValue(v)
  }

  setBool (v: boolean): void {
    this.value = { type: Particle.BOOL, value: Buffer.from([v ? 1 : 0]) }
  }

  setList (count: number, items: readonly Buffer[]): void {
    this.value = { type: Particle.LIST, value: Buffer.concat([listHeader(count), ...items]) }
  }

  setIntList (values: Iterable<number>): void {
    const items: Buffer[] = []
    for (const v of values) items.push(packInt(BigInt(v)))
    this.setList(items.length, items)
  }

  setMap (pairs: readonly Buffer[], pairCount: number): void {
    const flags = mapResultFlags(this.type)
    const meta = flags === 0 ? [] : [extHeader(0, flags), Buffer.from([0xc0])]
    this.value = { type: Particle.MAP, value: Buffer.concat([mapHeader(pairCount + (flags === 0 ? 0 : 1)), ...meta, ...pairs]) }
  }

  /** Answers the types a count alone decides (none, count, exists); false for the others. */
  setFromCount (count: number): boolean {
    if (this.type === ResultType.COUNT) this.setInt(count)
    else if (this.type === ResultType.EXISTS) this.setBool(count !== 0)
    else return this.type === ResultType.NONE
    return true
  }

  /** A single element returned as its own bin (nil leaves no result). */
  setElement (element: Buffer): void {
    this.value = valueFromMsgpack(element)
  }
}

// KEY_VALUE_MAP keeps the element order; ORDERED_MAP is key ordered.
function mapResultFlags (type: number): number {
  if (type === ResultType.KEY_VALUE_MAP) return 0x08
  if (type === ResultType.ORDERED_MAP) return MapFlag.K_ORDERED
  return 0
}

export function intValue (v: number | bigint): CdtValue {
  const value = Buffer.alloc(8)
  value.writeBigInt64BE(BigInt.asIntN(64, BigInt(v)))
  return { type: Particle.INTEGER, value }
}

export function doubleValue (v: number): CdtValue {
  const value = Buffer.alloc(8)
  value.writeDoubleBE(v)
  return { type: Particle.FLOAT, value }
}

// as_bytes types that keep their own particle type when they leave a CDT.
const BLOB_PARTICLES: ReadonlySet<number> = new Set([Particle.STRING, Particle.BLOB, 7, 8, 9, 10, 11, 12, 16, Particle.HLL, Particle.GEOJSON])

/** A msgpack element as a bin of its own type (as_bin_particle_from_msgpack). */
export function valueFromMsgpack (element: Buffer): CdtValue | undefined {
  const end = element.length
  switch (peekType(element, 0)) {
    case MsgpackType.NIL:
      return undefined
    case MsgpackType.FALSE:
    case MsgpackType.TRUE:
      return { type: Particle.BOOL, value: Buffer.from([element[0] === 0xc3 ? 1 : 0]) }
    case MsgpackType.NEGINT:
    case MsgpackType.INT:
      return intValue((readInt(element, 0, end) as { value: bigint }).value)
    case MsgpackType.DOUBLE:
      return doubleValue((readDouble(element, 0, end) as { value: number }).value)
    case MsgpackType.LIST:
      return { type: Particle.LIST, value: element }
    case MsgpackType.MAP:
      return { type: Particle.MAP, value: element }
    case MsgpackType.GEOJSON: {
      const bin = readBin(element, 0, end) as { start: number, next: number }
      return { type: Particle.GEOJSON, value: Buffer.concat([Buffer.alloc(3), element.subarray(bin.start + 1, bin.next)]) }
    }
    default: {
      const bin = readBin(element, 0, end)
      if (bin === undefined || bin.len === 0) return { type: Particle.BLOB, value: Buffer.alloc(0) }
      const bytesType = element[bin.start]
      const type = BLOB_PARTICLES.has(bytesType) ? bytesType : BytesType.BLOB
      return { type, value: element.subarray(bin.start + 1, bin.next) }
    }
  }
}

/** The start of an index or rank range counted from the end. */
function fromEnd (start: number, count: number, eleCount: number): number {
  return eleCount - start - count
}

export function intRange (start: number, count: number, eleCount: number, isRev: boolean): number[] {
  const from = isRev ? fromEnd(start, count, eleCount) : start
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push(from + i)
  return out
}

/** Nothing matched (result_data_set_not_found); false for a type that cannot say so. */
export function setNotFound (rd: ResultData, index: number): boolean {
  switch (rd.type) {
    case ResultType.NONE:
      return true
    case ResultType.REVINDEX_RANGE:
    case ResultType.INDEX_RANGE:
    case ResultType.RANK_RANGE:
    case ResultType.REVRANK_RANGE:
      rd.setIntList([index, 0])
      return true
    case ResultType.INDEX:
    case ResultType.REVINDEX:
    case ResultType.RANK:
    case ResultType.REVRANK:
      if (rd.isMulti) rd.setList(0, [])
      else rd.setInt(-1)
      return true
    case ResultType.COUNT:
      rd.setInt(0)
      return true
    case ResultType.EXISTS:
      rd.setBool(false)
      return true
    case ResultType.KEY:
    case ResultType.VALUE:
      if (rd.isMulti) rd.setList(0, [])
      return true
    case ResultType.KEY_VALUE_MAP:
    case ResultType.UNORDERED_MAP:
    case ResultType.ORDERED_MAP:
      rd.setMap([], 0)
      return true
    default:
      return false
  }
}

/** Count, existence, or the indexes/ranks start..start+count (result_data_set_index_rank_count). */
export function setIndexRankCount (rd: ResultData, start: number, count: number, eleCount: number): number {
  switch (rd.type) {
    case ResultType.NONE:
      return Result.OK
    case ResultType.COUNT:
      rd.setInt(rd.inverted ? eleCount - count : count)
      return Result.OK
    case ResultType.EXISTS:
      rd.setBool(rd.inverted ? count === 0 : count !== 0)
      return Result.OK
    case ResultType.REVINDEX:
    case ResultType.REVRANK:
    case ResultType.INDEX:
    case ResultType.RANK:
      if (!rd.isMulti) {
        if (count === 0) rd.setInt(-1)
        else rd.setInt(rd.isRev ? eleCount - start - 1 : start)
        return Result.OK
      }
      if (rd.inverted) {
        rd.setIntList([...intRange(0, start, eleCount, rd.isRev), ...intRange(start + count, eleCount - start - count, eleCount, rd.isRev)])
      } else {
        rd.setIntList(intRange(start, count, eleCount, rd.isRev))
      }
      return Result.OK
    default:
      return Result.OP_NOT_APPLICABLE
  }
}

/** As setIndexRankCount, plus [start, count] pairs (result_data_set_range). */
export function setRange (rd: ResultData, start: number, count: number, eleCount: number): number {
  switch (rd.type) {
    case ResultType.NONE:
      return Result.OK
    case ResultType.COUNT:
    case ResultType.EXISTS:
    case ResultType.REVINDEX:
    case ResultType.REVRANK:
    case ResultType.INDEX:
    case ResultType.RANK:
      return setIndexRankCount(rd, start, count, eleCount)
    case ResultType.REVINDEX_RANGE:
    case ResultType.REVRANK_RANGE:
    case ResultType.INDEX_RANGE:
    case ResultType.RANK_RANGE:
      if (rd.inverted) return Result.OP_NOT_APPLICABLE
      rd.setIntList([rd.type === ResultType.REVINDEX_RANGE || rd.type === ResultType.REVRANK_RANGE ? fromEnd(start, count, eleCount) : start, count])
      return Result.OK
    default:
      return Result.OP_NOT_APPLICABLE
  }
}

/** The set positions as indexes (or reversed indexes), in position order (result_data_set_int_list_by_mask). */
export function setIntListByMask (rd: ResultData, mask: Uint8Array, eleCount: number): void {
  const idxs: number[] = []
  for (let i = 0; i < eleCount; i++) if (mask[i] !== 0) idxs.push(rd.isRev ? eleCount - i - 1 : i)
  if (rd.isMulti) rd.setIntList(idxs)
  else rd.setInt(idxs.length === 0 ? (rd.isRev ? 0xffffffff : eleCount) : idxs[0])
}
