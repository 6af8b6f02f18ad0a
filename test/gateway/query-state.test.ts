// The compact form of the client's query state (as_query_to_bytes layout):
// it leaves out partition numbers and unread digests, and gives back the
// client's bytes with those digests zeroed; a state of another shape is kept
// whole. Tokens built from real states are covered in scan.test.ts.

import t from 'tap'
import { compactState, expandState } from '../../src/scan/query-state'

const str = (s: string): number[] => [0xa0 | s.length, ...Buffer.from(s)]
const uint = (n: number): number[] => n < 0x80 ? [n] : n < 0x100 ? [0xcc, n] : [0xcd, n >> 8, n & 0xff]
const T = 0xc3
const F = 0xc2

interface Part { read: boolean, digest: number[], bval?: number, retry?: boolean }

function state (begin: number, parts: Part[], head: number[] = [...str('test'), ...str('set'), 0, 0, F, F]): Buffer {
  const bytes = [...head, T, ...uint(parts.length), ...uint(begin), F]
  parts.forEach((p, i) => bytes.push(...uint(begin + i), p.retry === true ? T : F, p.read ? T : F, 0xb4, ...p.digest, ...uint(p.bval ?? 0)))
  bytes.push(...uint(25), 0, 0, T, F)
  return Buffer.from(bytes)
}

const stale = (seed: number): number[] => Array.from({ length: 20 }, (_, i) => (seed * 31 + i * 7 + 1) & 0xff)
const zeros = Array.from({ length: 20 }, () => 0)
const cleared = (parts: Part[]): Part[] => parts.map((p) => p.read ? p : { ...p, digest: zeros })

t.test('partition numbers and unread digests are left out, and come back (unread digests as zeros)', async (t) => {
  for (const begin of [0, 100, 200, 4000]) {
    const parts: Part[] = Array.from({ length: 96 }, (_, i) => ({ read: i % 7 === 3, digest: stale(i), bval: i % 5 === 0 ? 300 : 0, retry: i % 11 === 0 }))
    const compact = compactState(state(begin, parts), begin, parts.length)
    t.equal(compact[0], 1, `begin ${begin}: compact`)
    t.ok(compact.length < state(begin, parts).length / 2, `begin ${begin}: ${compact.length} of ${state(begin, parts).length} bytes`)
    t.same(expandState(compact, begin, parts.length), state(begin, cleared(parts)), `begin ${begin}: the client's bytes`)
  }
})

t.test('a head holding the same bytes as a part header is not taken for one', async (t) => {
  // A set name whose bytes read as `true, count 2, begin 7, false`.
  const head = [...str('test'), 0xa4, T, 2, 7, F, 0, 0, F, F]
  const parts = [{ read: false, digest: stale(4) }, { read: true, digest: stale(5) }]
  const compact = compactState(state(7, parts, head), 7, 2)
  t.equal(compact[0], 1)
  t.same(expandState(compact, 7, 2), state(7, cleared(parts), head))
})

t.test('states of another shape are kept whole', async (t) => {
  const parts = [{ read: false, digest: stale(6) }, { read: false, digest: stale(7) }]
  const original = state(0, parts)
  const shapes: Array<[string, Buffer, number, number]> = [
    ['another first partition', original, 1, 2],
    ['another count', original, 0, 3],
    ['bytes after the end', Buffer.concat([original, Buffer.of(0)]), 0, 2],
    ['cut short', original.subarray(0, original.length - 3), 0, 2],
    ['empty', Buffer.alloc(0), 0, 2]
  ]
  for (const [name, s, begin, count] of shapes) {
    const compact = compactState(s, begin, count)
    t.equal(compact[0], 0, `${name}: whole`)
    t.same(expandState(compact, begin, count), s, `${name}: unchanged`)
  }
})

t.test('a compact form that does not fit its window is not expanded', async (t) => {
  const parts = [{ read: true, digest: stale(8) }, { read: false, digest: stale(9) }]
  const compact = compactState(state(10, parts), 10, 2)
  t.equal(expandState(compact, 10, 3), undefined, 'more partitions than it holds')
  t.equal(expandState(compact.subarray(0, compact.length - 1), 10, 2), undefined, 'cut short')
  t.equal(expandState(Buffer.concat([compact, Buffer.of(0)]), 10, 2), undefined, 'bytes after the end')
  t.equal(expandState(Buffer.of(7), 10, 2), undefined, 'an unknown form')
  t.equal(expandState(Buffer.alloc(0), 10, 2), undefined, 'nothing')
})
