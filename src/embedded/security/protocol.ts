// The admin protocol (proto type 2), as the C client's as_admin.c writes and
// reads it: a 16-byte header (byte 1 the result, byte 2 the command, byte 3
// the field count) and fields of a 4-byte size (id byte included), the id
// and the data. Listings are a stream of such messages ended by one whose
// result is 50 (QUERY_END).

import { MsgType, PROTO_HEADER_SIZE, writeProtoHeader } from '../wire'

export const ADMIN_HEADER_SIZE = 16

export const AdminCommand = {
  AUTHENTICATE: 0,
  CREATE_USER: 1,
  DROP_USER: 2,
  SET_PASSWORD: 3,
  CHANGE_PASSWORD: 4,
  GRANT_ROLES: 5,
  REVOKE_ROLES: 6,
  QUERY_USERS: 9,
  CREATE_ROLE: 10,
  DROP_ROLE: 11,
  GRANT_PRIVILEGES: 12,
  REVOKE_PRIVILEGES: 13,
  SET_WHITELIST: 14,
  SET_QUOTAS: 15,
  QUERY_ROLES: 16,
  LOGIN: 20
} as const

export const AdminField = {
  USER: 0,
  PASSWORD: 1,
  OLD_PASSWORD: 2,
  CREDENTIAL: 3,
  CLEAR_PASSWORD: 4,
  SESSION_TOKEN: 5,
  SESSION_TTL: 6,
  ROLES: 10,
  ROLE: 11,
  PRIVILEGES: 12,
  WHITELIST: 13,
  READ_QUOTA: 14,
  WRITE_QUOTA: 15,
  READ_INFO: 16,
  WRITE_INFO: 17,
  CONNECTIONS: 18
} as const

/** The server's AS_SEC_* results (proto.h), as the client's as_status.h names them. */
export const SecResult = {
  OK: 0,
  QUERY_END: 50,
  NOT_SUPPORTED: 51,
  NOT_ENABLED: 52,
  INVALID_COMMAND: 54,
  INVALID_FIELD: 55,
  INVALID_USER: 60,
  USER_ALREADY_EXISTS: 61,
  INVALID_PASSWORD: 62,
  INVALID_CREDENTIAL: 65,
  EXPIRED_SESSION: 66,
  INVALID_ROLE: 70,
  ROLE_ALREADY_EXISTS: 71,
  INVALID_PRIVILEGE: 72,
  INVALID_WHITELIST: 73,
  QUOTAS_NOT_ENABLED: 74,
  INVALID_QUOTA: 75,
  NOT_AUTHENTICATED: 80,
  ROLE_VIOLATION: 81,
  NOT_WHITELISTED: 82
} as const

export interface AdminRequest {
  command: number
  fields: Map<number, Buffer>
}

/** The request, or undefined when its fields overrun the message. */
export function parseAdmin (body: Buffer): AdminRequest | undefined {
  if (body.length < ADMIN_HEADER_SIZE) return undefined
  const fields = new Map<number, Buffer>()
  let off = ADMIN_HEADER_SIZE
  for (let i = 0; i < body[3]; i++) {
    if (off + 5 > body.length) return undefined
    const size = body.readUInt32BE(off)
    if (size < 1 || off + 4 + size > body.length) return undefined
    fields.set(body[off + 4], body.subarray(off + 5, off + 4 + size))
    off += 4 + size
  }
  return { command: body[2], fields }
}

export type ReplyField = [id: number, data: Buffer]

function messageSize (fields: readonly ReplyField[]): number {
  let size = ADMIN_HEADER_SIZE
  for (const [, data] of fields) size += 5 + data.length
  return size
}

function writeMessage (buf: Buffer, off: number, result: number, fields: readonly ReplyField[]): number {
  buf.fill(0, off, off + ADMIN_HEADER_SIZE)
  buf[off + 1] = result
  buf[off + 3] = fields.length
  off += ADMIN_HEADER_SIZE
  for (const [id, data] of fields) {
    buf.writeUInt32BE(data.length + 1, off)
    buf[off + 4] = id
    data.copy(buf, off + 5)
    off += 5 + data.length
  }
  return off
}

/** One frame holding the messages in order; a lone result is one message without fields. */
export function adminFrame (messages: ReadonlyArray<{ result: number, fields?: readonly ReplyField[] }>): Buffer {
  let size = 0
  for (const m of messages) size += messageSize(m.fields ?? [])
  const buf = Buffer.allocUnsafe(PROTO_HEADER_SIZE + size)
  writeProtoHeader(buf, 0, MsgType.ADMIN, size)
  let off = PROTO_HEADER_SIZE
  for (const m of messages) off = writeMessage(buf, off, m.result, m.fields ?? [])
  return buf
}

export function adminResult (result: number): Buffer {
  return adminFrame([{ result }])
}

/** A count byte, then each name as a length byte and its bytes (as_admin_write_roles). */
export function readNameList (data: Buffer): string[] | undefined {
  if (data.length < 1) return undefined
  const names: string[] = []
  let off = 1
  for (let i = 0; i < data[0]; i++) {
    if (off >= data.length) return undefined
    const len = data[off]
    if (off + 1 + len > data.length) return undefined
    names.push(data.toString('utf8', off + 1, off + 1 + len))
    off += 1 + len
  }
  return names
}

export function writeNameList (names: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([names.length])]
  for (const n of names) {
    const b = Buffer.from(n, 'utf8')
    parts.push(Buffer.from([b.length]), b)
  }
  return Buffer.concat(parts)
}

export function uint32 (n: number): Buffer {
  const b = Buffer.allocUnsafe(4)
  b.writeUInt32BE(n >>> 0)
  return b
}
