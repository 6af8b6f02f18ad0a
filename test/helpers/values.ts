// Seeded generators of gateway values and a canonical form that compares
// values with their types, shared by the values and round-trip tests.

import Aerospike from 'aerospike'
import { DoubleValue, parseJson, stringifyJson, ValueError } from '../../src/values'

const { GeoJSON } = Aerospike


/** A tagged form of a value of the model: equal iff same values and same types. */
export type Canon = [string, ...unknown[]]
export function canon (v: unknown): Canon {
  if (v === null || v === undefined) return ['nil']
  if (typeof v === 'boolean') return ['bool', v]
  if (typeof v === 'bigint') return ['int', v.toString()]
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return ['int', String(v + 0)]
    return ['double', String(v)]
  }
  if (v instanceof DoubleValue) return ['double', Object.is(v.value, -0) ? '-0' : String(v.value)]
  if (v instanceof Aerospike.Double) return canon(new DoubleValue(v.Double))
  if (typeof v === 'string') return ['str', v]
  if (Buffer.isBuffer(v)) return ['bytes', v.toString('hex')]
  if (v instanceof GeoJSON) return ['geo', canon(parseJson(String(v)))]
  if (Array.isArray(v)) return ['list', ...v.map(canon)]
  const entries: Array<[unknown, unknown]> = v instanceof Map ? [...v.entries()] : Object.entries(v as object)
  const pairs = entries.map(([k, item]) => [canon(k), canon(item)] as const)
  pairs.sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1))
  return ['map', ...pairs]
}

/** What a read gives back for a bin written with value v: a double with an integral value reads as an integer at the top level. */
export function expectedTopLevel (v: unknown): Canon {
  const d = v instanceof DoubleValue ? v.value : v instanceof Aerospike.Double ? v.Double : undefined
  if (d !== undefined && Number.isSafeInteger(d) && !Object.is(d, -0)) return ['int', String(d)]
  return canon(v)
}

export function canonBins (bins: Record<string, unknown>): Record<string, Canon> {
  return Object.fromEntries(Object.entries(bins).map(([k, v]) => [k, canon(v)]))
}

/** A test message that cannot upset TAP: ASCII only, one line, bounded. */
export function label (text: string): string {
  const s = text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return s.length > 300 ? s.slice(0, 300) + '...' : s
}

export function errorOf (fn: () => unknown): ValueError {
  try {
    fn()
  } catch (e) {
    if (e instanceof ValueError) return e
    throw e
  }
  throw new Error('did not throw')
}

// mulberry32: a small seeded generator, so failures replay.
export function rng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

export class Gen {
  readonly r: () => number
  constructor (seed: number) { this.r = rng(seed) }
  int (n: number): number { return Math.floor(this.r() * n) }
  pick<T> (xs: readonly T[]): T { return xs[this.int(xs.length)] }
  bytes (max: number): Buffer { return Buffer.from(Array.from({ length: this.int(max + 1) }, () => this.int(256))) }
  int64 (): bigint { return BigInt.asIntN(64, (BigInt(this.int(2 ** 32)) << 32n) | BigInt(this.int(2 ** 32))) }

  intLiteral (): string {
    switch (this.int(5)) {
      case 0: return String(this.int(2001) - 1000)
      case 1: return String(Math.floor((this.r() - 0.5) * 2 * Number.MAX_SAFE_INTEGER))
      case 2: return this.pick(['9007199254740993', '-9007199254740993', '9223372036854775807', '-9223372036854775808', '9007199254740992', '0', '-0'])
      default: return this.int64().toString()
    }
  }

  doubleLiteral (): string {
    switch (this.int(6)) {
      case 0: return `${this.int(2001) - 1000}.0`
      case 1: return `${this.int(9) + 1}e${this.int(40) - 20}`
      case 2: return this.pick(['-0.0', '1.7976931348623157e308', '5e-324', '1E2', '2.50', '0.1', '-1.5e-7', '1e21', '123456789012345680000.0'])
      default: return String((this.r() - 0.5) * 10 ** this.int(12))
    }
  }

  stringValue (): string {
    const pieces = ['a', 'héllo', '日本', '𝄞', '"', '\\', '\n', '\t', '\u2028', ' ', 'x'.repeat(30), '😀', '{', '/', '\u007f', '\u0001']
    let s = ''
    for (let n = this.int(5); n > 0; n--) s += this.pick(pieces)
    return s
  }

  stringLiteral (): string {
    const s = this.stringValue()
    if (this.int(3) > 0) return JSON.stringify(s)
    // \u escapes for everything outside ASCII
    return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  }

  coordinate (range: number): string {
    const v = (this.r() - 0.5) * 2 * range
    return this.int(4) === 0 ? `${Math.trunc(v)}.0` : String(Math.round(v * 1e6) / 1e6)
  }

  geoLiteral (): string {
    const lng = this.coordinate(179)
    const lat = this.coordinate(89)
    switch (this.int(3)) {
      case 0: return `{"type":"Point","coordinates":[${lng},${lat}]}`
      case 1: return `{"type": "AeroCircle", "coordinates": [[${lng}, ${lat}], ${this.int(5000) + 1}]}`
      default: {
        const x = Math.trunc(Number(lng))
        const y = Math.trunc(Number(lat))
        return `{"type":"Polygon","coordinates":[[[${x},${y}],[${x + 1},${y}],[${x + 1},${y + 1}],[${x},${y + 1}],[${x},${y}]]]}`
      }
    }
  }

  jsonValue (depth: number, top: boolean): string {
    const kinds = depth >= 4 ? 7 : 9
    switch (this.int(kinds)) {
      case 0: return this.intLiteral()
      case 1: return this.doubleLiteral()
      case 2: return this.stringLiteral()
      case 3: return this.pick(['true', 'false'])
      case 4: return top ? this.intLiteral() : 'null'
      case 5: return `{"type":"BYTE_ARRAY","value":"${this.bytes(24).toString('base64')}"}`
      case 6: return this.geoLiteral()
      case 7: {
        const items = Array.from({ length: this.int(5) }, () => this.jsonValue(depth + 1, false))
        return `[${items.join(this.pick([',', ', ', ' ,\n']))}]`
      }
      default: {
        const keys = new Set(Array.from({ length: this.int(5) }, () => this.pick(['a', 'b', 'name', 'ключ', '🔑', '1', '-5', 'x y', '', 'constructor', 'value', '\n'])))
        return `{${[...keys].map((k) => `${JSON.stringify(k)}:${this.jsonValue(depth + 1, false)}`).join(',')}}`
      }
    }
  }

  jsonBins (): string {
    const names = new Set(Array.from({ length: this.int(6) + 1 }, () => this.pick(['a', 'b', 'c', 'int', 'dbl', 'bin-name', 'ünïcode', 'x'.repeat(15), 'list', 'map'])))
    return `{${[...names].map((n) => `${JSON.stringify(n)}: ${this.jsonValue(0, true)}`).join(', ')}}`
  }

  geo (): InstanceType<typeof GeoJSON> {
    return new GeoJSON(stringifyJson(parseJson(this.geoLiteral()), { strict: false }))
  }

  modelValue (depth: number, top: boolean): unknown {
    const kinds = depth >= 4 ? 8 : 11
    switch (this.int(kinds)) {
      case 0: return this.pick([0, 1, -1, 127, 128, -32, -33, 255, 65535, 65536, -(2 ** 31), 2 ** 32, Number.MAX_SAFE_INTEGER, this.int(1e6)])
      case 1: return this.int64()
      case 2: return new DoubleValue(this.pick([1, -0, 0, 1e300, NaN, Infinity, -Infinity, 2 ** 53, this.int(100)]))
      case 3: return (this.r() - 0.5) * 1e6
      case 4: return this.stringValue()
      case 5: return this.r() < 0.5
      case 6: return top ? 7 : null
      case 7: return this.bytes(24)
      case 8: return this.geo()
      case 9: return Array.from({ length: this.int(5) }, () => this.modelValue(depth + 1, false))
      default: {
        const m = new Map<unknown, unknown>()
        const seen = new Set<string>()
        for (let n = this.int(5); n > 0; n--) {
          const k = this.pick<() => unknown>([() => this.stringValue(), () => this.int(100) - 50, () => this.int64(), () => this.bytes(4)])()
          const id = JSON.stringify(canon(k))
          if (seen.has(id)) continue
          seen.add(id)
          m.set(k, this.modelValue(depth + 1, false))
        }
        return m
      }
    }
  }
}
