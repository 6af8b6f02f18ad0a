// What an expression node compiles to, and the value types expressions
// compute with, by the names the JSON form uses.

import Aerospike from 'aerospike'
import type { BodyFormat } from '../plugins/content'
import { ValueError } from '../values'

/** The client's expression: its `exp` builders' entries. */
export type ClientExp = ReturnType<typeof Aerospike.exp.int>

export const EXP_TYPES = ['int', 'float', 'str', 'bool', 'blob', 'list', 'map', 'geo', 'hll', 'nil'] as const
export type ExpType = typeof EXP_TYPES[number]

/** Aliases accepted for "type" (the official gateway's and the client's names). */
export const TYPE_ALIASES: Readonly<Record<string, ExpType>> = {
  int: 'int',
  integer: 'int',
  float: 'float',
  double: 'float',
  str: 'str',
  string: 'str',
  bool: 'bool',
  boolean: 'bool',
  blob: 'blob',
  bytes: 'blob',
  list: 'list',
  map: 'map',
  geo: 'geo',
  geojson: 'geo',
  hll: 'hll',
  nil: 'nil'
}

const T = Aerospike.exp.type as unknown as Record<string, number>

/** The client's exp.type value of each type. */
export const CLIENT_TYPE: Readonly<Record<ExpType, number>> = {
  int: T.INT,
  float: T.FLOAT,
  str: T.STR,
  bool: T.BOOL,
  blob: T.BLOB,
  list: T.LIST,
  map: T.MAP,
  geo: T.GEOJSON,
  hll: T.HLL,
  nil: T.NIL
}

export interface Compiled {
  exp: ClientExp
  /** Its value type when known without evaluating it. */
  type?: ExpType
}

export interface CompileOptions {
  source: BodyFormat
  maxDepth: number
}

export function expError (path: string, detail: string): ValueError {
  return new ValueError(4, `${path}: ${detail}`)
}
