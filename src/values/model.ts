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
//   HLL       Aerospike.HyperLogLog (its bytes, written back as an HLL bin)
//   list      array
//   map       plain object (string keys) or Map (keys of other types)
//   nil       null (a bin deletion at the top level of a write)
//
// JSON carries bytes as {"type": "BYTE_ARRAY", "value": "<base64>"} (the
// official REST gateway's form), an HLL as {"type": "HLL", "value": "<base64>"}
// and GeoJSON as the geometry object itself; MessagePack carries bytes as
// bin, GeoJSON as ext type 23 holding its text, an HLL as ext type 18,
// doubles always as float64 and maps with keys of any type.

import Aerospike from 'aerospike'
import { GatewayError } from '../errors'
import type { CdtJsonValue } from './cdt-json'

export const DEFAULT_MAX_DEPTH = 32
export const MAX_BIN_NAME_BYTES = 15
/** Geometry types the Aerospike server accepts (geojson.cc). */
export const GEO_TYPES: ReadonlySet<string> = new Set(['Point', 'Polygon', 'MultiPolygon', 'AeroCircle'])
/** MessagePack ext type of a GeoJSON value in gateway bodies: the server's particle type. */
export const MSGPACK_EXT_GEOJSON = 23
/** MessagePack ext type of an HLL value in gateway bodies: the server's particle type. */
export const MSGPACK_EXT_HLL = 18

export const PARAMETER_ERROR = 4
export const BIN_NAME_ERROR = 21

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
export type HLLValue = InstanceType<typeof Aerospike.HyperLogLog>
export type Value = null | boolean | number | bigint | string | DoubleValue | Buffer | GeoJSONValue | HLLValue | CdtJsonValue |
Value[] | Map<Value, Value> | { [key: string]: Value }

export const INT64_MIN = -(2n ** 63n)
export const INT64_MAX = 2n ** 63n - 1n
export const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER)
export const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER)

// ---------------------------------------------------------------------------
// Paths in error messages: bins.a.b[2]

export type Segment = string | number
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
export class PathError extends Error {
  readonly segments: Segment[] = []
  constructor (readonly reason: string, readonly code = PARAMETER_ERROR, readonly status = 400, readonly position = -1) {
    super(reason)
  }
}

/** A map key as a path segment. */
export function segmentOf (k: unknown): Segment {
  if (typeof k === 'string') return k
  if (typeof k === 'number' || typeof k === 'bigint') return `${k}`
  if (k instanceof Uint8Array) return `<bytes ${Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('hex')}>`
  return `<${describe(k)}>`
}

export function atPath (e: unknown, segment: Segment): unknown {
  if (e instanceof PathError) e.segments.unshift(segment)
  return e
}

export function toValueError (e: unknown, what: string, base = '', prefix: readonly Segment[] = [], unit = 'position'): unknown {
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


// The keys Fastify's default JSON parser refuses (secure-json-parse):
// __proto__, and a constructor holding a prototype.
export function checkKey (key: string, v: unknown): void {
  if (key === '__proto__') throw new PathError('"__proto__" is not allowed as a key')
  if (key === 'constructor' && typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(v, 'prototype')) {
    throw new PathError('"constructor" holding "prototype" is not allowed')
  }
}

export const MAX_STRINGIFY_DEPTH = 512

export function isGeoShape (obj: Record<string, unknown>): boolean {
  return typeof obj.type === 'string' && GEO_TYPES.has(obj.type) && Array.isArray(obj.coordinates)
}

export function describe (v: unknown): string {
  if (v === null) return 'nil'
  if (v instanceof Uint8Array) return 'bytes'
  if (v instanceof DoubleValue || v instanceof Aerospike.Double) return 'double'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'double'
  if (typeof v === 'bigint') return 'integer'
  if (Array.isArray(v)) return 'list'
  if (v instanceof Map) return 'map'
  if (v instanceof Aerospike.GeoJSON) return 'GeoJSON'
  if (v instanceof Aerospike.HyperLogLog) return 'HLL'
  return typeof v
}

// obj[k] = v, except that "__proto__" becomes an own property instead of
// replacing the prototype.
export function setOwn (obj: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true })
  else obj[k] = v
}
