// Which index entries of a record a query range selects (sindex.c
// sbin_from_bin for what a bin puts in the index, query.c
// record_matches_query for the check each candidate then passes). An entry
// is a bval: the integer itself, the wyhash of a string or blob, or a geo
// cell id. A record yields each matching bval once, as the index holds each
// (bval, record) pair once.

import { BytesType, MsgpackType, peekType, readBin, readInt } from '../cdt/msgpack'
import { parseList, parseMap } from '../cdt/packed'
import type { Bin } from '../store'
import { Particle } from '../wire'
import { GeoPoint, GeoRegion, parseShape } from './geo-match'
import { IndexType, SindexDef } from './registry'
import { wyhash64 } from './wyhash'

const MAX_STRING_KSIZE = 2048

export type QueryRange =
  | { kind: 'integer', start: bigint, end: bigint }
  | { kind: 'bytes', ktype: number, value: Buffer, bval: bigint }
  // Points inside a region.
  | { kind: 'within', region: GeoRegion }
  // Regions holding a point.
  | { kind: 'contains', point: GeoPoint }
  // Every value the index holds (for its entry count).
  | { kind: 'any' }

/** The signed 64-bit bval of a string or blob. */
export function bytesBval (value: Buffer): bigint {
  return BigInt.asIntN(64, wyhash64(value))
}

/**
 * The bvals of a bin that the range selects, after the server's exact check,
 * smallest first in the index's order (unsigned for geo, signed otherwise).
 */
export function matchingBvals (def: SindexDef, range: QueryRange, bin: Bin): bigint[] {
  const out: bigint[] = []
  const add = (bval: bigint | undefined): void => {
    if (bval !== undefined && !out.includes(bval)) out.push(bval)
  }
  if (def.itype === IndexType.DEFAULT) {
    if (bin.type === def.ktype) add(simpleBval(range, bin.type, bin.value))
  } else if (def.itype === IndexType.LIST) {
    if (bin.type === Particle.LIST) for (const e of parseList(bin.value)?.items ?? []) add(elementBval(def.ktype, range, e))
  } else if (bin.type === Particle.MAP) {
    const map = parseMap(bin.value)
    const elements = def.itype === IndexType.MAPKEYS ? map?.keys : map?.values
    for (const e of elements ?? []) add(elementBval(def.ktype, range, e))
  }
  const unsigned = def.ktype === Particle.GEOJSON
  return out.sort((a, b) => compareBvals(a, b, unsigned))
}

export function compareBvals (a: bigint, b: bigint, unsigned: boolean): number {
  const x = unsigned ? BigInt.asUintN(64, a) : a
  const y = unsigned ? BigInt.asUintN(64, b) : b
  return x < y ? -1 : x > y ? 1 : 0
}

function simpleBval (range: QueryRange, type: number, value: Buffer): bigint | undefined {
  switch (type) {
    case Particle.INTEGER:
      return integerBval(range, value.readBigInt64BE(0))
    case Particle.STRING:
    case Particle.BLOB:
      return bytesMatch(range, type, value)
    case Particle.GEOJSON: {
      // The particle: flags, cell count, cells, then the text.
      const text = value.subarray(3 + 8 * value.readUInt16BE(1))
      return geoBval(range, text)
    }
  }
  return undefined
}

function integerBval (range: QueryRange, v: bigint): bigint | undefined {
  if (range.kind === 'any') return v
  return range.kind === 'integer' && range.start <= v && v <= range.end ? v : undefined
}

function bytesMatch (range: QueryRange, type: number, value: Buffer): bigint | undefined {
  if (type === Particle.STRING && value.length > MAX_STRING_KSIZE) return undefined
  if (range.kind === 'any') return bytesBval(value)
  if (range.kind !== 'bytes' || range.ktype !== type) return undefined
  return value.equals(range.value) ? range.bval : undefined
}

function geoBval (range: QueryRange, text: Buffer): bigint | undefined {
  const shape = parseShape(text)
  if (shape === undefined) return undefined
  if (range.kind === 'any') return shape.kind === 'point' ? BigInt.asIntN(64, shape.cell) : 0n
  if (range.kind === 'within') {
    return shape.kind === 'point' && range.region.contains(shape.center) ? BigInt.asIntN(64, shape.cell) : undefined
  }
  if (range.kind === 'contains') {
    // The server's bval here is the region's covering cell that holds the
    // point; with no coverings, the point's own cell stands in for it.
    return shape.kind === 'region' && shape.contains(range.point.center) ? BigInt.asIntN(64, range.point.cell) : undefined
  }
  return undefined
}

// An element of a list or map indexed as the index's key type: integers of
// any msgpack width, strings, blobs and GeoJSON as msgpack bytes carrying
// their particle type in the first byte.
function elementBval (ktype: number, range: QueryRange, e: Buffer): bigint | undefined {
  const t = peekType(e, 0)
  if (t === MsgpackType.INT || t === MsgpackType.NEGINT) {
    if (ktype !== Particle.INTEGER) return undefined
    const v = readInt(e, 0, e.length)
    return v === undefined ? undefined : integerBval(range, v.value)
  }
  if (t !== MsgpackType.STRING && t !== MsgpackType.BYTES && t !== MsgpackType.GEOJSON) return undefined
  const bin = readBin(e, 0, e.length)
  if (bin === undefined || bin.len === 0) return undefined
  const type = e[bin.start]
  const body = e.subarray(bin.start + 1, bin.start + bin.len)
  if (type !== ktype) return undefined
  if (type === BytesType.STRING || type === BytesType.BLOB) return bytesMatch(range, type, body)
  if (type === BytesType.GEOJSON) return geoBval(range, body)
  return undefined
}
