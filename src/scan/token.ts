// Page tokens: where a scan or query stopped, carried by the client between
// requests, so that any gateway instance can go on from it with no session.
//
// A token is base64url(version, MAC, deflated cursor). The cursor holds the
// partitions left: the next window not started, the end of the range, and
// the windows started but not finished, each with the client library's own
// serialized query state (as_query_to_bytes: the query and the last digest
// read in each partition), in a compact form (query-state.ts). That state is
// parsed by the client's C code, so it must never be anything but what this
// gateway wrote: the MAC is an HMAC-SHA256 under SCAN_TOKEN_SECRET (a
// checksum would let anyone forge a token and hand arbitrary bytes to a C
// parser). The cursor also carries a fingerprint of the request (namespace,
// set, filter, bins): a token of another query is refused, since its state
// would silently run that query.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { GatewayError } from '../errors'
import { compactState, expandState } from './query-state'

export const PARTITIONS = 4096

// 2: window states in the compact form (query-state.ts). Tokens of 1, whose
// states are the client's bytes as they are, are still read: a page walk
// goes on across an upgrade of the gateways.
const VERSION = 2
const WHOLE_STATES = 1
const MAC_BYTES = 16
const FINGERPRINT_BYTES = 8
/** Larger tokens are refused before anything else is done with them. */
export const MAX_TOKEN_CHARS = 65_536
const MAX_CURSOR_BYTES = 1 << 20
const BASE64URL = /^[A-Za-z0-9_-]+$/

/** A window of partitions started and not finished. */
export interface OpenWindow {
  begin: number
  count: number
  /** The client's query state after the last page read from it. */
  state: Buffer
}

export interface Cursor {
  /** First partition of the next window not started. */
  next: number
  /** One past the last partition of the range. */
  end: number
  open: OpenWindow[]
}

/** The fingerprint of a request: what a token must have been made for. */
export function fingerprint (parts: unknown): Buffer {
  return createHash('sha256').update(JSON.stringify(parts, (_k, v: unknown) => typeof v === 'bigint' ? `${v}n` : v)).digest().subarray(0, FINGERPRINT_BYTES)
}

function invalid (detail: string): GatewayError {
  return new GatewayError(4, `from: ${detail}`)
}

export class TokenCodec {
  private readonly key: Buffer

  /** Without a secret, a random one: tokens then hold only for this process. */
  constructor (secret: Buffer | undefined) {
    this.key = secret ?? randomBytes(32)
  }

  private mac (body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES)
  }

  encode (cursor: Cursor, print: Buffer): string {
    const states = cursor.open.map((w) => compactState(w.state, w.begin, w.count))
    let size = FINGERPRINT_BYTES + 6
    for (const state of states) size += 8 + state.length
    const raw = Buffer.alloc(size)
    print.copy(raw, 0)
    let at = FINGERPRINT_BYTES
    at = raw.writeUInt16BE(cursor.next, at)
    at = raw.writeUInt16BE(cursor.end, at)
    at = raw.writeUInt16BE(cursor.open.length, at)
    cursor.open.forEach((w, i) => {
      at = raw.writeUInt16BE(w.begin, at)
      at = raw.writeUInt16BE(w.count, at)
      at = raw.writeUInt32BE(states[i].length, at)
      at += states[i].copy(raw, at)
    })
    const body = Buffer.concat([Buffer.of(VERSION), deflateRawSync(raw)])
    return Buffer.concat([body.subarray(0, 1), this.mac(body), body.subarray(1)]).toString('base64url')
  }

  /** The cursor of a token made by this gateway for this request; anything else is a 400. */
  decode (token: string, print: Buffer): Cursor {
    if (token.length > MAX_TOKEN_CHARS) throw invalid(`the token is longer than ${MAX_TOKEN_CHARS} characters`)
    if (!BASE64URL.test(token)) throw invalid('not a page token: it must be base64url')
    const bytes = Buffer.from(token, 'base64url')
    if (bytes.length < 1 + MAC_BYTES + 1 || (bytes[0] !== VERSION && bytes[0] !== WHOLE_STATES)) throw invalid('not a page token of this gateway')
    const body = Buffer.concat([bytes.subarray(0, 1), bytes.subarray(1 + MAC_BYTES)])
    if (!timingSafeEqual(this.mac(body), bytes.subarray(1, 1 + MAC_BYTES))) {
      throw invalid('the token was altered, or signed by a gateway with another SCAN_TOKEN_SECRET')
    }
    let raw: Buffer
    try {
      raw = inflateRawSync(body.subarray(1), { maxOutputLength: MAX_CURSOR_BYTES })
    } catch {
      throw invalid('the token is damaged')
    }
    if (raw.length < FINGERPRINT_BYTES + 6 || !raw.subarray(0, FINGERPRINT_BYTES).equals(print)) {
      throw invalid('the token belongs to another scan or query (namespace, set, filter, bins or partitions differ)')
    }
    return parseCursor(raw, bytes[0] === VERSION)
  }
}

// Signed by this gateway, so well formed; checked anyway, as a token made by
// an older version with the same secret could differ.
function parseCursor (raw: Buffer, compact: boolean): Cursor {
  let at = FINGERPRINT_BYTES
  const u16 = (): number => {
    if (at + 2 > raw.length) throw invalid('the token is damaged')
    const v = raw.readUInt16BE(at)
    at += 2
    return v
  }
  const next = u16()
  const end = u16()
  const n = u16()
  if (end > PARTITIONS || next > end) throw invalid('the token is damaged')
  const open: OpenWindow[] = []
  for (let i = 0; i < n; i++) {
    const begin = u16()
    const count = u16()
    if (at + 4 > raw.length) throw invalid('the token is damaged')
    const len = raw.readUInt32BE(at)
    at += 4
    if (at + len > raw.length || begin + count > end) throw invalid('the token is damaged')
    const kept = raw.subarray(at, at + len)
    const state = compact ? expandState(kept, begin, count) : Buffer.from(kept)
    if (state === undefined) throw invalid('the token is damaged')
    open.push({ begin, count, state })
    at += len
  }
  if (at !== raw.length) throw invalid('the token is damaged')
  return { next, end, open }
}
