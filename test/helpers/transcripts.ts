// Replaying the real-server transcripts (test/fixtures/transcripts): their
// line format, frames rebuilt from hex, a frame reader over a raw socket, and
// how a request's reply run ends.

import { readFileSync } from 'node:fs'
import { connect, Socket } from 'node:net'
import path from 'node:path'
import { inflateSync } from 'node:zlib'

export const TRANSCRIPTS = path.resolve(__dirname, '../fixtures/transcripts')

export const PROTO_HEADER = 8
export const MSG_HEADER = 22
const INFO1_BATCH = 0x08
export const INFO3_LAST = 0x01
const FIELD_KEY = 2
const FIELD_DIGEST = 4
const FIELD_BATCH_INDEX = 41
const ROW_REPEAT = 0x01
const ROW_HAS_INFO2_INFO3 = 0x02
const ROW_HAS_GENERATION = 0x04
const ROW_HAS_TTL = 0x08
const ROW_HAS_INFO4 = 0x10
const REPLY_TIMEOUT_MS = 5000

export function loadJsonl<T> (file: string): T[] {
  return readFileSync(path.join(TRANSCRIPTS, file), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T)
}

export interface Frame {
  dir: 'c2s' | 's2c'
  type: number
  bytes: number
  hex: string
  elided?: string | boolean
}

export interface Scenario {
  scenario: string
  frames: Frame[]
}

// Frames over 64 KiB keep only their first 512 bytes. The only such request
// is a put whose single blob bin runs to the end of the frame, filled with
// one repeated byte: rebuild it at its full length with that byte, and check
// that the rebuilt frame is a well-formed message ending where the frame ends.
export function frameBytes (f: Frame): Buffer {
  const kept = Buffer.from(f.hex, 'hex')
  if (f.elided === undefined || f.elided === false) return kept
  if (f.dir !== 'c2s') throw new Error('an elided reply cannot be compared')
  const fill = kept[kept.length - 1]
  const tail = kept.subarray(kept.length - 64)
  if (!tail.every((b) => b === fill)) throw new Error('elided frame does not end in a run of one byte')
  const full = Buffer.alloc(f.bytes, fill)
  kept.copy(full)
  if (full.readUIntBE(2, 6) !== f.bytes - PROTO_HEADER) throw new Error('elided frame: proto size disagrees with its length')
  if (messageEnds(full, PROTO_HEADER).at(-1) !== full.length) throw new Error('elided frame: message does not fill the frame')
  return full
}

/** The end offset of each 22-byte-header message in a type-3 frame. */
export function messageEnds (frame: Buffer, offset: number): number[] {
  const ends: number[] = []
  while (offset < frame.length) {
    const nFields = frame.readUInt16BE(offset + 18)
    const nOps = frame.readUInt16BE(offset + 20)
    offset += MSG_HEADER
    for (let i = 0; i < nFields + nOps; i++) offset += 4 + frame.readUInt32BE(offset)
    ends.push(offset)
  }
  return ends
}

export function messageStarts (frame: Buffer): number[] {
  return [PROTO_HEADER, ...messageEnds(frame, PROTO_HEADER).slice(0, -1)]
}

export interface Request {
  isBatch: boolean
  // A scan or query: a message with neither digest nor key.
  isQuery: boolean
  // One entry per record the request names: the single record, or each
  // batch row by its row index.
  rows: Map<number, { digest: string, info2: number, ttl: number }>
}

export function fieldsOf (buf: Buffer, offset: number, count: number): { fields: Map<number, Buffer>, end: number } {
  const fields = new Map<number, Buffer>()
  for (let i = 0; i < count; i++) {
    const size = buf.readUInt32BE(offset)
    fields.set(buf[offset + 4], buf.subarray(offset + 5, offset + 4 + size))
    offset += 4 + size
  }
  return { fields, end: offset }
}

function skipOps (buf: Buffer, offset: number, count: number): number {
  for (let i = 0; i < count; i++) offset += 4 + buf.readUInt32BE(offset)
  return offset
}

// Batch rows (server >= 6 format): index, digest, flags, then either "same
// as the previous row" or the row's own header, fields and ops.
function batchRows (field: Buffer): Request['rows'] {
  const rows: Request['rows'] = new Map()
  let offset = 5
  let info2 = 0
  let ttl = 0
  for (let n = field.readUInt32BE(0); n > 0; n--) {
    const index = field.readUInt32BE(offset)
    const digest = field.toString('hex', offset + 4, offset + 24)
    const flags = field[offset + 24]
    offset += 25
    if ((flags & ROW_REPEAT) === 0) {
      offset++ // info1
      info2 = 0
      ttl = 0
      if ((flags & ROW_HAS_INFO2_INFO3) !== 0) {
        info2 = field[offset]
        offset += 2
      }
      if ((flags & ROW_HAS_INFO4) !== 0) offset++
      if ((flags & ROW_HAS_GENERATION) !== 0) offset += 2
      if ((flags & ROW_HAS_TTL) !== 0) {
        ttl = field.readUInt32BE(offset)
        offset += 4
      }
      const nFields = field.readUInt16BE(offset)
      const nOps = field.readUInt16BE(offset + 2)
      offset = skipOps(field, fieldsOf(field, offset + 4, nFields).end, nOps)
    }
    rows.set(index, { digest, info2, ttl })
  }
  return rows
}

export function describeRequest (frame: Buffer): Request {
  // A compressed request: its size, then a zlib stream of a whole type-3 frame.
  if (frame[1] === 4) return describeRequest(inflateSync(frame.subarray(PROTO_HEADER + 8)))
  if (frame[1] !== 3) return { isBatch: false, isQuery: false, rows: new Map() }
  const body = frame.subarray(PROTO_HEADER)
  const { fields } = fieldsOf(body, MSG_HEADER, body.readUInt16BE(18))
  const batch = fields.get(FIELD_BATCH_INDEX)
  if ((body[1] & INFO1_BATCH) !== 0 && batch !== undefined) return { isBatch: true, isQuery: false, rows: batchRows(batch) }
  const digest = fields.get(FIELD_DIGEST)
  const rows: Request['rows'] = new Map()
  if (digest !== undefined) rows.set(0, { digest: digest.toString('hex'), info2: body[2], ttl: body.readUInt32BE(10) })
  return { isBatch: false, isQuery: digest === undefined && !fields.has(FIELD_KEY), rows }
}

// Reassembles proto frames from a socket.
export class FrameReader {
  private buffered = Buffer.alloc(0)
  private wake: (() => void) | undefined
  private closed = false

  constructor (readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      this.wake?.()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake?.()
    })
    socket.on('error', () => socket.destroy())
  }

  async next (): Promise<Buffer> {
    const deadline = Date.now() + REPLY_TIMEOUT_MS
    for (;;) {
      if (this.buffered.length >= PROTO_HEADER) {
        const size = PROTO_HEADER + this.buffered.readUIntBE(2, 6)
        if (this.buffered.length >= size) {
          const frame = this.buffered.subarray(0, size)
          this.buffered = this.buffered.subarray(size)
          return frame
        }
      }
      if (this.closed) throw new Error('connection closed before a whole reply frame arrived')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no reply frame within ${REPLY_TIMEOUT_MS} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = undefined
    }
  }
}

export async function open (port: number): Promise<FrameReader> {
  const socket = connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return new FrameReader(socket)
}

/**
 * A plain request gets one frame; a batch or a scan, frames until one ends
 * the stream; a refused scan gets one message with a result code.
 */
export async function readReply (reader: FrameReader, request: Request): Promise<Buffer[]> {
  const frames: Buffer[] = []
  for (;;) {
    const frame = await reader.next()
    frames.push(frame)
    if ((!request.isBatch && !request.isQuery) || frame[1] !== 3) return frames
    const ends = (m: number): boolean => (frame[m + 3] & INFO3_LAST) !== 0 || (request.isQuery && frame[m + 5] !== 0)
    if (messageStarts(frame).some(ends)) return frames
  }
}

/** Each request frame with the run of reply frames that answers it. */
export function exchanges (s: Scenario): Array<{ request: Frame, replies: Frame[] }> {
  const out: Array<{ request: Frame, replies: Frame[] }> = []
  for (const f of s.frames) {
    if (f.dir === 'c2s') out.push({ request: f, replies: [] })
    else if (out.length === 0) throw new Error(`${s.scenario}: a reply before any request`)
    else out[out.length - 1].replies.push(f)
  }
  return out
}
