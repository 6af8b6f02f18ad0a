// MessagePack as the server reads and writes it (msgpack_in.c, as_msgpack.c):
// element types in the server's compare order, element sizes, scalar and
// header readers, and writers that pick the smallest encoding.

/** The server's msgpack_type, in the order values of different types compare. */
export const MsgpackType = {
  ERROR: 0,
  NIL: 1,
  FALSE: 2,
  TRUE: 3,
  NEGINT: 4,
  INT: 5,
  STRING: 6,
  LIST: 7,
  MAP: 8,
  BYTES: 9,
  DOUBLE: 10,
  GEOJSON: 11,
  EXT: 12,
  WILDCARD: 13,
  INF: 14
} as const

// as_bytes types: the first byte inside a str-family value.
export const BytesType = {
  STRING: 3,
  BLOB: 4,
  GEOJSON: 23
} as const

// The ext type that marks the comparison-only values (wildcard, infinity).
export const CMP_EXT_TYPE = 0xff
const CMP_WILDCARD = 0x00
const CMP_INF = 0x01

export function bytesType (first: number, len: number): number {
  if (len === 0) return MsgpackType.BYTES
  if (first === BytesType.STRING) return MsgpackType.STRING
  if (first === BytesType.GEOJSON) return MsgpackType.GEOJSON
  return MsgpackType.BYTES
}

/** The type of the element at offset (msgpack_peek_type); bounds are the caller's. */
export function peekType (buf: Buffer, off: number): number {
  const b = buf[off]
  switch (b) {
    case 0xc0: return MsgpackType.NIL
    case 0xc2: return MsgpackType.FALSE
    case 0xc3: return MsgpackType.TRUE
    case 0xd0: case 0xd1: case 0xd2: case 0xd3:
      return (buf[off + 1] & 0x80) === 0 ? MsgpackType.INT : MsgpackType.NEGINT
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
      return MsgpackType.INT
    case 0xca: case 0xcb:
      return MsgpackType.DOUBLE
    case 0xc4: case 0xd9:
      return bytesType(buf[off + 2], buf[off + 1])
    case 0xc5: case 0xda:
      return bytesType(buf[off + 3], buf.readUInt16BE(off + 1))
    case 0xc6: case 0xdb:
      return bytesType(buf[off + 5], buf.readUInt32BE(off + 1))
    case 0xdc: case 0xdd:
      return MsgpackType.LIST
    case 0xde: case 0xdf:
      return MsgpackType.MAP
    case 0xd4:
      if (buf[off + 1] === CMP_EXT_TYPE) {
        if (buf[off + 2] === CMP_WILDCARD) return MsgpackType.WILDCARD
        if (buf[off + 2] === CMP_INF) return MsgpackType.INF
      }
      return MsgpackType.ERROR
    case 0xd5: case 0xd6: case 0xd7: case 0xd8:
      return MsgpackType.EXT
    case 0xc7:
      if (buf[off + 1] === 1 && buf[off + 2] === CMP_EXT_TYPE) {
        if (buf[off + 3] === CMP_WILDCARD) return MsgpackType.WILDCARD
        if (buf[off + 3] === CMP_INF) return MsgpackType.INF
      }
      return MsgpackType.EXT
    case 0xc8: case 0xc9:
      return MsgpackType.EXT
  }
  if (b < 0x80) return MsgpackType.INT
  if (b >= 0xe0) return MsgpackType.NEGINT
  if ((b & 0xe0) === 0xa0) return bytesType(buf[off + 1], b & 0x1f)
  if ((b & 0xf0) === 0x80) return MsgpackType.MAP
  if ((b & 0xf0) === 0x90) return MsgpackType.LIST
  return MsgpackType.ERROR
}

export function isExt (buf: Buffer, off: number, end: number): boolean {
  if (off >= end) return false
  const b = buf[off]
  return b === 0xc7 || b === 0xc8 || b === 0xc9 || (b >= 0xd4 && b <= 0xd8)
}

/** Tracks whether a scan met a comparison-only (non-storage) value. */
export interface ScanState {
  nonstorage: boolean
}

// One element's own header (msgpack_sz_table): the offset past it, and how
// many nested elements follow it; -1 when the bytes run out or are invalid.
function headerEnd (buf: Buffer, off: number, end: number, state: ScanState | undefined): { next: number, children: number } {
  if (off + 1 > end) return { next: -1, children: 0 }
  const b = buf[off++]
  const need = (n: number): boolean => off + n <= end
  switch (b) {
    case 0xc0: case 0xc2: case 0xc3: return { next: off, children: 0 }
    case 0xcc: case 0xd0: return { next: off + 1, children: 0 }
    case 0xcd: case 0xd1: return { next: off + 2, children: 0 }
    case 0xca: case 0xce: case 0xd2: return { next: off + 4, children: 0 }
    case 0xcb: case 0xcf: case 0xd3: return { next: off + 8, children: 0 }
    case 0xc4: case 0xd9: return need(1) ? { next: off + 1 + buf[off], children: 0 } : { next: -1, children: 0 }
    case 0xc5: case 0xda: return need(2) ? { next: off + 2 + buf.readUInt16BE(off), children: 0 } : { next: -1, children: 0 }
    case 0xc6: case 0xdb: return need(4) ? { next: off + 4 + buf.readUInt32BE(off), children: 0 } : { next: -1, children: 0 }
    case 0xdc: return need(2) ? { next: off + 2, children: buf.readUInt16BE(off) } : { next: -1, children: 0 }
    case 0xdd: return need(4) ? { next: off + 4, children: buf.readUInt32BE(off) } : { next: -1, children: 0 }
    case 0xde: return need(2) ? { next: off + 2, children: 2 * buf.readUInt16BE(off) } : { next: -1, children: 0 }
    case 0xdf: return need(4) ? { next: off + 4, children: 2 * buf.readUInt32BE(off) } : { next: -1, children: 0 }
    case 0xd4: case 0xd5:
      if (!need(1)) return { next: -1, children: 0 }
      if (buf[off] === CMP_EXT_TYPE && state !== undefined) state.nonstorage = true
      return { next: off + 1 + (b === 0xd4 ? 1 : 2), children: 0 }
    case 0xd6: return { next: off + 5, children: 0 }
    case 0xd7: return { next: off + 9, children: 0 }
    case 0xd8: return { next: off + 17, children: 0 }
    case 0xc7: {
      if (!need(2)) return { next: -1, children: 0 }
      const len = buf[off]
      if (buf[off + 1] === CMP_EXT_TYPE && len < 4 && len !== 0 && state !== undefined) state.nonstorage = true
      return { next: off + 2 + len, children: 0 }
    }
    case 0xc8: {
      if (!need(3)) return { next: -1, children: 0 }
      const len = buf.readUInt16BE(off)
      if (buf[off + 2] === CMP_EXT_TYPE && len < 4 && len !== 0 && state !== undefined) state.nonstorage = true
      return { next: off + 3 + len, children: 0 }
    }
    case 0xc9: {
      if (!need(5)) return { next: -1, children: 0 }
      const len = buf.readUInt32BE(off)
      if (buf[off + 4] === CMP_EXT_TYPE && len < 4 && len !== 0 && state !== undefined) state.nonstorage = true
      return { next: off + 5 + len, children: 0 }
    }
  }
  if (b < 0x80 || b >= 0xe0) return { next: off, children: 0 }
  if ((b & 0xe0) === 0xa0) return { next: off + (b & 0x1f), children: 0 }
  if ((b & 0xf0) === 0x80) return { next: off, children: 2 * (b & 0x0f) }
  if ((b & 0xf0) === 0x90) return { next: off, children: b & 0x0f }
  return { next: -1, children: 0 }
}

/** The offset just past `count` whole elements from off, or -1 (msgpack_sz_rep). */
export function skip (buf: Buffer, off: number, end: number, count = 1, state?: ScanState): number {
  for (let i = 0; i < count; i++) {
    const h = headerEnd(buf, off, end, state)
    if (h.next < 0 || h.next > end) return -1
    off = h.next
    count += h.children
  }
  return off
}

export interface Read<T> {
  value: T
  next: number
}

/** An integer of any width, as int64 (msgpack_get_uint64/int64 share the bits). */
export function readInt (buf: Buffer, off: number, end: number): Read<bigint> | undefined {
  if (off >= end) return undefined
  const b = buf[off]
  const fits = (n: number): boolean => off + 1 + n <= end
  switch (b) {
    case 0xcc: return fits(1) ? { value: BigInt(buf[off + 1]), next: off + 2 } : undefined
    case 0xcd: return fits(2) ? { value: BigInt(buf.readUInt16BE(off + 1)), next: off + 3 } : undefined
    case 0xce: return fits(4) ? { value: BigInt(buf.readUInt32BE(off + 1)), next: off + 5 } : undefined
    case 0xcf: return fits(8) ? { value: buf.readBigInt64BE(off + 1), next: off + 9 } : undefined
    case 0xd0: return fits(1) ? { value: BigInt(buf.readInt8(off + 1)), next: off + 2 } : undefined
    case 0xd1: return fits(2) ? { value: BigInt(buf.readInt16BE(off + 1)), next: off + 3 } : undefined
    case 0xd2: return fits(4) ? { value: BigInt(buf.readInt32BE(off + 1)), next: off + 5 } : undefined
    case 0xd3: return fits(8) ? { value: buf.readBigInt64BE(off + 1), next: off + 9 } : undefined
  }
  if (b < 0x80) return { value: BigInt(b), next: off + 1 }
  if (b >= 0xe0) return { value: BigInt(b - 0x100), next: off + 1 }
  return undefined
}

export function readDouble (buf: Buffer, off: number, end: number): Read<number> | undefined {
  if (buf[off] === 0xca && off + 5 <= end) return { value: buf.readFloatBE(off + 1), next: off + 5 }
  if (buf[off] === 0xcb && off + 9 <= end) return { value: buf.readDoubleBE(off + 1), next: off + 9 }
  return undefined
}

/** A str/bin family value: where its bytes start and how many (msgpack_get_bin). */
export function readBin (buf: Buffer, off: number, end: number): { start: number, len: number, next: number } | undefined {
  if (off >= end) return undefined
  const b = buf[off]
  let start: number
  let len: number
  switch (b) {
    case 0xc4: case 0xd9:
      if (off + 2 > end) return undefined
      len = buf[off + 1]; start = off + 2; break
    case 0xc5: case 0xda:
      if (off + 3 > end) return undefined
      len = buf.readUInt16BE(off + 1); start = off + 3; break
    case 0xc6: case 0xdb:
      if (off + 5 > end) return undefined
      len = buf.readUInt32BE(off + 1); start = off + 5; break
    default:
      if ((b & 0xe0) !== 0xa0) return undefined
      len = b & 0x1f; start = off + 1
  }
  return start + len > end ? undefined : { start, len, next: start + len }
}

// A container header: fixed (tag in the high nibble), 16-bit or 32-bit count.
function readCount (buf: Buffer, off: number, end: number, fixTag: number, tag16: number): Read<number> | undefined {
  if (off >= end) return undefined
  const b = buf[off]
  if (b === tag16) return off + 3 <= end ? { value: buf.readUInt16BE(off + 1), next: off + 3 } : undefined
  if (b === tag16 + 1) return off + 5 <= end ? { value: buf.readUInt32BE(off + 1), next: off + 5 } : undefined
  if ((b & 0xf0) === fixTag) return { value: b & 0x0f, next: off + 1 }
  return undefined
}

export function readListHeader (buf: Buffer, off: number, end: number): Read<number> | undefined {
  return readCount(buf, off, end, 0x90, 0xdc)
}

export function readMapHeader (buf: Buffer, off: number, end: number): Read<number> | undefined {
  return readCount(buf, off, end, 0x80, 0xde)
}

export interface Ext {
  type: number
  dataStart: number
  size: number
  next: number
}

/** An ext element (msgpack_get_ext); its size counts the data bytes only. */
export function readExt (buf: Buffer, off: number, end: number): Ext | undefined {
  if (end - off < 3) return undefined
  let size: number
  let typeAt = off + 1
  switch (buf[off]) {
    case 0xd4: size = 1; break
    case 0xd5: size = 2; break
    case 0xd6: size = 4; break
    case 0xd7: size = 8; break
    case 0xd8: size = 16; break
    case 0xc7: size = buf[off + 1]; typeAt = off + 2; break
    case 0xc8:
      if (off + 3 >= end) return undefined
      size = buf.readUInt16BE(off + 1); typeAt = off + 3; break
    case 0xc9:
      if (off + 5 >= end) return undefined
      size = buf.readUInt32BE(off + 1); typeAt = off + 5; break
    default:
      return undefined
  }
  const next = typeAt + 1 + size
  return next > end ? undefined : { type: buf[typeAt], dataStart: typeAt + 1, size, next }
}

export const NIL = Buffer.from([0xc0])

export function packInt (value: bigint): Buffer {
  const v = BigInt.asIntN(64, value)
  if (v >= 0n) {
    if (v < 0x80n) return Buffer.from([Number(v)])
    if (v < 0x100n) return Buffer.from([0xcc, Number(v)])
    if (v < 0x10000n) { const b = Buffer.alloc(3); b[0] = 0xcd; b.writeUInt16BE(Number(v), 1); return b }
    if (v < 0x100000000n) { const b = Buffer.alloc(5); b[0] = 0xce; b.writeUInt32BE(Number(v), 1); return b }
    const b = Buffer.alloc(9); b[0] = 0xcf; b.writeBigUInt64BE(v, 1); return b
  }
  if (v >= -32n) return Buffer.from([0xe0 | Number(v + 32n)])
  if (v >= -128n) { const b = Buffer.alloc(2); b[0] = 0xd0; b.writeInt8(Number(v), 1); return b }
  if (v >= -32768n) { const b = Buffer.alloc(3); b[0] = 0xd1; b.writeInt16BE(Number(v), 1); return b }
  if (v >= -2147483648n) { const b = Buffer.alloc(5); b[0] = 0xd2; b.writeInt32BE(Number(v), 1); return b }
  const b = Buffer.alloc(9); b[0] = 0xd3; b.writeBigInt64BE(v, 1); return b
}

export function packDouble (value: number): Buffer {
  const b = Buffer.alloc(9)
  b[0] = 0xcb
  b.writeDoubleBE(value, 1)
  return b
}

function sizedHeader (n: number, fix: number, h16: number, h32: number, fixLimit: number): Buffer {
  if (n < fixLimit) return Buffer.from([fix | n])
  if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = h16; b.writeUInt16BE(n, 1); return b }
  const b = Buffer.alloc(5); b[0] = h32; b.writeUInt32BE(n, 1); return b
}

export function listHeader (count: number): Buffer {
  return sizedHeader(count, 0x90, 0xdc, 0xdd, 16)
}

export function mapHeader (count: number): Buffer {
  return sizedHeader(count, 0x80, 0xde, 0xdf, 16)
}

/** A str-family header for `len` bytes (the server packs blobs the same way). */
export function strHeader (len: number): Buffer {
  if (len < 32) return Buffer.from([0xa0 | len])
  if (len < 0x100) return Buffer.from([0xd9, len])
  return sizedHeader(len, 0, 0xda, 0xdb, 0)
}

export function extHeader (size: number, type: number): Buffer {
  const fixed = [1, 2, 4, 8, 16].indexOf(size)
  if (fixed >= 0) return Buffer.from([0xd4 + fixed, type])
  if (size < 0x100) return Buffer.from([0xc7, size, type])
  if (size < 0x10000) { const b = Buffer.alloc(4); b[0] = 0xc8; b.writeUInt16BE(size, 1); b[3] = type; return b }
  const b = Buffer.alloc(6); b[0] = 0xc9; b.writeUInt32BE(size, 1); b[5] = type; return b
}
