// Bit (blob) and HyperLogLog read expressions of the JSON form, with the
// fields of the operate endpoint's BIT_* and HLL_* operations:
//   {"bitCount": {"bin": "flags", "bitOffset": 0, "bitSize": 8}}
//   {"hllCount": {"bin": "visitors"}}

import Aerospike from 'aerospike'
import { namedArgs } from './cdt'
import type { Compiler } from './compile'
import { type ClientExp, type Compiled, type ExpType, expError } from './types'

type Builder = (...args: any[]) => ClientExp
const B = Aerospike.exp.bit as unknown as Record<string, Builder>
const H = Aerospike.exp.hll as unknown as Record<string, Builder>

interface BlobRead {
  fields: readonly string[]
  type: ExpType
  build: (a: Record<string, any>) => ClientExp
}

export const BIT_READS: Readonly<Record<string, BlobRead>> = {
  bitGet: { fields: [], type: 'blob', build: (a) => B.get(a.bin, a.bitSize, a.bitOffset) },
  bitCount: { fields: [], type: 'int', build: (a) => B.count(a.bin, a.bitSize, a.bitOffset) },
  bitLscan: { fields: ['value'], type: 'int', build: (a) => B.lScan(a.bin, a.value, a.bitSize, a.bitOffset) },
  bitRscan: { fields: ['value'], type: 'int', build: (a) => B.rScan(a.bin, a.value, a.bitSize, a.bitOffset) },
  bitGetInt: { fields: ['signed'], type: 'int', build: (a) => B.getInt(a.bin, a.signed, a.bitSize, a.bitOffset) }
}

export const HLL_READS: Readonly<Record<string, BlobRead>> = {
  hllCount: { fields: [], type: 'int', build: (a) => H.getCount(a.bin) },
  hllDescribe: { fields: [], type: 'list', build: (a) => H.describe(a.bin) },
  hllUnion: { fields: ['values'], type: 'hll', build: (a) => H.getUnion(a.bin, a.values) },
  hllUnionCount: { fields: ['values'], type: 'int', build: (a) => H.getUnionCount(a.bin, a.values) },
  hllIntersectCount: { fields: ['values'], type: 'int', build: (a) => H.getIntersectCount(a.bin, a.values) },
  hllSimilarity: { fields: ['values'], type: 'float', build: (a) => H.getSimilarity(a.bin, a.values) },
  hllMayContain: { fields: ['values'], type: 'int', build: (a) => H.mayContain(a.bin, a.values) }
}

export function bitRead (c: Compiler, op: string, v: unknown, path: string): Compiled {
  const read = BIT_READS[op]
  const a = namedArgs(v, path, ['bin', 'bitOffset', 'bitSize', ...read.fields])
  for (const name of ['bin', 'bitOffset', 'bitSize', ...read.fields.filter((f) => f !== 'signed')]) {
    if (a[name] === undefined) throw expError(path, `${op} needs "${name}"`)
  }
  if (a.signed !== undefined && typeof a.signed !== 'boolean') throw expError(`${path}.signed`, 'must be true or false')
  const args: Record<string, unknown> = {
    bin: c.subject(a.bin, `${path}.bin`, 'blob'),
    bitOffset: c.int(a.bitOffset, `${path}.bitOffset`),
    bitSize: c.int(a.bitSize, `${path}.bitSize`),
    signed: a.signed === true
  }
  if (read.fields.includes('value')) args.value = c.node(a.value, `${path}.value`).exp
  return { exp: read.build(args), type: read.type }
}

export function hllRead (c: Compiler, op: string, v: unknown, path: string): Compiled {
  const read = HLL_READS[op]
  const a = namedArgs(v, path, ['bin', ...read.fields])
  for (const name of ['bin', ...read.fields]) if (a[name] === undefined) throw expError(path, `${op} needs "${name}"`)
  const args: Record<string, unknown> = { bin: c.subject(a.bin, `${path}.bin`, 'hll') }
  if (read.fields.includes('values')) {
    if (!Array.isArray(a.values)) throw expError(`${path}.values`, op === 'hllMayContain' ? 'a list of values' : 'a list of HLL values ({"type": "HLL", "value": "<base64>"})')
    args.values = c.list(a.values, `${path}.values`)
  }
  return { exp: read.build(args), type: read.type }
}
