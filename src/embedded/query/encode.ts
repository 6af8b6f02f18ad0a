// The pieces of scan and query replies: a record message's fields and bins,
// and the lone message that refuses a request.

import type { Bin } from '../store'
import { FieldType, OpType } from '../wire'
import { QueryField } from './request'

export interface RecordFields {
  ns: string
  // 20 bytes, latin1.
  digest: string
  set: string
  key: Buffer | undefined
  bval: bigint | undefined
}

export function fieldCount (f: RecordFields): number {
  return 2 + (f.set === '' ? 0 : 1) + (f.key === undefined ? 0 : 1) + (f.bval === undefined ? 0 : 1)
}

export function fieldsSize (f: RecordFields): number {
  return 5 + Buffer.byteLength(f.ns) + 25 + (f.set === '' ? 0 : 5 + Buffer.byteLength(f.set)) +
    (f.key === undefined ? 0 : 5 + f.key.length) + (f.bval === undefined ? 0 : 13)
}

function field (buf: Buffer, off: number, type: number, size: number): number {
  buf.writeUInt32BE(size + 1, off)
  buf[off + 4] = type
  return off + 5
}

export function writeFields (buf: Buffer, off: number, f: RecordFields): number {
  off = field(buf, off, FieldType.NAMESPACE, Buffer.byteLength(f.ns))
  off += buf.write(f.ns, off, 'utf8')
  off = field(buf, off, FieldType.DIGEST, 20)
  off += buf.write(f.digest, off, 'latin1')
  if (f.set !== '') {
    off = field(buf, off, FieldType.SET, Buffer.byteLength(f.set))
    off += buf.write(f.set, off, 'utf8')
  }
  if (f.key !== undefined) {
    off = field(buf, off, FieldType.KEY, f.key.length)
    off += f.key.copy(buf, off)
  }
  if (f.bval !== undefined) {
    off = field(buf, off, QueryField.BVAL_ARRAY, 8)
    buf.writeBigInt64LE(f.bval, off)
    off += 8
  }
  return off
}

export function recordBinsSize (bins: readonly Bin[]): number {
  let size = 0
  for (const b of bins) size += 8 + Buffer.byteLength(b.name) + b.value.length
  return size
}

export function writeRecordBins (buf: Buffer, off: number, bins: readonly Bin[]): number {
  for (const b of bins) {
    const nameLen = buf.write(b.name, off + 8, 'utf8')
    buf.writeUInt32BE(4 + nameLen + b.value.length, off)
    buf[off + 4] = OpType.READ
    buf[off + 5] = b.type
    buf[off + 6] = 0
    buf[off + 7] = nameLen
    off += 8 + nameLen
    off += b.value.copy(buf, off)
  }
  return off
}

/**
 * A refused scan or query (as_multi_rec_transaction_error): one message with
 * the result code and, when the request had one, its transaction id; no LAST.
 */
export function refusal (resultCode: number, trid: bigint): Buffer {
  const withTrid = trid !== 0n
  const size = 22 + (withTrid ? 13 : 0)
  const buf = Buffer.alloc(8 + size)
  buf[0] = 2
  buf[1] = 3
  buf.writeUIntBE(size, 2, 6)
  buf[8] = 22
  buf[13] = resultCode
  if (withTrid) {
    buf.writeUInt16BE(1, 8 + 18)
    field(buf, 30, FieldType.TRID, 8)
    buf.writeBigUInt64BE(trid, 35)
  }
  return buf
}
