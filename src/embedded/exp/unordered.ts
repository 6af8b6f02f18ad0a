// msgpack_cmp refuses to order values holding an unordered map: a map whose
// first element is not the ext header of a key-ordered map.

import { MsgpackType, peekType, readExt, readListHeader, readMapHeader, skip } from '../cdt/msgpack'

const K_ORDERED = 0x01

function walk (buf: Buffer, off: number, end: number): number {
  const type = peekType(buf, off)
  if (type === MsgpackType.LIST) {
    const h = readListHeader(buf, off, end)
    if (h === undefined) return -1
    let at = h.next
    for (let i = 0; i < h.value && at >= 0; i++) at = walk(buf, at, end)
    return at
  }
  if (type === MsgpackType.MAP) {
    const h = readMapHeader(buf, off, end)
    if (h === undefined) return -1
    if (h.value > 0) {
      const ext = readExt(buf, h.next, end)
      if (ext === undefined || (ext.type & K_ORDERED) === 0) return -2
    }
    let at = h.next
    for (let i = 0; i < 2 * h.value && at >= 0; i++) at = walk(buf, at, end)
    return at
  }
  return skip(buf, off, end)
}

export function hasUnorderedMap (buf: Buffer): boolean {
  return walk(buf, 0, buf.length) === -2
}
