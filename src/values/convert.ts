// HTTP values to client values, and client values back to HTTP values.

import Aerospike from 'aerospike'
import { BIN_NAME_ERROR, DEFAULT_MAX_DEPTH, DoubleValue, GEO_TYPES, type GeoJSONValue, INT64_MAX, INT64_MIN, MAX_BIN_NAME_BYTES, PARAMETER_ERROR, PathError, SAFE_MAX, SAFE_MIN, type Value, ValueError, atPath, checkKey, describe, formatPath, isGeoShape, segmentOf, setOwn, toValueError } from './model'
import { decodeRawCdt } from './msgpack'
import { rawCdtValue } from './cdt-json'
import { PLAIN_JSON, stringifyJson } from './json-write'

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
  /**
   * Most bins in one write (MAX_BINS); more is 413. The client converts a
   * whole record synchronously, so this bounds how long one write holds up
   * the event loop.
   */
  maxBins?: number
}

/** The default of MAX_BINS. */
export const DEFAULT_MAX_BINS = 5000

/** The gateway's code for a request over one of its size limits (413). */
const TOO_LARGE = 9413

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
    if (v instanceof Aerospike.HyperLogLog) return v
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
    if (this.json && obj.type === 'HLL') return new Aerospike.HyperLogLog(bytesFromJson(obj, 'HLL'))
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

function bytesFromJson (obj: Record<string, unknown>, type = 'BYTE_ARRAY'): Buffer {
  const keys = Object.keys(obj)
  if (keys.length !== 2 || typeof obj.value !== 'string') {
    throw new PathError(`a ${type} is {"type": "${type}", "value": "<base64>"}`)
  }
  if (!BASE64.test(obj.value)) throw new PathError(`a ${type} value must be base64`)
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
  const maxBins = options.maxBins ?? DEFAULT_MAX_BINS
  if (entries.length > maxBins) {
    throw new ValueError(TOO_LARGE, `${prefix} has ${entries.length} bins; the limit is ${maxBins} (MAX_BINS)`, { status: 413 })
  }
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
   * true: lists and maps that cdtJson can write come as CdtJsonValue, for
   * answers that are only written out (JSON or MessagePack). false (default):
   * in the value model.
   */
  jsonText?: boolean
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
    if (v instanceof DoubleValue || v instanceof Aerospike.GeoJSON || v instanceof Aerospike.HyperLogLog) return v
    if (Array.isArray(v)) return v.map((item) => this.value(item))
    if (v instanceof Map) {
      const out = new Map<Value, Value>()
      for (const [k, item] of v) out.set(this.value(k), this.value(item))
      return out
    }
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

export function convertBins (bins: Record<string, unknown>, decoded: ReadonlyMap<string, Value>, detectGeo: boolean): Record<string, Value> {
  if (decoded.size === 0 && unchanged(bins, detectGeo)) {
    if (!('type' in bins)) (bins as { [PLAIN_JSON]?: boolean })[PLAIN_JSON] = true
    return bins as Record<string, Value>
  }
  const c = new ResponseConverter(detectGeo)
  const out: Record<string, Value> = {}
  let plain = true
  for (const name of Object.keys(bins)) {
    const d = decoded.get(name)
    const v = d !== undefined ? d : c.value(bins[name])
    setOwn(out, name, v)
    if (plain && !(typeof v === 'string' || typeof v === 'boolean' || v === null || (typeof v === 'number' && Number.isFinite(v)))) plain = false
  }
  // A bin named "type" could make the bins look like a typed value.
  if (plain && !('type' in out)) (out as { [PLAIN_JSON]?: boolean })[PLAIN_JSON] = true
  return out
}

/**
 * Whether every bin is a value ResponseConverter hands back as it is, and a
 * plain JSON one: then the client's own object is the answer, not a copy.
 */
function unchanged (bins: Record<string, unknown>, detectGeo: boolean): boolean {
  for (const name in bins) {
    if (name === '__proto__' || !Object.hasOwn(bins, name)) return false
    const v = bins[name]
    switch (typeof v) {
      case 'number':
        if (Number.isSafeInteger(v) ? Object.is(v, -0) : (Number.isInteger(v) || !Number.isFinite(v))) return false
        break
      case 'string':
        if (detectGeo && v.length >= 20 && v.charCodeAt(0) === 0x7b) return false
        break
      case 'boolean':
        break
      default:
        if (v !== null) return false
    }
  }
  return true
}

/**
 * A Buffer bin of a read with `deserialize: false` decoded as a list or map;
 * undefined when it is not one. With `jsonText`, as a CdtJsonValue where
 * cdtJson can write it.
 */
export function tryDecodeRawCdt (v: unknown, jsonText = false): Value | undefined {
  if (!Buffer.isBuffer(v) || v.length === 0) return undefined
  if (jsonText) {
    const json = rawCdtValue(v)
    if (json !== undefined) return json
  }
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
      const d = tryDecodeRawCdt(bins[name], options.jsonText)
      if (d !== undefined) decoded.set(name, d)
    }
  }
  return convertBins(bins, decoded, options.detectGeoJSON ?? true)
}
