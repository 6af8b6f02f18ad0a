// Lists and maps as the server stores them: a msgpack header, then for an
// ordered container an ext element carrying the order flags (and for a map a
// nil paired with it), then the elements.

import { ListFlag, MapFlag } from './flags'
import { NIL, extHeader, isExt, listHeader, mapHeader, readExt, readListHeader, readMapHeader, skip } from './msgpack'

export class PackedList {
  constructor (readonly flags: number, readonly items: Buffer[]) {}

  get ordered (): boolean {
    return (this.flags & ListFlag.ORDERED) !== 0
  }
}

export class PackedMap {
  // Keys and values side by side, in stored order.
  constructor (readonly flags: number, readonly keys: Buffer[], readonly values: Buffer[]) {}

  get size (): number {
    return this.keys.length
  }

  // Any order flag keeps a map in key order (is_k_ordered).
  get keyOrdered (): boolean {
    return this.flags !== 0
  }

  get valueOrdered (): boolean {
    return (this.flags & MapFlag.V_ORDERED) !== 0
  }
}

function elements (buf: Buffer, off: number, end: number, count: number): Buffer[] | undefined {
  const out: Buffer[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const next = skip(buf, off, end)
    if (next < 0) return undefined
    out[i] = buf.subarray(off, next)
    off = next
  }
  return off === end ? out : undefined
}

interface Opened {
  count: number
  off: number
  flags: number
}

// The header and metadata of a list or map: element count (pairs for maps)
// and where the elements start.
function open (buf: Buffer, isMap: boolean): Opened | undefined {
  const h = (isMap ? readMapHeader : readListHeader)(buf, 0, buf.length)
  if (h === undefined) return undefined
  if (h.value === 0 || !isExt(buf, h.next, buf.length)) return { count: h.value, off: h.next, flags: 0 }
  const ext = readExt(buf, h.next, buf.length)
  if (ext === undefined) return undefined
  const off = isMap ? skip(buf, ext.next, buf.length) : ext.next
  return off < 0 ? undefined : { count: h.value - 1, off, flags: ext.type }
}

export function parseList (buf: Buffer): PackedList | undefined {
  const o = open(buf, false)
  const items = o === undefined ? undefined : elements(buf, o.off, buf.length, o.count)
  return items === undefined ? undefined : new PackedList((o as Opened).flags, items)
}

export function parseMap (buf: Buffer): PackedMap | undefined {
  const o = open(buf, true)
  const all = o === undefined ? undefined : elements(buf, o.off, buf.length, 2 * o.count)
  if (all === undefined) return undefined
  const count = all.length / 2
  const keys: Buffer[] = new Array(count)
  const values: Buffer[] = new Array(count)
  for (let i = 0; i < count; i++) {
    keys[i] = all[2 * i]
    values[i] = all[2 * i + 1]
  }
  return new PackedMap((o as Opened).flags, keys, values)
}

export function encodeList (flags: number, items: readonly Buffer[]): Buffer {
  if (flags === 0) return Buffer.concat([listHeader(items.length), ...items])
  return Buffer.concat([listHeader(items.length + 1), extHeader(0, flags), ...items])
}

export function encodeMap (flags: number, keys: readonly Buffer[], values: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [mapHeader(keys.length + (flags === 0 ? 0 : 1))]
  if (flags !== 0) parts.push(extHeader(0, flags), NIL)
  for (let i = 0; i < keys.length; i++) parts.push(keys[i], values[i])
  return Buffer.concat(parts)
}

/** An empty list as the server writes one when a list loses its last element. */
export function emptyList (ordered: boolean): Buffer {
  return encodeList(ordered ? ListFlag.ORDERED : 0, [])
}
