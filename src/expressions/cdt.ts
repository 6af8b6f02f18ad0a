// List and map read expressions of the JSON form, with the fields of the
// operate endpoint's list and map operations:
//   {"listGetByIndex": {"bin": "scores", "index": 0, "valueType": "int", "returnType": "VALUE"}}
// "bin" is a bin name or an expression (a nested list or map, a var).

import Aerospike from 'aerospike'
import type { Compiler } from './compile'
import { type ClientExp, type Compiled, type ExpType, expError } from './types'

type Builder = (...args: any[]) => ClientExp
const L = Aerospike.exp.lists as unknown as Record<string, Builder>
const M = Aerospike.exp.maps as unknown as Record<string, Builder>

/** How a read answers: one element, or several (a list, or a map for KEY_VALUE). */
type Shape = 'size' | 'one' | 'many'

interface CdtRead {
  map: boolean
  shape: Shape
  /** Required fields besides bin and returnType. */
  required: readonly string[]
  optional: readonly string[]
  build: (a: Record<string, any>) => ClientExp
}

// Operands are compiled expressions; absent range ends are nil (lowest) and inf (unbounded).
const E = Aerospike.exp
const nilOr = (v: ClientExp | undefined): ClientExp => v ?? E.nil()
const infOr = (v: ClientExp | undefined): ClientExp => v ?? E.inf()

export const CDT_READS: Readonly<Record<string, CdtRead>> = {
  listSize: { map: false, shape: 'size', required: [], optional: [], build: (a) => L.size(a.bin, a.ctx) },
  listGetByValue: { map: false, shape: 'many', required: ['value'], optional: [], build: (a) => L.getByValue(a.bin, a.value, a.returnType, a.ctx) },
  listGetByValueRange: { map: false, shape: 'many', required: [], optional: ['begin', 'end'], build: (a) => L.getByValueRange(a.bin, nilOr(a.begin), infOr(a.end), a.returnType, a.ctx) },
  listGetByValueList: { map: false, shape: 'many', required: ['values'], optional: [], build: (a) => L.getByValueList(a.bin, a.values, a.returnType, a.ctx) },
  listGetByValueRelRankRange: {
    map: false, shape: 'many', required: ['value', 'rank'], optional: ['count'],
    build: (a) => a.count === undefined ? L.getByRelRankRangeToEnd(a.bin, a.value, a.rank, a.returnType, a.ctx) : L.getByRelRankRange(a.bin, a.value, a.rank, a.count, a.returnType, a.ctx)
  },
  listGetByIndex: { map: false, shape: 'one', required: ['index'], optional: [], build: (a) => L.getByIndex(a.bin, a.index, a.valueType, a.returnType, a.ctx) },
  listGetByIndexRange: {
    map: false, shape: 'many', required: ['index'], optional: ['count'],
    build: (a) => a.count === undefined ? L.getByIndexRangeToEnd(a.bin, a.index, a.returnType, a.ctx) : L.getByIndexRange(a.bin, a.index, a.count, a.returnType, a.ctx)
  },
  listGetByRank: { map: false, shape: 'one', required: ['rank'], optional: [], build: (a) => L.getByRank(a.bin, a.rank, a.valueType, a.returnType, a.ctx) },
  listGetByRankRange: {
    map: false, shape: 'many', required: ['rank'], optional: ['count'],
    build: (a) => a.count === undefined ? L.getByRankRangeToEnd(a.bin, a.rank, a.returnType, a.ctx) : L.getByRankRange(a.bin, a.rank, a.count, a.returnType, a.ctx)
  },
  mapSize: { map: true, shape: 'size', required: [], optional: [], build: (a) => M.size(a.bin, a.ctx) },
  mapGetByKey: { map: true, shape: 'one', required: ['key'], optional: [], build: (a) => M.getByKey(a.bin, a.key, a.valueType, a.returnType, a.ctx) },
  mapGetByKeyRange: { map: true, shape: 'many', required: [], optional: ['begin', 'end'], build: (a) => M.getByKeyRange(a.bin, infOr(a.end), nilOr(a.begin), a.returnType, a.ctx) },
  mapGetByKeyList: { map: true, shape: 'many', required: ['keys'], optional: [], build: (a) => M.getByKeyList(a.bin, a.keys, a.returnType, a.ctx) },
  mapGetByKeyRelIndexRange: {
    map: true, shape: 'many', required: ['key', 'index'], optional: ['count'],
    build: (a) => a.count === undefined ? M.getByKeyRelIndexRangeToEnd(a.bin, a.index, a.key, a.returnType, a.ctx) : M.getByKeyRelIndexRange(a.bin, a.count, a.index, a.key, a.returnType, a.ctx)
  },
  mapGetByValue: { map: true, shape: 'many', required: ['value'], optional: [], build: (a) => M.getByValue(a.bin, a.value, a.returnType, a.ctx) },
  mapGetByValueRange: { map: true, shape: 'many', required: [], optional: ['begin', 'end'], build: (a) => M.getByValueRange(a.bin, infOr(a.end), nilOr(a.begin), a.returnType, a.ctx) },
  mapGetByValueList: { map: true, shape: 'many', required: ['values'], optional: [], build: (a) => M.getByValueList(a.bin, a.values, a.returnType, a.ctx) },
  mapGetByValueRelRankRange: {
    map: true, shape: 'many', required: ['value', 'rank'], optional: ['count'],
    build: (a) => a.count === undefined ? M.getByValueRelRankRangeToEnd(a.bin, a.rank, a.value, a.returnType, a.ctx) : M.getByValueRelRankRange(a.bin, a.count, a.rank, a.value, a.returnType, a.ctx)
  },
  mapGetByIndex: { map: true, shape: 'one', required: ['index'], optional: [], build: (a) => M.getByIndex(a.bin, a.index, a.valueType, a.returnType, a.ctx) },
  mapGetByIndexRange: {
    map: true, shape: 'many', required: ['index'], optional: ['count'],
    build: (a) => a.count === undefined ? M.getByIndexRangeToEnd(a.bin, a.index, a.returnType, a.ctx) : M.getByIndexRange(a.bin, a.count, a.index, a.returnType, a.ctx)
  },
  mapGetByRank: { map: true, shape: 'one', required: ['rank'], optional: [], build: (a) => M.getByRank(a.bin, a.rank, a.valueType, a.returnType, a.ctx) },
  mapGetByRankRange: {
    map: true, shape: 'many', required: ['rank'], optional: ['count'],
    build: (a) => a.count === undefined ? M.getByRankRangeToEnd(a.bin, a.rank, a.returnType, a.ctx) : M.getByRankRange(a.bin, a.count, a.rank, a.returnType, a.ctx)
  }
}

const INT_FIELDS = new Set(['index', 'rank', 'count'])

/** The fields of an operator that takes named ones: an object, with no field it does not know. */
export function namedArgs (v: unknown, path: string, known: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw expError(path, `takes an object with ${known.map((k) => `"${k}"`).join(', ')}`)
  const args = v as Record<string, unknown>
  for (const k of Object.keys(args)) if (!known.includes(k)) throw expError(path, `unknown field "${k}"; it takes ${known.join(', ')}`)
  return args
}

// The type of the answer, for bins compared with it.
function resultType (read: CdtRead, returnType: string, valueType: ExpType | undefined): ExpType | undefined {
  if (read.shape === 'size' || returnType === 'COUNT') return 'int'
  if (returnType === 'EXISTS') return 'bool'
  if (returnType === 'NONE') return 'nil'
  if (returnType === 'KEY_VALUE' || returnType.endsWith('_MAP')) return 'map'
  if (read.shape === 'many') return 'list'
  return returnType === 'VALUE' || returnType === 'KEY' ? valueType : 'int'
}

export function cdtRead (c: Compiler, op: string, v: unknown, path: string): Compiled {
  const read = CDT_READS[op]
  const shapeFields = read.shape === 'size' ? [] : read.shape === 'one' ? ['returnType', 'valueType'] : ['returnType']
  const a = namedArgs(v, path, ['bin', ...read.required, ...read.optional, ...shapeFields, 'ctx'])
  const out: Record<string, unknown> = {}
  if (a.bin === undefined) throw expError(path, `${op} needs "bin"`)
  out.bin = c.subject(a.bin, `${path}.bin`, read.map ? 'map' : 'list')
  for (const name of read.required) if (a[name] === undefined) throw expError(path, `${op} needs "${name}"`)
  for (const name of [...read.required, ...read.optional]) {
    if (a[name] === undefined) continue
    out[name] = INT_FIELDS.has(name) ? c.int(a[name], `${path}.${name}`) : c.node(a[name], `${path}.${name}`).exp
  }
  out.ctx = c.ctx(a.ctx, `${path}.ctx`)
  let type: ExpType | undefined = 'int'
  if (read.shape !== 'size') {
    if (a.returnType === undefined) throw expError(path, `${op} needs "returnType"`)
    const rt = c.returnType(a.returnType, `${path}.returnType`, read.map)
    out.returnType = rt.value
    let valueType: ExpType | undefined
    if (read.shape === 'one') {
      if (a.valueType !== undefined) valueType = c.valueType(a.valueType, `${path}.valueType`)
      else if (rt.name === 'VALUE' || rt.name === 'KEY') throw expError(path, `${op} with returnType ${rt.name} needs "valueType" (int, float, str, ...)`)
    }
    type = resultType(read, rt.name, valueType)
    if (read.shape === 'one') out.valueType = c.clientType(valueType ?? type ?? 'int')
  }
  return { exp: read.build(out), type }
}
