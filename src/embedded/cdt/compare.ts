// The server's ordering of msgpack values (msgpack_cmp in msgpack_in.c): first
// by type (nil < false < true < negative int < int < string < list < map <
// bytes < double < geojson < ext < wildcard < infinity), then by value; lists
// compare element by element, maps by size and then pair by pair in stored
// order. A wildcard ends the comparison as equal. List and map metadata (the
// ext element of ordered containers) takes no part.

import { MsgpackType, CMP_EXT_TYPE, bytesType, skip } from './msgpack'

export const Cmp = {
  ERROR: -2,
  LESS: -1,
  EQUAL: 0,
  GREATER: 1
} as const

interface Cursor {
  buf: Buffer
  pos: number
  end: number
  type: number
  // Scalars: the integer (as the server's uint64 bits, signed here), the
  // double, or the data span of strings, bytes and exts.
  int: bigint
  num: number
  dataStart: number
  // Data length, or the number of elements a list/map still holds.
  len: number
}

function cursor (buf: Buffer, pos: number, end: number): Cursor {
  return { buf, pos, end, type: MsgpackType.ERROR, int: 0n, num: 0, dataStart: 0, len: 0 }
}

function fail (c: Cursor): void {
  c.type = MsgpackType.ERROR
  c.pos = -1
}

// Skips the metadata element(s) of an ordered list or map, if there are any.
function skipContainerMeta (c: Cursor, metaCount: number): void {
  if (c.len === 0 || c.pos >= c.end) return
  const b = c.buf[c.pos]
  let extType: number
  if (b === 0xc7) extType = c.buf[c.pos + 2]
  else if (b === 0xc8) extType = c.buf[c.pos + 3]
  else if (b === 0xc9) extType = c.buf[c.pos + 5]
  else if (b >= 0xd4 && b <= 0xd8) extType = c.buf[c.pos + 1]
  else return
  if (extType === CMP_EXT_TYPE) return
  const next = skip(c.buf, c.pos, c.end, metaCount)
  if (next < 0) return fail(c)
  c.pos = next
  c.len -= metaCount
}

function parseBytes (c: Cursor, start: number, len: number): void {
  if (start + len > c.end) return fail(c)
  c.dataStart = start
  c.len = len
  c.pos = start + len
  c.type = bytesType(c.buf[start], len)
}

function parseExt (c: Cursor, typeAt: number, len: number): void {
  c.len = len
  const extType = c.buf[typeAt]
  if (extType === CMP_EXT_TYPE && len === 1) {
    if (c.buf[typeAt + 1] === 0x00) { c.type = MsgpackType.WILDCARD; c.pos = typeAt + 2; return }
    if (c.buf[typeAt + 1] === 0x01) { c.type = MsgpackType.INF; c.pos = typeAt + 2; return }
  }
  c.dataStart = typeAt + 1
  c.pos = typeAt + 1 + len
  c.type = MsgpackType.EXT
}

// Reads one element's header into the cursor (msgpack_cmp_parse).
function parse (c: Cursor): void {
  const { buf } = c
  if (c.pos + 1 > c.end) return fail(c)
  const b = buf[c.pos++]
  const need = (n: number): boolean => c.pos + n <= c.end
  switch (b) {
    case 0xc0: c.type = MsgpackType.NIL; return
    case 0xc2: c.type = MsgpackType.FALSE; return
    case 0xc3: c.type = MsgpackType.TRUE; return
    case 0xcc: case 0xcd: case 0xce: case 0xcf: {
      const n = 1 << (b - 0xcc)
      if (!need(n)) return fail(c)
      c.int = n === 1 ? BigInt(buf[c.pos]) : n === 2 ? BigInt(buf.readUInt16BE(c.pos)) : n === 4 ? BigInt(buf.readUInt32BE(c.pos)) : buf.readBigUInt64BE(c.pos)
      c.pos += n
      c.type = MsgpackType.INT
      return
    }
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      const n = 1 << (b & 0x0f)
      if (!need(n)) return fail(c)
      const v = n === 1 ? BigInt(buf.readInt8(c.pos)) : n === 2 ? BigInt(buf.readInt16BE(c.pos)) : n === 4 ? BigInt(buf.readInt32BE(c.pos)) : buf.readBigInt64BE(c.pos)
      c.int = BigInt.asUintN(64, v)
      c.type = (buf[c.pos] & 0x80) !== 0 ? MsgpackType.NEGINT : MsgpackType.INT
      c.pos += n
      return
    }
    case 0xca:
      if (!need(4)) return fail(c)
      c.num = buf.readFloatBE(c.pos); c.pos += 4; c.type = MsgpackType.DOUBLE; return
    case 0xcb:
      if (!need(8)) return fail(c)
      c.num = buf.readDoubleBE(c.pos); c.pos += 8; c.type = MsgpackType.DOUBLE; return
    case 0xc4: case 0xd9:
      if (!need(1)) return fail(c)
      return parseBytes(c, c.pos + 1, buf[c.pos])
    case 0xc5: case 0xda:
      if (!need(2)) return fail(c)
      return parseBytes(c, c.pos + 2, buf.readUInt16BE(c.pos))
    case 0xc6: case 0xdb:
      if (!need(4)) return fail(c)
      return parseBytes(c, c.pos + 4, buf.readUInt32BE(c.pos))
    case 0xdc: case 0xdd: {
      const n = b === 0xdc ? 2 : 4
      if (!need(n)) return fail(c)
      c.len = n === 2 ? buf.readUInt16BE(c.pos) : buf.readUInt32BE(c.pos)
      c.pos += n
      c.type = MsgpackType.LIST
      return skipContainerMeta(c, 1)
    }
    case 0xde: case 0xdf: {
      const n = b === 0xde ? 2 : 4
      if (!need(n)) return fail(c)
      c.len = 2 * (n === 2 ? buf.readUInt16BE(c.pos) : buf.readUInt32BE(c.pos))
      c.pos += n
      c.type = MsgpackType.MAP
      return skipContainerMeta(c, 2)
    }
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
      return parseExt(c, c.pos, 1 << (b - 0xd4))
    case 0xc7:
      return parseExt(c, c.pos + 1, buf[c.pos])
    case 0xc8:
      return parseExt(c, c.pos + 2, buf.readUInt16BE(c.pos))
    case 0xc9:
      return parseExt(c, c.pos + 4, buf.readUInt32BE(c.pos))
  }
  if (b < 0x80) { c.int = BigInt(b); c.type = MsgpackType.INT; return }
  if (b >= 0xe0) { c.int = BigInt.asUintN(64, BigInt(b - 0x100)); c.type = MsgpackType.NEGINT; return }
  if ((b & 0xe0) === 0xa0) return parseBytes(c, c.pos, b & 0x1f)
  if ((b & 0xf0) === 0x80) { c.len = 2 * (b & 0x0f); c.type = MsgpackType.MAP; return skipContainerMeta(c, 2) }
  if ((b & 0xf0) === 0x90) { c.len = b & 0x0f; c.type = MsgpackType.LIST; return skipContainerMeta(c, 1) }
  fail(c)
}

function order<T> (a: T, b: T): number {
  return a > b ? Cmp.GREATER : a < b ? Cmp.LESS : Cmp.EQUAL
}

/**
 * Compares the elements starting at a[aOff] and b[bOff]. Walks both in step,
 * as the server does: element pairs are compared in document order until one
 * differs; when two lists differ in length, only their common prefix is
 * walked and the length decides.
 */
export function compareAt (a: Buffer, aOff: number, aEnd: number, b: Buffer, bOff: number, bEnd: number): number {
  const c0 = cursor(a, aOff, aEnd)
  const c1 = cursor(b, bOff, bEnd)
  let minCount = 1
  let endResult: number = Cmp.EQUAL
  for (let i = 0; i < minCount; i++) {
    parse(c0)
    parse(c1)
    if (c0.type === MsgpackType.ERROR || c1.type === MsgpackType.ERROR || c0.pos > c0.end || c1.pos > c1.end) {
      return Cmp.ERROR
    }
    if (c0.type === MsgpackType.WILDCARD || c1.type === MsgpackType.WILDCARD) return Cmp.EQUAL
    if (c0.type !== c1.type) return order(c0.type, c1.type)
    switch (c0.type) {
      case MsgpackType.NEGINT:
      case MsgpackType.INT: {
        const r = order(c0.int, c1.int)
        if (r !== Cmp.EQUAL) return r
        break
      }
      case MsgpackType.EXT:
      case MsgpackType.STRING:
      case MsgpackType.BYTES:
      case MsgpackType.GEOJSON: {
        const n = Math.min(c0.len, c1.len)
        const r = Math.sign(a.compare(b, c1.dataStart, c1.dataStart + n, c0.dataStart, c0.dataStart + n))
        if (r !== 0) return r
        const byLen = order(c0.len, c1.len)
        if (byLen !== Cmp.EQUAL) return byLen
        break
      }
      case MsgpackType.LIST:
        if (c0.len === c1.len) {
          minCount += c0.len
          break
        }
        endResult = c0.len < c1.len ? Cmp.LESS : Cmp.GREATER
        minCount = i + 1 + Math.min(c0.len, c1.len)
        break
      case MsgpackType.MAP: {
        const r = order(c0.len, c1.len)
        if (r !== Cmp.EQUAL) return r
        minCount += c0.len
        break
      }
      case MsgpackType.DOUBLE: {
        const r = order(c0.num, c1.num)
        if (r !== Cmp.EQUAL) return r
        break
      }
    }
  }
  return endResult
}

/** Compares two whole elements, each its own buffer. */
export function compare (a: Buffer, b: Buffer): number {
  return compareAt(a, 0, a.length, b, 0, b.length)
}
