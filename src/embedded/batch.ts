// Batch index requests in the server >= 6 format (batch.c): one parent
// message whose field 41 holds the rows; each row runs as its own
// sub-transaction and gets its own reply message, marked with its row index.

import { Message, MsgField, MsgOp, ProtocolError, readFields, readOps, FieldType, Result } from './wire'

const REPEAT = 0x01
const HAS_EXTRA_INFO = 0x02
const HAS_GENERATION = 0x04
const HAS_RECORD_TTL = 0x08
const HAS_INFO4 = 0x10

export interface BatchRow {
  index: number
  digest: Buffer
  msg: Message
}

export interface ParsedBatch {
  rows: BatchRow[]
  // Set when the rows could not all be read: the server answers what it
  // parsed and fails the remainder as a whole.
  error?: number
}

export function parseBatch (parent: Message): ParsedBatch {
  let field: Buffer | undefined
  for (const f of parent.fields) if (f.type === FieldType.BATCH_INDEX) field = f.data
  if (field === undefined || field.length < 5) return { rows: [], error: Result.PARAMETER }
  const count = field.readUInt32BE(0)
  const rows: BatchRow[] = []
  let offset = 5
  let prev: Message | undefined
  try {
    for (let i = 0; i < count; i++) {
      if (offset + 25 > field.length) throw new ProtocolError('truncated batch row')
      const index = field.readUInt32BE(offset)
      const digest = field.subarray(offset + 4, offset + 24)
      const flags = field[offset + 24]
      offset += 25
      if ((flags & REPEAT) !== 0) {
        if (prev === undefined) throw new ProtocolError('repeat flag on the first row')
        rows.push({ index, digest, msg: prev })
        continue
      }
      const need = 1 + ((flags & HAS_EXTRA_INFO) !== 0 ? 2 : 0) + ((flags & HAS_INFO4) !== 0 ? 1 : 0) +
        ((flags & HAS_GENERATION) !== 0 ? 2 : 0) + ((flags & HAS_RECORD_TTL) !== 0 ? 4 : 0) + 4
      if (offset + need > field.length) throw new ProtocolError('truncated batch row header')
      const info1 = field[offset++]
      let info2 = 0
      let info3 = 0
      if ((flags & HAS_EXTRA_INFO) !== 0) {
        info2 = field[offset++]
        info3 = field[offset++]
      }
      const info4 = (flags & HAS_INFO4) !== 0 ? field[offset++] : 0
      let generation = 0
      if ((flags & HAS_GENERATION) !== 0) {
        generation = field.readUInt16BE(offset)
        offset += 2
      }
      let recordTtl = 0
      if ((flags & HAS_RECORD_TTL) !== 0) {
        recordTtl = field.readUInt32BE(offset)
        offset += 4
      }
      // Old clients sent zero fields but always a namespace.
      const nFields = Math.max(1, field.readUInt16BE(offset))
      const nOps = field.readUInt16BE(offset + 2)
      offset += 4
      const fields: MsgField[] = []
      const ops: MsgOp[] = []
      offset = readFields(field, offset, field.length, nFields, fields)
      offset = readOps(field, offset, field.length, nOps, ops)
      prev = {
        info1,
        info2,
        info3,
        info4,
        resultCode: 0,
        generation,
        recordTtl,
        transactionTtl: parent.transactionTtl,
        fields,
        ops
      }
      rows.push({ index, digest, msg: prev })
    }
  } catch (err) {
    if (err instanceof ProtocolError) return { rows, error: Result.PARAMETER }
    throw err
  }
  return { rows }
}
