// Client msgpack as the server accepts it (cdt_untrusted_rewrite in cdt.c):
// it refuses comparison-only values, truncation, trailing bytes, invalid map
// keys, duplicate keys and ordered containers out of order; it rewrites
// numbers, strings and headers in their smallest form, drops metadata that
// carries no order flag, and sorts the pairs of maps given out of key order.

import { compareAt, Cmp } from './compare'
import {
  BytesType, MsgpackType, extHeader, listHeader, mapHeader, packInt, peekType, readBin, readExt, readInt, readListHeader,
  readMapHeader, skip, strHeader
} from './msgpack'
import { ListFlag, MapFlag, PERSIST_INDEX } from './flags'

interface Rewritten {
  parts: Buffer[]
  next: number
}

/** A map key must be an integer, a string or a plain blob (map_is_key). */
export function isMapKey (buf: Buffer, off: number, end: number): boolean {
  switch (peekType(buf, off)) {
    case MsgpackType.NEGINT:
    case MsgpackType.INT:
    case MsgpackType.STRING:
      return true
    case MsgpackType.BYTES: {
      const bin = readBin(buf, off, end)
      return bin !== undefined && bin.len !== 0 && buf[bin.start] === BytesType.BLOB
    }
    default:
      return false
  }
}

// A scalar in its smallest form (msgpack_parse's not_compact rules, then
// msgpack_compactify_element); undefined when invalid or comparison-only.
function rewriteScalar (buf: Buffer, off: number, end: number): Rewritten | undefined {
  const next = skip(buf, off, end, 1, undefined)
  if (next < 0) return undefined
  const b = buf[off]
  const raw = (): Rewritten => ({ parts: [buf.subarray(off, next)], next })
  switch (b) {
    case 0xc1:
      return undefined
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      const v = readInt(buf, off, end)
      if (v === undefined) return undefined
      const compact = b >= 0xd0 ? packInt(v.value) : packInt(BigInt.asUintN(64, v.value))
      return { parts: [compact.length === next - off ? buf.subarray(off, next) : compact], next }
    }
    case 0xc4: case 0xd9: case 0xc5: case 0xda: case 0xc6: case 0xdb: {
      const bin = readBin(buf, off, end)
      if (bin === undefined) return undefined
      const limit = b === 0xc4 || b === 0xd9 ? 0x1f : b === 0xc5 || b === 0xda ? 0xff : 0xffff
      if (bin.len > limit) return raw()
      return { parts: [strHeader(bin.len), buf.subarray(bin.start, bin.next)], next }
    }
    case 0xd4: case 0xd5: case 0xc7: case 0xc8: case 0xc9: {
      const ext = readExt(buf, off, end)
      if (ext === undefined) return undefined
      if (ext.type === 0xff && ext.size < 4 && ext.size !== 0) return undefined
      const compactable = b === 0xc7 ? ext.size !== 0 && [1, 2, 4, 8, 16].includes(ext.size) : b === 0xc8 ? ext.size <= 0xff : b === 0xc9 ? ext.size <= 0xffff : false
      if (!compactable) return raw()
      return { parts: [extHeader(ext.size, ext.type), buf.subarray(ext.dataStart, ext.next)], next }
    }
  }
  return raw()
}

function rewriteElement (buf: Buffer, off: number, end: number): Rewritten | undefined {
  const type = peekType(buf, off)
  if (type !== MsgpackType.LIST && type !== MsgpackType.MAP) return rewriteScalar(buf, off, end)
  const isMap = type === MsgpackType.MAP
  const h = isMap ? readMapHeader(buf, off, end) : readListHeader(buf, off, end)
  if (h === undefined) return undefined
  let count = h.value
  let pos = h.next
  let flags = 0
  if (count !== 0 && peekType(buf, pos) === MsgpackType.EXT) {
    const ext = readExt(buf, pos, end)
    if (ext === undefined) return undefined
    pos = ext.next
    count--
    if (isMap) {
      pos = skip(buf, pos, end)
      if (pos < 0) return undefined
    }
    // A persisted index is the server's own business: it never shows in
    // what a client reads back, so only the order flags are kept.
    flags = ext.type & (isMap ? MapFlag.KV_ORDERED : ListFlag.ORDERED) & ~PERSIST_INDEX
  }
  if (isMap && count !== 0 && !isMapKey(buf, pos, end)) return undefined
  const elements: Buffer[][] = []
  const keys: Array<{ buf: Buffer, off: number, end: number }> = []
  let needSort = false
  let prevStart = pos
  for (let i = 0; i < count * (isMap ? 2 : 1); i++) {
    const isKey = !isMap || i % 2 === 0
    if (isMap && isKey && i !== 0 && !isMapKey(buf, pos, end)) return undefined
    const checkOrder = isMap ? !needSort : (flags & ListFlag.ORDERED) !== 0
    if (i !== 0 && isKey && checkOrder) {
      const prevEnd = skip(buf, prevStart, end)
      const cmp = compareAt(buf, prevStart, prevEnd, buf, pos, end)
      if (cmp === Cmp.ERROR) return undefined
      if (cmp === Cmp.EQUAL && isMap) return undefined
      if (cmp === Cmp.GREATER) {
        if (!isMap || (flags & MapFlag.K_ORDERED) !== 0) return undefined
        needSort = true
      }
      prevStart = pos
    }
    const child = rewriteElement(buf, pos, end)
    if (child === undefined) return undefined
    if (isKey) keys.push({ buf, off: pos, end: child.next })
    pos = child.next
    if (isMap && !isKey) elements[elements.length - 1].push(...child.parts)
    else elements.push(child.parts)
  }
  if (needSort) {
    const order = keys.map((_, i) => i)
    order.sort((x, y) => compareAt(keys[x].buf, keys[x].off, keys[x].end, keys[y].buf, keys[y].off, keys[y].end))
    for (let i = 1; i < order.length; i++) {
      const a = keys[order[i - 1]]
      const b = keys[order[i]]
      if (compareAt(a.buf, a.off, a.end, b.buf, b.off, b.end) === Cmp.EQUAL) return undefined
    }
    const sorted = order.map((i) => elements[i])
    elements.length = 0
    elements.push(...sorted)
  }
  const meta = flags === 0 ? [] : isMap ? [extHeader(0, flags), Buffer.from([0xc0])] : [extHeader(0, flags)]
  const header = (isMap ? mapHeader : listHeader)(count + (flags === 0 ? 0 : 1))
  return { parts: [header, ...meta, ...elements.flat()], next: pos }
}

/** The value as the server would store it, or undefined when it refuses it. */
export function rewriteUntrusted (value: Buffer): Buffer | undefined {
  if (value.length === 0) return undefined
  const r = rewriteElement(value, 0, value.length)
  if (r === undefined || r.next !== value.length) return undefined
  return r.parts.length === 1 ? r.parts[0] : Buffer.concat(r.parts)
}
