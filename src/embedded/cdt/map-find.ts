// Finding map elements by key, key order and value order, as the server does
// (packed_map_find_key*, the heap by key or value in particle_map.c).

import { Cmp, compare } from './compare'
import { PackedMap } from './packed'
import { selectRankRange } from './order'

export interface KeyFind {
  found: boolean
  // The element's index when found; otherwise where the key would go.
  idx: number
}

/** packed_map_find_key: binary search in key-ordered maps, a scan otherwise. */
export function findKey (map: PackedMap, key: Buffer): KeyFind {
  const { keys } = map
  if (map.keyOrdered) {
    let lower = 0
    let upper = keys.length
    while (lower < upper) {
      const mid = (lower + upper) >>> 1
      const c = compare(key, keys[mid])
      if (c === Cmp.EQUAL) return { found: true, idx: mid }
      if (c === Cmp.GREATER) lower = mid + 1
      else upper = mid
    }
    return { found: false, idx: lower }
  }
  for (let i = 0; i < keys.length; i++) {
    if (compare(key, keys[i]) === Cmp.EQUAL) return { found: true, idx: i }
  }
  return { found: false, idx: keys.length }
}

/**
 * packed_map_find_key_maybe_unordered: in an unordered map whose keys are
 * still in order up to where the key belongs, a missing key gets that place;
 * otherwise the end.
 */
export function findKeyMaybeUnordered (map: PackedMap, key: Buffer): KeyFind | undefined {
  const { keys } = map
  let idx = keys.length
  let inOrder = true
  for (let i = 0; i < keys.length; i++) {
    const c = compare(key, keys[i])
    if (c === Cmp.ERROR) return undefined
    if (inOrder && i !== 0) {
      const o = compare(keys[i - 1], keys[i])
      if (o === Cmp.GREATER) inOrder = false
      else if (o !== Cmp.LESS) return undefined
    }
    if (c === Cmp.EQUAL) return { found: true, idx: i }
    if (inOrder && idx === keys.length && c === Cmp.LESS) idx = i
  }
  return { found: false, idx }
}

/** The element holding the key-rank `rank`: direct in key-ordered maps. */
export function idxByKeyRank (map: PackedMap, rank: number): number | undefined {
  if (map.keyOrdered) return rank
  const heap = selectRankRange(map.size, rank, 1, (i, j) => compare(map.keys[i], map.keys[j]))
  return heap === undefined ? undefined : heap.order[heap.filled]
}

/** The element holding the value-rank `rank`. */
export function idxByValueRank (map: PackedMap, rank: number): number | undefined {
  const heap = selectRankRange(map.size, rank, 1, (i, j) => compare(map.values[i], map.values[j]))
  return heap === undefined ? undefined : heap.order[heap.filled]
}
