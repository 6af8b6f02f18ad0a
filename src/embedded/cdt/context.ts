// Nested contexts (cdt_context_dig and the list/map subcontext functions):
// each step picks an element of a list (by index, rank or value) or of a map
// (by index, rank, key or value). Steps with create flags make the missing
// list element or map key, and every container below it, when the operation
// writes; the rebuilt path is then written back up, an element of an ordered
// list moving to where its new value ranks.

import { Result } from '../wire'
import { Cmp, compare } from './compare'
import { Ctx, ListFlag, MapFlag, PERSIST_INDEX } from './flags'
import { boundSpan } from './list'
import { findKey, findKeyMaybeUnordered, idxByKeyRank, idxByValueRank } from './map-find'
import { MsgpackType, NIL, ScanState, extHeader, listHeader, mapHeader, peekType, readInt, readListHeader, skip } from './msgpack'
import { findRank, selectRankRange } from './order'
import { PackedList, PackedMap, encodeList, encodeMap, parseList, parseMap } from './packed'
import { rewriteUntrusted } from './untrusted'

interface CtxItem {
  type: number
  value: Buffer
}

type Frame =
  | { kind: 'list', list: PackedList, idx: number, creating: boolean, pad: number }
  | { kind: 'map', map: PackedMap, idx: number, creating: boolean, key: Buffer }

export interface Dug {
  frames: Frame[]
  // The selected element; undefined when the context creates it.
  target: Buffer | undefined
  created: boolean
  // The steps below the one that creates, each making one more container.
  chain: CtxItem[]
  // Set when the bin itself is missing: the step that creates it.
  top: CtxItem | undefined
}

const CREATE_BITS = Ctx.CREATE_MASK & ~Ctx.CREATE_PERSIST_INDEX

function createTypeOk (type: number): boolean {
  const masked = type & Ctx.TYPE_MASK
  if ((masked & Ctx.LIST) !== 0 || (masked & Ctx.MAP) !== 0) return true
  return (type & Ctx.CREATE_MASK) === 0
}

function readItems (buf: Buffer, off: number, end: number): { items: CtxItem[] } | { rc: number } {
  const h = readListHeader(buf, off, end)
  if (h === undefined || h.value === 0 || h.value % 2 === 1) return { rc: Result.PARAMETER }
  const items: CtxItem[] = []
  let pos = h.next
  for (let i = 0; i < h.value / 2; i++) {
    const t = readInt(buf, pos, end)
    if (t === undefined) return { rc: Result.PARAMETER }
    const next = skip(buf, t.next, end)
    if (next < 0) return { rc: Result.PARAMETER }
    items.push({ type: Number(BigInt.asUintN(64, t.value) & 0xffffn), value: buf.subarray(t.next, next) })
    pos = next
  }
  return { items }
}

function itemInt (item: CtxItem): bigint | undefined {
  return readInt(item.value, 0, item.value.length)?.value
}

// cdt_context_ctx_type_create_sz: whether a step can make its container.
function creatable (item: CtxItem, isTop: boolean): boolean {
  const masked = item.type & Ctx.TYPE_MASK
  if (!createTypeOk(item.type) || (!isTop && (item.type & Ctx.CREATE_PERSIST_INDEX) !== 0)) return false
  if (masked === (Ctx.KEY | Ctx.MAP)) {
    const state: ScanState = { nonstorage: false }
    return skip(item.value, 0, item.value.length, 1, state) >= 0 && !state.nonstorage && rewriteUntrusted(item.value) !== undefined
  }
  if (masked !== (Ctx.INDEX | Ctx.LIST)) return false
  const idx = itemInt(item)
  if (idx === undefined || idx < -1n) return false
  if ((item.type & Ctx.CREATE_MASK) === 0) return idx <= 0n
  const cr = item.type & CREATE_BITS
  if (cr === Ctx.CREATE_LIST_UNORDERED_UNBOUND || cr === Ctx.CREATE_LIST_ORDERED) return true
  return (item.type & Ctx.CREATE_PERSIST_INDEX) !== 0 || idx <= 0n
}

interface Selected {
  frame: Frame
  element: Buffer | undefined
}

function listStep (list: PackedList, item: CtxItem, base: number): Selected | undefined {
  const { items } = list
  const n = items.length
  if (base === Ctx.RANK && !list.ordered) {
    const rank = itemInt(item)
    if (rank === undefined) return undefined
    const span = boundSpan(rank, 1n, n, false)
    if (span === undefined) return undefined
    const heap = selectRankRange(n, span.index, 1, (i, j) => compare(items[i], items[j]))
    if (heap === undefined) return undefined
    const idx = heap.order[heap.filled]
    return { frame: { kind: 'list', list, idx, creating: false, pad: 0 }, element: items[idx] }
  }
  if (base === Ctx.INDEX || base === Ctx.RANK) {
    const index = itemInt(item)
    if (index === undefined) return undefined
    const span = boundSpan(index, 1n, n, false)
    if (span !== undefined) return { frame: { kind: 'list', list, idx: span.index, creating: false, pad: 0 }, element: items[span.index] }
    if ((item.type & CREATE_BITS) === 0) return undefined
    let pad = 0
    if (!((n === 0 && index === -1n) || index === BigInt(n) || list.ordered)) {
      if ((item.type & CREATE_BITS) !== Ctx.CREATE_LIST_UNORDERED_UNBOUND || index < 0n) return undefined
      pad = Number(index) - n
    }
    return { frame: { kind: 'list', list, idx: n, creating: true, pad }, element: undefined }
  }
  if (base === Ctx.VALUE) {
    if (n === 0) return undefined
    let idx = -1
    if (list.ordered) {
      const find = { start: 0, count: n, target: 0, result: 0, found: false }
      findRank(n, find, (rank) => compare(item.value, items[rank]), (rank) => rank)
      if (find.found) idx = find.result
    } else {
      idx = items.findIndex((v) => compare(v, item.value) === Cmp.EQUAL)
    }
    return idx < 0 ? undefined : { frame: { kind: 'list', list, idx, creating: false, pad: 0 }, element: items[idx] }
  }
  return undefined
}

function mapStep (map: PackedMap, item: CtxItem, base: number): Selected | undefined {
  const n = map.size
  const select = (idx: number | undefined): Selected | undefined =>
    idx === undefined ? undefined : { frame: { kind: 'map', map, idx, creating: false, key: map.keys[idx] }, element: map.values[idx] }
  switch (base) {
    case Ctx.INDEX:
    case Ctx.RANK: {
      const index = itemInt(item)
      if (index === undefined) return undefined
      const span = boundSpan(index, 1n, n, false)
      if (span === undefined) return undefined
      return select(base === Ctx.INDEX ? idxByKeyRank(map, span.index) : idxByValueRank(map, span.index))
    }
    case Ctx.KEY: {
      const state: ScanState = { nonstorage: false }
      skip(item.value, 0, item.value.length, 1, state)
      const key = rewriteUntrusted(item.value)
      if (key === undefined) return undefined
      const find = map.keyOrdered ? findKey(map, key) : findKeyMaybeUnordered(map, key)
      if (find === undefined) return undefined
      if (find.found) return select(find.idx)
      if ((item.type & CREATE_BITS) === 0 || state.nonstorage) return undefined
      return { frame: { kind: 'map', map, idx: find.idx, creating: true, key }, element: undefined }
    }
    case Ctx.VALUE: {
      if (n === 0) return undefined
      const idx = map.values.findIndex((v) => compare(v, item.value) === Cmp.EQUAL)
      return idx < 0 ? undefined : select(idx)
    }
  }
  return undefined
}

/** cdt_context_dig: follows the context from the bin (undefined when missing). */
export function dig (bin: Buffer | undefined, ctx: Buffer, isModify: boolean): Dug | { rc: number } {
  const read = readItems(ctx, 0, ctx.length)
  if ('rc' in read) return read
  const { items } = read
  const frames: Frame[] = []
  let current = bin
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    const base = item.type & Ctx.BASE_MASK
    if (base > Ctx.VALUE || !createTypeOk(item.type)) return { rc: Result.OP_NOT_APPLICABLE }
    if (current === undefined) {
      if ((item.type & CREATE_BITS) === 0 || !creatable(item, true)) return { rc: Result.OP_NOT_APPLICABLE }
      const chain = items.slice(i + 1)
      if (!chain.every((c) => creatable(c, false))) return { rc: Result.OP_NOT_APPLICABLE }
      return { frames, target: undefined, created: true, chain, top: item }
    }
    const type = peekType(current, 0)
    let sel: Selected | undefined
    if (type === MsgpackType.LIST) {
      if ((item.type & Ctx.MAP) !== 0) return { rc: Result.OP_NOT_APPLICABLE }
      const list = parseList(current)
      sel = list === undefined ? undefined : listStep(list, item, base)
    } else if (type === MsgpackType.MAP) {
      if ((item.type & Ctx.LIST) !== 0) return { rc: Result.OP_NOT_APPLICABLE }
      const map = parseMap(current)
      sel = map === undefined ? undefined : mapStep(map, item, base)
    } else {
      return { rc: Result.OP_NOT_APPLICABLE }
    }
    if (sel === undefined) return { rc: Result.OP_NOT_APPLICABLE }
    frames.push(sel.frame)
    if (sel.frame.creating) {
      const chain = items.slice(i + 1)
      if (!isModify || !chain.every((c) => creatable(c, false))) return { rc: Result.OP_NOT_APPLICABLE }
      return { frames, target: undefined, created: true, chain, top: undefined }
    }
    current = sel.element
  }
  return { frames, target: current, created: false, chain: [], top: undefined }
}

function mapCreateFlags (type: number): number {
  switch (type & CREATE_BITS) {
    case Ctx.CREATE_MAP_K_ORDERED: return MapFlag.K_ORDERED
    case Ctx.CREATE_MAP_KV_ORDERED: return MapFlag.KV_ORDERED
    default: return 0
  }
}

// cdt_context_fill_create: the container one step makes, holding `inner`.
function wrap (item: CtxItem, inner: Buffer): Buffer {
  if ((item.type & Ctx.TYPE_MASK) === (Ctx.KEY | Ctx.MAP)) {
    const flags = mapCreateFlags(item.type)
    const key = rewriteUntrusted(item.value) as Buffer
    const head = flags === 0 ? [mapHeader(1)] : [mapHeader(2), extHeader(0, flags), NIL]
    return Buffer.concat([...head, key, inner])
  }
  const cr = item.type & CREATE_BITS
  let idx = Number(itemInt(item) as bigint)
  if (idx === -1) idx = 0
  if (cr === Ctx.CREATE_LIST_UNORDERED_UNBOUND) {
    return Buffer.concat([listHeader(idx + 1), Buffer.alloc(idx, 0xc0), inner])
  }
  if (cr === Ctx.CREATE_LIST_ORDERED) return Buffer.concat([listHeader(2), extHeader(0, ListFlag.ORDERED), inner])
  return Buffer.concat([listHeader(1), inner])
}

// cdt_context_unwind_list: in an ordered list a changed element moves to
// where its value ranks among the list as it was.
function reposition (orig: readonly Buffer[], items: Buffer[], idx: number): void {
  const value = items[idx]
  const find = { start: 0, count: orig.length, target: 0, result: 0, found: false }
  if (orig.length !== 0) findRank(orig.length, find, (rank) => compare(value, orig[rank]), (rank) => rank)
  const rank = orig.length === 0 ? 0 : find.result
  if (rank === idx || rank === idx + 1) return
  items.splice(idx, 1)
  items.splice(rank < idx ? rank : rank - 1, 0, value)
}

/** Writes the operation's new container back up the context; the new bin value. */
export function rebuild (dug: Dug, written: Buffer): Buffer {
  let child = written
  for (let i = dug.chain.length - 1; i >= 0; i--) child = wrap(dug.chain[i], child)
  if (dug.top !== undefined) return wrap({ type: dug.top.type & ~PERSIST_INDEX, value: dug.top.value }, child)
  for (let i = dug.frames.length - 1; i >= 0; i--) {
    const f = dug.frames[i]
    if (f.kind === 'list') {
      const items = f.list.items.slice()
      if (f.creating) items.push(...new Array<Buffer>(f.pad).fill(NIL), child)
      else items[f.idx] = child
      const at = f.creating ? items.length - 1 : f.idx
      if (f.list.ordered) reposition(f.list.items, items, at)
      child = encodeList(f.list.flags, items)
    } else {
      const keys = f.map.keys.slice()
      const values = f.map.values.slice()
      if (f.creating) {
        keys.splice(f.idx, 0, f.key)
        values.splice(f.idx, 0, child)
      } else {
        values[f.idx] = child
      }
      child = encodeMap(f.map.flags, keys, values)
    }
  }
  return child
}
