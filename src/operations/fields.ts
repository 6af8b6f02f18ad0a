// The fields of operations in the official REST gateway's v2 format, each
// read and checked once here: every operation that has a field named
// "index" reads it the same way. Errors name the operation's place in the
// opsList and the field ("opsList[2].listReturnType: ...").

import Aerospike from 'aerospike'
import type { BodyFormat } from '../plugins/content'
import { checkBinName, DoubleValue, toClientValue, ValueError } from '../values'

export interface OpsOptions {
  source: BodyFormat
  maxDepth: number
  /** Where the list sits in the body, for error messages: "opsList", "[3].opsList". */
  path: string
}

/** One operation of a request being read. */
export interface OpInput {
  op: Record<string, unknown>
  /** "opsList[2]" */
  where: string
  options: OpsOptions
}

const PARAMETER_ERROR = 4
const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1

export function invalid (where: string, detail: string): ValueError {
  return new ValueError(PARAMETER_ERROR, `${where}: ${detail}`)
}

// The official gateway's enums, by the names its clients send, with the Node
// client's values (which are the server's).
export const LIST_RETURN_TYPES = ['COUNT', 'INDEX', 'EXISTS', 'NONE', 'RANK', 'REVERSE_INDEX', 'REVERSE_RANK', 'VALUE'] as const
export const MAP_RETURN_TYPES = ['COUNT', 'INDEX', 'KEY', 'KEY_VALUE', 'NONE', 'RANK', 'REVERSE_INDEX', 'REVERSE_RANK', 'VALUE', 'EXISTS', 'UNORDERED_MAP', 'ORDERED_MAP'] as const
export const LIST_ORDERS = ['ORDERED', 'UNORDERED'] as const
export const MAP_ORDERS = ['UNORDERED', 'KEY_ORDERED', 'KEY_VALUE_ORDERED'] as const
export const LIST_WRITE_FLAGS = ['DEFAULT', 'ADD_UNIQUE', 'INSERT_BOUNDED', 'NO_FAIL', 'PARTIAL'] as const
export const MAP_WRITE_FLAGS = ['DEFAULT', 'CREATE_ONLY', 'UPDATE_ONLY', 'NO_FAIL', 'PARTIAL'] as const
export const LIST_SORT_FLAGS = ['DEFAULT', 'DROP_DUPLICATES'] as const
export const EXP_READ_FLAGS = ['DEFAULT', 'EVAL_NO_FAIL'] as const
export const EXP_WRITE_FLAGS = ['DEFAULT', 'CREATE_ONLY', 'UPDATE_ONLY', 'ALLOW_DELETE', 'POLICY_NO_FAIL', 'EVAL_NO_FAIL'] as const
export const BIT_WRITE_FLAGS = ['DEFAULT', 'CREATE_ONLY', 'UPDATE_ONLY', 'NO_FAIL', 'PARTIAL'] as const
export const BIT_RESIZE_FLAGS = ['DEFAULT', 'FROM_FRONT', 'GROW_ONLY', 'SHRINK_ONLY'] as const
export const BIT_OVERFLOW_ACTIONS = ['FAIL', 'SATURATE', 'WRAP'] as const
export const HLL_WRITE_FLAGS = ['DEFAULT', 'CREATE_ONLY', 'UPDATE_ONLY', 'NO_FAIL', 'ALLOW_FOLD'] as const
export const CTX_TYPES = ['listIndex', 'listIndexCreate', 'listRank', 'listValue', 'mapIndex', 'mapRank', 'mapKey', 'mapKeyCreate', 'mapValue'] as const

export type ListReturnTypeName = typeof LIST_RETURN_TYPES[number]
export type MapReturnTypeName = typeof MAP_RETURN_TYPES[number]

/** The return type a list or map operation was given, by name, and its value for the client (inverted included). */
export interface ReturnTypeArg {
  name: ListReturnTypeName | MapReturnTypeName
  value: number
}

// The client's enums, as the plain objects they are at run time.
const num = (e: object): Record<string, number> => e as Record<string, number>
const lists = {
  returnType: num(Aerospike.lists.returnType),
  order: num(Aerospike.lists.order),
  sortFlags: num(Aerospike.lists.sortFlags),
  writeFlags: num(Aerospike.lists.writeFlags)
}
const maps = {
  returnType: num(Aerospike.maps.returnType),
  order: num(Aerospike.maps.order),
  writeFlags: num(Aerospike.maps.writeFlags)
}

function oneOf<T extends string> (f: OpInput, name: string, names: readonly T[], v: unknown): T {
  if (typeof v !== 'string' || !(names as readonly string[]).includes(v)) {
    throw invalid(`${f.where}.${name}`, `must be one of ${names.join(', ')}, got ${describeValue(v)}`)
  }
  return v as T
}

export function describeValue (v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (v instanceof DoubleValue) return Number.isInteger(v.value) ? v.value.toFixed(1) : String(v.value)
  if (typeof v === 'object') return 'an object'
  return String(v)
}

/** A field that may be absent; null counts as absent, as in the official gateway. */
function given (f: OpInput, name: string): boolean {
  const v = f.op[name]
  return v !== undefined && v !== null
}

function int32 (f: OpInput, name: string, min = INT32_MIN): number {
  const v = f.op[name]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > INT32_MAX) {
    throw invalid(`${f.where}.${name}`, `must be an integer from ${min} to ${INT32_MAX}, got ${describeValue(v)}`)
  }
  return v
}

function bool (f: OpInput, name: string): boolean {
  const v = f.op[name] ?? false
  if (typeof v !== 'boolean') throw invalid(`${f.where}.${name}`, `must be true or false, got ${describeValue(v)}`)
  return v
}

function flags (f: OpInput, name: string, names: readonly string[], values: Record<string, number>): number {
  const v = f.op[name] ?? []
  if (!Array.isArray(v)) throw invalid(`${f.where}.${name}`, `must be a list of ${names.join(', ')}`)
  let out = 0
  for (let i = 0; i < v.length; i++) out |= values[oneOf(f, `${name}[${i}]`, names, v[i])]
  return out
}

/** Any value, converted losslessly (see src/values.ts). */
export function anyValue (f: OpInput, name: string, v: unknown = f.op[name]): unknown {
  return toClientValue(v, { source: f.options.source, maxDepth: f.options.maxDepth, path: `${f.where}.${name}` })
}

// Map keys are what the server orders maps by: integers, strings and bytes
// (the client silently drops entries keyed by anything else).
function mapKey (f: OpInput, name: string, v: unknown = f.op[name]): unknown {
  const key = anyValue(f, name, v)
  if (typeof key === 'string' || typeof key === 'bigint' || Buffer.isBuffer(key) || (typeof key === 'number' && Number.isInteger(key))) return key
  throw invalid(`${f.where}.${name}`, `a map key is an integer, a string or bytes, got ${describeValue(v)}`)
}

function list (f: OpInput, name: string): unknown[] {
  const v = f.op[name]
  if (!Array.isArray(v)) throw invalid(`${f.where}.${name}`, `must be a list, got ${describeValue(v)}`)
  return v
}

function number (f: OpInput, name: string): unknown {
  const v = anyValue(f, name)
  if (typeof v !== 'number' && typeof v !== 'bigint' && !(v instanceof Aerospike.Double)) {
    throw invalid(`${f.where}.${name}`, `must be an integer or a double, got ${describeValue(f.op[name])}`)
  }
  return v
}

function returnType (f: OpInput, name: 'listReturnType' | 'mapReturnType', names: readonly string[], values: Record<string, number>): ReturnTypeArg {
  const type = oneOf(f, name, names, f.op[name]) as ReturnTypeArg['name']
  return { name: type, value: values[type] | (bool(f, 'inverted') ? values.INVERTED : 0) }
}

const expFlags = {
  read: num(Aerospike.exp.expReadFlags),
  write: num(Aerospike.exp.expWriteFlags)
}
const bits = {
  writeFlags: num(Aerospike.bitwise.writeFlags),
  resizeFlags: num(Aerospike.bitwise.resizeFlags),
  overflow: num(Aerospike.bitwise.overflow)
}
const hllWriteFlags = num(Aerospike.hll.writeFlags)

// {"writeFlags": [...]} of a bit or HLL operation.
function writeFlagsPolicy (f: OpInput, name: string, names: readonly string[], values: Record<string, number>): { writeFlags: number } | undefined {
  const v = f.op[name]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`${f.where}.${name}`, 'must be an object with "writeFlags"')
  const p = { op: v as Record<string, unknown>, where: `${f.where}.${name}`, options: f.options }
  for (const k of Object.keys(p.op)) if (k !== 'writeFlags') throw invalid(`${p.where}.${k}`, 'a bit or HLL policy has "writeFlags" only')
  return { writeFlags: flags(p, 'writeFlags', names, values) }
}

type ListPolicy = InstanceType<typeof Aerospike.ListPolicy>
type MapPolicy = InstanceType<typeof Aerospike.MapPolicy>

// {"order": ..., "writeFlags": [...]}; absent or empty is the client's default
// policy, as in the official gateway.
function policy (f: OpInput, name: string, orders: readonly string[], orderValues: Record<string, number>,
  flagNames: readonly string[], flagValues: Record<string, number>): { order?: number, writeFlags?: number } | undefined {
  const v = f.op[name]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`${f.where}.${name}`, 'must be an object with "order" and "writeFlags"')
  const p = { op: v as Record<string, unknown>, where: `${f.where}.${name}`, options: f.options }
  const order = given(p, 'order') ? orderValues[oneOf(p, 'order', orders, p.op.order)] : undefined
  const writeFlags = given(p, 'writeFlags') ? flags(p, 'writeFlags', flagNames, flagValues) : undefined
  if (order === undefined && writeFlags === undefined) return undefined
  return { order, writeFlags }
}

type Context = InstanceType<typeof Aerospike.cdt.Context>
// The client converts every value of the model; its typings name fewer.
type AnyValue = Parameters<Context['addListValue']>[0]

// The official gateway's ctx items: {"type": "listIndex", "index": 2}, ...
export function context (f: OpInput, name: string): Context | undefined {
  if (!given(f, name)) return undefined
  const items = list(f, name)
  if (items.length === 0) return undefined
  const ctx = new Aerospike.cdt.Context()
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as unknown
    const where = `${f.where}.${name}[${i}]`
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(where, 'a context item is an object with a "type"')
    const c = { op: item as Record<string, unknown>, where, options: f.options }
    switch (oneOf(c, 'type', CTX_TYPES, c.op.type)) {
      case 'listIndex': ctx.addListIndex(required(c, 'index', int32)); break
      case 'listIndexCreate': {
        const order = given(c, 'order') ? oneOf(c, 'order', LIST_ORDERS, c.op.order) : 'UNORDERED'
        ctx.addListIndexCreate(required(c, 'index', int32), lists.order[order], bool(c, 'pad'))
        break
      }
      case 'listRank': ctx.addListRank(required(c, 'rank', int32)); break
      case 'listValue': ctx.addListValue(required(c, 'value', anyValue) as AnyValue); break
      case 'mapIndex': ctx.addMapIndex(required(c, 'index', int32)); break
      case 'mapRank': ctx.addMapRank(required(c, 'rank', int32)); break
      case 'mapKey': ctx.addMapKey(required(c, 'key', mapKey) as string); break
      case 'mapKeyCreate': {
        const order = given(c, 'order') ? oneOf(c, 'order', MAP_ORDERS, c.op.order) : 'UNORDERED'
        ctx.addMapKeyCreate(required(c, 'key', mapKey) as string, maps.order[order])
        break
      }
      case 'mapValue': ctx.addMapValue(required(c, 'value', anyValue) as AnyValue); break
    }
  }
  return ctx
}

function required<T> (f: OpInput, name: string, read: (f: OpInput, name: string) => T): T {
  if (!given(f, name)) throw invalid(f.where, `${String(f.op.type)} needs "${name}"`)
  return read(f, name)
}


/**
 * Every field an operation can have, and how it is read. Values are
 * converted for the client here; enums become the client's numbers.
 */
export const FIELDS = {
  binName: (f: OpInput, name: string): string => checkBinName(f.op[name], `${f.where}.${name}`),
  value: anyValue,
  values: (f: OpInput, name: string): unknown[] => list(f, name).map((v, i) => anyValue(f, `${name}[${i}]`, v)),
  map: (f: OpInput, name: string): unknown => {
    const v = f.op[name]
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Buffer.isBuffer(v) || v instanceof DoubleValue) {
      throw invalid(`${f.where}.${name}`, `must be a map of keys to values, got ${describeValue(v)}`)
    }
    const m = anyValue(f, name)
    if (typeof m !== 'object' || m === null || m instanceof Aerospike.GeoJSON) throw invalid(`${f.where}.${name}`, 'must be a map of keys to values')
    return m
  },
  key: mapKey,
  keys: (f: OpInput, name: string): unknown[] => list(f, name).map((v, i) => mapKey(f, `${name}[${i}]`, v)),
  // The ends of a range; an absent end is unbounded.
  valueBegin: anyValue,
  valueEnd: anyValue,
  keyBegin: mapKey,
  keyEnd: mapKey,
  index: (f: OpInput, name: string): number => int32(f, name),
  rank: (f: OpInput, name: string): number => int32(f, name),
  count: (f: OpInput, name: string): number => int32(f, name, 0),
  incr: number,
  inverted: bool,
  pad: bool,
  listReturnType: (f: OpInput): ReturnTypeArg => returnType(f, 'listReturnType', LIST_RETURN_TYPES, lists.returnType),
  mapReturnType: (f: OpInput): ReturnTypeArg => returnType(f, 'mapReturnType', MAP_RETURN_TYPES, maps.returnType),
  order: (f: OpInput, name: string): number => lists.order[oneOf(f, name, LIST_ORDERS, f.op[name])],
  listOrder: (f: OpInput, name: string): number => lists.order[oneOf(f, name, LIST_ORDERS, f.op[name])],
  mapOrder: (f: OpInput, name: string): number => maps.order[oneOf(f, name, MAP_ORDERS, f.op[name])],
  sortFlags: (f: OpInput, name: string): number => flags(f, name, LIST_SORT_FLAGS, lists.sortFlags),
  listPolicy: (f: OpInput, name: string): ListPolicy | undefined => {
    const p = policy(f, name, LIST_ORDERS, lists.order, LIST_WRITE_FLAGS, lists.writeFlags)
    return p === undefined ? undefined : new Aerospike.ListPolicy(p)
  },
  mapPolicy: (f: OpInput, name: string): MapPolicy | undefined => {
    const p = policy(f, name, MAP_ORDERS, maps.order, MAP_WRITE_FLAGS, maps.writeFlags)
    return p === undefined ? undefined : new Aerospike.MapPolicy(p)
  },
  ctx: context,
  // Expression operations; the expression itself is compiled in specs.ts.
  name: (f: OpInput, name: string): string => checkBinName(f.op[name], `${f.where}.${name}`),
  exp: (f: OpInput, name: string): unknown => f.op[name],
  expReadFlags: (f: OpInput, name: string): number => flags(f, name, EXP_READ_FLAGS, expFlags.read),
  expWriteFlags: (f: OpInput, name: string): number => flags(f, name, EXP_WRITE_FLAGS, expFlags.write),
  // Bit operations, with the official gateway's field names.
  bitOffset: (f: OpInput, name: string): number => int32(f, name),
  bitSize: (f: OpInput, name: string): number => int32(f, name, 0),
  byteOffset: (f: OpInput, name: string): number => int32(f, name),
  byteSize: (f: OpInput, name: string): number => int32(f, name, 0),
  shift: (f: OpInput, name: string): number => int32(f, name, 0),
  signed: bool,
  // The official gateway takes the client's number; the flag names work too.
  resizeFlags: (f: OpInput, name: string): number => typeof f.op[name] === 'number' ? int32(f, name, 0) : flags(f, name, BIT_RESIZE_FLAGS, bits.resizeFlags),
  action: (f: OpInput, name: string): number => bits.overflow[oneOf(f, name, BIT_OVERFLOW_ACTIONS, f.op[name])],
  bitPolicy: (f: OpInput, name: string): { writeFlags: number } | undefined => writeFlagsPolicy(f, name, BIT_WRITE_FLAGS, bits.writeFlags),
  // HyperLogLog operations.
  indexBitCount: (f: OpInput, name: string): number => int32(f, name),
  minHashBitCount: (f: OpInput, name: string): number => int32(f, name),
  hllPolicy: (f: OpInput, name: string): { writeFlags: number } | undefined => writeFlagsPolicy(f, name, HLL_WRITE_FLAGS, hllWriteFlags)
} as const

export type FieldName = keyof typeof FIELDS
export type Args = { [K in FieldName]: ReturnType<typeof FIELDS[K]> }

/**
 * Reads the fields an operation takes: a required one must be there (null
 * counts as absent, except in `nullable` fields, where it is a value);
 * fields it does not take are ignored, as the official gateway ignores them.
 */
export function readFields (f: OpInput, fields: { required: readonly FieldName[], optional: readonly FieldName[], nullable?: readonly FieldName[] }): Args {
  const args: Partial<Record<FieldName, unknown>> = {}
  for (const name of fields.required) {
    args[name] = fields.nullable?.includes(name) === true && f.op[name] === null ? FIELDS[name](f, name) : required(f, name, FIELDS[name])
  }
  for (const name of fields.optional) if (given(f, name)) args[name] = FIELDS[name](f, name)
  return args as Args
}
