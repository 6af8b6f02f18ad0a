// The JSON expression form (src/expressions/), for the OpenAPI document. The
// gateway compiles and checks expressions itself, with errors that name the
// node's path; these schemas describe the form.

import { Type } from 'typebox'
import type { TSchema } from 'typebox'
import { EXP_TYPES } from '../src/expressions'
import { LIST_RETURN_TYPES, MAP_RETURN_TYPES } from '../src/operations/fields'

const ref = (id: string): TSchema => Type.Unsafe({ $ref: `${id}#` })
const exp = ref('Expression')
const operands = (description: string, n?: number): TSchema =>
  Type.Array(exp, { description, ...(n === undefined ? {} : { minItems: n, maxItems: n }) })
const none = (description: string): TSchema => Type.Unsafe({ description: `${description}; takes no operands: []` })
const named = (description: string, fields: Record<string, TSchema>): TSchema =>
  Type.Object(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])), { description, additionalProperties: false })

const typeName = Type.Unsafe<string>({ type: 'string', enum: EXP_TYPES.filter((t) => t !== 'nil'), description: 'Value type (also integer, string, double, boolean, bytes, geojson)' })
const bin = Type.Union([Type.String(), exp], { description: 'A bin name, or an expression of the right type' })
const cdtFields = (map: boolean): Record<string, TSchema> => ({
  bin,
  value: exp,
  values: exp,
  key: exp,
  keys: exp,
  begin: exp,
  end: exp,
  index: exp,
  rank: exp,
  count: exp,
  returnType: Type.Unsafe<string>({ type: 'string', enum: map ? MAP_RETURN_TYPES : LIST_RETURN_TYPES }),
  valueType: typeName,
  ctx: Type.Array(ref('CTX'))
})
const bitFields = { bin, bitOffset: exp, bitSize: exp, value: exp, signed: Type.Boolean() }
const hllFields = { bin, values: Type.Array(Type.Unknown(), { description: 'HLL values ({"type": "HLL", "value": "<base64>"}), or values for hllMayContain' }) }

const comparison = (what: string): TSchema => operands(`true when the first operand is ${what} the second; operands of one type`, 2)

const OPERATORS: Record<string, TSchema> = {
  '==': comparison('equal to'),
  '!=': comparison('not equal to'),
  '>': comparison('greater than'),
  '>=': comparison('greater than or equal to'),
  '<': comparison('less than'),
  '<=': comparison('less than or equal to'),
  and: operands('true when every operand is'),
  or: operands('true when some operand is'),
  xor: operands('true when exactly one operand is'),
  not: Type.Union([exp, operands('', 1)], { description: 'Negation of a boolean' }),
  regex: operands('[string expression, pattern]: POSIX regular expression match; "flags": ["ICASE", "EXTENDED", "NEWLINE"]', 2),
  geo: operands('GeoJSON containment: point within region or region containing point', 2),
  '+': operands('Sum (integers or floats, not mixed)'),
  '-': operands('Difference; one operand: negation'),
  '*': operands('Product'),
  '/': operands('Quotient (integer division truncates)'),
  min: operands('Smallest'),
  max: operands('Largest'),
  pow: operands('[base, exponent], floats', 2),
  log: operands('[number, base], floats', 2),
  mod: operands('[integer, divisor]', 2),
  abs: Type.Union([exp, operands('', 1)], { description: 'Absolute value' }),
  floor: Type.Union([exp, operands('', 1)], { description: 'Floor of a float' }),
  ceil: Type.Union([exp, operands('', 1)], { description: 'Ceiling of a float' }),
  toInt: Type.Union([exp, operands('', 1)], { description: 'Float to integer (truncates)' }),
  toFloat: Type.Union([exp, operands('', 1)], { description: 'Integer to float' }),
  intAnd: operands('Bitwise and of integers'),
  intOr: operands('Bitwise or'),
  intXor: operands('Bitwise xor'),
  intNot: Type.Union([exp, operands('', 1)], { description: 'Bitwise not' }),
  intLshift: operands('[integer, shift]', 2),
  intRshift: operands('[integer, shift], logical', 2),
  intArshift: operands('[integer, shift], arithmetic', 2),
  intCount: Type.Union([exp, operands('', 1)], { description: 'Number of 1 bits' }),
  intLscan: operands('[integer, bool]: index of the first bit equal to bool from the left', 2),
  intRscan: operands('[integer, bool]: from the right', 2),
  cond: operands('[condition1, value1, condition2, value2, ..., default]: the value of the first true condition'),
  let: Type.Record(Type.String(), exp, { description: 'Variables, in order, each an expression; "in" is the expression that uses them' }),
  in: exp,
  var: Type.String({ description: 'The value of a "let" variable' }),
  bin: Type.String({ description: 'A bin\'s value; "type" gives its type, else it takes the type of its comparison or arithmetic neighbours' }),
  type: typeName,
  flags: Type.Array(Type.Unsafe<string>({ type: 'string', enum: ['BASIC', 'EXTENDED', 'ICASE', 'NEWLINE'] }), { description: 'regex flags' }),
  binType: Type.String({ description: 'The particle type of a bin: 0 absent, 1 int, 2 float, 3 str, 4 blob, 18 HLL, 19 map, 20 list, 23 GeoJSON' }),
  binExists: Type.String({ description: 'true when the bin exists' }),
  value: Type.Unknown({ description: 'A literal value in the README\'s value forms: list, map, bytes, GeoJSON...' }),
  ttl: none('Seconds until the record expires (-1 never)'),
  voidTime: none('When the record expires: ns since the Unix epoch (-1 never)'),
  lastUpdate: none('When the record was last written: ns since the Unix epoch'),
  sinceUpdate: none('ms since the record was last written'),
  setName: none('The record\'s set name'),
  recordSize: none('The record\'s size in bytes'),
  deviceSize: none('The record\'s size on the storage device'),
  memorySize: none('The record\'s size in memory'),
  keyExists: none('true when the record stores its key'),
  isTombstone: none('true for a tombstone (server refuses it in most places)'),
  digestModulo: Type.Integer({ minimum: 1, description: 'The record digest modulo this divisor' }),
  key: Type.Unsafe<string>({ type: 'string', enum: ['int', 'str', 'blob'], description: 'The stored key, of this type' }),
  listSize: named('Size of a list', cdtFields(false)),
  listGetByValue: named('List elements equal to value', cdtFields(false)),
  listGetByValueRange: named('List elements from begin (inclusive) to end (exclusive)', cdtFields(false)),
  listGetByValueList: named('List elements equal to any of values', cdtFields(false)),
  listGetByValueRelRankRange: named('count (all when absent) list elements from rank relative to value', cdtFields(false)),
  listGetByIndex: named('The list element at index; valueType is its type', cdtFields(false)),
  listGetByIndexRange: named('count list elements from index', cdtFields(false)),
  listGetByRank: named('The list element of rank', cdtFields(false)),
  listGetByRankRange: named('count list elements from rank', cdtFields(false)),
  mapSize: named('Size of a map', cdtFields(true)),
  mapGetByKey: named('The map entry of key', cdtFields(true)),
  mapGetByKeyRange: named('Map entries with keys from begin to end', cdtFields(true)),
  mapGetByKeyList: named('Map entries of keys', cdtFields(true)),
  mapGetByKeyRelIndexRange: named('Map entries from index relative to key', cdtFields(true)),
  mapGetByValue: named('Map entries whose value equals value', cdtFields(true)),
  mapGetByValueRange: named('Map entries with values from begin to end', cdtFields(true)),
  mapGetByValueList: named('Map entries whose value is one of values', cdtFields(true)),
  mapGetByValueRelRankRange: named('Map entries from rank relative to value', cdtFields(true)),
  mapGetByIndex: named('The map entry at index (key order)', cdtFields(true)),
  mapGetByIndexRange: named('Map entries from index', cdtFields(true)),
  mapGetByRank: named('The map entry of rank (by value)', cdtFields(true)),
  mapGetByRankRange: named('Map entries from rank', cdtFields(true)),
  bitGet: named('bitSize bits from bitOffset of a blob', bitFields),
  bitCount: named('Number of 1 bits', bitFields),
  bitLscan: named('Offset of the first bit equal to value (bool) from the left, or -1', bitFields),
  bitRscan: named('From the right', bitFields),
  bitGetInt: named('bitSize bits as an integer; signed', bitFields),
  hllCount: named('Estimated count of an HLL', hllFields),
  hllDescribe: named('[indexBitCount, minHashBitCount] of an HLL', hllFields),
  hllUnion: named('Union of the HLL with values (HLLs)', hllFields),
  hllUnionCount: named('Estimated count of that union', hllFields),
  hllIntersectCount: named('Estimated count of the intersection', hllFields),
  hllSimilarity: named('Estimated similarity (float)', hllFields),
  hllMayContain: named('1 when the HLL may contain every one of values, else 0', hllFields)
}

export const Expression = Type.Union([
  Type.Number(), Type.String(), Type.Boolean(), Type.Null(),
  Type.Array(exp, { description: 'A list literal' }),
  Type.Object(Object.fromEntries(Object.entries(OPERATORS).map(([k, v]) => [k, Type.Optional(v)])), {
    description: 'An operator node: one operator key (aliases eq ne gt ge lt le add sub mul div exclusive), with its options',
    minProperties: 1
  })
], {
  $id: 'Expression',
  description: 'An Aerospike expression in the gateway\'s JSON form (README, "Expressions"): literals, or objects with one operator key. ' +
    'Strings are string literals; bins are {"bin": "name", "type": "int"}.',
  examples: [{ and: [{ '>': [{ bin: 'age', type: 'int' }, 18] }, { '==': [{ bin: 'status' }, 'active'] }] }]
})

export const FILTER_EXP_PARAM = Type.String({
  description: 'Filter expression: the JSON form of the Expression schema as JSON text (URL-encoded), or base64 (standard or URL-safe) ' +
    'of packed expression bytes as the official gateway takes them. A false filter answers 412 with code 27 (FilteredOut); a batch row 27.'
})

/**
 * A filter in a JSON body: the JSON form itself (the Expression schema), or
 * the same strings as the query parameter. Left unchecked by the schema
 * validator: the gateway's own compiler names the offending node.
 */
export const FilterExpField = Type.Unknown({
  description: 'Filter expression: the JSON form (the Expression schema), JSON text of it, or base64 of packed expression bytes. ' +
    'A false filter makes this item\'s resultCode 27 (FilteredOut).'
})

export const EXPRESSION_SCHEMAS = [Expression]
