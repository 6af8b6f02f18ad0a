// Every operation type of the official REST gateway's v2 format that the
// Node client can run: the fields it takes, whether it writes, what its
// result is, and the client operation it becomes. The OpenAPI schemas
// (schemas/operations.ts) are generated from this table too.

import Aerospike from 'aerospike'
import { toClientExpression, type ClientExp, type ClientExpression } from '../expressions'
import { describeValue, invalid, readFields } from './fields'
import type { Args, FieldName, OpInput, ReturnTypeArg } from './fields'

export type ClientOperation = InstanceType<typeof Aerospike.operations.Operation>

/**
 * What an operation answers with, for reading its result back:
 * - none: nothing (or null)
 * - value: a number, a boolean, a list or map, or a stored element
 * - key: a single map key, so bytes are bytes and never a list or map
 * - bin: a bin's value (GET/READ of one bin)
 * - all: every bin (GET/READ without a binName)
 */
export type ResultKind = 'none' | 'value' | 'key' | 'bin' | 'all'

export interface OpSpec {
  summary: string
  required: readonly FieldName[]
  optional: readonly FieldName[]
  /** Required fields where null is a value rather than absence. */
  nullable?: readonly FieldName[]
  writes: boolean
  result: (a: Args) => ResultKind
  /** undefined for GET_HEADER, which needs no operation. */
  build: (a: Args, f: OpInput) => ClientOperation | undefined
}

type Build = (...args: any[]) => ClientOperation & { withContext: (ctx: unknown) => unknown }
// The client's typings narrow operands to a few types (numbers for range
// ends, strings for map keys); the gateway hands it every value type the
// client converts (see src/values.ts).
const L = Aerospike.lists as unknown as Record<string, Build>
const M = Aerospike.maps as unknown as Record<string, Build>
const { operations: op } = Aerospike

const INT_SAFE = Number.MAX_SAFE_INTEGER

// The client's scalar operations take integers as JavaScript numbers only; a
// larger one fails inside the client (-2), so say so here. List and map
// operations carry them.
function noBigint (f: OpInput, name: string, v: unknown): unknown {
  if (typeof v === 'bigint') throw invalid(`${f.where}.${name}`, `this operation cannot carry an integer beyond ±${INT_SAFE}; write it with PUT /v1/kvs`)
  return v
}

const SPECS = new Map<string, OpSpec>()

function record (type: string, summary: string, writes: boolean, required: FieldName[], optional: FieldName[],
  result: ResultKind | ((a: Args) => ResultKind), build: OpSpec['build'], nullable?: FieldName[]): void {
  SPECS.set(type, { summary, required, optional, nullable, writes, result: typeof result === 'function' ? result : () => result, build })
}

// List and map operations: a bin, an optional context for nested elements.
function cdt (type: string, summary: string, writes: boolean, required: FieldName[], optional: FieldName[],
  result: ResultKind | ((a: Args) => ResultKind), build: (a: Args) => ReturnType<Build>): void {
  SPECS.set(type, {
    summary,
    required: ['binName', ...required],
    optional: [...optional, 'ctx'],
    writes,
    result: typeof result === 'function' ? result : () => result,
    build: (a) => {
      const o = build(a)
      if (a.ctx !== undefined) o.withContext(a.ctx)
      return o
    }
  })
}

/** What a get/remove-by operation answers with, by its return type. */
function selected (single: boolean, field: 'listReturnType' | 'mapReturnType') {
  return (a: Args): ResultKind => {
    const rt = a[field] as ReturnTypeArg
    if (rt.name === 'NONE') return 'none'
    // The server refuses to invert a single selection (26).
    return rt.name === 'KEY' && single ? 'key' : 'value'
  }
}

// --- Record (scalar) operations ---------------------------------------------

const read = (a: Args): ClientOperation => op.read(a.binName ?? '')
record('READ', 'Read a bin; without binName, every bin', false, [], ['binName'], (a) => a.binName === undefined ? 'all' : 'bin', read)
record('GET', 'Same as READ', false, [], ['binName'], (a) => a.binName === undefined ? 'all' : 'bin', read)
record('GET_HEADER', 'Only the generation and ttl, which every answer has', false, [], [], 'none', () => undefined)
record('PUT', 'Write a bin; a null value deletes it, as in PATCH /v1/kvs', true, ['binName', 'value'], [], 'none',
  (a, f) => op.write(a.binName, noBigint(f, 'value', a.value) as string), ['value'])
record('ADD', 'Add incr to an integer or double bin (created when missing)', true, ['binName', 'incr'], [], 'none',
  (a, f) => op.incr(a.binName, noBigint(f, 'incr', a.incr) as number))
for (const [type, fn] of [['APPEND', op.append], ['PREPEND', op.prepend]] as const) {
  record(type, `${type === 'APPEND' ? 'Append' : 'Prepend'} a string to a string bin`, true, ['binName', 'value'], [], 'none', (a, f) => {
    if (typeof f.op.value !== 'string') throw invalid(`${f.where}.value`, `${type} takes a string`)
    return fn(a.binName, a.value as string)
  })
}
// A touch's new ttl is the request's expiration, as in a single-record write.
record('TOUCH', 'Reset the ttl to the expiration query parameter and bump the generation', true, [], [], 'none', () => op.touch(undefined as unknown as number))
record('DELETE', 'Delete the record', true, [], [], 'none', () => op.delete())

// --- List operations -----------------------------------------------------------

cdt('LIST_CREATE', 'Create a list (with the order) where there is none', true, ['order'], ['pad'], 'none', (a) => L.create(a.binName, a.order, a.pad ?? false))
cdt('LIST_SET_ORDER', 'Set the order of a list', true, ['listOrder'], [], 'none', (a) => L.setOrder(a.binName, a.listOrder))
cdt('LIST_SORT', 'Sort a list', true, [], ['sortFlags'], 'none', (a) => L.sort(a.binName, a.sortFlags ?? 0))
cdt('LIST_APPEND', 'Append a value; answers the new size', true, ['value'], ['listPolicy'], 'value', (a) => L.append(a.binName, a.value, a.listPolicy))
cdt('LIST_APPEND_ITEMS', 'Append values; answers the new size', true, ['values'], ['listPolicy'], 'value', (a) => L.appendItems(a.binName, a.values, a.listPolicy))
cdt('LIST_INSERT', 'Insert a value at index; answers the new size', true, ['index', 'value'], ['listPolicy'], 'value', (a) => L.insert(a.binName, a.index, a.value, a.listPolicy))
cdt('LIST_INSERT_ITEMS', 'Insert values at index; answers the new size', true, ['index', 'values'], ['listPolicy'], 'value', (a) => L.insertItems(a.binName, a.index, a.values, a.listPolicy))
cdt('LIST_SET', 'Set the value at index', true, ['index', 'value'], ['listPolicy'], 'none', (a) => L.set(a.binName, a.index, a.value, a.listPolicy))
cdt('LIST_INCREMENT', 'Add incr to the number at index; answers the new number', true, ['index', 'incr'], ['listPolicy'], 'value', (a) => L.increment(a.binName, a.index, a.incr, a.listPolicy))
cdt('LIST_POP', 'Remove the value at index and answer it', true, ['index'], [], 'value', (a) => L.pop(a.binName, a.index))
cdt('LIST_POP_RANGE', 'Remove count values (all when absent) from index and answer them', true, ['index'], ['count'], 'value', (a) => L.popRange(a.binName, a.index, a.count))
cdt('LIST_REMOVE', 'Remove the value at index; answers the count removed', true, ['index'], [], 'value', (a) => L.remove(a.binName, a.index))
cdt('LIST_REMOVE_RANGE', 'Remove count values (all when absent) from index; answers the count removed', true, ['index'], ['count'], 'value', (a) => L.removeRange(a.binName, a.index, a.count))
cdt('LIST_TRIM', 'Keep only count values from index; answers the count removed', true, ['index', 'count'], [], 'value', (a) => L.trim(a.binName, a.index, a.count))
cdt('LIST_CLEAR', 'Remove every value', true, [], [], 'none', (a) => L.clear(a.binName))
cdt('LIST_SIZE', 'Answer the number of values', false, [], [], 'value', (a) => L.size(a.binName))
cdt('LIST_GET', 'Answer the value at index', false, ['index'], [], 'value', (a) => L.get(a.binName, a.index))
cdt('LIST_GET_RANGE', 'Answer count values (all when absent) from index', false, ['index'], ['count'], 'value', (a) => L.getRange(a.binName, a.index, a.count))

// The get-by and remove-by families share their fields and differ in the verb.
for (const [verb, writes] of [['GET', false], ['REMOVE', true]] as const) {
  const fn = (name: string): Build => L[`${verb === 'GET' ? 'get' : 'remove'}${name}`]
  const does = verb === 'GET' ? 'Select' : 'Remove'
  const rt = ['listReturnType'] as FieldName[]
  const opt = ['inverted'] as FieldName[]
  cdt(`LIST_${verb}_BY_INDEX`, `${does} the value at index`, writes, ['index', ...rt], opt, selected(true, 'listReturnType'),
    (a) => fn('ByIndex')(a.binName, a.index, a.listReturnType.value))
  cdt(`LIST_${verb}_BY_INDEX_RANGE`, `${does} count values (all when absent) from index`, writes, ['index', ...rt], ['count', ...opt], selected(false, 'listReturnType'),
    (a) => fn('ByIndexRange')(a.binName, a.index, a.count, a.listReturnType.value))
  cdt(`LIST_${verb}_BY_RANK`, `${does} the value of rank (0 smallest, -1 largest)`, writes, ['rank', ...rt], opt, selected(true, 'listReturnType'),
    (a) => fn('ByRank')(a.binName, a.rank, a.listReturnType.value))
  cdt(`LIST_${verb}_BY_RANK_RANGE`, `${does} count values (all when absent) from rank`, writes, ['rank', ...rt], ['count', ...opt], selected(false, 'listReturnType'),
    (a) => fn('ByRankRange')(a.binName, a.rank, a.count, a.listReturnType.value))
  cdt(`LIST_${verb}_BY_VALUE`, `${does} the values equal to value`, writes, ['value', ...rt], opt, selected(false, 'listReturnType'),
    (a) => fn('ByValue')(a.binName, a.value, a.listReturnType.value))
  cdt(`LIST_${verb}_BY_VALUE_LIST`, `${does} the values equal to any of values`, writes, ['values', ...rt], opt, selected(false, 'listReturnType'),
    (a) => fn('ByValueList')(a.binName, a.values, a.listReturnType.value))
  cdt(`LIST_${verb}_BY_VALUE_RANGE`, `${does} the values from valueBegin (inclusive) to valueEnd (exclusive); an absent end is unbounded`, writes, rt, ['valueBegin', 'valueEnd', ...opt], selected(false, 'listReturnType'),
    (a) => fn('ByValueRange')(a.binName, a.valueBegin ?? null, a.valueEnd ?? null, a.listReturnType.value))
  cdt(`LIST_${verb}_BY_VALUE_RELATIVE_RANK_RANGE`, `${does} count values (all when absent) from the rank relative to value`, writes, ['value', 'rank', ...rt], ['count', ...opt], selected(false, 'listReturnType'),
    (a) => fn('ByValueRelRankRange')(a.binName, a.value, a.rank, a.count, a.listReturnType.value))
}

// --- Map operations ------------------------------------------------------------

cdt('MAP_CREATE', 'Create a map (with the order) where there is none', true, ['mapOrder'], [], 'none', (a) => M.create(a.binName, a.mapOrder))
cdt('MAP_SET_POLICY', 'Set the order of a map', true, ['mapPolicy'], [], 'none', (a) => M.setPolicy(a.binName, a.mapPolicy ?? new Aerospike.MapPolicy({})))
cdt('MAP_PUT', 'Put key and value; answers the new size', true, ['key', 'value'], ['mapPolicy'], 'value', (a) => M.put(a.binName, a.key, a.value, a.mapPolicy))
cdt('MAP_PUT_ITEMS', 'Put every entry of map; answers the new size', true, ['map'], ['mapPolicy'], 'value', (a) => M.putItems(a.binName, a.map, a.mapPolicy))
cdt('MAP_INCREMENT', 'Add incr to the number at key (created when missing); answers the new number', true, ['key', 'incr'], ['mapPolicy'], 'value', (a) => M.increment(a.binName, a.key, a.incr, a.mapPolicy))
cdt('MAP_CLEAR', 'Remove every entry', true, [], [], 'none', (a) => M.clear(a.binName))
cdt('MAP_SIZE', 'Answer the number of entries', false, [], [], 'value', (a) => M.size(a.binName))

for (const [verb, writes] of [['GET', false], ['REMOVE', true]] as const) {
  const fn = (name: string): Build => M[`${verb === 'GET' ? 'get' : 'remove'}${name}`]
  const does = verb === 'GET' ? 'Select' : 'Remove'
  const rt = ['mapReturnType'] as FieldName[]
  const opt = ['inverted'] as FieldName[]
  cdt(`MAP_${verb}_BY_KEY`, `${does} the entry of key`, writes, ['key', ...rt], opt, selected(true, 'mapReturnType'),
    (a) => fn('ByKey')(a.binName, a.key, a.mapReturnType.value))
  // The official gateway has no MAP_REMOVE_BY_KEY_LIST; the client has both.
  cdt(`MAP_${verb}_BY_KEY_LIST`, `${does} the entries of keys`, writes, ['keys', ...rt], opt, selected(false, 'mapReturnType'),
    (a) => fn('ByKeyList')(a.binName, a.keys, a.mapReturnType.value))
  cdt(`MAP_${verb}_BY_KEY_RANGE`, `${does} the entries from keyBegin (inclusive) to keyEnd (exclusive); an absent end is unbounded`, writes, rt, ['keyBegin', 'keyEnd', ...opt], selected(false, 'mapReturnType'),
    (a) => fn('ByKeyRange')(a.binName, a.keyBegin ?? null, a.keyEnd ?? null, a.mapReturnType.value))
  // The official gateway names the key of this one "value".
  cdt(`MAP_${verb}_BY_KEY_RELATIVE_INDEX_RANGE`, `${does} count entries (all when absent) from the index relative to the key given as value`, writes, ['value', 'index', ...rt], ['count', ...opt], selected(false, 'mapReturnType'),
    (a) => fn('ByKeyRelIndexRange')(a.binName, a.value, a.index, a.count, a.mapReturnType.value))
  cdt(`MAP_${verb}_BY_VALUE`, `${does} the entries whose value equals value`, writes, ['value', ...rt], opt, selected(false, 'mapReturnType'),
    (a) => fn('ByValue')(a.binName, a.value, a.mapReturnType.value))
  cdt(`MAP_${verb}_BY_VALUE_LIST`, `${does} the entries whose value equals any of values`, writes, ['values', ...rt], opt, selected(false, 'mapReturnType'),
    (a) => fn('ByValueList')(a.binName, a.values, a.mapReturnType.value))
  cdt(`MAP_${verb}_BY_VALUE_RANGE`, `${does} the entries with values from valueBegin (inclusive) to valueEnd (exclusive); an absent end is unbounded`, writes, rt, ['valueBegin', 'valueEnd', ...opt], selected(false, 'mapReturnType'),
    (a) => fn('ByValueRange')(a.binName, a.valueBegin ?? null, a.valueEnd ?? null, a.mapReturnType.value))
  cdt(`MAP_${verb}_BY_VALUE_RELATIVE_RANK_RANGE`, `${does} count entries (all when absent) from the rank relative to value`, writes, ['value', 'rank', ...rt], ['count', ...opt], selected(false, 'mapReturnType'),
    (a) => fn('ByValueRelRankRange')(a.binName, a.value, a.rank, a.count, a.mapReturnType.value))
  cdt(`MAP_${verb}_BY_INDEX`, `${does} the entry at index (in key order)`, writes, ['index', ...rt], opt, selected(true, 'mapReturnType'),
    (a) => fn('ByIndex')(a.binName, a.index, a.mapReturnType.value))
  cdt(`MAP_${verb}_BY_INDEX_RANGE`, `${does} count entries (all when absent) from index`, writes, ['index', ...rt], ['count', ...opt], selected(false, 'mapReturnType'),
    (a) => fn('ByIndexRange')(a.binName, a.index, a.count, a.mapReturnType.value))
  cdt(`MAP_${verb}_BY_RANK`, `${does} the entry of rank (by value; 0 smallest, -1 largest)`, writes, ['rank', ...rt], opt, selected(true, 'mapReturnType'),
    (a) => fn('ByRank')(a.binName, a.rank, a.mapReturnType.value))
  cdt(`MAP_${verb}_BY_RANK_RANGE`, `${does} count entries (all when absent) from rank`, writes, ['rank', ...rt], ['count', ...opt], selected(false, 'mapReturnType'),
    (a) => fn('ByRankRange')(a.binName, a.rank, a.count, a.mapReturnType.value))
}

// --- Expression operations ------------------------------------------------------

const X = (Aerospike.exp as unknown as { operations: Record<string, Build> }).operations
const expressionOf = (f: OpInput): ClientExpression =>
  toClientExpression(f.op.exp, `${f.where}.exp`, { source: f.options.source, maxDepth: f.options.maxDepth })

// A computed value under a name of the request's choosing: several results
// on one bin come back under distinct names.
record('EXP_READ', 'Evaluate exp and answer its value under name', false, ['name', 'exp'], ['expReadFlags'], 'value',
  (a, f) => X.read(a.name, expressionOf(f), a.expReadFlags ?? 0), ['exp'])
record('EXP_WRITE', 'Write the value of exp to the bin', true, ['binName', 'exp'], ['expWriteFlags'], 'none',
  (a, f) => X.write(a.binName, expressionOf(f), a.expWriteFlags ?? 0), ['exp'])

// --- Bit operations (the official gateway's types and fields) ---------------------

type PolicyOp = ClientOperation & { withPolicy: (p: unknown) => PolicyOp, onOverflow: (action: number) => PolicyOp }
const BIT = Aerospike.bitwise as unknown as Record<string, (...args: any[]) => PolicyOp>
const E = Aerospike.exp

// Bytes: the official gateway's base64 string, or the value forms' bytes.
function bytesArg (f: OpInput, v: unknown): Buffer {
  if (typeof f.op.value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(f.op.value) && f.op.value.length % 4 === 0) return Buffer.from(f.op.value, 'base64')
  if (Buffer.isBuffer(v)) return v
  throw invalid(`${f.where}.value`, 'must be bytes: base64 text, or {"type": "BYTE_ARRAY", "value": "<base64>"}')
}
function intArg (f: OpInput, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(`${f.where}.value`, `must be an integer up to ±${INT_SAFE}`)
  return v
}
function boolArg (f: OpInput, v: unknown): boolean {
  if (typeof v !== 'boolean') throw invalid(`${f.where}.value`, 'must be true or false')
  return v
}
const withBitPolicy = (o: PolicyOp, a: Args): ClientOperation => a.bitPolicy === undefined ? o : o.withPolicy(a.bitPolicy)

const bitModify = (type: string, summary: string, fields: FieldName[], build: (a: Args, f: OpInput) => PolicyOp): void =>
  record(type, summary, true, ['binName', ...fields], ['bitPolicy'], 'none', (a, f) => withBitPolicy(build(a, f), a))
const bits = ['bitOffset', 'bitSize'] as FieldName[]

bitModify('BIT_RESIZE', 'Resize the blob to byteSize bytes', ['byteSize'], (a) => BIT.resize(a.binName, a.byteSize, a.resizeFlags ?? 0))
bitModify('BIT_INSERT', 'Insert the bytes of value at byteOffset', ['byteOffset', 'value'], (a, f) => BIT.insert(a.binName, a.byteOffset, bytesArg(f, a.value)))
bitModify('BIT_REMOVE', 'Remove byteSize bytes from byteOffset', ['byteOffset', 'byteSize'], (a) => BIT.remove(a.binName, a.byteOffset, a.byteSize))
for (const [type, fn, what] of [['BIT_SET', 'set', 'Set'], ['BIT_OR', 'or', 'Or'], ['BIT_XOR', 'xor', 'Xor'], ['BIT_AND', 'and', 'And']] as const) {
  bitModify(type, `${what} bitSize bits from bitOffset with the bytes of value`, [...bits, 'value'], (a, f) => BIT[fn](a.binName, a.bitOffset, a.bitSize, bytesArg(f, a.value)))
}
bitModify('BIT_NOT', 'Invert bitSize bits from bitOffset', bits, (a) => BIT.not(a.binName, a.bitOffset, a.bitSize))
bitModify('BIT_LSHIFT', 'Shift bitSize bits from bitOffset left by shift', [...bits, 'shift'], (a) => BIT.lshift(a.binName, a.bitOffset, a.bitSize, a.shift))
bitModify('BIT_RSHIFT', 'Shift bitSize bits from bitOffset right by shift', [...bits, 'shift'], (a) => BIT.rshift(a.binName, a.bitOffset, a.bitSize, a.shift))
for (const [type, fn, what] of [['BIT_ADD', 'add', 'Add value to'], ['BIT_SUBTRACT', 'subtract', 'Subtract value from']] as const) {
  bitModify(type, `${what} the integer of bitSize bits (at most 64) at bitOffset; action on overflow`, [...bits, 'value'],
    (a, f) => BIT[fn](a.binName, a.bitOffset, a.bitSize, intArg(f, a.value), a.signed ?? false).onOverflow(a.action ?? Aerospike.bitwise.overflow.FAIL))
}
// Client 6.7.1 has no bitwise.setInt, but its binding runs the operation: its
// opcode comes just before BIT_GET's (780, 781), and it reads bitOffset,
// bitSize and value (where the other bit operations read offset and size).
const BIT_SET_INT = (BIT.get('b', 0, 0) as unknown as { op: number }).op - 1
bitModify('BIT_SET_INT', 'Set bitSize bits (at most 64) at bitOffset to the integer value', [...bits, 'value'],
  (a, f) => Object.assign(BIT.not(a.binName, a.bitOffset, a.bitSize), { op: BIT_SET_INT, bitOffset: a.bitOffset, bitSize: a.bitSize, value: intArg(f, a.value) }))
for (const type of ['BIT_RESIZE', 'BIT_ADD', 'BIT_SUBTRACT']) {
  const spec = SPECS.get(type) as OpSpec
  SPECS.set(type, { ...spec, optional: [...spec.optional, ...(type === 'BIT_RESIZE' ? ['resizeFlags'] : ['signed', 'action']) as FieldName[]] })
}

const bitRead = (type: string, summary: string, fields: FieldName[], result: ResultKind, build: (a: Args, f: OpInput) => ClientOperation): void =>
  record(type, summary, false, ['binName', ...bits, ...fields], type === 'BIT_GET_INT' ? ['signed'] : [], result, build)
// A blob read answers bytes, never a list or map.
bitRead('BIT_GET', 'Answer bitSize bits from bitOffset, as bytes', [], 'key', (a) => BIT.get(a.binName, a.bitOffset, a.bitSize))
bitRead('BIT_GET_INT', 'Answer bitSize bits (at most 64) from bitOffset as an integer', [], 'value', (a) => BIT.getInt(a.binName, a.bitOffset, a.bitSize, a.signed ?? false))
bitRead('BIT_RSCAN', 'Answer the offset of the last bit equal to value (true or false), or -1', ['value'], 'value',
  (a, f) => BIT.rscan(a.binName, a.bitOffset, a.bitSize, boolArg(f, a.value)))
// Client 6.7.1 has no bitwise.count, and its bitwise.lscan sends RSCAN: both
// run as the same bit reads inside an expression, answered under the bin's name.
const blobExp = (a: Args): { bin: ClientExp, size: ClientExp, offset: ClientExp } =>
  ({ bin: E.binBlob(a.binName), size: E.int(a.bitSize), offset: E.int(a.bitOffset) })
bitRead('BIT_COUNT', 'Answer the number of 1 bits in bitSize bits from bitOffset', [], 'value', (a) => {
  const { bin, size, offset } = blobExp(a)
  return X.read(a.binName, E.bit.count(bin, size, offset), 0)
})
bitRead('BIT_LSCAN', 'Answer the offset of the first bit equal to value (true or false), or -1', ['value'], 'value', (a, f) => {
  const { bin, size, offset } = blobExp(a)
  return X.read(a.binName, E.bit.lScan(bin, E.bool(boolArg(f, a.value)), size, offset), 0)
})

// --- HyperLogLog operations (the official gateway's types and fields) -------------

const HLL = Aerospike.hll as unknown as Record<string, (...args: any[]) => PolicyOp>
const withHllPolicy = (o: PolicyOp, a: Args): ClientOperation => a.hllPolicy === undefined ? o : o.withPolicy(a.hllPolicy)

// HLL values: {"type": "HLL", "value": "<base64>"} or, as the official gateway takes them, base64 text.
function hllValues (f: OpInput, values: unknown[]): unknown[] {
  return values.map((v, i) => {
    if (v instanceof Aerospike.HyperLogLog) return v
    const raw = (f.op.values as unknown[])[i]
    if (typeof raw === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(raw) && raw.length % 4 === 0) return new Aerospike.HyperLogLog(Buffer.from(raw, 'base64'))
    if (Buffer.isBuffer(v)) return new Aerospike.HyperLogLog(v)
    throw invalid(`${f.where}.values[${i}]`, 'must be an HLL value: {"type": "HLL", "value": "<base64>"}, or base64 text')
  })
}

record('HLL_INIT', 'Create or reset an HLL with indexBitCount (and minHashBitCount)', true, ['binName', 'indexBitCount'], ['minHashBitCount', 'hllPolicy'], 'none',
  (a) => withHllPolicy(HLL.init(a.binName, a.indexBitCount, a.minHashBitCount ?? -1), a))
record('HLL_ADD', 'Add values to an HLL (created with indexBitCount when missing); answers how many changed it', true, ['binName', 'values'], ['indexBitCount', 'minHashBitCount', 'hllPolicy'], 'value',
  (a) => withHllPolicy(HLL.add(a.binName, a.values, a.indexBitCount ?? -1, a.minHashBitCount ?? -1), a))
record('HLL_SET_UNION', 'Set the HLL to its union with values (HLLs)', true, ['binName', 'values'], ['hllPolicy'], 'none',
  (a, f) => withHllPolicy(HLL.setUnion(a.binName, hllValues(f, a.values)), a))
record('HLL_SET_COUNT', 'Update the cached count and answer it', true, ['binName'], [], 'value', (a) => HLL.refreshCount(a.binName))
record('HLL_FOLD', 'Fold the HLL to indexBitCount', true, ['binName', 'indexBitCount'], [], 'none', (a) => HLL.fold(a.binName, a.indexBitCount))
record('HLL_COUNT', 'Answer the estimated count', false, ['binName'], [], 'value', (a) => HLL.getCount(a.binName))
record('HLL_UNION', 'Answer the union with values (HLLs), as an HLL', false, ['binName', 'values'], [], 'value', (a, f) => HLL.getUnion(a.binName, hllValues(f, a.values)))
record('HLL_UNION_COUNT', 'Answer the estimated count of the union with values (HLLs)', false, ['binName', 'values'], [], 'value', (a, f) => HLL.getUnionCount(a.binName, hllValues(f, a.values)))
record('HLL_INTERSECT_COUNT', 'Answer the estimated count of the intersection with values (HLLs)', false, ['binName', 'values'], [], 'value', (a, f) => HLL.getIntersectCount(a.binName, hllValues(f, a.values)))
record('HLL_SIMILARITY', 'Answer the estimated similarity with values (HLLs)', false, ['binName', 'values'], [], 'value', (a, f) => HLL.getSimilarity(a.binName, hllValues(f, a.values)))
record('HLL_DESCRIBE', 'Answer [indexBitCount, minHashBitCount]', false, ['binName'], [], 'value', (a) => HLL.describe(a.binName))

/** Every operation type, in documentation order. */
export const OPERATION_SPECS: ReadonlyMap<string, OpSpec> = SPECS

/** Reads one operation: its fields, checked, and the spec of its type. */
export function readOperation (f: OpInput, typeWhere: string): { spec: OpSpec, args: Args } {
  const spec = SPECS.get(f.op.type as string)
  if (spec === undefined || typeof f.op.type !== 'string') {
    throw invalid(typeWhere, `unknown operation type ${typeof f.op.type === 'string' ? JSON.stringify(f.op.type) : describeValue(f.op.type)}; the OpenAPI document (Operation) lists them`)
  }
  return { spec, args: readFields(f, spec) }
}
