// Record keys from a request path, with the official REST gateway's
// `keytype`: STRING (default), INTEGER, BYTES and DIGEST (both base64url).

import Aerospike from 'aerospike'
import { GatewayError } from './errors'

export const KEY_TYPES = ['STRING', 'INTEGER', 'BYTES', 'DIGEST'] as const
export type KeyType = typeof KEY_TYPES[number]

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const INTEGER = /^-?\d{1,20}$/
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/
const MAX_NAMESPACE_BYTES = 31
const MAX_SET_BYTES = 63

function invalid (detail: string): GatewayError {
  return new GatewayError(4, detail)
}

function base64url (value: string, what: string): Buffer {
  if (!BASE64URL.test(value)) throw invalid(`${what} must be base64url, got "${value}"`)
  return Buffer.from(value, 'base64url')
}

function userKey (raw: string, keytype: KeyType): string | number | bigint | Buffer {
  switch (keytype) {
    case 'STRING':
      return raw
    case 'INTEGER': {
      if (!INTEGER.test(raw)) throw invalid(`key must be an integer with keytype INTEGER, got "${raw}"`)
      const n = BigInt(raw)
      if (n < INT64_MIN || n > INT64_MAX) throw invalid(`key ${raw} is outside the 64-bit integer range`)
      return Number.isSafeInteger(Number(n)) ? Number(n) : n
    }
    case 'BYTES':
      return base64url(raw, 'key')
    case 'DIGEST':
      return raw
  }
}

export function recordKey (namespace: string, set: string | undefined, raw: string, keytype: KeyType = 'STRING'): InstanceType<typeof Aerospike.Key> {
  if (namespace.length === 0 || Buffer.byteLength(namespace) > MAX_NAMESPACE_BYTES) {
    throw invalid(`namespace must be 1 to ${MAX_NAMESPACE_BYTES} bytes`)
  }
  if (set !== undefined && Buffer.byteLength(set) > MAX_SET_BYTES) throw invalid(`set must be at most ${MAX_SET_BYTES} bytes`)
  if (keytype === 'DIGEST') {
    const digest = base64url(raw, 'digest')
    if (digest.length !== 20) throw invalid(`a digest is 20 bytes, got ${digest.length}`)
    return new Aerospike.Key(namespace, set, null, digest)
  }
  return new Aerospike.Key(namespace, set, userKey(raw, keytype) as string)
}

/** A key in a body, as the official gateway writes it: {namespace, setName, userKey, keytype}. */
export interface BodyKey {
  namespace: string
  setName?: string
  userKey: unknown
  keytype?: KeyType
}

/**
 * The record key of a key object in a body. Without a keytype the JSON type
 * of userKey decides: a string is a STRING key, an integer an INTEGER key,
 * MessagePack bytes a BYTES key. Bytes and digests given as text may be
 * base64 or base64url.
 */
export function bodyKey (key: BodyKey, where: string): InstanceType<typeof Aerospike.Key> {
  const { namespace, setName, userKey, keytype } = key
  try {
    if (Buffer.isBuffer(userKey)) {
      if (keytype === 'DIGEST') {
        if (userKey.length !== 20) throw invalid(`a digest is 20 bytes, got ${userKey.length}`)
        return new Aerospike.Key(namespace, setName, null, userKey)
      }
      if (keytype !== undefined && keytype !== 'BYTES') throw invalid(`userKey is bytes, which keytype ${keytype} cannot read`)
      return recordKey(namespace, setName, userKey.toString('base64url'), 'BYTES')
    }
    if (typeof userKey === 'number' || typeof userKey === 'bigint') {
      if (keytype !== undefined && keytype !== 'INTEGER') throw invalid(`userKey is a number, which keytype ${keytype} cannot read`)
      return recordKey(namespace, setName, String(userKey), 'INTEGER')
    }
    if (typeof userKey !== 'string') throw invalid('userKey must be a string, an integer or bytes')
    const raw = keytype === 'BYTES' || keytype === 'DIGEST' ? userKey.replace(/\+/g, '-').replace(/\//g, '_') : userKey
    return recordKey(namespace, setName, raw, keytype)
  } catch (err) {
    if (err instanceof GatewayError) throw new GatewayError(err.code, `${where}: ${err.message}`)
    throw err
  }
}
