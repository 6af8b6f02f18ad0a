// Aerospike wire format (as_proto.h, as_msg.h): the frame header, the 22-byte
// message header, fields and ops. Everything is big-endian.

export const PROTO_VERSION = 2
export const PROTO_HEADER_SIZE = 8
export const MSG_HEADER_SIZE = 22
// The server refuses frames above this (PROTO_SIZE_MAX in proto.h).
export const MAX_FRAME_BODY = 128 * 1024 * 1024

export const MsgType = {
  INFO: 1,
  ADMIN: 2,
  MESSAGE: 3,
  COMPRESSED: 4
} as const

export const Info1 = {
  READ: 0x01,
  GET_ALL: 0x02,
  SHORT_QUERY: 0x04,
  BATCH: 0x08,
  NOBINDATA: 0x20,
  COMPRESS_RESPONSE: 0x80
} as const

export const Info2 = {
  WRITE: 0x01,
  DELETE: 0x02,
  GENERATION: 0x04,
  GENERATION_GT: 0x08,
  DURABLE_DELETE: 0x10,
  CREATE_ONLY: 0x20,
  RESPOND_ALL_OPS: 0x80
} as const

export const Info3 = {
  LAST: 0x01,
  COMMIT_MASTER: 0x02,
  PARTITION_DONE: 0x04,
  UPDATE_ONLY: 0x08,
  CREATE_OR_REPLACE: 0x10,
  REPLACE_ONLY: 0x20
} as const

export const FieldType = {
  NAMESPACE: 0,
  SET: 1,
  KEY: 2,
  DIGEST: 4,
  TRID: 7,
  SOCKET_TIMEOUT: 9,
  PID_ARRAY: 11,
  DIGEST_ARRAY: 12,
  MAX_RECORDS: 13,
  BATCH_INDEX: 41,
  FILTER_EXP: 43
} as const

export const OpType = {
  READ: 1,
  WRITE: 2,
  CDT_READ: 3,
  CDT_MODIFY: 4,
  INCR: 5,
  EXP_READ: 7,
  EXP_MODIFY: 8,
  APPEND: 9,
  PREPEND: 10,
  TOUCH: 11,
  BITS_READ: 12,
  BITS_MODIFY: 13,
  DELETE_ALL: 14,
  HLL_READ: 15,
  HLL_MODIFY: 16
} as const

export const Particle = {
  NULL: 0,
  INTEGER: 1,
  FLOAT: 2,
  STRING: 3,
  BLOB: 4,
  BOOL: 17,
  HLL: 18,
  MAP: 19,
  LIST: 20,
  GEOJSON: 23
} as const

// The server's result codes (as_status.h on the server side).
export const Result = {
  OK: 0,
  UNKNOWN: 1,
  NOT_FOUND: 2,
  GENERATION: 3,
  PARAMETER: 4,
  RECORD_EXISTS: 5,
  BIN_EXISTS: 6,
  CLUSTER_KEY_MISMATCH: 7,
  OUT_OF_SPACE: 8,
  TIMEOUT: 9,
  UNAVAILABLE: 11,
  INCOMPATIBLE_TYPE: 12,
  RECORD_TOO_BIG: 13,
  KEY_BUSY: 14,
  UNSUPPORTED_FEATURE: 16,
  BIN_NOT_FOUND: 17,
  DEVICE_OVERLOAD: 18,
  KEY_MISMATCH: 19,
  NAMESPACE: 20,
  BIN_NAME: 21,
  FORBIDDEN: 22,
  ELEMENT_NOT_FOUND: 23,
  ELEMENT_EXISTS: 24,
  ENTERPRISE_ONLY: 25,
  OP_NOT_APPLICABLE: 26,
  FILTERED_OUT: 27,
  SINDEX_NOT_FOUND: 201
} as const

export interface MsgField {
  type: number
  data: Buffer
}

export interface MsgOp {
  op: number
  particle: number
  flags: number
  name: string
  value: Buffer
}

export interface Message {
  info1: number
  info2: number
  info3: number
  info4: number
  resultCode: number
  generation: number
  recordTtl: number
  transactionTtl: number
  fields: MsgField[]
  ops: MsgOp[]
}

// Bad bytes from a peer. The connection that sent them is answered with a
// parameter error and closed, as the server does on a demarshal error.
export class ProtocolError extends Error {}

export function readFields (buf: Buffer, offset: number, end: number, count: number, out: MsgField[]): number {
  for (let i = 0; i < count; i++) {
    if (offset + 5 > end) throw new ProtocolError('truncated field header')
    const size = buf.readUInt32BE(offset)
    if (size < 1 || offset + 4 + size > end) throw new ProtocolError('field size out of bounds')
    out.push({ type: buf[offset + 4], data: buf.subarray(offset + 5, offset + 4 + size) })
    offset += 4 + size
  }
  return offset
}

export function readOps (buf: Buffer, offset: number, end: number, count: number, out: MsgOp[]): number {
  for (let i = 0; i < count; i++) {
    if (offset + 8 > end) throw new ProtocolError('truncated op header')
    const size = buf.readUInt32BE(offset)
    const nameLen = buf[offset + 7]
    if (size < 4 + nameLen || offset + 4 + size > end) throw new ProtocolError('op size out of bounds')
    const nameEnd = offset + 8 + nameLen
    out.push({
      op: buf[offset + 4],
      particle: buf[offset + 5],
      flags: buf[offset + 6],
      name: buf.toString('utf8', offset + 8, nameEnd),
      value: buf.subarray(nameEnd, offset + 4 + size)
    })
    offset += 4 + size
  }
  return offset
}

export function parseMessage (body: Buffer): Message {
  if (body.length < MSG_HEADER_SIZE || body[0] !== MSG_HEADER_SIZE) {
    throw new ProtocolError('bad message header')
  }
  const msg: Message = {
    info1: body[1],
    info2: body[2],
    info3: body[3],
    info4: body[4],
    resultCode: body[5],
    generation: body.readUInt32BE(6),
    recordTtl: body.readUInt32BE(10),
    transactionTtl: body.readUInt32BE(14),
    fields: [],
    ops: []
  }
  let offset = readFields(body, MSG_HEADER_SIZE, body.length, body.readUInt16BE(18), msg.fields)
  offset = readOps(body, offset, body.length, body.readUInt16BE(20), msg.ops)
  if (offset !== body.length) throw new ProtocolError('trailing bytes after message')
  return msg
}

export function findField (msg: Message, type: number): Buffer | undefined {
  for (const f of msg.fields) if (f.type === type) return f.data
  return undefined
}

export function writeProtoHeader (buf: Buffer, offset: number, type: number, bodySize: number): void {
  buf[offset] = PROTO_VERSION
  buf[offset + 1] = type
  buf.writeUIntBE(bodySize, offset + 2, 6)
}

/** One bin of a reply, in the order the server writes them. */
export interface ReplyBin {
  name: string
  type: number
  value: Buffer
  // The request op this result answers: a write transaction's reply echoes
  // each op's type (as_msg_make_response_msg); reads of whole records and
  // batch reads say READ.
  op?: number
}

export interface ReplyHeader {
  resultCode: number
  generation: number
  voidTime: number
  // Batch replies carry the row index here; plain replies carry 0.
  transactionTtl?: number
  info3?: number
}

export function replyMessageSize (bins: readonly ReplyBin[] | undefined): number {
  let size = MSG_HEADER_SIZE
  if (bins !== undefined) {
    for (const b of bins) size += 8 + Buffer.byteLength(b.name) + b.value.length
  }
  return size
}

/** Writes one 22-byte-header message (no fields) at offset; returns the end. */
export function writeReplyMessage (buf: Buffer, offset: number, h: ReplyHeader, bins: readonly ReplyBin[] | undefined): number {
  buf[offset] = MSG_HEADER_SIZE
  buf[offset + 1] = 0
  buf[offset + 2] = 0
  buf[offset + 3] = h.info3 ?? 0
  buf[offset + 4] = 0
  buf[offset + 5] = h.resultCode
  buf.writeUInt32BE(h.generation >>> 0, offset + 6)
  buf.writeUInt32BE(h.voidTime >>> 0, offset + 10)
  buf.writeUInt32BE((h.transactionTtl ?? 0) >>> 0, offset + 14)
  buf.writeUInt16BE(0, offset + 18)
  buf.writeUInt16BE(bins === undefined ? 0 : bins.length, offset + 20)
  offset += MSG_HEADER_SIZE
  if (bins !== undefined) {
    for (const b of bins) {
      const nameLen = buf.write(b.name, offset + 8, 'utf8')
      buf.writeUInt32BE(4 + nameLen + b.value.length, offset)
      buf[offset + 4] = b.op ?? OpType.READ
      buf[offset + 5] = b.type
      buf[offset + 6] = 0
      buf[offset + 7] = nameLen
      b.value.copy(buf, offset + 8 + nameLen)
      offset += 8 + nameLen + b.value.length
    }
  }
  return offset
}

/** A whole type-3 frame holding one reply message. */
export function encodeReply (h: ReplyHeader, bins?: readonly ReplyBin[]): Buffer {
  const size = replyMessageSize(bins)
  const buf = Buffer.allocUnsafe(PROTO_HEADER_SIZE + size)
  writeProtoHeader(buf, 0, MsgType.MESSAGE, size)
  writeReplyMessage(buf, PROTO_HEADER_SIZE, h, bins)
  return buf
}
