// The lossless JSON parser: int64 as bigint, 1.0 as a DoubleValue.

import { DEFAULT_MAX_DEPTH, DoubleValue, INT64_MAX, INT64_MIN, PARAMETER_ERROR, PathError, SAFE_MAX, SAFE_MIN, atPath, checkKey, toValueError } from './model'

export interface ParseOptions {
  /** Deepest nesting of arrays and objects, counted from the document root. */
  maxDepth?: number
}

const NEEDS_SLOW_STRING = /[\u0000-\u001f\\]/

// Keys up to 12 characters are kept: V8 copies a slice that short, while a
// longer one would point into, and keep alive, the whole body it came from.
const MAX_KEPT_KEY = 12
const KEYS = new Array<string | undefined>(256)

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

  /**
   * An object key. Short keys repeat from object to object (every item of a
   * batch has "key", "namespace", "userKey"...): they come from KEYS, not a
   * new string each.
   */
  key (): string {
    const t = this.text
    const start = this.pos + 1
    let p = start
    let h = 0
    for (;;) {
      const c = t.charCodeAt(p)
      if (c === 0x22) break
      if (c === 0x5c || c < 0x20 || c !== c || p - start >= MAX_KEPT_KEY) return this.string()
      h = (h * 31 + c) | 0
      p++
    }
    const slot = h & (KEYS.length - 1)
    const kept = KEYS[slot]
    this.pos = p + 1
    if (kept !== undefined && kept.length === p - start && t.startsWith(kept, start)) return kept
    return (KEYS[slot] = t.slice(start, p))
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
      const key = this.key()
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
