// Bin values between HTTP bodies and the aerospike client, as lossless as the
// client allows: whatever the gateway returns stores the same values with the
// same types when sent back (see "Value types" in the README for the limits).
//
// The value model shared by every function here:
//
//   integer   number (a safe integer) or bigint (the rest of int64)
//   double    number that is not an integer, or DoubleValue (any double,
//             including 1.0, -0.0, 1e300, NaN and the infinities)
//   string    string
//   bool      boolean
//   bytes     Buffer
//   GeoJSON   Aerospike.GeoJSON (its text)
//   list      array
//   map       plain object (string keys) or Map (keys of other types)
//   nil       null (a bin deletion at the top level of a write)
//
// JSON carries bytes as {"type": "BYTE_ARRAY", "value": "<base64>"} (the
// official REST gateway's form) and GeoJSON as the geometry object itself;
// MessagePack carries bytes as bin, GeoJSON as ext type 23 holding its text,
// doubles always as float64 and maps with keys of any type.

import Aerospike from 'aerospike'
import type { AerospikeRecord, Client, Key } from 'aerospike'
import { GatewayError } from './errors'

export const DEFAULT_MAX_DEPTH = 32
export const MAX_BIN_NAME_BYTES = 15
/** Geometry types the Aerospike server accepts (geojson.cc). */
export const GEO_TYPES: ReadonlySet<string> = new Set(['Point', 'Polygon', 'MultiPolygon', 'AeroCircle'])
/** MessagePack ext type of a GeoJSON value in gateway bodies: the server's particle type. */
export const MSGPACK_EXT_GEOJSON = 23

const PARAMETER_ERROR = 4
const BIN_NAME_ERROR = 21

/**
 * A value the gateway cannot accept or cannot represent: a GatewayError with
 * the Aerospike code (4 bad input, 21 bin name) and the HTTP status (400, or
 * 406 for a value the requested media type cannot carry), also as
 * `statusCode` for Fastify's default error handler.
 */
export class ValueError extends GatewayError {
  override name = 'ValueError'
  readonly detail: string
  readonly statusCode: number

  constructor (code: number, detail: string, options: { status?: number } = {}) {
    const status = options.status ?? 400
    super(code, detail, status)
    this.detail = detail
    this.statusCode = status
  }
}

/** A double whose JavaScript number alone would read as an integer (1.0), or any double. */
export class DoubleValue {
  constructor (readonly value: number) {}
}

export type GeoJSONValue = InstanceType<typeof Aerospike.GeoJSON>
export type Value = null | boolean | number | bigint | string | DoubleValue | Buffer | GeoJSONValue |
Value[] | Map<Value, Value> | { [key: string]: Value }

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER)
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER)

// ---------------------------------------------------------------------------
// Paths in error messages: bins.a.b[2]

type Segment = string | number
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** A path of segments; `base`, itself a path such as "batchRecords[2].bins", goes first as it is. */
export function formatPath (segments: readonly Segment[], base = ''): string {
  let out = base
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`
    else out += `[${JSON.stringify(s)}]`
  }
  return out === '' ? '(top level)' : out
}

// Thrown inside the recursive walks; containers prepend their segment on the
// way out, and the entry point turns it into a ValueError with the full path.
class PathError extends Error {
  readonly segments: Segment[] = []
  constructor (readonly reason: string, readonly code = PARAMETER_ERROR, readonly status = 400, readonly position = -1) {
    super(reason)
  }
}

/** A map key as a path segment. */
function segmentOf (k: unknown): Segment {
  if (typeof k === 'string') return k
  if (typeof k === 'number' || typeof k === 'bigint') return `${k}`
  if (k instanceof Uint8Array) return `<bytes ${Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('hex')}>`
  return `<${describe(k)}>`
}

function atPath (e: unknown, segment: Segment): unknown {
  if (e instanceof PathError) e.segments.unshift(segment)
  return e
}

function toValueError (e: unknown, what: string, base = '', prefix: readonly Segment[] = [], unit = 'position'): unknown {
  if (!(e instanceof PathError)) return e
  const segments = [...prefix, ...e.segments]
  const path = segments.length > 0 || base !== '' ? formatPath(segments, base) : ''
  const detail = e.position >= 0
    ? `${what} at ${unit} ${e.position}${path !== '' ? ` (in ${path})` : ''}: ${e.reason}`
    : `${what}${path !== '' ? ` at ${path}` : ''}: ${e.reason}`
  // A writer refusing what the gateway itself built is a bug: a plain Error, a 500.
  if (e.status >= 500) return new Error(detail)
  return new ValueError(e.code, detail, { status: e.status })
}

// ---------------------------------------------------------------------------
// JSON in

export interface ParseOptions {
  /** Deepest nesting of arrays and objects, counted from the document root. */
  maxDepth?: number
}

const NEEDS_SLOW_STRING = /[\u0000-\u001f\\]/

class JsonParser {
  pos = 0
  constructor (readonly text: string, readonly maxDepth: number) {}

  syntax (reason: string): PathError {
    return new PathError(reason, PARAMETER_ERROR, 400, this.pos)
  }

  unexpected (): PathError {
    if (this.pos >= this.text.length) return this.syntax('unexpected end of input')
    return this.syntax(`unexpected character ${JSON.stringify(this.text[this.pos])}`)
  }

  ws (): number {
    const t = this.text
    let p = this.pos
    let c = t.charCodeAt(p)
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++p)
    this.pos = p
    return c
  }

  value (depth: number): unknown {
    const c = this.ws()
    if (c === 0x22) return this.string()
    if (c === 0x7b) return this.object(depth + 1)
    if (c === 0x5b) return this.array(depth + 1)
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number()
    if (c === 0x74) return this.literal('true', true)
    if (c === 0x66) return this.literal('false', false)
    if (c === 0x6e) return this.literal('null', null)
    throw this.unexpected()
  }

  literal<T> (word: string, v: T): T {
    if (!this.text.startsWith(word, this.pos)) throw this.unexpected()
    this.pos += word.length
    return v
  }

  string (): string {
    const t = this.text
    const start = this.pos + 1
    let p = start
    for (;;) {
      const c = t.charCodeAt(p)
      if (c === 0x22) break
      if (c === 0x5c || c < 0x20 || c !== c) return this.escapedString(start)
      if (++p - start > 24) return this.longString(start)
    }
    this.pos = p + 1
    return t.slice(start, p)
  }

  longString (start: number): string {
    const t = this.text
    const end = t.indexOf('"', start)
    if (end < 0) return this.escapedString(start)
    const s = t.slice(start, end)
    if (NEEDS_SLOW_STRING.test(s)) return this.escapedString(start)
    this.pos = end + 1
    return s
  }

  escapedString (start: number): string {
    const t = this.text
    let p = start
    for (;;) {
      const c = t.charCodeAt(p)
      if (c === 0x22) break
      if (c === 0x5c) p += 2
      else if (c < 0x20 || c !== c) {
        this.pos = p
        throw c !== c ? this.syntax('unterminated string') : this.syntax('control character in string')
      } else p++
    }
    try {
      const s = JSON.parse(t.slice(start - 1, p + 1)) as string
      this.pos = p + 1
      return s
    } catch {
      this.pos = start - 1
      throw this.syntax('invalid escape in string')
    }
  }

  number (): unknown {
    const t = this.text
    const start = this.pos
    let p = start
    let c = t.charCodeAt(p)
    if (c === 0x2d) c = t.charCodeAt(++p)
    if (c === 0x30) c = t.charCodeAt(++p)
    else if (c >= 0x31 && c <= 0x39) {
      do c = t.charCodeAt(++p); while (c >= 0x30 && c <= 0x39)
    } else {
      this.pos = p
      throw this.unexpected()
    }
    let integer = true
    if (c === 0x2e) {
      integer = false
      c = t.charCodeAt(++p)
      if (!(c >= 0x30 && c <= 0x39)) {
        this.pos = p
        throw this.syntax('expected a digit after the decimal point')
      }
      do c = t.charCodeAt(++p); while (c >= 0x30 && c <= 0x39)
    }
    if (c === 0x65 || c === 0x45) {
      integer = false
      c = t.charCodeAt(++p)
      if (c === 0x2b || c === 0x2d) c = t.charCodeAt(++p)
      if (!(c >= 0x30 && c <= 0x39)) {
        this.pos = p
        throw this.syntax('expected a digit in the exponent')
      }
      do c = t.charCodeAt(++p); while (c >= 0x30 && c <= 0x39)
    }
    this.pos = p
    const s = t.slice(start, p)
    if (integer) {
      if (p - start < 16) return +s + 0 // exact; + 0 turns -0 into 0
      return integerFromDigits(s)
    }
    const d = +s
    if (!Number.isFinite(d)) throw new PathError(`number ${s} is outside the range of a double`)
    return Number.isInteger(d) ? new DoubleValue(d) : d
  }

  object (depth: number): Record<string, unknown> {
    if (depth > this.maxDepth) throw new PathError(`nested deeper than ${this.maxDepth} levels`)
    this.pos++
    const obj: Record<string, unknown> = {}
    let c = this.ws()
    if (c === 0x7d) {
      this.pos++
      return obj
    }
    for (;;) {
      if (c !== 0x22) throw this.syntax('expected a string key')
      const key = this.string()
      if (this.ws() !== 0x3a) throw this.syntax("expected ':'")
      this.pos++
      let v: unknown
      try {
        v = this.value(depth)
        checkKey(key, v)
      } catch (e) {
        throw atPath(e, key)
      }
      obj[key] = v
      c = this.ws()
      if (c === 0x2c) {
        this.pos++
        c = this.ws()
      } else if (c === 0x7d) {
        this.pos++
        return obj
      } else throw this.syntax("expected ',' or '}'")
    }
  }

  array (depth: number): unknown[] {
    if (depth > this.maxDepth) throw new PathError(`nested deeper than ${this.maxDepth} levels`)
    this.pos++
    const arr: unknown[] = []
    let c = this.ws()
    if (c === 0x5d) {
      this.pos++
      return arr
    }
    for (;;) {
      try {
        arr.push(this.value(depth))
      } catch (e) {
        throw atPath(e, arr.length)
      }
      c = this.ws()
      if (c === 0x2c) this.pos++
      else if (c === 0x5d) {
        this.pos++
        return arr
      } else throw this.syntax("expected ',' or ']'")
    }
  }
}

function integerFromDigits (s: string): number | bigint {
  const b = BigInt(s)
  if (b < INT64_MIN || b > INT64_MAX) throw new PathError(`integer ${s} is outside the 64-bit range`)
  return b >= SAFE_MIN && b <= SAFE_MAX ? Number(b) : b
}

// The keys Fastify's default JSON parser refuses (secure-json-parse):
// __proto__, and a constructor holding a prototype.
function checkKey (key: string, v: unknown): void {
  if (key === '__proto__') throw new PathError('"__proto__" is not allowed as a key')
  if (key === 'constructor' && typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(v, 'prototype')) {
    throw new PathError('"constructor" holding "prototype" is not allowed')
  }
}

/**
 * Parses a JSON document without losing what JSON.parse loses: integers
 * outside the safe range become bigint (outside int64 an error), and a number
 * written with a fraction or an exponent stays a double (a DoubleValue when
 * its value is integral, such as 1.0). Objects are plain objects;
 * `__proto__` keys are refused. Every failure is a ValueError (400) naming the
 * position or the path.
 */
export function parseJson (text: string, options: ParseOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
  const p = new JsonParser(text, maxDepth)
  if (text.charCodeAt(0) === 0xfeff) p.pos = 1
  try {
    p.ws()
    if (p.pos >= text.length) throw p.syntax('the body is empty')
    const v = p.value(0)
    p.ws()
    if (p.pos < text.length) throw p.syntax('unexpected data after the JSON value')
    return v
  } catch (e) {
    throw toValueError(e, 'invalid JSON')
  }
}

// ---------------------------------------------------------------------------
// JSON out

export interface StringifyOptions {
  /**
   * true (default): refuse, with a 406 ValueError, what JSON cannot carry
   * back: maps with keys that are not strings, non-finite doubles, and maps
   * shaped like a typed value ({"type": "BYTE_ARRAY", ...}, a GeoJSON
   * geometry). false: write them lossily (keys as strings, null, plain maps).
   */
  strict?: boolean
}

const MAX_STRINGIFY_DEPTH = 512

function notJson (reason: string): PathError {
  return new PathError(`${reason}; ask for application/msgpack (Accept) to read it`, PARAMETER_ERROR, 406)
}

function formatDouble (v: number, strict: boolean): string {
  if (!Number.isFinite(v)) {
    if (strict) throw notJson(`the double ${String(v)} has no JSON form`)
    return 'null'
  }
  if (Object.is(v, -0)) return '-0.0'
  const s = String(v)
  return Number.isInteger(v) && !s.includes('e') ? `${s}.0` : s
}

/** Whether a map would read back as a typed value instead of a map. */
function looksTyped (obj: { type?: unknown, coordinates?: unknown }): boolean {
  const type = obj.type
  return type === 'BYTE_ARRAY' || (typeof type === 'string' && GEO_TYPES.has(type) && obj.coordinates !== undefined)
}

function geoJsonText (geo: GeoJSONValue): string | undefined {
  const text = String(geo)
  try {
    const v = JSON.parse(text) as unknown
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && isGeoShape(v as Record<string, unknown>)) return text
  } catch {}
  return undefined
}

function isGeoShape (obj: Record<string, unknown>): boolean {
  return typeof obj.type === 'string' && GEO_TYPES.has(obj.type) && Array.isArray(obj.coordinates)
}

// Names of bins and fields repeat in every record of an answer: their JSON
// form is kept rather than escaped each time.
const JSON_KEYS = new Map<string, string>()
const MAX_CACHED_KEYS = 4096
const MAX_CACHED_KEY_LENGTH = 64

function jsonKey (k: string): string {
  let out = JSON_KEYS.get(k)
  if (out === undefined) {
    out = JSON.stringify(k)
    if (k.length <= MAX_CACHED_KEY_LENGTH && JSON_KEYS.size < MAX_CACHED_KEYS) JSON_KEYS.set(k, out)
  }
  return out
}

// Containers add their segment to an error's path on its way out, so that
// the walk keeps no path of its own.
class JsonWriter {
  constructor (readonly strict: boolean) {}

  write (v: unknown, depth: number): string {
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v)
      case 'number':
        if (Number.isInteger(v)) return Object.is(v, -0) ? '0' : String(v)
        return formatDouble(v, this.strict)
      case 'bigint':
        return v.toString()
      case 'boolean':
        return v ? 'true' : 'false'
      case 'undefined':
      case 'function':
      case 'symbol':
        return 'null'
      case 'object':
        break
    }
    if (v === null) return 'null'
    if (depth > MAX_STRINGIFY_DEPTH) throw new PathError(`nested deeper than ${MAX_STRINGIFY_DEPTH} levels`, PARAMETER_ERROR, 500)
    if (v instanceof DoubleValue) return formatDouble(v.value, this.strict)
    if (v instanceof Aerospike.Double) return formatDouble(v.Double, this.strict)
    if (Array.isArray(v)) {
      let out = '['
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out += ','
        try {
          out += this.write(v[i], depth + 1)
        } catch (e) {
          throw atPath(e, i)
        }
      }
      return out + ']'
    }
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
      return `{"type":"BYTE_ARRAY","value":"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"}`
    }
    if (v instanceof Aerospike.GeoJSON) {
      const text = geoJsonText(v)
      if (text !== undefined) return text
      if (this.strict) throw notJson('a GeoJSON value that is not a geometry JSON object has no JSON form')
      return JSON.stringify(String(v))
    }
    if (v instanceof Map) return this.map(v, depth)
    const toJSON = (v as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') return this.write(toJSON.call(v), depth)
    return this.object(v as Record<string, unknown>, depth)
  }

  object (obj: Record<string, unknown>, depth: number): string {
    if (this.strict && looksTyped(obj)) throw notJson('a map shaped like a typed value ("type": ...) would read back as that type')
    let out = '{'
    let first = true
    for (const k of Object.keys(obj)) {
      const item = obj[k]
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
      if (!first) out += ','
      first = false
      try {
        out += jsonKey(k) + ':' + this.write(item, depth + 1)
      } catch (e) {
        throw atPath(e, k)
      }
    }
    return out + '}'
  }

  map (m: Map<unknown, unknown>, depth: number): string {
    const obj: Record<string, unknown> = {}
    for (const [k, item] of m) {
      let key: string
      if (typeof k === 'string') key = k
      else if (this.strict) throw notJson(`a map key of type ${describe(k)} has no JSON form`)
      else if (Buffer.isBuffer(k)) key = k.toString('base64')
      else key = String(k instanceof DoubleValue ? k.value : k)
      Object.defineProperty(obj, key, { value: item, enumerable: true, writable: true, configurable: true })
    }
    return this.object(obj, depth)
  }
}

const STRICT_JSON = new JsonWriter(true)
const LENIENT_JSON = new JsonWriter(false)

function describe (v: unknown): string {
  if (v === null) return 'nil'
  if (v instanceof Uint8Array) return 'bytes'
  if (v instanceof DoubleValue || v instanceof Aerospike.Double) return 'double'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'double'
  if (typeof v === 'bigint') return 'integer'
  if (Array.isArray(v)) return 'list'
  if (v instanceof Map) return 'map'
  if (v instanceof Aerospike.GeoJSON) return 'GeoJSON'
  return typeof v
}

/**
 * Writes a value of the model (or any JSON-like value around it) as JSON:
 * bigint as its exact digits, doubles with a fraction (1.0, -0.0), bytes as
 * {"type": "BYTE_ARRAY", "value": base64}, GeoJSON as its geometry object.
 * What JSON cannot carry back is a ValueError with status 406 unless
 * `strict` is false.
 */
export function stringifyJson (value: unknown, options: StringifyOptions = {}): string {
  try {
    return (options.strict === false ? LENIENT_JSON : STRICT_JSON).write(value, 0)
  } catch (e) {
    throw toValueError(e, 'cannot write JSON')
  }
}

// ---------------------------------------------------------------------------
// MessagePack

class MsgpackWriter {
  buf = Buffer.allocUnsafe(256)
  pos = 0
  readonly path: Segment[] = []

  ensure (n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  byte (b: number): void {
    this.ensure(1)
    this.buf[this.pos++] = b
  }

  typed (type: number, size: 1 | 2 | 4, v: number): void {
    this.ensure(1 + size)
    this.buf[this.pos++] = type
    if (size === 1) this.buf[this.pos] = v
    else if (size === 2) this.buf.writeUInt16BE(v, this.pos)
    else this.buf.writeUInt32BE(v, this.pos)
    this.pos += size
  }

  raw (b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }

  int (n: number): void {
    if (n >= 0) {
      if (n < 0x80) this.byte(n)
      else if (n < 0x100) this.typed(0xcc, 1, n)
      else if (n < 0x10000) this.typed(0xcd, 2, n)
      else if (n < 0x100000000) this.typed(0xce, 4, n)
      else this.bigint(BigInt(n))
    } else if (n >= -32) this.byte(n & 0xff)
    else if (n >= -0x80) this.typed(0xd0, 1, n & 0xff)
    else if (n >= -0x8000) this.typed(0xd1, 2, n & 0xffff)
    else if (n >= -0x80000000) this.typed(0xd2, 4, n >>> 0)
    else this.bigint(BigInt(n))
  }

  bigint (b: bigint): void {
    if (b >= -0x80000000n && b < 0x100000000n) {
      this.int(Number(b))
      return
    }
    this.ensure(9)
    if (b >= 0n) {
      if (b > 0xffffffffffffffffn) throw new PathError(`integer ${b} is outside the 64-bit range`, PARAMETER_ERROR, 500)
      this.buf[this.pos++] = 0xcf
      this.buf.writeBigUInt64BE(b, this.pos)
    } else {
      if (b < INT64_MIN) throw new PathError(`integer ${b} is outside the 64-bit range`, PARAMETER_ERROR, 500)
      this.buf[this.pos++] = 0xd3
      this.buf.writeBigInt64BE(b, this.pos)
    }
    this.pos += 8
  }

  double (d: number): void {
    this.ensure(9)
    this.buf[this.pos++] = 0xcb
    this.buf.writeDoubleBE(d, this.pos)
    this.pos += 8
  }

  str (s: string): void {
    const n = Buffer.byteLength(s)
    if (n < 32) this.byte(0xa0 | n)
    else if (n < 0x100) this.typed(0xd9, 1, n)
    else if (n < 0x10000) this.typed(0xda, 2, n)
    else this.typed(0xdb, 4, n)
    this.ensure(n)
    this.pos += this.buf.write(s, this.pos, 'utf8')
  }

  bin (b: Uint8Array): void {
    const n = b.length
    if (n < 0x100) this.typed(0xc4, 1, n)
    else if (n < 0x10000) this.typed(0xc5, 2, n)
    else this.typed(0xc6, 4, n)
    this.raw(b)
  }

  ext (type: number, data: Uint8Array): void {
    const n = data.length
    if (n === 1) this.byte(0xd4)
    else if (n === 2) this.byte(0xd5)
    else if (n === 4) this.byte(0xd6)
    else if (n === 8) this.byte(0xd7)
    else if (n === 16) this.byte(0xd8)
    else if (n < 0x100) this.typed(0xc7, 1, n)
    else if (n < 0x10000) this.typed(0xc8, 2, n)
    else this.typed(0xc9, 4, n)
    this.byte(type)
    this.raw(data)
  }

  header (fix: number, t16: number, n: number): void {
    if (n < 16) this.byte(fix | n)
    else if (n < 0x10000) this.typed(t16, 2, n)
    else this.typed(t16 + 1, 4, n)
  }

  write (v: unknown, depth: number): void {
    switch (typeof v) {
      case 'string':
        this.str(v)
        return
      case 'number':
        if (Number.isSafeInteger(v)) this.int(v)
        else this.double(v)
        return
      case 'bigint':
        this.bigint(v)
        return
      case 'boolean':
        this.byte(v ? 0xc3 : 0xc2)
        return
      case 'object':
        break
      default:
        this.byte(0xc0)
        return
    }
    if (v === null) {
      this.byte(0xc0)
      return
    }
    if (depth > MAX_STRINGIFY_DEPTH) throw new PathError(`nested deeper than ${MAX_STRINGIFY_DEPTH} levels`, PARAMETER_ERROR, 500)
    if (v instanceof DoubleValue) this.double(v.value)
    else if (v instanceof Aerospike.Double) this.double(v.Double)
    else if (v instanceof Uint8Array) this.bin(v)
    else if (v instanceof Aerospike.GeoJSON) this.ext(MSGPACK_EXT_GEOJSON, Buffer.from(String(v), 'utf8'))
    else if (Array.isArray(v)) {
      this.header(0x90, 0xdc, v.length)
      for (let i = 0; i < v.length; i++) {
        this.path.push(i)
        this.write(v[i], depth + 1)
        this.path.pop()
      }
    } else if (v instanceof Map) {
      this.header(0x80, 0xde, v.size)
      for (const [k, item] of v) {
        this.write(k, depth + 1)
        this.path.push(segmentOf(k))
        this.write(item, depth + 1)
        this.path.pop()
      }
    } else {
      const toJSON = (v as { toJSON?: unknown }).toJSON
      if (typeof toJSON === 'function') {
        this.write(toJSON.call(v), depth)
        return
      }
      const obj = v as Record<string, unknown>
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function' && typeof obj[k] !== 'symbol')
      this.header(0x80, 0xde, keys.length)
      for (const k of keys) {
        this.str(k)
        this.path.push(k)
        this.write(obj[k], depth + 1)
        this.path.pop()
      }
    }
  }
}

/**
 * Writes a value of the model as MessagePack: integers in the smallest
 * encoding, doubles always as float64 (1.0 stays a double), bytes as bin,
 * GeoJSON as ext 23 with its text, maps with keys of any type.
 */
export function encodeMsgpack (value: unknown): Buffer {
  const w = new MsgpackWriter()
  try {
    w.write(value, 0)
  } catch (e) {
    if (e instanceof PathError) e.segments.unshift(...w.path)
    throw toValueError(e, 'cannot write MessagePack', '', [], 'byte')
  }
  return w.buf.subarray(0, w.pos)
}

export interface DecodeOptions {
  /** Deepest nesting of arrays and maps, counted from the root. */
  maxDepth?: number
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true })

// One reader for two dialects: a gateway body (standard MessagePack), and a
// list or map as the Aerospike server stores it, where str and bin payloads
// start with a particle-type byte (3 string, 4 blob, 23 GeoJSON, other blob
// flavours) and a list or map may start with an ext of length 0 whose type
// byte is its order flags (and, for a map, a nil value after it).
class MsgpackReader {
  pos = 0
  readonly view: DataView
  constructor (readonly buf: Uint8Array, readonly aerospike: boolean, readonly maxDepth: number) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  fail (reason: string, at = this.pos): PathError {
    return new PathError(reason, PARAMETER_ERROR, 400, at)
  }

  need (n: number): number {
    const p = this.pos
    if (n > this.buf.length - p) throw this.fail('unexpected end of data')
    this.pos = p + n
    return p
  }

  u8 (): number { return this.buf[this.need(1)] }
  u16 (): number { return this.view.getUint16(this.need(2)) }
  u32 (): number { return this.view.getUint32(this.need(4)) }

  value (depth: number): unknown {
    const start = this.pos
    const b = this.u8()
    if (b < 0x80) return b
    if (b >= 0xe0) return b - 0x100
    if (b < 0x90) return this.map(b & 0x0f, depth + 1)
    if (b < 0xa0) return this.array(b & 0x0f, depth + 1)
    if (b < 0xc0) return this.str(b & 0x1f)
    switch (b) {
      case 0xc0: return null
      case 0xc2: return false
      case 0xc3: return true
      case 0xc4: return this.bin(this.u8())
      case 0xc5: return this.bin(this.u16())
      case 0xc6: return this.bin(this.u32())
      case 0xc7: return this.ext(this.u8(), start)
      case 0xc8: return this.ext(this.u16(), start)
      case 0xc9: return this.ext(this.u32(), start)
      case 0xca: return doubleFromReader(this.view.getFloat32(this.need(4)))
      case 0xcb: return doubleFromReader(this.view.getFloat64(this.need(8)))
      case 0xcc: return this.u8()
      case 0xcd: return this.u16()
      case 0xce: return this.u32()
      case 0xcf: return this.int64(this.view.getBigUint64(this.need(8)), start)
      case 0xd0: return this.view.getInt8(this.need(1))
      case 0xd1: return this.view.getInt16(this.need(2))
      case 0xd2: return this.view.getInt32(this.need(4))
      case 0xd3: return this.int64(this.view.getBigInt64(this.need(8)), start)
      case 0xd4: return this.ext(1, start)
      case 0xd5: return this.ext(2, start)
      case 0xd6: return this.ext(4, start)
      case 0xd7: return this.ext(8, start)
      case 0xd8: return this.ext(16, start)
      case 0xd9: return this.str(this.u8())
      case 0xda: return this.str(this.u16())
      case 0xdb: return this.str(this.u32())
      case 0xdc: return this.array(this.u16(), depth + 1)
      case 0xdd: return this.array(this.u32(), depth + 1)
      case 0xde: return this.map(this.u16(), depth + 1)
      case 0xdf: return this.map(this.u32(), depth + 1)
    }
    throw this.fail('0xc1 is not a MessagePack type', start)
  }

  int64 (b: bigint, start: number): number | bigint {
    if (b > INT64_MAX && !this.aerospike) throw this.fail(`integer ${b} is outside the 64-bit range`, start)
    return b >= SAFE_MIN && b <= SAFE_MAX ? Number(b) : b
  }

  str (n: number): unknown {
    if (this.aerospike) return this.particle(n)
    const p = this.need(n)
    try {
      return utf8Strict.decode(this.buf.subarray(p, p + n))
    } catch {
      throw this.fail('a string that is not valid UTF-8', p)
    }
  }

  bin (n: number): unknown {
    if (this.aerospike) return this.particle(n)
    const p = this.need(n)
    return Buffer.from(this.buf.subarray(p, p + n))
  }

  particle (n: number): unknown {
    const p = this.need(n)
    if (n === 0) return ''
    const data = this.buf.subarray(p + 1, p + n)
    switch (this.buf[p]) {
      case 3: return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')
      case 23: return new Aerospike.GeoJSON(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'))
      default: return Buffer.from(data)
    }
  }

  ext (n: number, start: number): unknown {
    const type = this.u8()
    const p = this.need(n)
    if (!this.aerospike && type === MSGPACK_EXT_GEOJSON) {
      let text: string
      try {
        text = utf8Strict.decode(this.buf.subarray(p, p + n))
      } catch {
        throw this.fail('a GeoJSON ext that is not valid UTF-8', p)
      }
      return new Aerospike.GeoJSON(text)
    }
    throw this.fail(`unsupported ext type ${type}`, start)
  }

  // An ext of length 0 at the head of an Aerospike list or map: its flags.
  skipOrderMarker (): boolean {
    const b = this.buf[this.pos]
    const isExt = b === 0xc7 || b === 0xc8 || b === 0xc9 || (b >= 0xd4 && b <= 0xd8)
    if (!isExt) return false
    if (b === 0xc7) this.need(3 + this.buf[this.pos + 1])
    else if (b === 0xc8) this.need(4 + this.view.getUint16(this.pos + 1))
    else if (b === 0xc9) this.need(6 + this.view.getUint32(this.pos + 1))
    else this.need(2 + (1 << (b - 0xd4)))
    return true
  }

  array (n: number, depth: number): unknown[] {
    if (depth > this.maxDepth) throw this.fail(`nested deeper than ${this.maxDepth} levels`)
    if (n > this.buf.length - this.pos) throw this.fail(`a list of ${n} items in ${this.buf.length - this.pos} bytes`)
    if (this.aerospike && n > 0 && this.skipOrderMarker()) n--
    const arr: unknown[] = []
    for (let i = 0; i < n; i++) {
      try {
        arr.push(this.value(depth))
      } catch (e) {
        throw atPath(e, i)
      }
    }
    return arr
  }

  map (n: number, depth: number): unknown {
    if (depth > this.maxDepth) throw this.fail(`nested deeper than ${this.maxDepth} levels`)
    if (n * 2 > this.buf.length - this.pos) throw this.fail(`a map of ${n} entries in ${this.buf.length - this.pos} bytes`)
    if (this.aerospike && n > 0 && this.skipOrderMarker()) {
      this.value(depth) // the marker's value, nil
      n--
    }
    let obj: Record<string, unknown> | undefined = {}
    let map: Map<unknown, unknown> | undefined
    for (let i = 0; i < n; i++) {
      const k = this.value(depth)
      const segment = segmentOf(k)
      let v: unknown
      try {
        v = this.value(depth)
        if (!this.aerospike && typeof k === 'string') checkKey(k, v)
      } catch (e) {
        throw atPath(e, segment)
      }
      if (obj !== undefined && typeof k === 'string') {
        setOwn(obj, k, v)
        continue
      }
      if (obj !== undefined) {
        map = new Map(Object.entries(obj))
        obj = undefined
      }
      map!.set(k, v)
    }
    return obj ?? map
  }
}

function doubleFromReader (d: number): number | DoubleValue {
  return Number.isInteger(d) || !Number.isFinite(d) ? new DoubleValue(d) : d
}

// obj[k] = v, except that "__proto__" becomes an own property instead of
// replacing the prototype.
function setOwn (obj: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true })
  else obj[k] = v
}

function readAll (r: MsgpackReader, what: string): unknown {
  try {
    if (r.buf.length === 0) throw r.fail('the body is empty')
    const v = r.value(0)
    if (r.pos !== r.buf.length) throw r.fail('unexpected data after the value')
    return v
  } catch (e) {
    throw toValueError(e, what, '', [], 'byte')
  }
}

/**
 * Reads a MessagePack body: integers as number or bigint (beyond int64 an
 * error), float32/float64 as doubles (DoubleValue when integral, so 1.0 stays
 * a double), bin as Buffer, ext 23 as GeoJSON, maps as plain objects when
 * every key is a string and as Map otherwise. Other ext types, invalid UTF-8,
 * truncation, trailing bytes and `__proto__` keys are ValueErrors (400).
 */
export function decodeMsgpack (data: Uint8Array, options: DecodeOptions = {}): unknown {
  return readAll(new MsgpackReader(data, false, options.maxDepth ?? DEFAULT_MAX_DEPTH), 'invalid MessagePack')
}

/**
 * Reads a list or map as the server stores it (the Buffer a read with
 * `deserialize: false` gives for a list or map bin) into the value model,
 * keeping what the client's own conversion loses: doubles with integral
 * values, GeoJSON, bytes and non-string keys, `__proto__` keys. Throws a
 * ValueError if the bytes are not exactly one Aerospike list or map.
 */
export function decodeRawCdt (data: Uint8Array, options: DecodeOptions = {}): Value {
  const r = new MsgpackReader(data, true, options.maxDepth ?? 64)
  const b = data[0]
  if (!((b >= 0x80 && b <= 0x9f) || (b >= 0xdc && b <= 0xdf))) {
    throw new ValueError(PARAMETER_ERROR, 'not an Aerospike list or map')
  }
  return readAll(r, 'invalid Aerospike list or map') as Value
}

// ---------------------------------------------------------------------------
// Request values -> client

export interface ToClientOptions {
  /**
   * 'json' (default): objects of the JSON forms become typed values
   * ({"type": "BYTE_ARRAY", ...} bytes, GeoJSON geometries). 'msgpack': the
   * body carries those natively, and every object is a map.
   */
  source?: 'json' | 'msgpack'
  /** Deepest nesting of lists and maps inside a bin value. */
  maxDepth?: number
  /** Path prefix in error messages (default "bins"). */
  path?: string
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/

class ClientConverter {
  constructor (readonly json: boolean, readonly maxDepth: number) {}

  value (v: unknown, depth: number): unknown {
    switch (typeof v) {
      case 'string':
        return checkString(v)
      case 'boolean':
        return v
      case 'number':
        if (Number.isInteger(v)) {
          if (!Number.isSafeInteger(v)) throw new PathError(`integer ${v} is not exact; send it as digits`)
          return v + 0
        }
        return v // not integral: the client writes it as a double
      case 'bigint':
        if (v < INT64_MIN || v > INT64_MAX) throw new PathError(`integer ${v} is outside the 64-bit range`)
        return v >= SAFE_MIN && v <= SAFE_MAX ? Number(v) : v
      case 'object':
        break
      default:
        throw new PathError(`unsupported value of type ${typeof v}`)
    }
    if (v === null) return null
    if (v instanceof DoubleValue) return clientDouble(v.value)
    if (Buffer.isBuffer(v)) return v
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
    if (v instanceof Aerospike.GeoJSON) return checkGeoJSON(checkString(String(v)))
    if (depth >= this.maxDepth) throw new PathError(`nested deeper than ${this.maxDepth} levels`)
    if (Array.isArray(v)) {
      const out = new Array<unknown>(v.length)
      for (let i = 0; i < v.length; i++) {
        try {
          out[i] = this.value(v[i], depth + 1)
        } catch (e) {
          throw atPath(e, i)
        }
      }
      return out
    }
    if (v instanceof Map) return this.map(v, depth)
    const proto = Object.getPrototypeOf(v) as unknown
    if (proto !== Object.prototype && proto !== null) throw new PathError('unsupported value')
    const obj = v as Record<string, unknown>
    if (this.json && obj.type === 'BYTE_ARRAY') return bytesFromJson(obj)
    if (this.json && typeof obj.type === 'string' && GEO_TYPES.has(obj.type) && obj.coordinates !== undefined) {
      if (!Array.isArray(obj.coordinates)) throw new PathError(`a GeoJSON ${obj.type} needs a coordinates array`)
      return new Aerospike.GeoJSON(checkString(stringifyJson(obj, { strict: false })))
    }
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(obj)) {
      try {
        checkKey(checkString(k), obj[k])
        out[k] = this.value(obj[k], depth + 1)
      } catch (e) {
        throw atPath(e, k)
      }
    }
    return out
  }

  map (m: Map<unknown, unknown>, depth: number): unknown {
    const out = new Map<unknown, unknown>()
    let allStrings = true
    for (const [k, item] of m) {
      const segment = segmentOf(k)
      try {
        const key = this.key(k)
        if (typeof key !== 'string') allStrings = false
        else checkKey(key, item)
        out.set(key, this.value(item, depth + 1))
      } catch (e) {
        throw atPath(e, segment)
      }
    }
    return allStrings ? Object.fromEntries(out) : out
  }

  // The client silently drops map entries whose key is a double, a bool, nil,
  // a list or a map; the server's keys are integers, strings and bytes.
  key (k: unknown): unknown {
    if (typeof k === 'string') return checkString(k)
    if (typeof k === 'number' || typeof k === 'bigint') {
      if (typeof k === 'number' && !Number.isInteger(k)) throw new PathError('a map key must be an integer, a string or bytes, not a double')
      return this.value(k, 0)
    }
    if (k instanceof Uint8Array) return this.value(k, 0)
    throw new PathError(`a map key must be an integer, a string or bytes, not ${describe(k)}`)
  }
}

// The client hands strings to C: a NUL would cut the string short, and a lone
// surrogate would become U+FFFD.
function checkString (s: string): string {
  if (s.includes('\u0000')) throw new PathError('strings cannot contain U+0000')
  if (!(s as unknown as { isWellFormed: () => boolean }).isWellFormed()) throw new PathError('a string with a lone surrogate is not valid Unicode')
  return s
}

function bytesFromJson (obj: Record<string, unknown>): Buffer {
  const keys = Object.keys(obj)
  if (keys.length !== 2 || typeof obj.value !== 'string') {
    throw new PathError('a BYTE_ARRAY is {"type": "BYTE_ARRAY", "value": "<base64>"}')
  }
  if (!BASE64.test(obj.value)) throw new PathError('a BYTE_ARRAY value must be base64')
  return Buffer.from(obj.value, 'base64')
}

function checkGeoJSON (text: string): GeoJSONValue {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw new PathError('GeoJSON text that is not JSON')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !isGeoShape(v as Record<string, unknown>)) {
    throw new PathError(`GeoJSON must be a ${[...GEO_TYPES].join(', ')} with coordinates`)
  }
  return new Aerospike.GeoJSON(text)
}

/** What the client takes for a double: Aerospike.Double keeps 1.0 and -0.0 doubles. */
function clientDouble (d: number): unknown {
  if (!Number.isFinite(d)) return d // NaN cannot be an Aerospike.Double; a non-integral number is written as a double
  const double = new Aerospike.Double(1)
  double.Double = d // the constructor goes through parseFloat(String(d)), which turns -0 into 0
  return double
}

/** Converts one value (list item, map value, operation operand) for the client. */
export function toClientValue (value: unknown, options: ToClientOptions = {}): unknown {
  const c = new ClientConverter(options.source !== 'msgpack', options.maxDepth ?? DEFAULT_MAX_DEPTH)
  try {
    return c.value(value, 0)
  } catch (e) {
    throw toValueError(e, 'invalid value', options.path)
  }
}

/**
 * Checks a bin name: 1 to 15 bytes of valid UTF-8 (21 otherwise), and not
 * "__proto__", which cannot be a key of a plain object.
 */
export function checkBinName (name: unknown, where: string): string {
  if (typeof name !== 'string') throw new ValueError(BIN_NAME_ERROR, `${where}: a bin name is a string, got ${describe(name)}`)
  const bytes = Buffer.byteLength(name)
  if (bytes === 0 || bytes > MAX_BIN_NAME_BYTES) {
    throw new ValueError(BIN_NAME_ERROR, `${where}: a bin name is 1 to ${MAX_BIN_NAME_BYTES} bytes, this one is ${bytes}`)
  }
  try {
    checkString(name)
  } catch (e) {
    throw toValueError(e, 'invalid bin name', where)
  }
  if (name === '__proto__') throw new ValueError(PARAMETER_ERROR, `${where}: "__proto__" is not allowed as a bin name`)
  return name
}

/**
 * Validates the bins of a write and converts them to what `client.put`
 * takes: Aerospike.Double for doubles, Aerospike.GeoJSON, Buffer, bigint
 * beyond the safe range, nested lists and maps (a Map where keys are not all
 * strings), null to delete a bin. Errors are ValueErrors: 4 for bad values,
 * 21 for a bin name that is empty or over 15 bytes.
 */
export function toClientBins (value: unknown, options: ToClientOptions = {}): Record<string, unknown> {
  const prefix = options.path ?? 'bins'
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array ||
      value instanceof DoubleValue || value instanceof Aerospike.GeoJSON) {
    throw new ValueError(PARAMETER_ERROR, `${prefix} must be an object of bin names to values`)
  }
  let entries: Array<[unknown, unknown]>
  if (value instanceof Map) entries = [...value.entries()]
  else entries = Object.entries(value)
  if (entries.length === 0) throw new ValueError(PARAMETER_ERROR, `${prefix} must name at least one bin`)
  const c = new ClientConverter(options.source !== 'msgpack', options.maxDepth ?? DEFAULT_MAX_DEPTH)
  const out: Record<string, unknown> = {}
  for (const [name, v] of entries) {
    if (typeof name !== 'string') throw new ValueError(BIN_NAME_ERROR, `${prefix}: bin names are strings, got ${describe(name)}`)
    checkBinName(name, formatPath([name], prefix))
    try {
      out[name] = c.value(v, 0)
    } catch (e) {
      throw toValueError(e, 'invalid bin value', prefix, [name])
    }
  }
  return out
}

// ---------------------------------------------------------------------------
// Client values -> response values

export interface FromClientOptions {
  /**
   * The client reads a GeoJSON bin as a plain string. true (default): a
   * string holding a GeoJSON geometry object is taken for a GeoJSON value
   * (a string bin with exactly such text would be misread). false: strings
   * stay strings (GeoJSON bins read back as strings).
   */
  detectGeoJSON?: boolean
}

class ResponseConverter {
  constructor (readonly detectGeo: boolean) {}

  value (v: unknown): Value {
    switch (typeof v) {
      case 'number':
        // The client gives integers outside the safe range as bigint, so an
        // integral number outside it, or -0, can only be a double.
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) return v
        return Number.isInteger(v) || !Number.isFinite(v) ? new DoubleValue(v) : v
      case 'string':
        return this.detectGeo ? geoFromString(v) : v
      case 'bigint':
      case 'boolean':
        return v
      case 'object':
        break
      default:
        return null
    }
    if (v === null) return null
    if (Buffer.isBuffer(v)) return v
    if (v instanceof Uint8Array) return Buffer.from(v)
    if (v instanceof DoubleValue || v instanceof Aerospike.GeoJSON) return v
    if (Array.isArray(v)) return v.map((item) => this.value(item))
    if (v instanceof Map) {
      const out = new Map<Value, Value>()
      for (const [k, item] of v) out.set(this.value(k), this.value(item))
      return out
    }
    const buffer = (v as { buffer?: unknown }).buffer // an HLL, when Aerospike.wrapHLL(true)
    if (Buffer.isBuffer(buffer)) return buffer
    const out: Record<string, Value> = {}
    for (const k of Object.keys(v)) setOwn(out, k, this.value((v as Record<string, unknown>)[k]))
    return out
  }
}

function geoFromString (s: string): string | GeoJSONValue {
  if (s.length < 20 || s.charCodeAt(0) !== 0x7b || !s.includes('"coordinates"')) return s
  try {
    const v = JSON.parse(s) as unknown
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && isGeoShape(v as Record<string, unknown>)) {
      return new Aerospike.GeoJSON(s)
    }
  } catch {}
  return s
}

function convertBins (bins: Record<string, unknown>, decoded: ReadonlyMap<string, Value>, detectGeo: boolean): Record<string, Value> {
  const c = new ResponseConverter(detectGeo)
  const out: Record<string, Value> = {}
  for (const name of Object.keys(bins)) {
    const d = decoded.get(name)
    setOwn(out, name, d !== undefined ? d : c.value(bins[name]))
  }
  return out
}

function tryDecodeRawCdt (v: unknown): Value | undefined {
  if (!Buffer.isBuffer(v) || v.length === 0) return undefined
  try {
    return decodeRawCdt(v)
  } catch {
    return undefined
  }
}

/**
 * Whether a Buffer from a read with `deserialize: false` parses as an
 * Aerospike list or map. A list or map bin always does; a blob bin does only
 * by coincidence (such as a MessagePack blob), so a bin for which this is true
 * is a list, a map or such a blob, and only a second read can tell which.
 */
export function looksLikeRawCdt (value: unknown): boolean {
  return tryDecodeRawCdt(value) !== undefined
}

/**
 * Converts the bins of a client read into the value model.
 *
 * `rawCdt` says how the read was made:
 * - false (default): with deserialize (the client's default). Lists and maps
 *   come as arrays and objects, with the client's losses (integral doubles
 *   read as integers, map keys as strings, GeoJSON as strings).
 * - a list of bin names: with `deserialize: false`, and these bins are known
 *   to be lists or maps (see readRecord): they are decoded exactly; every
 *   other Buffer is bytes.
 * - true: with `deserialize: false`, and every Buffer that parses as an
 *   Aerospike list or map is taken for one (a blob that happens to parse is
 *   misread; see looksLikeRawCdt).
 */
export function fromClientBins (bins: Record<string, unknown>, rawCdt: boolean | Iterable<string> = false,
  options: FromClientOptions = {}): Record<string, Value> {
  const decoded = new Map<string, Value>()
  if (rawCdt !== false) {
    const names = rawCdt === true ? Object.keys(bins) : rawCdt
    for (const name of names) {
      const d = tryDecodeRawCdt(bins[name])
      if (d !== undefined) decoded.set(name, d)
    }
  }
  return convertBins(bins, decoded, options.detectGeoJSON ?? true)
}

// ---------------------------------------------------------------------------
// Reading a record with every type it can keep

export interface ReadRecordOptions {
  /** Bins to read; all when absent. */
  bins?: string[]
  /** The policies of the two reads (see ReadPolicies); the client library's defaults when absent. */
  policies?: ReadPolicies
  /**
   * Makes the first read instead of client.get / client.select with
   * `policies.raw`, with the same answer: how GETs are coalesced.
   */
  firstRead?: FirstRead
  /**
   * true (default): when a Buffer bin parses as a list or map, a second read
   * of just those bins tells lists and maps from blobs that happen to parse.
   * false: one read; such blobs read as lists or maps.
   */
  exact?: boolean
  detectGeoJSON?: boolean
}

export interface ReadRecordResult {
  /** The record of the (first) read: key, gen, ttl, and the client's bins. */
  record: AerospikeRecord
  bins: Record<string, Value>
  /** How many reads it took. */
  reads: number
}

const MAX_READ_ATTEMPTS = 3

type ReadPolicyOptions = ConstructorParameters<typeof Aerospike.ReadPolicy>[0]

/**
 * Reads a record with `deserialize: false`, so lists and maps keep every
 * type, and converts its bins into the value model. A record with no list or
 * map bins (nor blobs that parse as one) takes one read; otherwise a second
 * read of just those bins, with the client's deserialization, tells lists
 * and maps from blobs, and the whole is read again if the record changed in
 * between (up to 3 times).
 */
export type ReadPolicy = InstanceType<typeof Aerospike.ReadPolicy>

/** The same read policy twice: for the first read, raw (deserialize: false), and for the check read. */
export interface ReadPolicies {
  raw: ReadPolicy
  cooked: ReadPolicy
}

export type FirstRead = (client: Client, key: Key, bins: string[] | undefined, policy: ReadPolicy) => Promise<AerospikeRecord>

/** Read policies with these fields (timeouts, replica...). */
export function readPolicies (fields: ReadPolicyOptions): ReadPolicies {
  return {
    raw: new Aerospike.ReadPolicy({ ...fields, deserialize: false }),
    cooked: new Aerospike.ReadPolicy({ ...fields, deserialize: true })
  }
}

const LIBRARY_DEFAULTS = readPolicies({})

/** client.get, or client.select when bins are named. */
export async function plainRead (client: Client, key: Key, bins: string[] | undefined, policy: ReadPolicy): Promise<AerospikeRecord> {
  return bins === undefined ? await client.get(key, policy) : await client.select(key, bins, policy)
}

export async function readRecord (client: Client, key: Key, options: ReadRecordOptions = {}): Promise<ReadRecordResult> {
  const policies = options.policies ?? LIBRARY_DEFAULTS
  const firstRead = options.firstRead ?? plainRead
  const detectGeo = options.detectGeoJSON ?? true
  let reads = 0
  for (;;) {
    const record = await firstRead(client, key, options.bins, policies.raw)
    reads++
    const bins = record.bins as Record<string, unknown>
    const decoded = new Map<string, Value>()
    for (const name of Object.keys(bins)) {
      const d = tryDecodeRawCdt(bins[name])
      if (d !== undefined) decoded.set(name, d)
    }
    if (decoded.size === 0 || options.exact === false) return { record, bins: convertBins(bins, decoded, detectGeo), reads }
    let check: AerospikeRecord
    try {
      check = await client.select(key, [...decoded.keys()], policies.cooked)
      reads++
    } catch (err) {
      reads++
      if (reads < 2 * MAX_READ_ATTEMPTS) continue // removed in between: read again
      throw err
    }
    for (const name of [...decoded.keys()]) {
      const v = (check.bins as Record<string, unknown>)[name]
      if (typeof v !== 'object' || v === null || Buffer.isBuffer(v)) decoded.delete(name) // a blob
    }
    if (check.gen === record.gen || reads >= 2 * MAX_READ_ATTEMPTS) return { record, bins: convertBins(bins, decoded, detectGeo), reads }
  }
}
