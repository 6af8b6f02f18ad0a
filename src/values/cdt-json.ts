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

import { decodeRawCdt } from './msgpack'

const MAX_DEPTH = 16
// Above this, a string is decoded natively rather than in the loop.
const MAX_LOOP_STRING = 24
// Up to this many keys, a map's keys are checked for repeats without a Set.
const FEW_KEYS = 16
const PARTICLE_STRING = 3
const PARTICLE_GEOJSON = 23

class Unsure extends Error {}
const UNSURE = new Unsure()

class CdtJsonWriter {
  pos = 0
  readonly view: DataView
  readonly bytes: Buffer

  constructor (readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    this.bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  need (n: number): number {
    const p = this.pos
    if (n > this.buf.length - p) throw UNSURE
    this.pos = p + n
    return p
  }

  u8 (): number { return this.buf[this.need(1)] }
  u16 (): number { return this.view.getUint16(this.need(2)) }
  u32 (): number { return this.view.getUint32(this.need(4)) }

  value (depth: number): string {
    const b = this.u8()
    if (b < 0x80) return String(b)
    if (b >= 0xe0) return String(b - 0x100)
    if (b < 0x90) return this.map(b & 0x0f, depth + 1)
    if (b < 0xa0) return this.array(b & 0x0f, depth + 1)
    if (b < 0xc0) return this.particle(b & 0x1f)
    switch (b) {
      case 0xc0: return 'null'
      case 0xc2: return 'false'
      case 0xc3: return 'true'
      case 0xc4: case 0xd9: return this.particle(this.u8())
      case 0xc5: case 0xda: return this.particle(this.u16())
      case 0xc6: case 0xdb: return this.particle(this.u32())
      case 0xca: return double(this.view.getFloat32(this.need(4)))
      case 0xcb: return double(this.view.getFloat64(this.need(8)))
      case 0xcc: return String(this.u8())
      case 0xcd: return String(this.u16())
      case 0xce: return String(this.u32())
      case 0xcf: return this.view.getBigUint64(this.need(8)).toString()
      case 0xd0: return String(this.view.getInt8(this.need(1)))
      case 0xd1: return String(this.view.getInt16(this.need(2)))
      case 0xd2: return String(this.view.getInt32(this.need(4)))
      case 0xd3: return this.view.getBigInt64(this.need(8)).toString()
      case 0xdc: return this.array(this.u16(), depth + 1)
      case 0xdd: return this.array(this.u32(), depth + 1)
      case 0xde: return this.map(this.u16(), depth + 1)
      case 0xdf: return this.map(this.u32(), depth + 1)
    }
    // ext (only an order marker, at a list's or map's head, is Aerospike's) and 0xc1
    throw UNSURE
  }

  /** A string or a blob: its first byte is the particle type. */
  particle (n: number): string {
    const p = this.need(n)
    if (n === 0) return '""'
    const type = this.buf[p]
    if (type === PARTICLE_STRING) return this.text(p + 1, p + n)
    if (type === PARTICLE_GEOJSON) throw UNSURE
    return `{"type":"BYTE_ARRAY","value":"${this.bytes.toString('base64', p + 1, p + n)}"}`
  }

  text (start: number, end: number): string {
    if (end - start > MAX_LOOP_STRING) return JSON.stringify(this.bytes.toString('utf8', start, end))
    let out = '"'
    for (let i = start; i < end; i++) {
      const c = this.buf[i]
      // Beyond ASCII, and what JSON escapes: the native writer.
      if (c >= 0x80 || c < 0x20 || c === 0x22 || c === 0x5c) return JSON.stringify(this.bytes.toString('utf8', start, end))
      out += String.fromCharCode(c)
    }
    return out + '"'
  }

  /** A map key: a string particle of plain characters that is no array index, and not "type". */
  key (): string {
    const b = this.u8()
    let n: number
    if (b >= 0xa0 && b < 0xc0) n = b & 0x1f
    else if (b === 0xc4 || b === 0xd9) n = this.u8()
    else if (b === 0xc5 || b === 0xda) n = this.u16()
    else if (b === 0xc6 || b === 0xdb) n = this.u32()
    else throw UNSURE
    const p = this.need(n)
    if (n < 2 || this.buf[p] !== PARTICLE_STRING) throw UNSURE
    const first = this.buf[p + 1]
    // JavaScript objects put keys like "7" first; such maps keep their order in the value model.
    if (first >= 0x30 && first <= 0x39) throw UNSURE
    const text = this.text(p + 1, p + n)
    if (text === '"type"') throw UNSURE
    return text
  }

  // An ext of length 0 at the head of a list or map: its order flags.
  orderMarker (): boolean {
    const b = this.buf[this.pos]
    if (b === 0xc7) this.need(3 + this.buf[this.pos + 1])
    else if (b === 0xc8) this.need(4 + this.view.getUint16(this.pos + 1))
    else if (b === 0xc9) this.need(6 + this.view.getUint32(this.pos + 1))
    else if (b >= 0xd4 && b <= 0xd8) this.need(2 + (1 << (b - 0xd4)))
    else return false
    return true
  }

  array (n: number, depth: number): string {
    if (depth > MAX_DEPTH || n > this.buf.length - this.pos) throw UNSURE
    if (n > 0 && this.orderMarker()) n--
    if (n === 0) return '[]'
    let out = '[' + this.value(depth)
    for (let i = 1; i < n; i++) out += ',' + this.value(depth)
    return out + ']'
  }

  map (n: number, depth: number): string {
    if (depth > MAX_DEPTH || n * 2 > this.buf.length - this.pos) throw UNSURE
    if (n > 0 && this.orderMarker()) {
      if (this.u8() !== 0xc0) throw UNSURE
      n--
    }
    if (n === 0) return '{}'
    // The value model keeps one entry of a repeated key: such maps are left to it.
    const keys: string[] | Set<string> = n <= FEW_KEYS ? [] : new Set()
    let out = '{'
    for (let i = 0; i < n; i++) {
      const k = this.key()
      if (Array.isArray(keys)) {
        for (let j = 0; j < keys.length; j++) if (keys[j] === k) throw UNSURE
        keys.push(k)
      } else {
        if (keys.has(k)) throw UNSURE
        keys.add(k)
      }
      out += (i === 0 ? '' : ',') + k + ':' + this.value(depth)
    }
    return out + '}'
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
export function cdtJson (bytes: Uint8Array): string | undefined {
  const b = bytes[0]
  if (!((b >= 0x80 && b <= 0x9f) || (b >= 0xdc && b <= 0xdf))) return undefined
  const w = new CdtJsonWriter(bytes)
  try {
    const out = w.value(0)
    return w.pos === bytes.length ? out : undefined
  } catch (e) {
    if (e instanceof Unsure) return undefined
    throw e
  }
}

/**
 * A list or map bin with its JSON text (cdtJson): the JSON writer writes the
 * text; anything else that meets it sees the decoded value (toJSON).
 */
export class CdtJsonValue {
  constructor (readonly bytes: Uint8Array, readonly json: string) {}

  toJSON (): unknown {
    return decodeRawCdt(this.bytes)
  }
}

/** A list or map bin as a CdtJsonValue; undefined when cdtJson cannot write it. */
export function rawCdtValue (bytes: Uint8Array): CdtJsonValue | undefined {
  const json = cdtJson(bytes)
  return json === undefined ? undefined : new CdtJsonValue(bytes, json)
}
