// as_record_stored_size: the record's size in the storage format (flat.c),
// a 35-byte header, optional metadata, each bin's name and particle, and the
// 4-byte end mark, in 16-byte blocks.

import type { Bin } from '../store'
import { Particle } from '../wire'

const FLAT_HEADER = 35
const END_MARK = 4
const RBLOCK = 16

function uintvarSize (n: number): number {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    size++
  }
  return size
}

function particleFlatSize (b: Bin): number {
  switch (b.type) {
    case Particle.INTEGER: {
      const v = b.value.readBigUInt64BE(0)
      if (v > 0xffffffffn) return 10
      if (v > 0xffffn) return 6
      return v > 0xffn ? 4 : 3
    }
    case Particle.FLOAT: return 9
    case Particle.BOOL: return 2
    default: return 5 + b.value.length
  }
}

export interface SizedRecord {
  bins: readonly Bin[]
  setName: string
  key: Buffer | undefined
  voidTime: number
}

export function storedSize (r: SizedRecord): number {
  let size = FLAT_HEADER
  if (r.voidTime !== 0) size += 4
  if (r.setName.length > 0) size += 1 + Buffer.byteLength(r.setName)
  if (r.key !== undefined) size += uintvarSize(r.key.length) + r.key.length
  if (r.bins.length > 0) size += uintvarSize(r.bins.length)
  for (const b of r.bins) size += 1 + Buffer.byteLength(b.name) + particleFlatSize(b)
  return Math.ceil((size + END_MARK) / RBLOCK) * RBLOCK
}
