// The gateway's readable JSON expression form, compiled with the client's own
// `exp` builders, so that what the server receives is the client's encoding:
//
//   {"and": [{">": [{"bin": "age", "type": "int"}, 18]},
//            {"==": [{"bin": "status"}, "active"]}]}
//
// A node is a literal (number, string, boolean, null, an array for a list,
// {"value": any} for any value in the README's value forms) or an object with
// one operator key and, for some operators, named options ("type", "in",
// "flags"). A bin without "type" takes the type of what it is compared or
// computed with. Errors name the node by its path: filterexp.and[0][">"][0].
// The full grammar is in README.md ("Expressions") and in the OpenAPI schema.

import Aerospike from 'aerospike'
import { FIELDS, LIST_RETURN_TYPES, MAP_RETURN_TYPES } from '../operations/fields'
import { checkBinName, DoubleValue, toClientValue, ValueError } from '../values'
import { cdtRead, CDT_READS } from './cdt'
import { bitRead, BIT_READS, hllRead, HLL_READS } from './blob'
import { CLIENT_TYPE, type ClientExp, type Compiled, type CompileOptions, type ExpType, TYPE_ALIASES, expError } from './types'

const exp = Aerospike.exp
type Builder = (...args: any[]) => ClientExp
const E = exp as unknown as Record<string, Builder>

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** path + key, in the style of the gateway's other paths: a.b, a[">"]. */
export function at (path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

const BIN_BUILDERS: Readonly<Record<ExpType, Builder | undefined>> = {
  int: E.binInt,
  float: E.binFloat,
  str: E.binStr,
  bool: E.binBool,
  blob: E.binBlob,
  list: E.binList,
  map: E.binMap,
  geo: E.binGeo,
  hll: E.binHll,
  nil: undefined
}

const COMPARISONS: Readonly<Record<string, Builder>> = {
  '==': E.eq, eq: E.eq, '!=': E.ne, ne: E.ne, '>': E.gt, gt: E.gt, '>=': E.ge, ge: E.ge, '<': E.lt, lt: E.lt, '<=': E.le, le: E.le
}
const LOGIC: Readonly<Record<string, Builder>> = { and: E.and, or: E.or, xor: E.exclusive, exclusive: E.exclusive }
// Integer or float operands, all of one type, any number of them.
const NUMERIC_VA: Readonly<Record<string, Builder>> = {
  '+': E.add, add: E.add, '-': E.sub, sub: E.sub, '*': E.mul, mul: E.mul, '/': E.div, div: E.div, min: E.min, max: E.max
}
const INT_VA: Readonly<Record<string, Builder>> = { intAnd: E.intAnd, intOr: E.intOr, intXor: E.intXor }

/**
 * Operators built by the client's `_paramsExp`, which nests its operands
 * instead of flattening them (client 6.7.1): compiling one fails locally.
 * Each has its operand types and result type; "num" is int or float, the
 * same for every operand and the result.
 */
const PARAMS: Readonly<Record<string, { build: Builder, args: Array<ExpType | 'num'>, result: ExpType | 'num' }>> = {
  pow: { build: E.pow, args: ['float', 'float'], result: 'float' },
  log: { build: E.log, args: ['float', 'float'], result: 'float' },
  mod: { build: E.mod, args: ['int', 'int'], result: 'int' },
  abs: { build: E.abs, args: ['num'], result: 'num' },
  floor: { build: E.floor, args: ['float'], result: 'float' },
  ceil: { build: E.ceil, args: ['float'], result: 'float' },
  toInt: { build: E.toInt, args: ['float'], result: 'int' },
  toFloat: { build: E.toFloat, args: ['int'], result: 'float' },
  intNot: { build: E.intNot, args: ['int'], result: 'int' },
  intLshift: { build: E.intLshift, args: ['int', 'int'], result: 'int' },
  intRshift: { build: E.intRshift, args: ['int', 'int'], result: 'int' },
  intArshift: { build: E.intArshift, args: ['int', 'int'], result: 'int' },
  intCount: { build: E.intCount, args: ['int'], result: 'int' },
  intLscan: { build: E.intLscan, args: ['int', 'bool'], result: 'int' },
  intRscan: { build: E.intRscan, args: ['int', 'bool'], result: 'int' }
}

/** The client's builder with its operands flattened, as the C client lays them out. */
export function flatParams (build: Builder, operands: ClientExp[]): ClientExp {
  return (build(...operands) as unknown as ClientExp[]).flat() as unknown as ClientExp
}

/**
 * digestModulo with its divisor: the client's 6.7.1 builder drops the
 * argument (count 1, no operand), which the server refuses (4).
 */
export function digestModulo (divisor: number): ClientExp {
  const [head] = E.digestModulo() as unknown as Array<Record<string, unknown>>
  return [{ ...head, count: 2 }, ...E.int(divisor)] as unknown as ClientExp
}

const METADATA: Readonly<Record<string, { build: Builder, type: ExpType }>> = {
  ttl: { build: E.ttl, type: 'int' },
  voidTime: { build: E.voidTime, type: 'int' },
  lastUpdate: { build: E.lastUpdate, type: 'int' },
  sinceUpdate: { build: E.sinceUpdate, type: 'int' },
  setName: { build: E.setName, type: 'str' },
  recordSize: { build: E.recordSize, type: 'int' },
  deviceSize: { build: E.deviceSize, type: 'int' },
  memorySize: { build: E.memorySize, type: 'int' },
  keyExists: { build: E.keyExist, type: 'bool' },
  isTombstone: { build: E.isTombstone, type: 'bool' }
}

const KEY_TYPES: Readonly<Record<string, { build: Builder, type: ExpType }>> = {
  int: { build: E.keyInt, type: 'int' },
  str: { build: E.keyStr, type: 'str' },
  blob: { build: E.keyBlob, type: 'blob' }
}

const REGEX_FLAGS = Aerospike.regex as unknown as Record<string, number>

/** Options an operator takes besides its own key. */
const OPTIONS: Readonly<Record<string, readonly string[]>> = { bin: ['type'], let: ['in'], regex: ['flags'] }

const ALL_OPERATORS = new Set([
  ...Object.keys(COMPARISONS), ...Object.keys(LOGIC), ...Object.keys(NUMERIC_VA), ...Object.keys(INT_VA), ...Object.keys(PARAMS),
  ...Object.keys(METADATA), ...Object.keys(CDT_READS), ...Object.keys(BIT_READS), ...Object.keys(HLL_READS),
  'not', 'regex', 'geo', 'cond', 'let', 'var', 'bin', 'binType', 'binExists', 'digestModulo', 'key', 'value'
])

/** Every operator of the JSON form, for the OpenAPI document. */
export const OPERATORS: readonly string[] = [...ALL_OPERATORS]

function describe (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (v instanceof DoubleValue) return 'a double'
  if (typeof v === 'object') return 'an object'
  return typeof v === 'string' ? JSON.stringify(v) : String(v)
}

function isUntypedBin (node: unknown): boolean {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && !(node instanceof DoubleValue) &&
    'bin' in node && (node as Record<string, unknown>).type === undefined
}

export class Compiler {
  constructor (readonly options: CompileOptions) {}

  /** Compiles a node; `hint` is the type an untyped bin in this place takes. */
  node (node: unknown, path: string, hint?: ExpType): Compiled {
    switch (typeof node) {
      case 'number':
        return Number.isInteger(node) ? { exp: E.int(node), type: 'int' } : { exp: E.float(node), type: 'float' }
      case 'bigint':
        // exp.int takes JavaScript numbers only; an int64 beyond 2^53 goes as
        // the client's literal of any value, which packs an integer the same way.
        return { exp: E.list(node), type: 'int' }
      case 'string':
        return { exp: E.str(node), type: 'str' }
      case 'boolean':
        return { exp: E.bool(node), type: 'bool' }
      case 'object':
        break
      default:
        throw expError(path, `not an expression: ${typeof node}`)
    }
    if (node === null) return { exp: E.nil(), type: 'nil' }
    if (node instanceof DoubleValue) return { exp: E.float(node.value), type: 'float' }
    if (Array.isArray(node) || Buffer.isBuffer(node) || node instanceof Map) return this.literal(node, path)
    const obj = node as Record<string, unknown>
    // Typed values of the value forms: {"type": "BYTE_ARRAY", ...}, GeoJSON, {"type": "HLL", ...}.
    if (typeof obj.type === 'string' && !('bin' in obj)) return this.literal(node, path)
    const keys = Object.keys(obj)
    const ops = keys.filter((k) => ALL_OPERATORS.has(k))
    if (ops.length !== 1) {
      throw expError(path, ops.length === 0
        ? `unknown operator ${JSON.stringify(keys[0] ?? '')}; an expression node is an object with one operator key (README, "Expressions")`
        : `one operator per node, got ${ops.map((k) => JSON.stringify(k)).join(' and ')}`)
    }
    const op = ops[0]
    for (const k of keys) {
      if (k !== op && !(OPTIONS[op] ?? []).includes(k)) throw expError(at(path, k), `"${op}" takes no option "${k}"`)
    }
    return this.operator(op, obj[op], obj, at(path, op), hint)
  }

  private literal (v: unknown, path: string): Compiled {
    const value = toClientValue(v, { source: this.options.source, maxDepth: this.options.maxDepth, path })
    if (value === null) return { exp: E.nil(), type: 'nil' }
    if (Buffer.isBuffer(value)) return { exp: E.bytes(value, value.length), type: 'blob' }
    // The GeoJSON object itself: given its text, the binding packs a string, which the server refuses (4).
    if (value instanceof Aerospike.GeoJSON) return { exp: E.geo(value), type: 'geo' }
    if (value instanceof Aerospike.HyperLogLog) throw expError(path, 'an HLL value is an operand of the hll* operators only')
    if (value instanceof Aerospike.Double) return { exp: E.float(value.value()), type: 'float' }
    if (Array.isArray(value)) return { exp: E.list(value), type: 'list' }
    if (typeof value === 'object') return { exp: E.map(value), type: 'map' }
    return this.node(value, path)
  }

  /** The operands of an operator: a list, or a single operand for one-operand operators. */
  private args (v: unknown, path: string, count?: number | [number, number]): unknown[] {
    const args = Array.isArray(v) ? v : [v]
    if (count === undefined) return args
    const [min, max] = typeof count === 'number' ? [count, count] : count
    if (args.length < min || args.length > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`
      throw expError(path, `takes ${want} operand${max === 1 ? '' : 's'}, got ${args.length}`)
    }
    return args
  }

  /**
   * Compiles operands that must share one type (comparisons, arithmetic):
   * typed ones first, so that untyped bins take their type.
   */
  private unified (args: unknown[], path: string, hint: ExpType | undefined, allowed?: readonly ExpType[],
    indices: readonly number[] = args.map((_, i) => i)): { exps: ClientExp[], type?: ExpType } {
    const out = new Array<Compiled>(args.length)
    let type: ExpType | undefined
    for (let i = 0; i < args.length; i++) {
      if (isUntypedBin(args[i])) continue
      out[i] = this.node(args[i], at(path, indices[i]))
      if (type === undefined && out[i].type !== 'nil') type = out[i].type
    }
    type ??= hint
    for (let i = 0; i < args.length; i++) {
      if (out[i] !== undefined) continue
      if (type === undefined) {
        throw expError(at(path, indices[i]), 'a bin without "type" needs an operand of known type next to it; give it "type" (int, float, str, ...)')
      }
      out[i] = this.node(args[i], at(path, indices[i]), type)
    }
    for (let i = 0; i < out.length; i++) {
      const t = out[i].type
      if (t === undefined || t === 'nil') continue
      if (allowed !== undefined && !allowed.includes(t)) throw expError(at(path, indices[i]), `must be ${allowed.join(' or ')}, got ${t}`)
      // The server refuses operands of different types (int with float too): 4.
      if (t !== type) throw expError(at(path, indices[i]), `is ${t} but the other operands are ${type as string}; convert with toInt or toFloat`)
    }
    return { exps: out.map((c) => c.exp), type }
  }

  private typed (node: unknown, path: string, type: ExpType): ClientExp {
    const c = this.node(node, path, type)
    if (c.type !== undefined && c.type !== type) throw expError(path, `must be ${type}, got ${c.type}`)
    return c.exp
  }

  private operator (op: string, v: unknown, obj: Record<string, unknown>, path: string, hint: ExpType | undefined): Compiled {
    const cmp = COMPARISONS[op]
    if (cmp !== undefined) {
      const { exps } = this.unified(this.args(v, path, 2), path, undefined)
      return { exp: cmp(exps[0], exps[1]), type: 'bool' }
    }
    const logic = LOGIC[op]
    if (logic !== undefined) {
      const args = this.args(v, path, [op === 'xor' || op === 'exclusive' ? 2 : 1, Infinity])
      return { exp: logic(...args.map((a, i) => this.typed(a, at(path, i), 'bool'))), type: 'bool' }
    }
    const numeric = NUMERIC_VA[op]
    if (numeric !== undefined) {
      const { exps, type } = this.unified(this.args(v, path, [1, Infinity]), path, hint === 'float' ? 'float' : hint === 'int' ? 'int' : undefined, ['int', 'float'])
      return { exp: numeric(...exps), type }
    }
    const int = INT_VA[op]
    if (int !== undefined) {
      const args = this.args(v, path, [1, Infinity])
      return { exp: int(...args.map((a, i) => this.typed(a, at(path, i), 'int'))), type: 'int' }
    }
    const params = PARAMS[op]
    if (params !== undefined) {
      const args = this.args(v, path, params.args.length)
      if (params.args[0] === 'num') {
        const { exps, type } = this.unified(args, path, hint === 'float' ? 'float' : hint === 'int' ? 'int' : undefined, ['int', 'float'])
        return { exp: flatParams(params.build, exps), type }
      }
      const exps = args.map((a, i) => this.typed(a, at(path, i), params.args[i] as ExpType))
      return { exp: flatParams(params.build, exps), type: params.result as ExpType }
    }
    const meta = METADATA[op]
    if (meta !== undefined) {
      if (!(v === null || v === true || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v).length === 0))) {
        throw expError(path, 'takes no operands: give [] (or {}, null, true)')
      }
      return { exp: meta.build(), type: meta.type }
    }
    if (op in CDT_READS) return cdtRead(this, op, v, path)
    if (op in BIT_READS) return bitRead(this, op, v, path)
    if (op in HLL_READS) return hllRead(this, op, v, path)
    switch (op) {
      case 'not':
        return { exp: E.not(this.typed(this.args(v, path, 1)[0], at(path, 0), 'bool')), type: 'bool' }
      case 'value':
        return this.literal(v, path)
      case 'bin':
        return this.bin(v, obj.type, path, hint)
      case 'binType':
        return { exp: E.binType(this.name(v, path)), type: 'int' }
      case 'binExists':
        return { exp: E.binExists(this.name(v, path)), type: 'bool' }
      case 'digestModulo': {
        const [d] = this.args(v, path, 1)
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 2 ** 31 - 1) {
          throw expError(at(path, 0), `the divisor is an integer from 1 to ${2 ** 31 - 1}, got ${describe(d)}`)
        }
        return { exp: digestModulo(d), type: 'int' }
      }
      case 'key': {
        const k = KEY_TYPES[TYPE_ALIASES[String(v)] ?? '']
        if (k === undefined) throw expError(path, `the key's type is int, str or blob, got ${describe(v)}`)
        return { exp: k.build(), type: k.type }
      }
      case 'regex':
        return this.regex(v, obj.flags, path)
      case 'geo': {
        const args = this.args(v, path, 2)
        return { exp: E.cmpGeo(this.typed(args[0], at(path, 0), 'geo'), this.typed(args[1], at(path, 1), 'geo')), type: 'bool' }
      }
      case 'cond':
        return this.cond(v, path, hint)
      case 'let':
        return this.let(v, obj.in, path, hint)
      case 'var':
        return { exp: E.var(this.varName(v, path)) }
    }
    throw expError(path, `unknown operator ${JSON.stringify(op)}`)
  }

  /** A bin name: 1 to 15 bytes. */
  name (v: unknown, path: string): string {
    return checkBinName(v, path)
  }

  private bin (v: unknown, typeName: unknown, path: string, hint: ExpType | undefined): Compiled {
    const name = this.name(v, path)
    let type = hint
    if (typeName !== undefined) {
      type = TYPE_ALIASES[String(typeName)]
      if (type === undefined || type === 'nil') {
        throw expError(`${path.slice(0, path.lastIndexOf('.'))}.type`, `must be one of int, float, str, bool, blob, list, map, geo, hll; got ${describe(typeName)}`)
      }
    }
    const build = type === undefined ? undefined : BIN_BUILDERS[type]
    if (build === undefined) throw expError(path, 'give the bin a "type" (int, float, str, bool, blob, list, map, geo, hll)')
    return { exp: build(name), type }
  }

  private regex (v: unknown, flags: unknown, path: string): Compiled {
    const [subject, pattern] = this.args(v, path, 2)
    if (typeof pattern !== 'string') throw expError(at(path, 1), `the pattern is a string, got ${describe(pattern)}`)
    let options = 0
    if (flags !== undefined) {
      const where = `${path.slice(0, path.lastIndexOf('.'))}.flags`
      if (!Array.isArray(flags)) throw expError(where, `a list of ${Object.keys(REGEX_FLAGS).join(', ')}`)
      flags.forEach((f, i) => {
        const bit = typeof f === 'string' ? REGEX_FLAGS[f] : undefined
        if (bit === undefined) throw expError(at(where, i), `must be one of ${Object.keys(REGEX_FLAGS).join(', ')}, got ${describe(f)}`)
        options |= bit
      })
    }
    return { exp: E.cmpRegex(options, pattern, this.typed(subject, at(path, 0), 'str')), type: 'bool' }
  }

  // [cond1, value1, cond2, value2, ..., default]
  private cond (v: unknown, path: string, hint: ExpType | undefined): Compiled {
    const args = this.args(v, path, [3, Infinity])
    if (args.length % 2 === 0) throw expError(path, 'takes condition, value pairs and a default value last: an odd number of operands')
    const conds = new Map<number, ClientExp>()
    for (let i = 0; i < args.length - 1; i += 2) conds.set(i, this.typed(args[i], at(path, i), 'bool'))
    const indices = args.map((_, i) => i).filter((i) => i % 2 === 1 || i === args.length - 1)
    const { exps, type } = this.unified(indices.map((i) => args[i]), path, hint, undefined, indices)
    const out: ClientExp[] = []
    let j = 0
    for (let i = 0; i < args.length; i++) out.push(i % 2 === 0 && i < args.length - 1 ? conds.get(i) as ClientExp : exps[j++])
    return { exp: E.cond(...out), type }
  }

  // {"let": {"x": expr, "y": expr}, "in": expr}
  private let (defs: unknown, body: unknown, path: string, hint: ExpType | undefined): Compiled {
    if (typeof defs !== 'object' || defs === null || Array.isArray(defs) || Object.keys(defs).length === 0) {
      throw expError(path, 'an object of variable names to expressions, e.g. {"let": {"x": {"bin": "a", "type": "int"}}, "in": {"var": "x"}}')
    }
    const base = path.slice(0, path.lastIndexOf('.'))
    if (body === undefined) throw expError(base, '"let" needs "in", the expression that uses the variables')
    const parts: ClientExp[] = []
    for (const [name, value] of Object.entries(defs)) {
      parts.push(E.def(this.varName(name, at(path, name)), this.node(value, at(path, name)).exp))
    }
    const scoped = this.node(body, `${base}.in`, hint)
    return { exp: E.let(...parts, scoped.exp), type: scoped.type }
  }

  private varName (v: unknown, path: string): string {
    if (typeof v !== 'string' || !IDENTIFIER.test(v) || v.length > 64) throw expError(path, `a variable name is a word of letters, digits and _ (at most 64), got ${describe(v)}`)
    return v
  }

  /** The operand of a list, map, bit or HLL read: a bin name (of `type`) or an expression. */
  subject (v: unknown, path: string, type: ExpType): ClientExp {
    if (typeof v === 'string') return (BIN_BUILDERS[type] as Builder)(this.name(v, path))
    return this.typed(v, path, type)
  }

  /** An integer operand: a literal or an expression. */
  int (v: unknown, path: string): ClientExp {
    return this.typed(v, path, 'int')
  }

  /** A list literal (HLL values allowed, for the hll* operators). */
  list (v: unknown[], path: string): ClientExp {
    return this.literal(v, path).exp
  }

  ctx (v: unknown, path: string): unknown {
    if (v === undefined || v === null) return null
    const base = path.slice(0, path.lastIndexOf('.'))
    return FIELDS.ctx({ op: { ctx: v }, where: base, options: { ...this.options, path: base } }, 'ctx') ?? null
  }

  returnType (v: unknown, path: string, map: boolean): { name: string, value: number } {
    const names: readonly string[] = map ? MAP_RETURN_TYPES : LIST_RETURN_TYPES
    const values = (map ? Aerospike.maps.returnType : Aerospike.lists.returnType) as unknown as Record<string, number>
    if (typeof v !== 'string' || !names.includes(v)) throw expError(path, `must be one of ${names.join(', ')}, got ${describe(v)}`)
    return { name: v, value: values[v] }
  }

  valueType (v: unknown, path: string): ExpType {
    const t = TYPE_ALIASES[String(v)]
    if (typeof v !== 'string' || t === undefined) throw expError(path, `must be one of int, float, str, bool, blob, list, map, geo, hll, got ${describe(v)}`)
    return t
  }

  clientType (t: ExpType): number {
    return CLIENT_TYPE[t]
  }
}

/** Compiles the JSON form; `path` names where it is ("filterexp", "opsList[2].exp"). */
export function compileExpression (node: unknown, path: string, options: CompileOptions): Compiled {
  try {
    return new Compiler(options).node(node, path)
  } catch (err) {
    if (err instanceof ValueError) throw err
    // A builder of the client that refused its operands.
    throw expError(path, `the client cannot build this expression: ${(err as Error).message}`)
  }
}
