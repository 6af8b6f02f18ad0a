// MessagePack in Aerospike's dialect, both directions.

import Aerospike from 'aerospike'
import { DEFAULT_MAX_DEPTH, DoubleValue, INT64_MAX, INT64_MIN, MAX_STRINGIFY_DEPTH, MSGPACK_EXT_GEOJSON, MSGPACK_EXT_HLL, PARAMETER_ERROR, PathError, SAFE_MAX, SAFE_MIN, type Segment, type Value, ValueError, atPath, checkKey, segmentOf, setOwn, toValueError } from './model'

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
    else if (v instanceof Aerospike.HyperLogLog) this.ext(MSGPACK_EXT_HLL, v.buffer)
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
 * The length of the ext that may open an Aerospike list or map (its order
 * flags), at `pos`; 0 when there is none. A cut-short one measures past the
 * end of `buf`, for the caller's bounds check to refuse.
 */
export function orderMarkerLength (buf: Uint8Array, pos: number): number {
  const b = buf[pos]
  if (b >= 0xd4 && b <= 0xd8) return 2 + (1 << (b - 0xd4))
  const header = b === 0xc7 ? 3 : b === 0xc8 ? 4 : b === 0xc9 ? 6 : 0
  if (header === 0 || pos + header > buf.length) return header
  if (b === 0xc7) return header + buf[pos + 1]
  if (b === 0xc8) return header + (buf[pos + 1] << 8 | buf[pos + 2])
  return header + (buf[pos + 1] * 0x1000000 + (buf[pos + 2] << 16 | buf[pos + 3] << 8 | buf[pos + 4]))
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
  /** The same bytes as a Buffer, whose toString decodes a range without a view of it. */
  readonly bytes: Buffer
  constructor (readonly buf: Uint8Array, readonly aerospike: boolean, readonly maxDepth: number) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    this.bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
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
    switch (this.buf[p]) {
      case 3: return this.text(p + 1, p + n)
      case 23: return new Aerospike.GeoJSON(this.bytes.toString('utf8', p + 1, p + n))
      default: return Buffer.from(this.buf.subarray(p + 1, p + n))
    }
  }

  // Short ASCII strings, most strings in records, are built here: a native
  // decode costs more than the loop for them.
  text (start: number, end: number): string {
    if (end - start > 24) return this.bytes.toString('utf8', start, end)
    let out = ''
    for (let i = start; i < end; i++) {
      const c = this.buf[i]
      if (c >= 0x80) return this.bytes.toString('utf8', start, end)
      out += String.fromCharCode(c)
    }
    return out
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
    if (!this.aerospike && type === MSGPACK_EXT_HLL) return new Aerospike.HyperLogLog(Buffer.from(this.buf.subarray(p, p + n)))
    throw this.fail(`unsupported ext type ${type}`, start)
  }

  // An ext of length 0 at the head of an Aerospike list or map: its flags.
  skipOrderMarker (): boolean {
    const n = orderMarkerLength(this.buf, this.pos)
    if (n === 0) return false
    this.need(n)
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
      let v: unknown
      try {
        v = this.value(depth)
        if (!this.aerospike && typeof k === 'string') checkKey(k, v)
      } catch (e) {
        throw atPath(e, segmentOf(k))
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
