// List operations (particle_list.c): appends and inserts with their write
// flags, sets, increments, sorts, and the get/remove family by index, value,
// value list, rank and relative rank, on unordered and ordered lists.

import { Result } from '../wire'
import { Cmp, compare } from './compare'
import { ListFlag, ListWrite, PERSIST_INDEX, ResultType, SortFlag } from './flags'
import { MsgpackType, packDouble, packInt, peekType, readDouble, readInt } from './msgpack'
import { PackedList, emptyList, encodeList, parseList } from './packed'
import { parseParamList } from './params'
import { Span, complementSpan, findItems, findRank, positionsByItems, RankFind, selectRankRange } from './order'
import { ResultData, doubleValue, intRange, intValue, setIndexRankCount, setIntListByMask, setNotFound, setRange } from './result'
import { Target } from './target'
import { rewriteUntrusted } from './untrusted'

const INT32_MAX = 0x7fffffff

function isUnique (flags: bigint): boolean {
  return (flags & BigInt(ListWrite.ADD_UNIQUE)) !== 0n
}

function isNoFail (flags: bigint): boolean {
  return (flags & BigInt(ListWrite.NO_FAIL)) !== 0n
}

function isDoPartial (flags: bigint): boolean {
  const both = BigInt(ListWrite.NO_FAIL | ListWrite.DO_PARTIAL)
  return (flags & both) === both
}

function existsCode (flags: bigint): number {
  return isNoFail(flags) ? Result.OK : Result.ELEMENT_EXISTS
}

/** The list the target holds, an empty one when it holds none. */
export function targetList (t: Target): PackedList | undefined {
  if (t.bytes === undefined) return new PackedList(t.created ? t.createFlags : 0, [])
  return parseList(t.bytes)
}

function write (t: Target, flags: number, items: readonly Buffer[]): void {
  t.write = encodeList(flags, items)
}

function writeEmpty (t: Target, ordered: boolean): void {
  t.write = emptyList(ordered)
}

/**
 * Makes an empty list stand in for a missing one (cdt_context_use_static_list_if_notinuse):
 * a missing bin gets it at once; a created context only if the op writes.
 */
export function useEmptyIfMissing (t: Target, flags: number): void {
  flags &= ~PERSIST_INDEX
  if ((flags & ~ListFlag.ORDERED) !== 0) flags = 0
  if (t.created) {
    t.createFlags = flags
    return
  }
  if (t.bytes === undefined) {
    t.bytes = encodeList(flags, [])
    t.write = t.bytes
  }
}

// A created context comes to exist even when the op itself changes nothing.
function materializeCreated (t: Target): void {
  if (t.created) write(t, t.createFlags, [])
}

// calc_index: a negative index counts from the end.
function fromEndIndex (index: bigint, n: number): bigint {
  return index < 0n ? BigInt(n) + index : index
}

/** calc_index_count: an index and count bounded by n; undefined when a single index is out of range. */
export function boundSpan (index: bigint, count: bigint, n: number, isMulti: boolean): Span | undefined {
  const size = BigInt(n)
  if (isMulti) {
    if (index >= size) return { index: n, count: 0 }
    const i = fromEndIndex(index, n)
    if (i < 0n) {
      if (-i < count) {
        const c = count + i
        return { index: 0, count: Number(c > size ? size : c) }
      }
      return { index: 0, count: 0 }
    }
    return { index: Number(i), count: Number(count >= size - i ? size - i : count) }
  }
  if (index >= size) return undefined
  const i = fromEndIndex(index, n)
  if (i < 0n) return undefined
  return { index: Number(i), count: Number(count >= size - i ? size - i : count) }
}

/** calc_rel_index_count: a rank relative to a value's rank, clipped at zero. */
export function relativeSpan (index: bigint, count: bigint, rel: number): { index: bigint, count: bigint } {
  let i = index + BigInt(rel)
  let c = count
  if (i < 0n) {
    c = c > -i ? c + i : 0n
    i = 0n
  }
  return { index: i, count: c }
}

/** How many elements are less than `value` (its rank among unordered elements). */
function rankOf (items: readonly Buffer[], value: Buffer): number {
  let rank = 0
  for (const item of items) if (compare(item, value) === Cmp.LESS) rank++
  return rank
}

interface ValueFind {
  rank: number
  count: number
  mask: Uint8Array
  // The first match, for single-value finds.
  first: number
}

// packed_list_find_rank_range_by_value_interval_unordered: `end` undefined
// means "to the largest value"; `single` looks for `start` alone.
function findUnordered (items: readonly Buffer[], start: Buffer, end: Buffer | undefined, single: boolean, inverted: boolean, isMulti: boolean): ValueFind | undefined {
  const out: ValueFind = { rank: 0, count: 0, mask: new Uint8Array(items.length), first: -1 }
  for (let i = 0; i < items.length; i++) {
    const cmpStart = compare(items[i], start)
    if (cmpStart === Cmp.ERROR) return undefined
    if (cmpStart === Cmp.LESS) {
      out.rank++
      if (inverted) { out.mask[i] = 1; out.count++ }
    } else if (!single) {
      const cmpEnd = end === undefined ? Cmp.LESS : compare(items[i], end)
      if ((cmpEnd === Cmp.LESS && !inverted) || ((cmpEnd === Cmp.GREATER || cmpEnd === Cmp.EQUAL) && inverted)) {
        out.mask[i] = 1
        out.count++
      }
    } else if (cmpStart === Cmp.EQUAL) {
      if (isMulti) {
        if (!inverted) { out.mask[i] = 1; out.count++ }
      } else if (out.count === 0) {
        out.first = i
        out.count++
      }
    } else if (inverted && isMulti) {
      out.mask[i] = 1
      out.count++
    }
  }
  return out
}

function orderedFind (items: readonly Buffer[], value: Buffer, start: number, target: number): RankFind {
  const find: RankFind = { start, count: items.length - start, target, result: 0, found: false }
  if (items.length === 0) {
    find.result = 0
    return find
  }
  findRank(items.length, find, (rank) => compare(value, items[rank]), (rank) => rank)
  return find
}

// packed_list_find_rank_range_by_value_interval_ordered.
function findOrdered (items: readonly Buffer[], start: Buffer, end: Buffer | undefined, single: boolean, isMulti: boolean): Span {
  const first = orderedFind(items, start, 0, 0)
  const rank = first.result
  if (single) {
    if (!first.found) return { index: rank, count: 0 }
    if (!isMulti) return { index: rank, count: 1 }
    const last = orderedFind(items, start, rank + 1, items.length)
    return { index: rank, count: last.found ? last.result - rank : 1 }
  }
  if (end === undefined) return { index: rank, count: items.length - rank }
  const cmp = compare(start, end)
  if (cmp === Cmp.GREATER || cmp === Cmp.EQUAL) return { index: rank, count: 0 }
  return { index: rank, count: orderedFind(items, end, rank, 0).result - rank }
}

function maskedItems (items: readonly Buffer[], mask: Uint8Array, keep: boolean): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < items.length; i++) if ((mask[i] !== 0) !== keep) out.push(items[i])
  return out
}

function countMask (mask: Uint8Array): number {
  let n = 0
  for (const bit of mask) n += bit
  return n
}

// Removes the masked elements, emptying the list when they are all of it.
function removeMasked (list: PackedList, t: Target, mask: Uint8Array, rmCount: number, emptyOrdered: boolean): void {
  if (!t.isModify || rmCount === 0) return
  if (rmCount === list.items.length) writeEmpty(t, emptyOrdered)
  else write(t, list.flags, maskedItems(list.items, mask, true))
}

// packed_list_trim: keeps [index, index + count), surrounded by removals.
function trim (list: PackedList, t: Target, rd: ResultData, index: number, count: number): number {
  const { items } = list
  const n = items.length
  const rmCount = n - count
  const end = index + count
  if (t.isModify) write(t, list.flags, items.slice(index, end))
  const removed = [...items.slice(0, index), ...items.slice(end)]
  switch (rd.type) {
    case ResultType.NONE:
      break
    case ResultType.COUNT:
      rd.setInt(rmCount)
      break
    case ResultType.EXISTS:
      rd.setBool(rmCount !== 0)
      break
    case ResultType.REVINDEX:
    case ResultType.INDEX:
      rd.setIntList([...intRange(0, index, n, rd.isRev), ...intRange(end, n - end, n, rd.isRev)])
      break
    case ResultType.RANK:
    case ResultType.REVRANK:
      if (list.ordered) {
        rd.setIntList([...intRange(0, index, n, rd.isRev), ...intRange(end, rmCount - index, n, rd.isRev)])
      } else {
        rd.setIntList(removed.map((v) => rankResult(items, v, rd.isRev)))
      }
      break
    case ResultType.VALUE:
      rd.setList(rmCount, removed)
      break
    default:
      return Result.OP_NOT_APPLICABLE
  }
  return Result.OK
}

function rankResult (items: readonly Buffer[], value: Buffer, isRev: boolean): number {
  const rank = rankOf(items, value)
  return isRev ? items.length - rank - 1 : rank
}

/** packed_list_get_remove_by_index_range. */
function byIndexRange (list: PackedList, t: Target, rd: ResultData, index: bigint, count: bigint): number {
  const { items } = list
  const n = items.length
  const span = boundSpan(index, count, n, rd.isMulti)
  if (span === undefined) return Result.OP_NOT_APPLICABLE
  let { index: start, count: cnt } = span
  if (rd.inverted) {
    if (!rd.isMulti || rd.isIndexRange || rd.isRankRange) return Result.OP_NOT_APPLICABLE
    rd.inverted = false
    const plain = complementSpan(start, cnt, n)
    if (plain === undefined) return trim(list, t, rd, start, cnt)
    start = plain.index
    cnt = plain.count
  }
  if (cnt === 0) return notFound(rd, start)
  const removed = items.slice(start, start + cnt)
  const newCount = n - removed.length
  if (t.isModify) {
    if (newCount === 0) writeEmpty(t, list.ordered)
    else write(t, list.flags, [...items.slice(0, start), ...items.slice(start + cnt)])
  }
  switch (rd.type) {
    case ResultType.NONE:
      return Result.OK
    case ResultType.INDEX:
    case ResultType.REVINDEX:
      return setIndexRankCount(rd, start, cnt, n)
    case ResultType.RANK:
    case ResultType.REVRANK:
      if (newCount === 0) return setIndexRankCount(rd, 0, cnt, n)
      if (!rd.isMulti) {
        const rank = list.ordered ? start : rankOf(items, removed[0])
        rd.setInt(rd.type === ResultType.REVRANK ? n - rank - 1 : rank)
      } else if (list.ordered) {
        rd.setIntList(intRange(start, cnt, n, rd.type === ResultType.REVRANK))
      } else {
        rd.setIntList(removed.map((v) => rankResult(items, v, rd.type === ResultType.REVRANK)))
      }
      return Result.OK
    case ResultType.COUNT:
      rd.setInt(removed.length)
      return Result.OK
    case ResultType.EXISTS:
      rd.setBool(removed.length !== 0)
      return Result.OK
    case ResultType.VALUE:
      if (rd.isMulti) rd.setList(removed.length, removed)
      else rd.setElement(removed[0])
      return Result.OK
    case ResultType.REVINDEX_RANGE:
      rd.setIntList([n - start - cnt, cnt])
      return Result.OK
    case ResultType.INDEX_RANGE:
      rd.setIntList([start, cnt])
      return Result.OK
    case ResultType.RANK_RANGE:
    case ResultType.REVRANK_RANGE:
      return list.ordered ? setRange(rd, start, cnt, n) : Result.OP_NOT_APPLICABLE
    default:
      return Result.OP_NOT_APPLICABLE
  }
}

/** packed_list_get_remove_by_value_interval. */
function byValueInterval (list: PackedList, t: Target, rd: ResultData, start: Buffer, end: Buffer | undefined, single: boolean): number {
  const { items } = list
  const n = items.length
  if (rd.inverted && !rd.isMulti) return Result.OP_NOT_APPLICABLE
  if (list.ordered) {
    const span = findOrdered(items, start, end, single, rd.isMulti)
    if (span.count === 0 && !rd.isMulti) return notFound(rd, 0)
    return byIndexRange(list, t, rd, BigInt(span.index), BigInt(span.count))
  }
  const found = findUnordered(items, start, end, single, rd.inverted, rd.isMulti)
  if (found === undefined) return Result.PARAMETER
  const rmCount = found.count
  if (t.isModify && rmCount !== 0) {
    if (rmCount === n) writeEmpty(t, false)
    else if (rd.isMulti) write(t, list.flags, maskedItems(items, found.mask, true))
    else write(t, list.flags, items.filter((_, i) => i !== found.first))
  }
  switch (rd.type) {
    case ResultType.NONE:
    case ResultType.COUNT:
    case ResultType.EXISTS:
    case ResultType.REVRANK:
    case ResultType.RANK:
    case ResultType.REVRANK_RANGE:
    case ResultType.RANK_RANGE:
      return setRange(rd, found.rank, rd.inverted ? n - rmCount : rmCount, n)
    case ResultType.INDEX:
    case ResultType.REVINDEX:
      if (rd.isMulti) setIntListByMask(rd, found.mask, n)
      else setIndexRankCount(rd, found.first, rmCount, n)
      return Result.OK
    case ResultType.VALUE:
      if (rd.isMulti) rd.setList(rmCount, maskedItems(items, found.mask, false))
      else if (rmCount !== 0) rd.setElement(items[found.first])
      return Result.OK
    default:
      return Result.OP_NOT_APPLICABLE
  }
}

// list_result_data_set_not_found: key and map results mean nothing for lists.
function notFound (rd: ResultData, index: number): number {
  if (rd.type === ResultType.KEY || rd.isMap) return Result.OP_NOT_APPLICABLE
  return setNotFound(rd, index) ? Result.OK : Result.OP_NOT_APPLICABLE
}

/** packed_list_get_remove_by_rank_range. */
function byRankRange (list: PackedList, t: Target, rd: ResultData, rank: bigint, count: bigint): number {
  const { items } = list
  const n = items.length
  if (rd.inverted && !rd.isMulti) return Result.OP_NOT_APPLICABLE
  if (list.ordered) return byIndexRange(list, t, rd, rank, count)
  const span = boundSpan(rank, count, n, rd.isMulti)
  if (span === undefined) return Result.OP_NOT_APPLICABLE
  const heap = selectRankRange(n, span.index, span.count, (i, j) => compare(items[i], items[j]))
  if (heap === undefined) return Result.PARAMETER
  const rmCount = rd.inverted ? n - span.count : span.count
  if (rmCount === 0) return notFound(rd, span.index)
  const mask = new Uint8Array(n)
  if (rd.inverted) mask.fill(1)
  for (let i = 0; i < span.count; i++) mask[heap.order[heap.filled + i]] = rd.inverted ? 0 : 1
  if (rd.inverted && (rd.isRankRange || !rd.isMulti)) return Result.OP_NOT_APPLICABLE
  removeMasked(list, t, mask, rmCount, false)
  switch (rd.type) {
    case ResultType.NONE:
    case ResultType.COUNT:
    case ResultType.EXISTS:
    case ResultType.RANK:
    case ResultType.REVRANK:
    case ResultType.RANK_RANGE:
    case ResultType.REVRANK_RANGE:
      return setRange(rd, span.index, span.count, n)
    case ResultType.INDEX:
    case ResultType.REVINDEX:
      setIntListByMask(rd, mask, n)
      return Result.OK
    case ResultType.VALUE:
      if (rd.inverted) {
        rd.setList(rmCount, maskedItems(items, mask, false))
      } else {
        const picked = Array.from(heap.order.subarray(heap.filled, heap.filled + rmCount), (i) => items[i])
        if (rd.isMulti) rd.setList(rmCount, picked)
        else rd.setElement(picked[0])
      }
      return Result.OK
    default:
      return Result.OP_NOT_APPLICABLE
  }
}

/** Stable ascending order of values, as indexes into them. */
function sortedOrder (values: readonly Buffer[], descending = false): number[] | undefined {
  let failed = false
  const order = values.map((_, i) => i)
  order.sort((a, b) => {
    const c = compare(values[a], values[b])
    if (c === Cmp.ERROR) failed = true
    return descending ? -c : c
  })
  return failed ? undefined : order
}

/** packed_list_get_remove_all_by_value_list. */
function byValueList (list: PackedList, t: Target, rd: ResultData, valueList: Buffer): number {
  const { items } = list
  const n = items.length
  if (rd.isRankRange || rd.isIndexRange) return Result.OP_NOT_APPLICABLE
  const values = parseParamList(valueList)
  if (values === undefined) return Result.PARAMETER
  if (values.length === 0) {
    if (!rd.inverted) return notFound(rd, 0)
    rd.inverted = false
    return byIndexRange(list, t, rd, 0n, BigInt(n))
  }
  return list.ordered ? byValueListOrdered(list, t, rd, values) : byValueListUnordered(list, t, rd, values)
}

function byValueListOrdered (list: PackedList, t: Target, rd: ResultData, values: readonly Buffer[]): number {
  const { items } = list
  const n = items.length
  const spans: Span[] = []
  let total = 0
  for (const v of values) {
    const span = findOrdered(items, v, v, true, true)
    spans.push(span)
    total += span.count
  }
  const mask = new Uint8Array(n)
  for (const s of spans) mask.fill(1, s.index, s.index + s.count)
  if (rd.inverted) for (let i = 0; i < n; i++) mask[i] ^= 1
  const rmCount = countMask(mask)
  removeMasked(list, t, mask, rmCount, true)
  if (rd.setFromCount(rmCount)) return Result.OK
  switch (rd.type) {
    case ResultType.INDEX:
    case ResultType.REVINDEX:
    case ResultType.RANK:
    case ResultType.REVRANK:
      if (rd.inverted) setIntListByMask(rd, mask, n)
      else rd.setIntList(spans.flatMap((s) => intRange(s.index, s.count, n, rd.isRev)))
      return Result.OK
    case ResultType.VALUE:
      if (rd.inverted) rd.setList(rmCount, maskedItems(items, mask, false))
      else rd.setList(total, spans.flatMap((s) => items.slice(s.index, s.index + s.count)))
      return Result.OK
    default:
      return Result.OP_NOT_APPLICABLE
  }
}

// Which elements match one of the values, and for rank results each value's
// rank and match count (offset_index_find_items).
function byValueListUnordered (list: PackedList, t: Target, rd: ResultData, values: readonly Buffer[]): number {
  const { items } = list
  const n = items.length
  const f = findItems(items, values, rd.inverted)
  if (f === undefined) return Result.PARAMETER
  removeMasked(list, t, f.mask, f.count, false)
  if (rd.setFromCount(f.count)) return Result.OK
  switch (rd.type) {
    case ResultType.INDEX:
    case ResultType.REVINDEX:
      setIntListByMask(rd, f.mask, n)
      return Result.OK
    case ResultType.RANK:
    case ResultType.REVRANK:
      rd.setIntList(positionsByItems(f, n, rd.inverted, (p) => (rd.isRev ? n - p - 1 : p)))
      return Result.OK
    case ResultType.VALUE:
      rd.setList(f.count, maskedItems(items, f.mask, false))
      return Result.OK
    default:
      return Result.OP_NOT_APPLICABLE
  }
}

/** packed_list_get_remove_by_rel_rank_range. */
function byRelRankRange (list: PackedList, t: Target, rd: ResultData, value: Buffer, rank: bigint, count: bigint): number {
  if (list.ordered) {
    const rel = findOrdered(list.items, value, value, true, rd.isMulti).index
    const span = relativeSpan(rank, count, rel)
    return byIndexRange(list, t, rd, span.index, span.count)
  }
  const found = findUnordered(list.items, value, value, true, rd.inverted, rd.isMulti)
  if (found === undefined) return Result.PARAMETER
  const span = relativeSpan(rank, count, found.rank)
  return byRankRange(list, t, rd, span.index, span.count)
}

// The items of a list argument (already validated), leaving out its metadata.
function payloadItems (payload: Buffer): Buffer[] {
  const list = parseList(payload) as PackedList
  return list.items
}

/** Insert (and append on unordered lists) with the write flags (packed_list_insert). */
function insert (list: PackedList, t: Target, rd: ResultData | undefined, index: bigint, payload: Buffer, payloadIsList: boolean, flags: bigint): number {
  const { items } = list
  const n = items.length
  const values = payloadIsList ? payloadItems(payload) : [payload]
  if (payloadIsList) {
    if (values.length === 0) {
      rd?.setInt(n)
      materializeCreated(t)
      return Result.OK
    }
  }
  if (index > BigInt(INT32_MAX)) return Result.OP_NOT_APPLICABLE
  const at = fromEndIndex(index, n)
  if (at < 0n) return Result.OP_NOT_APPLICABLE
  const uindex = Number(at)
  if ((flags & BigInt(ListWrite.INSERT_BOUNDED)) !== 0n && uindex > n) {
    if (!isNoFail(flags)) return Result.OP_NOT_APPLICABLE
    rd?.setInt(n)
    return Result.OK
  }
  let adding = values
  if (isUnique(flags)) {
    adding = []
    for (let i = 0; i < values.length; i++) {
      const v = values[i]
      const inList = items.some((item) => compare(item, v) === Cmp.EQUAL)
      if (inList || (payloadIsList && values.slice(0, i).some((earlier) => compare(v, earlier) === Cmp.EQUAL))) {
        if (!inList && !isNoFail(flags)) return Result.OP_NOT_APPLICABLE
        if (!isDoPartial(flags)) {
          rd?.setInt(n)
          return inList ? existsCode(flags) : Result.OK
        }
        continue
      }
      adding.push(v)
    }
    if (adding.length === 0) {
      rd?.setInt(n)
      return existsCode(flags)
    }
  }
  if (uindex >= n && uindex + adding.length >= INT32_MAX) return Result.PARAMETER
  const nils = uindex > n ? new Array<Buffer>(uindex - n).fill(Buffer.from([0xc0])) : []
  const next = uindex >= n ? [...items, ...nils, ...adding] : [...items.slice(0, uindex), ...adding, ...items.slice(uindex)]
  write(t, list.flags, next)
  rd?.setInt(next.length)
  return Result.OK
}

/** packed_list_add_ordered: a value goes where its rank puts it. */
function addOrdered (list: PackedList, t: Target, rd: ResultData, value: Buffer, flags: bigint): number {
  const find = orderedFind(list.items, value, 0, list.items.length + 1)
  if (find.found && isUnique(flags)) {
    rd.setInt(list.items.length)
    return existsCode(flags)
  }
  return insert(list, t, rd, BigInt(find.result), value, false, 0n)
}

/** packed_list_add_items_ordered. */
function addItemsOrdered (list: PackedList, t: Target, rd: ResultData, payload: Buffer, flags: bigint): number {
  const { items } = list
  const n = items.length
  const values = payloadItems(payload)
  if (values.length === 0) {
    rd.setInt(n)
    materializeCreated(t)
    return Result.OK
  }
  const order = sortedOrder(values)
  if (order === undefined) return Result.PARAMETER
  const unique = isUnique(flags)
  const dropped = new Uint8Array(values.length)
  if (unique) {
    let dups = 0
    for (let i = 1; i < order.length; i++) {
      if (compare(values[order[i - 1]], values[order[i]]) === Cmp.EQUAL) {
        dropped[i] = 1
        dups++
      }
    }
    if (dups !== 0) {
      if (!isNoFail(flags)) return Result.OP_NOT_APPLICABLE
      if (!isDoPartial(flags)) {
        rd.setInt(n)
        return Result.OK
      }
    }
  }
  const positions: number[] = new Array(values.length).fill(-1)
  for (let i = 0; i < order.length; i++) {
    if (dropped[i] !== 0) continue
    const find = orderedFind(items, values[order[i]], 0, n + 1)
    if (unique && find.found) {
      if (!isDoPartial(flags)) {
        rd.setInt(n)
        return existsCode(flags)
      }
      dropped[i] = 1
    } else {
      positions[i] = find.result
    }
  }
  const next: Buffer[] = []
  let listStart = 0
  for (let i = 0; i < order.length; i++) {
    if (dropped[i] !== 0) continue
    next.push(...items.slice(listStart, positions[i]))
    listStart = Math.max(listStart, positions[i])
    next.push(values[order[i]])
  }
  next.push(...items.slice(listStart))
  write(t, list.flags, next)
  rd.setInt(next.length)
  return Result.OK
}

// Values to store arrive as the client sent them; the server first rewrites
// them as it would store them, and refuses what it would not store.
function storable (value: Buffer, mustBeList: boolean): Buffer | undefined {
  const rewritten = rewriteUntrusted(value)
  if (rewritten === undefined) return undefined
  if (mustBeList && peekType(rewritten, 0) !== MsgpackType.LIST) return undefined
  return rewritten
}

export function append (t: Target, rd: ResultData, value: Buffer, isItems: boolean, flags: bigint): number {
  const payload = storable(value, isItems)
  if (payload === undefined) return Result.PARAMETER
  const list = targetList(t)
  if (list === undefined) return Result.PARAMETER
  if (list.ordered) return isItems ? addItemsOrdered(list, t, rd, payload, flags) : addOrdered(list, t, rd, payload, flags)
  return insert(list, t, rd, BigInt(list.items.length), payload, isItems, flags)
}

export function insertAt (t: Target, rd: ResultData, index: bigint, value: Buffer, isItems: boolean, flags: bigint): number {
  const payload = storable(value, isItems)
  if (payload === undefined) return Result.PARAMETER
  const list = targetList(t)
  if (list === undefined) return Result.PARAMETER
  if (list.ordered) return Result.OP_NOT_APPLICABLE
  return insert(list, t, rd, index, payload, isItems, flags)
}

/** list_set: replaces an element, or inserts past the end. */
export function set (t: Target, index: bigint, value: Buffer, flags: bigint): number {
  const payload = storable(value, false)
  if (payload === undefined) return Result.PARAMETER
  const list = targetList(t)
  if (list === undefined) return Result.PARAMETER
  return setValue(list, t, index, payload, flags)
}

function setValue (list: PackedList, t: Target, index: bigint, value: Buffer, flags: bigint): number {
  const { items } = list
  const n = items.length
  if (list.ordered) return Result.OP_NOT_APPLICABLE
  if (index >= BigInt(n)) return insert(list, t, undefined, index, value, false, flags)
  const at = fromEndIndex(index, n)
  if (at < 0n) return Result.OP_NOT_APPLICABLE
  const uindex = Number(at)
  if (isUnique(flags)) {
    const first = items.findIndex((item) => compare(item, value) === Cmp.EQUAL)
    if (first >= 0) {
      if (first !== uindex) return existsCode(flags)
      if (items.filter((item) => compare(item, value) === Cmp.EQUAL).length > 1) return existsCode(flags)
    }
  }
  const next = items.slice()
  next[uindex] = value
  write(t, list.flags, next)
  return Result.OK
}

/** list_increment: adds to an int or double element (1 by default), or creates it. */
export function increment (t: Target, rd: ResultData, index: bigint, delta: Buffer | undefined, flags: bigint): number {
  const list = targetList(t)
  if (list === undefined) return Result.PARAMETER
  const n = list.items.length
  if (index > BigInt(INT32_MAX)) return Result.OP_NOT_APPLICABLE
  const at = fromEndIndex(index, n)
  if (at < 0n) return Result.OP_NOT_APPLICABLE
  const uindex = Number(at)
  const sum = addDelta(delta, uindex < n ? list.items[uindex] : undefined)
  if (sum === undefined) return Result.PARAMETER
  rd.value = typeof sum === 'number' ? doubleValue(sum) : intValue(sum)
  const packed = typeof sum === 'number' ? packDouble(sum) : packInt(sum)
  if (list.ordered) return replaceOrdered(list, t, uindex, packed, flags)
  return setValue(list, t, BigInt(uindex), packed, flags)
}

/**
 * cdt_calc_delta: the delta (int, double, or nil for 1) added to an element,
 * keeping the element's type: an int plus a double stays an int. Undefined
 * when the delta or the element is not a number. A bigint result is an int.
 */
export function addDelta (delta: Buffer | undefined, element: Buffer | undefined, negate = false): bigint | number | undefined {
  let incrInt = 1n
  let incrDouble = 1
  let deltaIsDouble = false
  if (delta !== undefined) {
    const type = peekType(delta, 0)
    if (type === MsgpackType.INT || type === MsgpackType.NEGINT) {
      const v = readInt(delta, 0, delta.length)
      if (v === undefined) return undefined
      incrInt = v.value
    } else if (type === MsgpackType.DOUBLE) {
      const v = readDouble(delta, 0, delta.length)
      if (v === undefined) return undefined
      incrDouble = v.value
      deltaIsDouble = true
    } else if (type !== MsgpackType.NIL) {
      return undefined
    }
  }
  if (negate) {
    incrInt = BigInt.asIntN(64, -incrInt)
    incrDouble = -incrDouble
  }
  if (element === undefined) return deltaIsDouble ? incrDouble : incrInt
  const type = peekType(element, 0)
  if (type === MsgpackType.INT || type === MsgpackType.NEGINT) {
    const v = readInt(element, 0, element.length)
    if (v === undefined) return undefined
    return BigInt.asIntN(64, v.value + (deltaIsDouble ? truncateToInt(incrDouble) : incrInt))
  }
  if (type === MsgpackType.DOUBLE) {
    const v = readDouble(element, 0, element.length)
    if (v === undefined) return undefined
    return v.value + (deltaIsDouble ? incrDouble : Number(incrInt))
  }
  return undefined
}

// A C cast of a double to int64.
function truncateToInt (v: number): bigint {
  if (!Number.isFinite(v)) return v > 0 ? 0x7fffffffffffffffn : -0x8000000000000000n
  return BigInt.asIntN(64, BigInt(Math.trunc(v)))
}

/** packed_list_replace_ordered: the element at index goes, the value goes where its rank puts it. */
function replaceOrdered (list: PackedList, t: Target, index: number, value: Buffer, flags: bigint): number {
  const { items } = list
  const span = findOrdered(items, value, value, true, false)
  if (index > items.length) return Result.OP_NOT_APPLICABLE
  if (isUnique(flags) && span.count !== 0) return span.index === index ? Result.OK : existsCode(flags)
  const rest = [...items.slice(0, index), ...items.slice(index + 1)]
  const at = span.index <= index ? span.index : span.index - 1
  rest.splice(at, 0, value)
  write(t, list.flags, rest)
  return Result.OK
}

/** list_sort. */
export function sort (t: Target, flags: bigint): number {
  const list = targetList(t)
  if (list === undefined) return Result.PARAMETER
  const { items } = list
  if (items.length <= 1) return Result.OK
  const order = list.ordered ? items.map((_, i) => i) : sortedOrder(items, (flags & BigInt(SortFlag.DESCENDING)) !== 0n)
  if (order === undefined) return Result.PARAMETER
  let kept = order
  if ((flags & BigInt(SortFlag.DROP_DUPLICATES)) !== 0n) {
    kept = [order[0]]
    for (let i = 1; i < order.length; i++) {
      const c = compare(items[order[i - 1]], items[order[i]])
      if (c === Cmp.GREATER || c === Cmp.ERROR) return Result.PARAMETER
      if (c === Cmp.LESS) kept.push(order[i])
    }
  }
  write(t, list.flags, kept.map((i) => items[i]))
  return Result.OK
}

/** list_set_flags: changing to ordered sorts the list. */
export function setOrder (t: Target, setFlags: bigint): number {
  const list = targetList(t)
  if (list === undefined) return Result.PARAMETER
  if ((setFlags & ~BigInt(ListFlag.ORDERED | PERSIST_INDEX)) !== 0n) return Result.OP_NOT_APPLICABLE
  const flags = Number(setFlags) & ~PERSIST_INDEX
  if (flags === list.flags) {
    materializeCreated(t)
    return Result.OK
  }
  const reorder = (flags & ListFlag.ORDERED) !== 0 && !list.ordered && list.items.length > 1
  if (!reorder) {
    write(t, flags, list.items)
    return Result.OK
  }
  const order = sortedOrder(list.items)
  if (order === undefined) return Result.PARAMETER
  write(t, flags, order.map((i) => list.items[i]))
  return Result.OK
}

export function clear (t: Target): number {
  const list = targetList(t)
  if (list === undefined) return Result.PARAMETER
  writeEmpty(t, list.ordered)
  return Result.OK
}

export type ListSelector =
  | { by: 'index', index: bigint, count: bigint }
  | { by: 'value', start: Buffer, end: Buffer | undefined, single: boolean }
  | { by: 'rank', rank: bigint, count: bigint }
  | { by: 'valueList', values: Buffer }
  | { by: 'relRank', value: Buffer, rank: bigint, count: bigint }

/** The get and remove family: reads leave the list alone, removes write it. */
export function getOrRemove (list: PackedList, t: Target, rd: ResultData, sel: ListSelector): number {
  switch (sel.by) {
    case 'index': return byIndexRange(list, t, rd, sel.index, sel.count)
    case 'value': return byValueInterval(list, t, rd, sel.start, sel.end, sel.single)
    case 'rank': return byRankRange(list, t, rd, sel.rank, sel.count)
    case 'valueList': return byValueList(list, t, rd, sel.values)
    case 'relRank': return byRelRankRange(list, t, rd, sel.value, sel.rank, sel.count)
  }
}
