// The operate body: operations in the official REST gateway's v2 format, one
// schema per operation type, generated from the gateway's own table
// (src/operations/specs.ts) so that the document and the parser agree. The
// gateway reads and checks the operations itself, with errors that name the
// operation and the field; these schemas describe them.

import { Type } from 'typebox'
import type { TSchema } from 'typebox'
import {
  BIT_OVERFLOW_ACTIONS, BIT_RESIZE_FLAGS, BIT_WRITE_FLAGS, CTX_TYPES, EXP_READ_FLAGS, EXP_WRITE_FLAGS, HLL_WRITE_FLAGS, LIST_ORDERS, LIST_RETURN_TYPES, LIST_SORT_FLAGS, LIST_WRITE_FLAGS, MAP_ORDERS, MAP_RETURN_TYPES, MAP_WRITE_FLAGS
} from '../src/operations/fields'
import type { FieldName } from '../src/operations/fields'
import { OPERATION_SPECS } from '../src/operations/specs'
import { METHOD_PARAMETERS, recordQuery } from './records'

const ref = (id: string): TSchema => Type.Unsafe({ $ref: `${id}#` })
const literals = (values: readonly string[], description?: string): TSchema =>
  Type.Unsafe<string>({ type: 'string', enum: values, ...(description === undefined ? {} : { description }) })
// An optional field may be null, which counts as absent (any value takes null already).
const nullable = (schema: TSchema): TSchema => {
  const { description, ...rest } = schema as TSchema & { description?: string }
  if (Object.keys(rest).length === 0) return schema
  return Type.Union([rest as TSchema, Type.Null()], description === undefined ? {} : { description })
}
const int32 = (description: string, minimum = -(2 ** 31)): TSchema => Type.Integer({ minimum, maximum: 2 ** 31 - 1, description })
const anyValue = (description: string): TSchema => Type.Unknown({ description })

const policy = (orders: readonly string[], flags: readonly string[], what: string): TSchema => Type.Object({
  order: Type.Optional(nullable(literals(orders, `Order of a ${what} the operation creates (default UNORDERED)`))),
  writeFlags: Type.Optional(nullable(Type.Array(literals(flags), { description: 'Write flags, combined' })))
}, { description: `${what[0].toUpperCase()}${what.slice(1)} policy; absent or empty is the default` })

// The nested element a list or map operation applies to, outermost first.
const CTX_FIELDS: Record<typeof CTX_TYPES[number], Record<string, TSchema>> = {
  listIndex: { index: int32('Index in the list; negative counts from the end') },
  listIndexCreate: {
    index: int32('Index in the list; a missing element there is created'),
    order: Type.Optional(nullable(literals(LIST_ORDERS, 'Order of the list looked into, when it has to be created too (default UNORDERED)'))),
    pad: Type.Optional(nullable(Type.Boolean({ description: 'Pad with nils up to index when it is past the end (unordered lists)' })))
  },
  listRank: { rank: int32('Rank in the list: 0 smallest, -1 largest') },
  listValue: { value: anyValue('The first element equal to this') },
  mapIndex: { index: int32('Index in key order; negative counts from the end') },
  mapRank: { rank: int32('Rank by value: 0 smallest, -1 largest') },
  mapKey: { key: anyValue('Map key: integer, string or bytes') },
  mapKeyCreate: {
    key: anyValue('Map key: integer, string or bytes; a missing entry is created'),
    order: Type.Optional(nullable(literals(MAP_ORDERS, 'Order of the map looked into, when it has to be created too (default UNORDERED)')))
  },
  mapValue: { value: anyValue('The first entry whose value equals this') }
}

const ctxId = (type: string): string => `${type[0].toUpperCase()}${type.slice(1)}CTX`

export const CtxSchemas = CTX_TYPES.map((type) => Type.Object({ type: Type.Literal(type), ...CTX_FIELDS[type] }, { $id: ctxId(type) }))

export const Ctx = Type.Union(CTX_TYPES.map((type) => ref(ctxId(type))), {
  $id: 'CTX',
  description: 'One step into a nested list or map'
})

const FIELD_SCHEMAS: Record<FieldName, TSchema> = {
  binName: Type.String({ minLength: 1, maxLength: 15, description: 'Bin name (1 to 15 bytes)' }),
  value: anyValue('A value, in the forms of the README\'s value types'),
  values: Type.Array(Type.Unknown(), { description: 'Values' }),
  map: Type.Object({}, { additionalProperties: true, description: 'Keys to values; MessagePack bodies may use integer and bytes keys' }),
  key: anyValue('Map key: integer, string or bytes'),
  keys: Type.Array(Type.Unknown(), { description: 'Map keys: integers, strings or bytes' }),
  valueBegin: anyValue('Start of the range (inclusive); absent or null is the lowest value'),
  valueEnd: anyValue('End of the range (exclusive); absent or null is unbounded'),
  keyBegin: anyValue('Start of the key range (inclusive); absent or null is the lowest key'),
  keyEnd: anyValue('End of the key range (exclusive); absent or null is unbounded'),
  index: int32('Index; negative counts from the end (-1 is the last)'),
  rank: int32('Rank: 0 the smallest value, -1 the largest'),
  count: int32('How many; absent means to the end', 0),
  incr: anyValue('An integer or a double'),
  inverted: Type.Boolean({ description: 'Select every element except those the operation names' }),
  pad: Type.Boolean({ description: 'Pad with nils when the list is created past its start' }),
  listReturnType: literals(LIST_RETURN_TYPES, 'What the operation answers with'),
  mapReturnType: literals(MAP_RETURN_TYPES, 'What the operation answers with'),
  order: literals(LIST_ORDERS, 'List order'),
  listOrder: literals(LIST_ORDERS, 'List order'),
  mapOrder: literals(MAP_ORDERS, 'Map order'),
  sortFlags: Type.Array(literals(LIST_SORT_FLAGS), { description: 'Sort flags (default DEFAULT)' }),
  listPolicy: policy(LIST_ORDERS, LIST_WRITE_FLAGS, 'list'),
  mapPolicy: policy(MAP_ORDERS, MAP_WRITE_FLAGS, 'map'),
  ctx: Type.Array(ref('CTX'), { description: 'Where the nested list or map is, outermost first; absent for the bin itself' }),
  name: Type.String({ minLength: 1, maxLength: 15, description: 'The name the computed value is answered under (1 to 15 bytes)' }),
  exp: Type.Unknown({ description: 'An expression: the JSON form (the Expression schema), or base64 of packed expression bytes' }),
  expReadFlags: Type.Array(literals(EXP_READ_FLAGS), { description: 'EVAL_NO_FAIL: an expression that cannot be evaluated answers null instead of failing (26)' }),
  expWriteFlags: Type.Array(literals(EXP_WRITE_FLAGS), { description: 'CREATE_ONLY, UPDATE_ONLY (of the bin), ALLOW_DELETE (a nil result deletes the bin), POLICY_NO_FAIL, EVAL_NO_FAIL' }),
  bitOffset: int32('Offset in bits; negative counts from the end'),
  bitSize: int32('Number of bits', 0),
  byteOffset: int32('Offset in bytes; negative counts from the end'),
  byteSize: int32('Number of bytes', 0),
  shift: int32('Bits to shift by', 0),
  signed: Type.Boolean({ description: 'Read or add the bits as a signed integer' }),
  resizeFlags: Type.Union([Type.Integer({ minimum: 0, description: 'The client\'s number, as the official gateway takes it' }),
    Type.Array(literals(BIT_RESIZE_FLAGS))], { description: 'FROM_FRONT, GROW_ONLY, SHRINK_ONLY' }),
  action: literals(BIT_OVERFLOW_ACTIONS, 'On overflow: FAIL (26, default), SATURATE, WRAP'),
  bitPolicy: Type.Object({ writeFlags: Type.Array(literals(BIT_WRITE_FLAGS)) }, { description: 'Bit write flags' }),
  indexBitCount: int32('Index bits of the HLL (4 to 16)'),
  minHashBitCount: int32('Min hash bits of the HLL (0, or 4 to 51 with index + min hash at most 64)'),
  hllPolicy: Type.Object({ writeFlags: Type.Array(literals(HLL_WRITE_FLAGS)) }, { description: 'HLL write flags' })
}

// LIST_GET_BY_VALUE_RELATIVE_RANK_RANGE -> ListGetByValueRelativeRankRangeOperation
const schemaId = (type: string): string =>
  `${type.toLowerCase().split('_').map((w) => `${w[0].toUpperCase()}${w.slice(1)}`).join('')}Operation`

export const OperationSchemas = [...OPERATION_SPECS].map(([type, spec]) => {
  const properties: Record<string, TSchema> = { type: Type.Literal(type) }
  for (const name of spec.required) properties[name] = spec.nullable?.includes(name) === true ? nullable(FIELD_SCHEMAS[name]) : FIELD_SCHEMAS[name]
  for (const name of spec.optional) properties[name] = Type.Optional(nullable(FIELD_SCHEMAS[name]))
  return Type.Object(properties, { $id: schemaId(type), description: `${spec.summary}.${spec.writes ? '' : ' Reads only.'}` })
})

export const Operation = Type.Union([...OPERATION_SPECS.keys()].map((type) => ref(schemaId(type))), {
  $id: 'Operation',
  description: 'An operation, by its `type`. Fields an operation does not take are ignored; null counts as absent.'
})

export const OperateBody = Type.Object({
  opsList: Type.Array(ref('Operation'), { minItems: 1, description: 'Operations, applied in order and atomically' })
}, { $id: 'OperateBody' })

export const OperateQuery = recordQuery('OperateQuery', METHOD_PARAMETERS.OPERATE)

export const OPERATE_SCHEMAS = [...CtxSchemas, Ctx, ...OperationSchemas, Operation, OperateBody, OperateQuery]
