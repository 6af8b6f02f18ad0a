// Lists and maps as a read with `deserialize: false` gives them, written
// straight to JSON: no value model in between, so a record's lists and maps
// cost one pass over their bytes and make no garbage but the text.
//
// It answers only where its text is certain to be the JsonWriter's for the
// decoded value (stringifyJson(decodeRawCdt(bytes))): integers, doubles,
// strings, bytes, booleans, nil, and lists and maps of those with string keys
// that JavaScript keeps in their order, none repeated and none named "type".
// Anything else (GeoJSON, non-string keys, keys like "7", deep nesting,
// malformed bytes) is left to the value model, which knows every case and
// every error: cdtJson answers undefined.

import { decodeRawCdt, orderMarkerLength } from './msgpack'

const MAX_DEPTH = 16
// Up to this many keys, a map's keys are checked for repeats without a Set.
const FEW_KEYS = 16
const PARTICLE_STRING = 3
const PARTICLE_GEOJSON = 23

// Thrown, made once, wherever the writer cannot be sure.
const UNSURE = new Error('unsure')

// The text of the small integers, which lists and maps are full of.
const SMALL_INTS = Array.from({ length: 256 }, (_, i) => String(i))
const TYPE_KEY = Buffer.from('type')

// The text is written as bytes into one buffer, kept from call to call unless
// a very large list or map grew it, and made a string once at the end: a
// string per value would cost a native call each.
const KEPT_BYTES = 64 * 1024
let scratch = Buffer.allocUnsafe(KEPT_BYTES)

class CdtJsonWriter {
  pos = 0
  out = scratch
  len = 0

  constructor (readonly buf: Buffer) {}

  need (n: number): number {
    const p = this.pos
    if (n > this.buf.length - p) throw UNSURE
    this.pos = p + n
    return p
  }

  u8 (): number { return this.buf[this.need(1)] }
  u16 (): number { return this.buf.readUInt16BE(this.need(2)) }
  u32 (): number { return this.buf.readUInt32BE(this.need(4)) }

  room (n: number): void {
    if (this.len + n <= this.out.length) return
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.out.length, this.len + n))
    this.out.copy(bigger, 0, 0, this.len)
    this.out = bigger
    if (bigger.length <= KEPT_BYTES) scratch = bigger
  }

  byte (c: number): void {
    this.room(1)
    this.out[this.len++] = c
  }

  /** Text of ASCII characters only. */
  ascii (s: string): void {
    this.room(s.length)
    for (let i = 0; i < s.length; i++) this.out[this.len++] = s.charCodeAt(i)
  }

  /** Bytes of the input, that need no escaping. */
  copy (start: number, end: number): void {
    this.room(end - start)
    for (let i = start; i < end; i++) this.out[this.len++] = this.buf[i]
  }

  value (depth: number): void {
    const b = this.u8()
    if (b < 0x80) return this.ascii(SMALL_INTS[b])
    if (b >= 0xe0) return this.ascii(String(b - 0x100))
    if (b < 0x90) return this.map(b & 0x0f, depth + 1)
    if (b < 0xa0) return this.array(b & 0x0f, depth + 1)
    if (b < 0xc0) return this.particle(b & 0x1f)
    switch (b) {
      case 0xc0: return this.ascii('null')
      case 0xc2: return this.ascii('false')
      case 0xc3: return this.ascii('true')
      case 0xc4: case 0xd9: return this.particle(this.u8())
      case 0xc5: case 0xda: return this.particle(this.u16())
      case 0xc6: case 0xdb: return this.particle(this.u32())
      case 0xca: return this.ascii(double(this.buf.readFloatBE(this.need(4))))
      case 0xcb: return this.ascii(double(this.buf.readDoubleBE(this.need(8))))
      case 0xcc: return this.ascii(SMALL_INTS[this.u8()])
      case 0xcd: return this.ascii(String(this.u16()))
      case 0xce: return this.ascii(String(this.u32()))
      case 0xcf: return this.ascii(this.buf.readBigUInt64BE(this.need(8)).toString())
      case 0xd0: return this.ascii(String(this.buf.readInt8(this.need(1))))
      case 0xd1: return this.ascii(String(this.buf.readInt16BE(this.need(2))))
      case 0xd2: return this.ascii(String(this.buf.readInt32BE(this.need(4))))
      case 0xd3: return this.ascii(this.buf.readBigInt64BE(this.need(8)).toString())
      case 0xdc: return this.array(this.u16(), depth + 1)
      case 0xdd: return this.array(this.u32(), depth + 1)
      case 0xde: return this.map(this.u16(), depth + 1)
      case 0xdf: return this.map(this.u32(), depth + 1)
    }
    // ext (only an order marker, at a list's or map's head, is Aerospike's) and 0xc1
    throw UNSURE
  }

  /** A string or a blob: its first byte is the particle type. */
  particle (n: number): void {
    const p = this.need(n)
    if (n === 0) return this.ascii('""')
    const type = this.buf[p]
    if (type === PARTICLE_STRING) return this.text(p + 1, p + n)
    if (type === PARTICLE_GEOJSON) throw UNSURE
    this.ascii(`{"type":"BYTE_ARRAY","value":"${this.buf.toString('base64', p + 1, p + n)}"}`)
  }

  text (start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const c = this.buf[i]
      // Beyond ASCII, and what JSON escapes: the native writer.
      if (c >= 0x80 || c < 0x20 || c === 0x22 || c === 0x5c) {
        const json = JSON.stringify(this.buf.toString('utf8', start, end))
        this.room(3 * json.length)
        this.len += this.out.write(json, this.len)
        return
      }
    }
    this.byte(0x22)
    this.copy(start, end)
    this.byte(0x22)
  }

  /**
   * A map key: a string particle of ASCII characters that JSON does not
   * escape, which is no array index and not "type". Its bytes are written,
   * and their range returned.
   */
  key (): number {
    const b = this.u8()
    let n: number
    if (b >= 0xa0 && b < 0xc0) n = b & 0x1f
    else if (b === 0xc4 || b === 0xd9) n = this.u8()
    else if (b === 0xc5 || b === 0xda) n = this.u16()
    else if (b === 0xc6 || b === 0xdb) n = this.u32()
    else throw UNSURE
    const p = this.need(n)
    if (n < 2 || this.buf[p] !== PARTICLE_STRING) throw UNSURE
    // JavaScript objects put keys like "7" first; such maps keep their order in the value model.
    const first = this.buf[p + 1]
    if (first >= 0x30 && first <= 0x39) throw UNSURE
    for (let i = p + 1; i < p + n; i++) {
      const c = this.buf[i]
      // Other keys could differ in bytes and not in text (invalid UTF-8): the value model decides.
      if (c >= 0x80 || c < 0x20 || c === 0x22 || c === 0x5c) throw UNSURE
    }
    if (n === 5 && this.same(p + 1, p + 5, TYPE_KEY, 0)) throw UNSURE
    this.byte(0x22)
    this.copy(p + 1, p + n)
    this.byte(0x22)
    return p + 1
  }

  /** Whether the input's bytes from start to end are those of `other` from `at`. */
  same (start: number, end: number, other: Buffer, at: number): boolean {
    for (let i = start; i < end; i++) if (this.buf[i] !== other[at++]) return false
    return true
  }

  // An ext of length 0 at the head of a list or map: its order flags.
  orderMarker (): boolean {
    const n = orderMarkerLength(this.buf, this.pos)
    if (n === 0) return false
    this.need(n)
    return true
  }

  array (n: number, depth: number): void {
    if (depth > MAX_DEPTH || n > this.buf.length - this.pos) throw UNSURE
    if (n > 0 && this.orderMarker()) n--
    this.byte(0x5b)
    for (let i = 0; i < n; i++) {
      if (i > 0) this.byte(0x2c)
      this.value(depth)
    }
    this.byte(0x5d)
  }

  map (n: number, depth: number): void {
    if (depth > MAX_DEPTH || n * 2 > this.buf.length - this.pos) throw UNSURE
    if (n > 0 && this.orderMarker()) {
      if (this.u8() !== 0xc0) throw UNSURE
      n--
    }
    // The value model keeps one entry of a repeated key: such maps are left to it.
    const keys: number[] = []
    const many = n > FEW_KEYS ? new Set<string>() : undefined
    this.byte(0x7b)
    for (let i = 0; i < n; i++) {
      if (i > 0) this.byte(0x2c)
      const start = this.key()
      const end = this.pos
      if (many !== undefined) {
        const text = this.buf.toString('latin1', start, end)
        if (many.has(text)) throw UNSURE
        many.add(text)
      } else {
        for (let k = 0; k < keys.length; k += 2) if (keys[k + 1] - keys[k] === end - start && this.same(start, end, this.buf, keys[k])) throw UNSURE
        keys.push(start, end)
      }
      this.byte(0x3a)
      this.value(depth)
    }
    this.byte(0x7d)
  }
}

function double (v: number): string {
  if (!Number.isFinite(v)) throw UNSURE
  if (Object.is(v, -0)) return '-0.0'
  const s = String(v)
  return Number.isInteger(v) && !s.includes('e') ? `${s}.0` : s
}

/**
 * The JSON text of a list or map bin as the server stores it, exactly as the
 * value model would write it; undefined when this writer cannot be sure of
 * that, or the bytes are not one Aerospike list or map.
 */
export function cdtJson (bytes: Buffer): string | undefined {
  const b = bytes[0]
  if (!((b >= 0x80 && b <= 0x9f) || (b >= 0xdc && b <= 0xdf))) return undefined
  const w = new CdtJsonWriter(bytes)
  try {
    w.value(0)
    return w.pos === bytes.length ? w.out.toString('utf8', 0, w.len) : undefined
  } catch {
    // UNSURE, or a length past the end (RangeError from a read).
    return undefined
  }
}

/**
 * A list or map bin with its JSON text (cdtJson): the JSON writer writes the
 * text; anything else that meets it sees the decoded value (toJSON).
 */
export class CdtJsonValue {
  constructor (readonly bytes: Buffer, readonly json: string) {}

  toJSON (): unknown {
    return decodeRawCdt(this.bytes)
  }
}

/** A list or map bin as a CdtJsonValue; undefined when cdtJson cannot write it. */
export function rawCdtValue (bytes: Buffer): CdtJsonValue | undefined {
  const json = cdtJson(bytes)
  return json === undefined ? undefined : new CdtJsonValue(bytes, json)
}
