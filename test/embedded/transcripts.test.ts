// Replays the real-server transcripts (Aerospike CE 7.2 talking to the Node
// client, see test/fixtures/transcripts/README.md) against a fresh
// embedded server over a raw socket, and requires every reply to be byte for
// byte what the real server sent, apart from the clock-dependent void time.

import t from 'tap'
import { readFileSync } from 'node:fs'
import { connect, Socket } from 'node:net'
import path from 'node:path'
import { inflateSync } from 'node:zlib'
import { EmbeddedServer } from '../../src/embedded/server'

const TRANSCRIPTS = path.resolve(__dirname, '../fixtures/transcripts')

/**
 * What is replayed: each recording, with the scenarios of it that the
 * embedded server implements, in recorded order. A recording's scenarios
 * are grouped by their first word (`hdr select no bins`, and `setup hdr ...`
 * for the writes that prepare them); add a group here when the embedded
 * server learns it.
 */
interface Recording {
  file: string
  /** Every line of the file, to catch a truncated fixture. */
  lines: number
  /** Which scenarios to replay; all when absent. */
  replays?: (scenario: string) => boolean
}

// Skipped in `hdr`: readTouchTtlPercent (the read-touch of a record near
// expiry) and expression reads of metadata, which the embedded server does
// not implement yet.
const HDR_UNIMPLEMENTED = /readTouchTtlPercent|read-touch|exp read metadata/

const RECORDINGS: Recording[] = [
  { file: 'messages.jsonl', lines: 303 },
  { file: 'messages-2.jsonl', lines: 470, replays: (s) => inGroup(s, 'hdr') && !HDR_UNIMPLEMENTED.test(s) }
]

function inGroup (scenario: string, group: string): boolean {
  return scenario.startsWith(`${group} `) || scenario.startsWith(`setup ${group} `)
}

const PROTO_HEADER = 8
const MSG_HEADER = 22
const INFO1_BATCH = 0x08
const INFO2_WRITE = 0x01
const INFO2_DELETE = 0x02
const INFO3_LAST = 0x01
const FIELD_DIGEST = 4
const FIELD_BATCH_INDEX = 41
const ROW_REPEAT = 0x01
const ROW_HAS_INFO2_INFO3 = 0x02
const ROW_HAS_GENERATION = 0x04
const ROW_HAS_TTL = 0x08
const ROW_HAS_INFO4 = 0x10
const TTL_NEVER_EXPIRE = 0xFFFFFFFF
const TTL_DONT_UPDATE = 0xFFFFFFFE
const CITRUSLEAF_EPOCH = 1262304000
// Void times are compared as "now + ttl"; replay and capture clocks differ.
const VOID_TIME_SLACK = 3
const REPLY_TIMEOUT_MS = 5000

interface Frame {
  dir: 'c2s' | 's2c'
  type: number
  bytes: number
  hex: string
  elided?: string | boolean
}

interface Scenario {
  scenario: string
  frames: Frame[]
}

function loadScenarios (file: string): Scenario[] {
  return readFileSync(path.join(TRANSCRIPTS, file), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Scenario)
}

function nowVoidBase (): number {
  return Math.floor(Date.now() / 1000) - CITRUSLEAF_EPOCH
}

// Frames over 64 KiB keep only their first 512 bytes. The only such request
// is a put whose single blob bin runs to the end of the frame, filled with
// one repeated byte: rebuild it at its full length with that byte, and check
// that the rebuilt frame is a well-formed message ending where the frame ends.
function frameBytes (f: Frame): Buffer {
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
function messageEnds (frame: Buffer, offset: number): number[] {
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

function messageStarts (frame: Buffer): number[] {
  return [PROTO_HEADER, ...messageEnds(frame, PROTO_HEADER).slice(0, -1)]
}

interface Request {
  isBatch: boolean
  // One entry per record the request names: the single record, or each
  // batch row by its row index.
  rows: Map<number, { digest: string, info2: number, ttl: number }>
}

function fieldsOf (buf: Buffer, offset: number, count: number): { fields: Map<number, Buffer>, end: number } {
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

function describeRequest (frame: Buffer): Request {
  // A compressed request: its size, then a zlib stream of a whole type-3 frame.
  if (frame[1] === 4) return describeRequest(inflateSync(frame.subarray(PROTO_HEADER + 8)))
  if (frame[1] !== 3) return { isBatch: false, rows: new Map() }
  const body = frame.subarray(PROTO_HEADER)
  const { fields } = fieldsOf(body, MSG_HEADER, body.readUInt16BE(18))
  const batch = fields.get(FIELD_BATCH_INDEX)
  if ((body[1] & INFO1_BATCH) !== 0 && batch !== undefined) return { isBatch: true, rows: batchRows(batch) }
  const digest = fields.get(FIELD_DIGEST)
  const rows: Request['rows'] = new Map()
  if (digest !== undefined) rows.set(0, { digest: digest.toString('hex'), info2: body[2], ttl: body.readUInt32BE(10) })
  return { isBatch: false, rows }
}

// What each record's void time should be at replay time, from the TTLs the
// replayed writes asked for: the same rule as the server, applied to the
// test's own clock, so that a read's void time is checked against the write
// that set it.
class VoidTimes {
  private readonly expected = new Map<string, number>()

  lookup (request: Request, row: number): number | undefined {
    const r = request.rows.get(row)
    if (r === undefined) return undefined
    if ((r.info2 & INFO2_WRITE) !== 0 && (r.info2 & INFO2_DELETE) === 0 && r.ttl !== TTL_DONT_UPDATE) {
      return this.fromTtl(r.ttl)
    }
    return this.expected.get(r.digest)
  }

  record (request: Request, row: number, resultCode: number): void {
    const r = request.rows.get(row)
    if (r === undefined || resultCode !== 0) return
    if ((r.info2 & INFO2_DELETE) !== 0) this.expected.delete(r.digest)
    else if ((r.info2 & INFO2_WRITE) !== 0 && r.ttl !== TTL_DONT_UPDATE) this.expected.set(r.digest, this.fromTtl(r.ttl))
  }

  private fromTtl (ttl: number): number {
    // Namespace `test` has default-ttl 0: a TTL of 0 never expires either.
    return ttl === 0 || ttl === TTL_NEVER_EXPIRE ? 0 : nowVoidBase() + ttl
  }
}

// Reassembles proto frames from a socket.
class FrameReader {
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

async function open (port: number): Promise<FrameReader> {
  const socket = connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return new FrameReader(socket)
}

/** A plain request gets one frame; a batch, frames until one ends the stream. */
async function readReply (reader: FrameReader, request: Request): Promise<Buffer[]> {
  const frames: Buffer[] = []
  for (;;) {
    const frame = await reader.next()
    frames.push(frame)
    if (!request.isBatch || frame[1] !== 3) return frames
    if (messageStarts(frame).some((m) => (frame[m + 3] & INFO3_LAST) !== 0)) return frames
  }
}

for (const recording of RECORDINGS) {
  const all = loadScenarios(recording.file)
  const replayed = all.filter((s) => s.frames.length > 0 && (recording.replays?.(s.scenario) ?? true))

  t.test(`${recording.file} is there`, async (t) => {
    t.equal(all.length, recording.lines, 'every recorded scenario is loaded')
    t.ok(replayed.length > 0, 'some of its scenarios are replayed')
  })

  // A fresh server per recording: each starts from empty sets.
  t.test(`replay ${recording.file} against the embedded server`, async (t) => {
    await replay(t, replayed)
  })
}

async function replay (t: tap.Test, scenarios: Scenario[]): Promise<void> {
  const server = new EmbeddedServer({ port: 0, namespaces: ['test'] })
  const { port } = await server.start()
  t.teardown(() => server.stop())
  let reader = await open(port)
  t.teardown(() => reader.socket.destroy())
  const voidTimes = new VoidTimes()

  for (const s of scenarios) {
    await t.test(s.scenario, async (t) => {
      for (const { request, replies } of exchanges(s)) {
        const bytes = frameBytes(request)
        const described = describeRequest(bytes)
        reader.socket.write(bytes)
        let actual: Buffer[]
        try {
          actual = await readReply(reader, described)
        } catch (err) {
          // The connection is out of step now; carry on over a new one.
          reader.socket.destroy()
          reader = await open(port)
          throw err
        }
        compareReply(t, replies.map(frameBytes), actual, described, voidTimes)
      }
    })
  }
}

/** Each request frame with the run of reply frames that answers it. */
function exchanges (s: Scenario): Array<{ request: Frame, replies: Frame[] }> {
  const out: Array<{ request: Frame, replies: Frame[] }> = []
  for (const f of s.frames) {
    if (f.dir === 'c2s') out.push({ request: f, replies: [] })
    else if (out.length === 0) throw new Error(`${s.scenario}: a reply before any request`)
    else out[out.length - 1].replies.push(f)
  }
  return out
}

// The whole run of reply frames is compared, so that a missing or extra batch
// frame shows as such.
function compareReply (t: tap.Test, expected: Buffer[], actual: Buffer[], request: Request, voidTimes: VoidTimes): void {
  t.equal(actual.length, expected.length, 'number of reply frames')
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
    const want = Buffer.from(expected[i])
    const got = actual[i]
    if (want[1] === 3 && got[1] === 3) {
      for (const m of messageStarts(want)) {
        if (m + MSG_HEADER > got.length) break
        alignVoidTime(t, want, got, m, request, voidTimes)
      }
    }
    t.equal(got.toString('hex'), want.toString('hex'), `reply frame ${i} bytes`)
  }
}

// Offset 10 of each reply message is the record's void time: 0 must stay 0,
// and a non-zero one must be "now + ttl" within a few seconds. When it is,
// the recorded value is replaced by the actual one for the byte comparison.
function alignVoidTime (t: tap.Test, want: Buffer, got: Buffer, m: number, request: Request, voidTimes: VoidTimes): void {
  const row = request.isBatch ? want.readUInt32BE(m + 14) : 0
  const recorded = want.readUInt32BE(m + 10)
  const actual = got.readUInt32BE(m + 10)
  if (recorded !== 0) {
    const expected = voidTimes.lookup(request, row)
    if (expected === undefined || expected === 0) {
      t.fail('recorded a void time where no TTL was asked for', { recorded, actual })
    } else if (Math.abs(actual - expected) <= VOID_TIME_SLACK) {
      want.writeUInt32BE(actual, m + 10)
    } else {
      t.fail('void time is not now + ttl', { expected, actual })
    }
  }
  if ((want[m + 3] & INFO3_LAST) === 0) voidTimes.record(request, row, want[m + 5])
}
