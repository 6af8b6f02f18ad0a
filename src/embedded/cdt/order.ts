// Rank machinery shared by lists and maps, as the server does it (cdt.c):
// the binary search for a value's rank in sorted elements, and the partial
// heap sort that picks the elements of a rank range. Both are reproduced
// step for step because equal elements come out in the order they produce.

import { Cmp, compare } from './compare'

export interface RankFind {
  // Search elements [start, start + count).
  start: number
  count: number
  // Among equal elements: 0 finds the first, the element count finds past
  // the last, anything larger stops at the first equal one met.
  target: number
  result: number
  found: boolean
}

/**
 * order_index_find_rank_by_value: `cmpAt(rank)` compares the searched value
 * with the element of that rank, `idxAt(rank)` names that element's index.
 */
export function findRank (eleCount: number, find: RankFind, cmpAt: (rank: number) => number, idxAt: (rank: number) => number): void {
  find.found = false
  if (eleCount === 0 || find.count === 0) {
    find.result = eleCount
    return
  }
  let lower = find.start
  let upper = find.start + find.count
  let rank = find.start + Math.floor(find.count / 2)
  for (;;) {
    const idx = idxAt(rank)
    let cmp = cmpAt(rank)
    if (cmp === Cmp.EQUAL) {
      find.found = true
      if (find.target > eleCount) break
      if (find.target < idx) {
        cmp = Cmp.LESS
      } else if (find.target > idx) {
        if (rank === upper - 1) {
          rank++
          break
        }
        cmp = Cmp.GREATER
      } else {
        break
      }
    }
    if (cmp === Cmp.GREATER) {
      if (rank >= upper - 1) {
        rank++
        break
      }
      lower = rank + (find.found ? 0 : 1)
      rank = Math.floor((rank + upper) / 2)
    } else {
      if (rank === lower) break
      upper = rank
      rank = Math.floor((rank + lower) / 2)
    }
  }
  find.result = rank
}

export interface HeapSelection {
  // Element indexes; the selected ones sit at [filled, filled + count).
  order: Uint32Array
  filled: number
  // The heap kept the smallest at its top (and so left them in descending order).
  isMinHeap: boolean
}

/**
 * order_heap_init_build_by_range: selects the elements of ranks
 * [start, start + count) of `eleCount` elements compared by `cmp(i, j)`.
 * Returns undefined when a comparison fails.
 */
export function selectRankRange (eleCount: number, start: number, count: number, cmp: (i: number, j: number) => number): HeapSelection | undefined {
  const tail = eleCount - start - count
  const isMinHeap = start <= tail
  const want = isMinHeap ? Cmp.LESS : Cmp.GREATER
  const discard = isMinHeap ? start : tail
  const order = new Uint32Array(eleCount)
  for (let i = 0; i < eleCount; i++) order[i] = i
  let filled = eleCount
  let failed = false

  const heapify = (index: number): void => {
    for (;;) {
      const child1 = 2 * index + 1
      const child2 = child1 + 1
      if (child1 >= filled) return
      let child = child1
      if (child2 < filled) {
        const c = cmp(order[child1], order[child2])
        if (c === Cmp.ERROR) { failed = true; return }
        child = c === want || c === Cmp.EQUAL ? child1 : child2
      }
      const c = cmp(order[child], order[index])
      if (c === Cmp.ERROR) { failed = true; return }
      if (c !== want) return
      const t = order[index]
      order[index] = order[child]
      order[child] = t
      index = child
    }
  }

  for (let i = Math.floor(filled / 2) - 1; i >= 0 && !failed; i--) heapify(i)
  let endIndex = filled - 1
  for (let i = 0; i < count + discard && !failed; i++) {
    const top = order[0]
    if (filled !== 0) {
      order[0] = order[--filled]
      heapify(0)
    }
    order[endIndex--] = top
  }
  return failed ? undefined : { order, filled, isMinHeap }
}

export interface ItemsFind {
  // The elements that match one of the items (or none, inverted).
  mask: Uint8Array
  count: number
  // Per item, in request order: how many elements sort below it, and how
  // many match it (only the last of equal items counts its matches).
  ranks: number[]
  counts: number[]
  // Item indexes in ascending item order.
  order: number[]
}

/** offset_index_find_items: each element looked up among the sorted items. */
export function findItems (elements: readonly Buffer[], items: readonly Buffer[], inverted: boolean): ItemsFind | undefined {
  let failed = false
  const order = items.map((_, i) => i)
  order.sort((a, b) => {
    const c = compare(items[a], items[b])
    if (c === Cmp.ERROR) failed = true
    return c
  })
  if (failed) return undefined
  const sorted = order.map((i) => items[i])
  const ranks = new Array<number>(items.length).fill(0)
  const counts = new Array<number>(items.length).fill(0)
  const mask = new Uint8Array(elements.length)
  let count = 0
  for (let i = 0; i < elements.length; i++) {
    const find: RankFind = { start: 0, count: sorted.length, target: sorted.length, result: 0, found: false }
    findRank(sorted.length, find, (r) => compare(elements[i], sorted[r]), (r) => order[r])
    if (find.found) counts[order[find.result - 1]]++
    if (find.result !== sorted.length) ranks[order[find.result]]++
    if (find.found !== inverted) {
      mask[i] = 1
      count++
    }
  }
  for (let i = 1; i < order.length; i++) ranks[order[i]] += ranks[order[i - 1]]
  return { mask, count, ranks, counts, order }
}

/**
 * result_data_set_by_itemlist_irc: the positions each item matched, in the
 * items' order; inverted, the positions between them, in ascending order.
 */
export function positionsByItems (f: ItemsFind, n: number, inverted: boolean, position: (p: number) => number): number[] {
  const out: number[] = []
  if (!inverted) {
    for (let i = 0; i < f.ranks.length; i++) {
      for (let j = 0; j < f.counts[i]; j++) out.push(position(f.ranks[i] + j))
    }
    return out
  }
  let prev = 0
  const gap = (from: number, to: number): void => { for (let p = from; p < to; p++) out.push(position(p)) }
  for (const v of f.order) {
    if (f.counts[v] === 0) continue
    gap(prev, f.ranks[v])
    prev = f.ranks[v] + f.counts[v]
  }
  gap(prev, n)
  return out
}

export interface Span {
  index: number
  count: number
}

/**
 * An inverted index or rank range: everything when empty, the tail or the
 * head when it touches an end; undefined when it sits between elements.
 */
export function complementSpan (index: number, count: number, n: number): Span | undefined {
  if (count === 0) return { index: 0, count: n }
  if (index === 0) return { index: count, count: n - count }
  if (index + count >= n) return { index: 0, count: index }
  return undefined
}
