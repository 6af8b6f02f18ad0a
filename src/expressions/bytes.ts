// Expressions given as their packed bytes in base64, as the official gateway
// takes them (Java's Expression.fromBytes after base64url). The client sends
// such bytes as they are, and the binding decodes base64 with a C decoder
// that answers NULL for text it cannot decode (an EXP_READ or EXP_WRITE
// would then go on with no expression). So the gateway decodes the text
// itself, checks that the bytes are exactly one well-formed MessagePack
// value no deeper than MAX_DEPTH, and hands the client standard padded
// base64 of those bytes only. What they mean is the server's to judge: a
// real server answers 4 to an expression it cannot compile.

import { expError } from './types'

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/
export const MAX_DEPTH = 64
// Text such as the official gateway's infix filters; packed expressions start with an array or a literal.
const PRINTABLE = /^[\x20-\x7e]{3,}$/

class Malformed extends Error {}

// The end of the MessagePack value at `p`, or Malformed.
function skip (b: Buffer, p: number, depth: number): number {
  if (depth > MAX_DEPTH) throw new Malformed(`nested deeper than ${MAX_DEPTH} levels`)
  const need = (n: number): number => {
    if (p + n > b.length) throw new Malformed('truncated')
    return p + n
  }
  const items = (n: number, at: number): number => {
    let q = at
    for (let i = 0; i < n; i++) q = skip(b, q, depth + 1)
    return q
  }
  const c = b[need(1) - 1]
  p++
  if (c <= 0x7f || c >= 0xe0 || c === 0xc0 || c === 0xc2 || c === 0xc3) return p
  if (c >= 0x80 && c <= 0x8f) return items(2 * (c & 0x0f), p)
  if (c >= 0x90 && c <= 0x9f) return items(c & 0x0f, p)
  if (c >= 0xa0 && c <= 0xbf) return need(c & 0x1f)
  switch (c) {
    case 0xc4: case 0xd9: return need(b[need(1) - 1] + 1)
    case 0xc5: case 0xda: need(2); return need(2 + b.readUInt16BE(p))
    case 0xc6: case 0xdb: need(4); return need(4 + b.readUInt32BE(p))
    case 0xc7: need(1); return need(2 + b[p])
    case 0xc8: need(2); return need(3 + b.readUInt16BE(p))
    case 0xc9: need(4); return need(5 + b.readUInt32BE(p))
    case 0xca: case 0xce: case 0xd2: return need(4)
    case 0xcb: case 0xcf: case 0xd3: return need(8)
    case 0xcc: case 0xd0: return need(1)
    case 0xcd: case 0xd1: return need(2)
    case 0xd4: return need(2)
    case 0xd5: return need(3)
    case 0xd6: return need(5)
    case 0xd7: return need(9)
    case 0xd8: return need(17)
    case 0xdc: need(2); return items(b.readUInt16BE(p), p + 2)
    case 0xdd: need(4); return items(b.readUInt32BE(p), p + 4)
    case 0xde: need(2); return items(2 * b.readUInt16BE(p), p + 2)
    case 0xdf: need(4); return items(2 * b.readUInt32BE(p), p + 4)
  }
  throw new Malformed(`byte 0x${c.toString(16)} starts no MessagePack value`)
}

/** The bytes of base64 (standard or URL-safe, padded or not) text, checked; standard base64 of them for the client. */
export function expressionFromBase64 (text: string, path: string): string {
  if (text.length === 0 || !BASE64.test(text) || text.length % 4 === 1) {
    throw expError(path, 'neither a JSON expression nor base64 expression bytes')
  }
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  if (PRINTABLE.test(bytes.toString('latin1'))) {
    throw expError(path, 'base64 of text: the official gateway\'s text filters ("a = 5 and b > 3") are not supported; give the JSON form (README, "Expressions") or packed expression bytes')
  }
  let end: number
  try {
    end = skip(bytes, 0, 0)
  } catch (err) {
    if (!(err instanceof Malformed) && !(err instanceof RangeError)) throw err
    throw expError(path, `base64 text that is not packed expression bytes (MessagePack): ${err.message}`)
  }
  if (end !== bytes.length) throw expError(path, `base64 text that is not packed expression bytes: ${bytes.length - end} bytes after the expression`)
  return bytes.toString('base64')
}
