// Record keys from a request path, with the official REST gateway's
// `keytype`: STRING (default), INTEGER, BYTES and DIGEST (both base64url),
// and from key objects in bodies.
//
// The client hands namespaces, sets and string keys to C as NUL-terminated
// strings, and turns a lone surrogate into U+FFFD: "victim\0x" would address
// the record "victim". Any value the client would alter is refused (400,
// code 4, naming the field), so that a command never reaches a record other
// than the one named.

import Aerospike from 'aerospike'
import { GatewayError } from './errors'
import { toClientValue } from './values'

export const KEY_TYPES = ['STRING', 'INTEGER', 'BYTES', 'DIGEST'] as const
export type KeyType = typeof KEY_TYPES[number]

/** The default of MAX_KEY_BYTES: the largest string or bytes key, in bytes. */
export const DEFAULT_MAX_KEY_BYTES = 4096

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const INTEGER = /^-?\d{1,20}$/
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/
const MAX_NAMESPACE_BYTES = 31
const MAX_SET_BYTES = 63
const URI_TOO_LONG = 414

type Key = InstanceType<typeof Aerospike.Key>

function invalid (detail: string): GatewayError {
  return new GatewayError(4, detail)
}

/** A string the client would pass on unchanged, or a 400 naming `what`. */
export function checkCString (value: string, what: string): string {
  if (value.includes('\u0000')) throw invalid(`${what} must not contain U+0000 (NUL)`)
  if (!(value as unknown as { isWellFormed: () => boolean }).isWellFormed()) throw invalid(`${what} is not valid Unicode (a lone surrogate)`)
  return value
}

function checkName (value: unknown, what: string, maxBytes: number): string {
  if (typeof value !== 'string') throw invalid(`${what} must be a string`)
  const bytes = Buffer.byteLength(value)
  if (bytes === 0 || bytes > maxBytes) throw invalid(`${what} must be 1 to ${maxBytes} bytes, got ${bytes}`)
  return checkCString(value, what)
}

function base64url (value: string, what: string): Buffer {
  if (!BASE64URL.test(value)) throw invalid(`${what} must be base64url, got "${value.length > 64 ? `${value.slice(0, 64)}...` : value}"`)
  return Buffer.from(value, 'base64url')
}

/** Where the key came from: a path answers 414 for an over-long key, a body 400. */
interface KeyOptions {
  maxKeyBytes: number
  inPath: boolean
}

function checkSize (bytes: number, what: string, options: KeyOptions): void {
  if (bytes === 0) throw invalid(`${what} must not be empty`)
  if (bytes > options.maxKeyBytes) {
    throw new GatewayError(4, `${what} is ${bytes} bytes; the largest key is ${options.maxKeyBytes} bytes (MAX_KEY_BYTES)`,
      options.inPath ? URI_TOO_LONG : undefined)
  }
}

function userKey (raw: string, keytype: KeyType, options: KeyOptions): string | number | bigint | Buffer {
  switch (keytype) {
    case 'STRING':
      checkSize(Buffer.byteLength(raw), 'key', options)
      return checkCString(raw, 'key')
    case 'INTEGER': {
      if (!INTEGER.test(raw)) throw invalid(`key must be an integer with keytype INTEGER, got "${raw.slice(0, 64)}"`)
      const n = BigInt(raw)
      if (n < INT64_MIN || n > INT64_MAX) throw invalid(`key ${raw} is outside the 64-bit integer range`)
      return Number.isSafeInteger(Number(n)) ? Number(n) : n
    }
    case 'BYTES': {
      const bytes = base64url(raw, 'key')
      checkSize(bytes.length, 'key', options)
      return bytes
    }
    case 'DIGEST':
      return raw
  }
}

function keyOf (namespace: string, set: string | undefined, raw: string, keytype: KeyType, options: KeyOptions): Key {
  checkName(namespace, 'namespace', MAX_NAMESPACE_BYTES)
  if (set !== undefined) checkName(set, 'set', MAX_SET_BYTES)
  if (keytype === 'DIGEST') {
    const digest = base64url(raw, 'digest')
    if (digest.length !== 20) throw invalid(`a digest is 20 bytes, got ${digest.length}`)
    return new Aerospike.Key(namespace, set, null, digest)
  }
  return new Aerospike.Key(namespace, set, userKey(raw, keytype, options) as string)
}

/** The key of a path's namespace, set and key segments. */
export function recordKey (namespace: string, set: string | undefined, raw: string, keytype: KeyType = 'STRING',
  maxKeyBytes = DEFAULT_MAX_KEY_BYTES): Key {
  return keyOf(namespace, set, raw, keytype, { maxKeyBytes, inPath: true })
}

/** A key in a body, as the official gateway writes it: {namespace, setName, userKey, keytype}. */
export interface BodyKey {
  namespace: string
  setName?: string | null
  userKey: unknown
  keytype?: KeyType
}

function isByteArray (v: unknown): v is { type: 'BYTE_ARRAY', value: unknown } {
  return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && (v as { type?: unknown }).type === 'BYTE_ARRAY'
}

/** A key object as a response gives it back: a BYTE_ARRAY userKey as the bytes it stands for. */
export function echoKey (key: BodyKey): BodyKey {
  return isByteArray(key.userKey) ? { ...key, userKey: toClientValue(key.userKey, { source: 'json' }) } : key
}

/**
 * The record key of a key object in a body. Without a keytype the JSON type
 * of userKey decides: a string is a STRING key, an integer an INTEGER key,
 * MessagePack bytes or {"type": "BYTE_ARRAY", "value": "<base64>"} a BYTES
 * key. Bytes and digests given as text may be base64 or base64url. A null or
 * absent setName is no set.
 */
export function bodyKey (key: BodyKey, where: string, maxKeyBytes = DEFAULT_MAX_KEY_BYTES): Key {
  const { namespace, setName, keytype } = key
  const set = setName ?? undefined
  const options = { maxKeyBytes, inPath: false }
  let { userKey } = key
  try {
    if (isByteArray(userKey)) userKey = toClientValue(userKey, { source: 'json', path: 'userKey' })
    if (Buffer.isBuffer(userKey)) {
      if (keytype === 'DIGEST') {
        if (userKey.length !== 20) throw invalid(`a digest is 20 bytes, got ${userKey.length}`)
        checkName(namespace, 'namespace', MAX_NAMESPACE_BYTES)
        if (set !== undefined) checkName(set, 'setName', MAX_SET_BYTES)
        return new Aerospike.Key(namespace, set, null, userKey)
      }
      if (keytype !== undefined && keytype !== 'BYTES') throw invalid(`userKey is bytes, which keytype ${keytype} cannot read`)
      return keyOf(namespace, set, userKey.toString('base64url'), 'BYTES', options)
    }
    if (typeof userKey === 'number' || typeof userKey === 'bigint') {
      if (keytype !== undefined && keytype !== 'INTEGER') throw invalid(`userKey is a number, which keytype ${keytype} cannot read`)
      return keyOf(namespace, set, String(userKey), 'INTEGER', options)
    }
    if (typeof userKey !== 'string') throw invalid('userKey must be a string, an integer or bytes')
    const raw = keytype === 'BYTES' || keytype === 'DIGEST' ? userKey.replace(/\+/g, '-').replace(/\//g, '_') : userKey
    return keyOf(namespace, set, raw, keytype ?? 'STRING', options)
  } catch (err) {
    if (err instanceof GatewayError) {
      throw new GatewayError(err.code, `${where}: ${err.message.replace(/^(key|set)\b/, (w) => w === 'set' ? 'setName' : 'userKey')}`, err.status)
    }
    throw err
  }
}
