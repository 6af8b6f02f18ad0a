// Every operation type of the official REST gateway's v2 format that the
// Node client can run: the fields it takes, whether it writes, what its
// result is, and the client operation it becomes. The OpenAPI schemas
// (schemas/operations.ts) are generated from this table too.

import Aerospike from 'aerospike'
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
