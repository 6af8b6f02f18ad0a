// Map operations (particle_map.c): puts with their write flags, increments,
// order changes, and the get/remove family by key, index, value, rank, key
// and value lists and relative ranges, on unordered and key-ordered maps.
// A map's "index" is its key order; its "rank" is its value order.

import { Result } from '../wire'
import { Cmp, compare } from './compare'
import { MapFlag, MapWrite, PERSIST_INDEX, ResultType } from './flags'
import { addDelta, boundSpan, relativeSpan } from './list'
import { findKey, findKeyMaybeUnordered } from './map-find'
import { MsgpackType, packDouble, packInt, peekType } from './msgpack'
import { parseParamList } from './params'
import { Span, complementSpan, findItems, positionsByItems, selectRankRange } from './order'
import { PackedMap, encodeMap, parseMap } from './packed'
import { ResultData, doubleValue, intRange, intValue, setIndexRankCount, setNotFound, setRange } from './result'
import { Target } from './target'
import { isMapKey, rewriteUntrusted } from './untrusted'

export function targetMap (t: Target): PackedMap | undefined {
  if (t.bytes === undefined) return new PackedMap(t.created ? t.createFlags : 0, [], [])
  return parseMap(t.bytes)
}

/** cdt_context_use_static_map_if_notinuse: an empty map stands in for a missing one. */
export function useEmptyIfMissing (t: Target, flags: number): void {
  flags &= ~PERSIST_INDEX & 0xff
  if ((flags & ~MapFlag.KV_ORDERED) !== 0) flags = 0
  if (t.created) {
    t.createFlags = flags
    return
  }
  if (t.bytes === undefined) {
    t.bytes = encodeMap(flags, [], [])
    t.write = t.bytes
  }
}

function write (t: Target, map: PackedMap, keys: readonly Buffer[], values: readonly Buffer[]): void {
  t.write = encodeMap(map.flags, keys, values)
}

function keep (t: Target, map: PackedMap, mask: Uint8Array): void {
  if (!t.isModify) return
  const keys: Buffer[] = []
  const values: Buffer[] = []
  for (let i = 0; i < map.size; i++) {
    if (mask[i] !== 0) continue
    keys.push(map.keys[i])
    values.push(map.values[i])
  }
  write(t, map, keys, values)
}

function lessCount (items: readonly Buffer[], value: Buffer): number {
  let n = 0
  for (const item of items) if (compare(item, value) === Cmp.LESS) n++
  return n
}

/** An element's index: its place in key order. */
function keyIndex (map: PackedMap, idx: number): number {
  return map.keyOrdered ? idx : lessCount(map.keys, map.keys[idx])
}

/** Every element's rank: its place in value order, ties in stored order. */
function valueRanks (map: PackedMap): number[] {
  const order = map.values.map((_, i) => i)
  order.sort((a, b) => compare(map.values[a], map.values[b]) || a - b)
  const ranks = new Array<number>(map.size)
  order.forEach((idx, rank) => { ranks[idx] = rank })
  return ranks
}

function maskIdxs (mask: Uint8Array): number[] {
  const out: number[] = []
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) out.push(i)
  return out
}

function invert (mask: Uint8Array): void {
  for (let i = 0; i < mask.length; i++) mask[i] ^= 1
}

/** Keys, values or pairs of the given elements, in the given order. */
function setElements (rd: ResultData, map: PackedMap, idxs: readonly number[]): void {
  if (rd.isMap) {
    rd.setMap(idxs.flatMap((i) => [map.keys[i], map.values[i]]), idxs.length)
    return
  }
  const items = idxs.map((i) => (rd.type === ResultType.KEY ? map.keys[i] : map.values[i]))
  if (rd.isMulti) rd.setList(items.length, items)
  else if (items.length !== 0) rd.setElement(items[0])
}

function setPositions (rd: ResultData, map: PackedMap, positions: readonly number[]): void {
  const out = positions.map((p) => (rd.isRev ? map.size - p - 1 : p))
  if (rd.isMulti) rd.setIntList(out)
  else rd.setInt(out[0])
}

function setIndexes (rd: ResultData, map: PackedMap, idxs: readonly number[]): void {
  setPositions(rd, map, idxs.map((i) => keyIndex(map, i)))
}

function setRanks (rd: ResultData, map: PackedMap, idxs: readonly number[]): void {
  const ranks = valueRanks(map)
  setPositions(rd, map, idxs.map((i) => ranks[i]))
}

function keyNotFound (rd: ResultData, index: number): boolean {
  return !rd.isRankRange && setNotFound(rd, index)
}

function valueNotFound (rd: ResultData, rank: number): boolean {
  return !rd.isIndexRange && setNotFound(rd, rank)
}

function isElements (rd: ResultData): boolean {
  return rd.type === ResultType.KEY || rd.type === ResultType.VALUE || rd.isMap
}

/** packed_map_get_remove_all. */
function all (map: PackedMap, t: Target, rd: ResultData): number {
  const n = map.size
  if (t.isModify) write(t, map, [], [])
  switch (rd.type) {
    case ResultType.NONE:
      return Result.OK
    case ResultType.REVINDEX:
    case ResultType.REVRANK:
    case ResultType.INDEX:
    case ResultType.RANK:
      if (rd.isMulti) rd.setIntList(intRange(0, n, n, rd.isRev))
      else rd.setInt(0)
      return Result.OK
    case ResultType.COUNT:
      rd.setInt(n)
      return Result.OK
    case ResultType.EXISTS:
      rd.setBool(n !== 0)
      return Result.OK
    case ResultType.INDEX_RANGE:
    case ResultType.REVINDEX_RANGE:
    case ResultType.RANK_RANGE:
    case ResultType.REVRANK_RANGE:
      rd.setIntList([0, n])
      return Result.OK
    default:
      if (!isElements(rd)) return Result.OP_NOT_APPLICABLE
      setElements(rd, map, map.keys.map((_, i) => i))
      return Result.OK
  }
}

function range (start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i)
}

/** packed_map_trim_ordered: keeps [index, index + count) of a key-ordered map. */
function trim (map: PackedMap, t: Target, rd: ResultData, index: number, count: number): number {
  const n = map.size
  const end = index + count
  if (t.isModify) write(t, map, map.keys.slice(index, end), map.values.slice(index, end))
  const removed = [...range(0, index), ...range(end, n - end)]
  if (rd.setFromCount(n - count)) return Result.OK
  switch (rd.type) {
    case ResultType.REVINDEX:
    case ResultType.INDEX:
      rd.setIntList(removed.map((i) => (rd.isRev ? n - i - 1 : i)))
      return Result.OK
    case ResultType.RANK:
    case ResultType.REVRANK:
      setRanks(rd, map, removed)
      return Result.OK
    default:
      if (!isElements(rd)) return Result.OP_NOT_APPLICABLE
      setElements(rd, map, removed)
      return Result.OK
  }
}

function heapOrder (map: PackedMap, items: readonly Buffer[], start: number, count: number): number[] | undefined {
  const heap = selectRankRange(map.size, start, count, (i, j) => compare(items[i], items[j]))
  if (heap === undefined) return undefined
  const picked = Array.from(heap.order.subarray(heap.filled, heap.filled + count))
  // Unlike lists, maps put the picked elements back in ascending order.
  return heap.isMinHeap ? picked.reverse() : picked
}

// An index or rank range bounded by the map; an inverted one becomes the
// plain range it amounts to, unless it sits between elements (it then stays
// inverted). A number is a result code.
function spanOf (rd: ResultData, index: bigint, count: bigint, n: number): Span | number {
  const span = boundSpan(index, count, n, rd.isMulti)
  if (span === undefined) return Result.OP_NOT_APPLICABLE
  if (!rd.inverted) return span
  if (!rd.isMulti) return Result.OP_NOT_APPLICABLE
  const plain = complementSpan(span.index, span.count, n)
  if (plain === undefined) return span
  rd.inverted = false
  return plain
}

/** packed_map_get_remove_by_index_range. */
function byIndexRange (map: PackedMap, t: Target, rd: ResultData, index: bigint, count: bigint): number {
  const n = map.size
  if (rd.isRankRange) return Result.OP_NOT_APPLICABLE
  const span = spanOf(rd, index, count, n)
  if (typeof span === 'number') return span
  const { index: start, count: cnt } = span
  if (rd.inverted && map.keyOrdered) {
    rd.inverted = false
    return trim(map, t, rd, start, cnt)
  }
  if (cnt === 0) return keyNotFound(rd, start) ? Result.OK : Result.OP_NOT_APPLICABLE
  if (cnt === n) return all(map, t, rd)
  if (map.keyOrdered) {
    const idxs = range(start, cnt)
    if (t.isModify) {
      write(t, map, [...map.keys.slice(0, start), ...map.keys.slice(start + cnt)], [...map.values.slice(0, start), ...map.values.slice(start + cnt)])
    }
    if (isElements(rd)) setElements(rd, map, idxs)
    else if (rd.isRank) setRanks(rd, map, idxs)
    else return setRange(rd, start, cnt, n)
    return Result.OK
  }
  const picked = heapOrder(map, map.keys, start, cnt)
  if (picked === undefined) return Result.PARAMETER
  const mask = new Uint8Array(n)
  for (const i of picked) mask[i] = 1
  if (rd.inverted) invert(mask)
  keep(t, map, mask)
  if (rd.isRank) setRanks(rd, map, rd.inverted ? maskIdxs(mask) : picked)
  else if (isElements(rd)) setElements(rd, map, rd.inverted ? maskIdxs(mask) : picked)
  else return setRange(rd, start, cnt, n)
  return Result.OK
}

/** packed_map_get_remove_by_key_interval: `end` undefined is "to the largest key". */
function byKeyInterval (map: PackedMap, t: Target, rd: ResultData, start: Buffer, end: Buffer | undefined, single: boolean): number {
  const n = map.size
  if (rd.isRankRange) return Result.OP_NOT_APPLICABLE
  if (map.keyOrdered) {
    const first = findKey(map, start)
    let count: number
    if (single) count = first.found ? 1 : 0
    else if (end !== undefined) count = Math.max(0, findKey(map, end).idx - first.idx)
    else count = n - first.idx
    if (count === 0 && !rd.isMulti) return keyNotFound(rd, -1) ? Result.OK : Result.OP_NOT_APPLICABLE
    return byIndexRange(map, t, rd, BigInt(first.idx), BigInt(count))
  }
  if (rd.inverted && !rd.isMulti) return Result.OP_NOT_APPLICABLE
  if (single) {
    const find = findKey(map, start)
    if (!find.found) return keyNotFound(rd, -1) ? Result.OK : Result.OP_NOT_APPLICABLE
    const mask = new Uint8Array(n)
    mask[find.idx] = 1
    keep(t, map, mask)
    return setForIdxs(rd, map, [find.idx])
  }
  const mask = new Uint8Array(n)
  let index = 0
  let count = 0
  for (let i = 0; i < n; i++) {
    if (compare(map.keys[i], start) === Cmp.LESS) index++
    else if (end === undefined || compare(map.keys[i], end) === Cmp.LESS) {
      mask[i] = 1
      count++
    }
  }
  if (rd.inverted) invert(mask)
  keep(t, map, mask)
  if (isElements(rd)) setElements(rd, map, maskIdxs(mask))
  else if (rd.isRank) setRanks(rd, map, maskIdxs(mask))
  else return setRange(rd, index, count, n)
  return Result.OK
}

// packed_map_build_result_by_key: one element, any result type.
function setForIdxs (rd: ResultData, map: PackedMap, idxs: number[]): number {
  if (rd.setFromCount(idxs.length)) return Result.OK
  if (isElements(rd)) setElements(rd, map, idxs)
  else if (rd.isRank) setRanks(rd, map, idxs)
  else if (rd.type === ResultType.INDEX || rd.type === ResultType.REVINDEX) setIndexes(rd, map, idxs)
  else return setRange(rd, keyIndex(map, idxs[0]), idxs.length, map.size)
  return Result.OK
}

/** packed_map_get_remove_by_value_interval. */
function byValueInterval (map: PackedMap, t: Target, rd: ResultData, start: Buffer, end: Buffer | undefined, single: boolean): number {
  const n = map.size
  if (rd.isIndexRange) return Result.OP_NOT_APPLICABLE
  if (rd.inverted && !rd.isMulti) return Result.OP_NOT_APPLICABLE
  if (n === 0) return valueNotFound(rd, -1) ? Result.OK : Result.OP_NOT_APPLICABLE
  const mask = new Uint8Array(n)
  let rank = 0
  let count = 0
  for (let i = 0; i < n; i++) {
    const v = map.values[i]
    const c = compare(v, start)
    if (c === Cmp.LESS) {
      rank++
    } else if (!single) {
      if (end === undefined || compare(v, end) === Cmp.LESS) {
        mask[i] = 1
        count++
      }
    } else if (c === Cmp.EQUAL && (rd.isMulti || count === 0)) {
      mask[i] = 1
      count++
    }
  }
  if (count === 0) {
    if (rd.inverted) {
      rd.inverted = false
      return all(map, t, rd)
    }
    return valueNotFound(rd, rank) ? Result.OK : Result.OP_NOT_APPLICABLE
  }
  if (rd.inverted) invert(mask)
  keep(t, map, mask)
  if (isElements(rd)) setElements(rd, map, maskIdxs(mask))
  else if (rd.type === ResultType.INDEX || rd.type === ResultType.REVINDEX) setIndexes(rd, map, maskIdxs(mask))
  else return setRange(rd, rank, count, n)
  return Result.OK
}

/** packed_map_get_remove_by_rank_range. */
function byRankRange (map: PackedMap, t: Target, rd: ResultData, rank: bigint, count: bigint): number {
  const n = map.size
  if (rd.isIndexRange) return Result.OP_NOT_APPLICABLE
  const span = spanOf(rd, rank, count, n)
  if (typeof span === 'number') return span
  const { index: start, count: cnt } = span
  if (cnt === 0) return valueNotFound(rd, start) ? Result.OK : Result.OP_NOT_APPLICABLE
  const picked = heapOrder(map, map.values, start, cnt)
  if (picked === undefined) return Result.PARAMETER
  const mask = new Uint8Array(n)
  for (const i of picked) mask[i] = 1
  if (rd.inverted) invert(mask)
  const rmCount = rd.inverted ? n - cnt : cnt
  const byMask = rd.inverted || rd.type === ResultType.ORDERED_MAP
  keep(t, map, mask)
  switch (rd.type) {
    case ResultType.NONE:
    case ResultType.COUNT:
    case ResultType.EXISTS:
    case ResultType.RANK:
    case ResultType.REVRANK:
      return setIndexRankCount(rd, start, cnt, n)
    case ResultType.INDEX:
    case ResultType.REVINDEX:
      setIndexes(rd, map, byMask ? maskIdxs(mask) : picked)
      return Result.OK
    case ResultType.RANK_RANGE:
    case ResultType.REVRANK_RANGE:
      return setRange(rd, start, rmCount, n)
    default:
      if (!isElements(rd)) return Result.OP_NOT_APPLICABLE
      setElements(rd, map, byMask ? maskIdxs(mask) : picked)
      return Result.OK
  }
}

/** packed_map_get_remove_all_by_key_list / _value_list. */
function byItemList (map: PackedMap, t: Target, rd: ResultData, list: Buffer, byKey: boolean): number {
  const items = parseParamList(list)
  if (items === undefined) return Result.PARAMETER
  if (items.length === 0) {
    if (rd.isIndexRange || rd.isRankRange || (byKey && rd.isRank)) return Result.OP_NOT_APPLICABLE
    if (!rd.inverted) {
      setNotFound(rd, 0)
      return Result.OK
    }
    rd.inverted = false
    return all(map, t, rd)
  }
  const f = findItems(byKey ? map.keys : map.values, items, rd.inverted)
  if (f === undefined) return Result.PARAMETER
  keep(t, map, f.mask)
  if (rd.setFromCount(f.count)) return Result.OK
  if (isElements(rd)) {
    setElements(rd, map, maskIdxs(f.mask))
    return Result.OK
  }
  const isIndex = rd.type === ResultType.INDEX || rd.type === ResultType.REVINDEX
  if (byKey && isIndex) {
    if (map.keyOrdered && rd.inverted) rd.setIntList(maskIdxs(f.mask).map((i) => (rd.isRev ? map.size - i - 1 : i)))
    else rd.setIntList(positionsByItems(f, map.size, rd.inverted, (p) => (rd.isRev ? map.size - p - 1 : p)))
    return Result.OK
  }
  if (!byKey && isIndex) {
    setIndexes(rd, map, maskIdxs(f.mask))
    return Result.OK
  }
  if (!byKey && rd.isRank) {
    rd.setIntList(positionsByItems(f, map.size, rd.inverted, (p) => (rd.isRev ? map.size - p - 1 : p)))
    return Result.OK
  }
  return Result.OP_NOT_APPLICABLE
}

export type MapSelector =
  | { by: 'key', start: Buffer, end: Buffer | undefined, single: boolean }
  | { by: 'index', index: bigint, count: bigint }
  | { by: 'value', start: Buffer, end: Buffer | undefined, single: boolean }
  | { by: 'rank', rank: bigint, count: bigint }
  | { by: 'keyList', keys: Buffer }
  | { by: 'valueList', values: Buffer }
  | { by: 'relIndex', key: Buffer, index: bigint, count: bigint }
  | { by: 'relRank', value: Buffer, rank: bigint, count: bigint }

export function getOrRemove (map: PackedMap, t: Target, rd: ResultData, sel: MapSelector): number {
  switch (sel.by) {
    case 'key': return byKeyInterval(map, t, rd, sel.start, sel.end, sel.single)
    case 'index': return byIndexRange(map, t, rd, sel.index, sel.count)
    case 'value': return byValueInterval(map, t, rd, sel.start, sel.end, sel.single)
    case 'rank': return byRankRange(map, t, rd, sel.rank, sel.count)
    case 'keyList': return byItemList(map, t, rd, sel.keys, true)
    case 'valueList': return byItemList(map, t, rd, sel.values, false)
    case 'relIndex': {
      const rel = map.keyOrdered ? findKey(map, sel.key).idx : lessCount(map.keys, sel.key)
      const span = relativeSpan(sel.index, sel.count, rel)
      return byIndexRange(map, t, rd, span.index, span.count)
    }
    case 'relRank': {
      const span = relativeSpan(sel.rank, sel.count, lessCount(map.values, sel.value))
      return byRankRange(map, t, rd, span.index, span.count)
    }
  }
}

export interface AddControl {
  allowOverwrite: boolean
  allowCreate: boolean
  noFail: boolean
  doPartial: boolean
}

export function putControl (modify: bigint): AddControl {
  return {
    allowOverwrite: (modify & BigInt(MapWrite.NO_OVERWRITE)) === 0n,
    allowCreate: (modify & BigInt(MapWrite.NO_CREATE)) === 0n,
    noFail: (modify & BigInt(MapWrite.NO_FAIL)) !== 0n,
    doPartial: (modify & BigInt(MapWrite.DO_PARTIAL)) !== 0n
  }
}

/** map_add: one key and value, under the write flags. */
export function add (t: Target, rd: ResultData | undefined, key: Buffer, value: Buffer, control: AddControl): number {
  const k = rewriteUntrusted(key)
  const v = rewriteUntrusted(value)
  if (k === undefined || v === undefined || !isMapKey(key, 0, key.length)) return Result.PARAMETER
  const map = targetMap(t)
  if (map === undefined) return Result.PARAMETER
  const find = map.keyOrdered ? findKey(map, k) : findKeyMaybeUnordered(map, k)
  if (find === undefined) return Result.PARAMETER
  if (find.found ? !control.allowOverwrite : !control.allowCreate) {
    if (!control.noFail) return find.found ? Result.ELEMENT_EXISTS : Result.ELEMENT_NOT_FOUND
    rd?.setInt(map.size)
    return Result.OK
  }
  const keys = map.keys.slice()
  const values = map.values.slice()
  if (find.found) {
    keys[find.idx] = k
    values[find.idx] = v
  } else {
    keys.splice(find.idx, 0, k)
    values.splice(find.idx, 0, v)
  }
  write(t, map, keys, values)
  rd?.setInt(keys.length)
  return Result.OK
}

/** map_add_items: the items merge into the map in key order. */
export function addItems (t: Target, rd: ResultData, items: Buffer, control: AddControl): number {
  const rewritten = rewriteUntrusted(items)
  if (rewritten === undefined || peekType(rewritten, 0) !== MsgpackType.MAP) return Result.PARAMETER
  const adding = parseMap(rewritten) as PackedMap
  const current = targetMap(t)
  if (current === undefined) return Result.PARAMETER
  // An unordered map is put in key order first (packed_map_convert_to_iko).
  const order = current.keys.map((_, i) => i)
  if (!current.keyOrdered) order.sort((a, b) => compare(current.keys[a], current.keys[b]))
  const map = new PackedMap(current.flags, order.map((i) => current.keys[i]), order.map((i) => current.values[i]))
  if (adding.size === 0) {
    rd.setInt(map.size)
    if (t.created) write(t, map, [], [])
    return Result.OK
  }
  const keys = map.keys.slice()
  const values = map.values.slice()
  if (map.size === 0) {
    if (!control.allowCreate) {
      if (!control.noFail) return Result.ELEMENT_NOT_FOUND
      if (!control.doPartial) {
        rd.setInt(0)
        return Result.OK
      }
    }
    write(t, map, adding.keys, adding.values)
    rd.setInt(adding.size)
    return Result.OK
  }
  const sortedMap = new PackedMap(MapFlag.K_ORDERED, map.keys, map.values)
  const placed: Array<{ key: Buffer, value: Buffer, idx: number, found: boolean }> = []
  for (let i = 0; i < adding.size; i++) {
    const find = findKey(sortedMap, adding.keys[i])
    if (find.found ? !control.allowOverwrite : !control.allowCreate) {
      if (!control.noFail) return find.found ? Result.ELEMENT_EXISTS : Result.ELEMENT_NOT_FOUND
      if (control.doPartial) continue
      rd.setInt(map.size)
      return Result.OK
    }
    placed.push({ key: adding.keys[i], value: adding.values[i], idx: find.idx, found: find.found })
  }
  for (let i = placed.length - 1; i >= 0; i--) {
    const p = placed[i]
    if (p.found) {
      values[p.idx] = p.value
    } else {
      keys.splice(p.idx, 0, p.key)
      values.splice(p.idx, 0, p.value)
    }
  }
  write(t, map, keys, values)
  rd.setInt(keys.length)
  return Result.OK
}

/** map_increment / decrement: a number at a key, created when missing. */
export function increment (t: Target, rd: ResultData, key: Buffer, delta: Buffer | undefined, negate: boolean): number {
  const map = targetMap(t)
  if (map === undefined) return Result.PARAMETER
  const find = findKey(map, key)
  const sum = addDelta(delta, find.found ? map.values[find.idx] : undefined, negate)
  if (sum === undefined) return Result.PARAMETER
  rd.value = typeof sum === 'number' ? doubleValue(sum) : intValue(sum)
  const packed = typeof sum === 'number' ? packDouble(sum) : packInt(sum)
  return add(t, undefined, key, packed, { allowOverwrite: true, allowCreate: true, noFail: false, doPartial: false })
}

/** map_set_flags: a map made key ordered is sorted by key. */
export function setOrder (t: Target, setFlags: bigint): number {
  const map = targetMap(t)
  if (map === undefined) return Result.PARAMETER
  const flags = Number(setFlags & 0xffn)
  if ((flags & ~(MapFlag.KV_ORDERED | PERSIST_INDEX)) !== 0) return Result.OP_NOT_APPLICABLE
  const kept = flags & ~PERSIST_INDEX
  const order = map.keys.map((_, i) => i)
  if (map.size > 1 && !map.keyOrdered) order.sort((a, b) => compare(map.keys[a], map.keys[b]))
  t.write = encodeMap(kept, order.map((i) => map.keys[i]), order.map((i) => map.values[i]))
  return Result.OK
}

export function clear (t: Target): number {
  const map = targetMap(t)
  if (map === undefined) return Result.PARAMETER
  write(t, map, [], [])
  return Result.OK
}
