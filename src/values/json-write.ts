// The JSON writer of the value model.

import Aerospike from 'aerospike'
import { CdtJsonValue } from './cdt-json'
import { DoubleValue, GEO_TYPES, type GeoJSONValue, MAX_STRINGIFY_DEPTH, PARAMETER_ERROR, PathError, atPath, describe, isGeoShape, toValueError } from './model'

export interface StringifyOptions {
  /**
   * true (default): refuse, with a 406 ValueError, what JSON cannot carry
   * back: maps with keys that are not strings, non-finite doubles, and maps
   * shaped like a typed value ({"type": "BYTE_ARRAY", ...}, a GeoJSON
   * geometry). false: write them lossily (keys as strings, null, plain maps).
   */
  strict?: boolean
}

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
  return type === 'BYTE_ARRAY' || type === 'HLL' || (typeof type === 'string' && GEO_TYPES.has(type) && obj.coordinates !== undefined)
}

function geoJsonText (geo: GeoJSONValue): string | undefined {
  const text = String(geo)
  try {
    const v = JSON.parse(text) as unknown
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && isGeoShape(v as Record<string, unknown>)) return text
  } catch {}
  return undefined
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
    if (v instanceof CdtJsonValue) return v.json
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
    if (v instanceof Aerospike.HyperLogLog) return `{"type":"HLL","value":"${v.buffer.toString('base64')}"}`
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

/**
 * Whether JSON.stringify writes a value exactly as the JsonWriter does:
 * strings, finite numbers (a DoubleValue, not a number, is an integral
 * double), booleans, null, and arrays and plain objects of those, none
 * shaped like a typed value. The check allocates nothing, and the native
 * writer makes far less garbage than string concatenation does.
 */
/**
 * Marks an object whose maker checked what plainJson would: it holds only
 * values JSON.stringify writes as the model writer does, none of them an
 * object, and is not shaped like a typed value. JSON.stringify and the
 * MessagePack writer do not see symbol keys.
 */
export const PLAIN_JSON = Symbol('plain JSON')

function plainJson (v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(v)
    case 'object':
      break
    default:
      return false
  }
  if (v === null) return true
  if (depth > MAX_STRINGIFY_DEPTH) return false
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!plainJson(v[i], depth + 1)) return false
    return true
  }
  if ((v as { [PLAIN_JSON]?: boolean })[PLAIN_JSON] === true) return true
  const proto = Object.getPrototypeOf(v)
  if (proto !== Object.prototype && proto !== null) return false
  const obj = v as Record<string, unknown>
  if (looksTyped(obj) || typeof obj.toJSON === 'function') return false
  for (const k in obj) if (!plainJson(obj[k], depth + 1)) return false
  return true
}

/** Whether JSON.stringify writes the value exactly as stringifyJson does. */
export function isPlainJson (value: unknown): boolean {
  return plainJson(value, 0)
}

const STRICT_JSON = new JsonWriter(true)
const LENIENT_JSON = new JsonWriter(false)

/**
 * Writes a value of the model (or any JSON-like value around it) as JSON:
 * bigint as its exact digits, doubles with a fraction (1.0, -0.0), bytes as
 * {"type": "BYTE_ARRAY", "value": base64}, GeoJSON as its geometry object.
 * What JSON cannot carry back is a ValueError with status 406 unless
 * `strict` is false.
 */
export function stringifyJson (value: unknown, options: StringifyOptions = {}): string {
  if (plainJson(value, 0)) return JSON.stringify(value)
  try {
    return (options.strict === false ? LENIENT_JSON : STRICT_JSON).write(value, 0)
  } catch (e) {
    throw toValueError(e, 'cannot write JSON')
  }
}
