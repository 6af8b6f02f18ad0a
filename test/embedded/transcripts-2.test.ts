// Replays the second real-server transcript (messages-2.jsonl with the info
// pairs of info-2.jsonl, see test/fixtures/transcripts/README.md) against a
// fresh embedded server. Every scenario runs, in order, so that the data is
// what the real server held; the scenarios of the groups listed below are
// compared: single-record replies and info answers exactly (masking what
// varies between runs), scan and query replies as a set of record messages
// (the server's threads decide their order and framing) and their final
// message exactly.

import t, { Test } from 'tap'
import { EmbeddedServer } from '../../src/embedded/server'
import {
  INFO3_LAST, MSG_HEADER, PROTO_HEADER, Scenario, describeRequest, exchanges, frameBytes, loadJsonl,
  messageEnds, messageStarts, open, readReply
} from '../helpers/transcripts'

interface InfoPair {
  request: string
  reply: string
  scenario?: string
}

// Groups (the scenario name's first word) whose replies are compared.
const COMPARED_GROUPS = new Set(['hdr', 'sindex', 'query', 'scan', 'truncate', 'exp', 'bit', 'hll'])
// Not compared in `hdr`: readTouchTtlPercent (the read-touch of a record near
// expiry), which the embedded server does not implement yet.
const NOT_IMPLEMENTED = /readTouchTtlPercent|read-touch/
const COMPARED_INFO = new Set([
  'info sindex-list:', 'info sindex-list:ns=test', 'info truncate-namespace:namespace=nope', 'info features',
  'info namespaces', 'info bins/test', 'info racks:'
])
// Scenarios where only the number of records is deterministic: the real
// server's threads decide which partitions reach the limit first.
const COUNT_ONLY = new Set(['query maxRecords no paginate', 'scan maxRecords no paginate'])
// Regions-containing-point queries: the server's bval is the region's S2
// covering cell that holds the point; this server keeps no coverings.
const BVAL_VARIES = new Set(['query geoContainsGeoJSONPoint', 'query geoContainsPoint'])
// Info commands the client sent in scenarios whose exact pair was first seen
// elsewhere (info-2.jsonl keeps each pair once).
const INFO_ALSO_SENT: Record<string, string[]> = {
  'sindex create existing': ['sindex-create:ns=test;set=tx2;indexname=tx2_i;indexdata=i,NUMERIC'],
  'truncate set': ['truncate:namespace=test;set=tx2t'],
  'sindex remove in unknown namespace': ['sindex-delete:ns=nope;indexname=tx2_nsx']
}
for (const name of ['tx2_i', 'tx2_s', 'tx2_g', 'tx2_rg', 'tx2_l', 'tx2_mk', 'tx2_mv', 'tx2_i_dup']) {
  INFO_ALSO_SENT[`sindex remove ${name}`] = [`sindex-delete:ns=test;indexname=${name}`]
}

const FIELD_BVAL = 15
const PARTICLE_GEOJSON = 23

const scenarios = loadJsonl<Scenario & { client: unknown }>('messages-2.jsonl')
const infoPairs = loadJsonl<InfoPair>('info-2.jsonl')

function compared (name: string): boolean {
  return (COMPARED_GROUPS.has(name.split(' ')[0]) && !NOT_IMPLEMENTED.test(name)) || COMPARED_INFO.has(name)
}

/** The info pairs of a scenario: recorded ones, else what its client view shows. */
function infoOf (s: Scenario & { client: unknown }): InfoPair[] {
  const pairs = infoPairs.filter((p) => p.scenario === s.scenario)
  const also = INFO_ALSO_SENT[s.scenario]?.map((request) => ({ request: `${request}\n`, reply: '' }))
  if (also !== undefined) return [...pairs, ...also]
  const view = (s.client as { ok?: unknown } | null)?.ok
  if (pairs.length === 0 && s.frames.length === 0 && typeof view === 'string' && view.includes('\t')) {
    return [{ request: `${view.slice(0, view.indexOf('\t'))}\n`, reply: view }]
  }
  return pairs
}

function infoFrame (text: string): Buffer {
  const body = Buffer.from(text, 'utf8')
  const h = Buffer.alloc(PROTO_HEADER)
  h[0] = 2
  h[1] = 1
  h.writeUIntBE(body.length, 2, 6)
  return Buffer.concat([h, body])
}

// What varies between runs in info answers: index load progress, and a job's
// timing, progress, client address and how far it had got when polled.
function normalizeInfo (reply: string): string {
  return reply
    .replace(/load_pct=\d+;load_time=\d+/g, 'load_pct=*;load_time=*')
    .replace(/active-threads=\d+:status=\w+\(/g, 'active-threads=*:status=*(')
    .replace(/job-progress=[\d.]+:run-time=\d+:time-since-done=\d+/g, 'job-progress=*:run-time=*:time-since-done=*')
    .replace(/from=[^:]*/g, 'from=*')
}

/** One record message in a comparable form: void time and geo cells masked. */
function canonicalRecord (frame: Buffer, start: number, end: number, maskBval: boolean): string {
  const h = Buffer.from(frame.subarray(start, start + MSG_HEADER))
  if (h.readUInt32BE(10) !== 0) h.writeUInt32BE(1, 10)
  const parts = [h.toString('hex')]
  let off = start + MSG_HEADER
  for (let i = 0; i < h.readUInt16BE(18); i++) {
    const size = frame.readUInt32BE(off)
    const type = frame[off + 4]
    parts.push(type === FIELD_BVAL && maskBval ? 'bval' : frame.toString('hex', off, off + 4 + size))
    off += 4 + size
  }
  while (off < end) {
    const size = frame.readUInt32BE(off)
    const nameLen = frame[off + 7]
    const head = frame.toString('hex', off + 4, off + 8 + nameLen)
    let value = frame.subarray(off + 8 + nameLen, off + 4 + size)
    // A region's particle carries its S2 covering, which this server does not compute.
    if (frame[off + 5] === PARTICLE_GEOJSON && value.length >= 3) {
      value = Buffer.concat([value.subarray(0, 1), value.subarray(3 + 8 * value.readUInt16BE(1))])
    }
    parts.push(`${head}:${value.toString('hex')}`)
    off += 4 + size
  }
  return parts.join('|')
}

interface ScanReply {
  records: string[]
  final: string
}

function scanReply (frames: Buffer[], maskBval: boolean): ScanReply {
  const records: string[] = []
  let final = ''
  for (const frame of frames) {
    const starts = messageStarts(frame)
    const ends = messageEnds(frame, PROTO_HEADER)
    starts.forEach((m, k) => {
      const last = (frame[m + 3] & INFO3_LAST) !== 0 || frame[m + 5] !== 0
      if (last) final = frame.toString('hex', m, ends[k])
      else records.push(canonicalRecord(frame, m, ends[k], maskBval))
    })
  }
  return { records: records.sort(), final }
}

/** A single-record reply's messages, as canonicalRecord shows them. */
function canonicalFrames (frames: Buffer[]): string[][] {
  return frames.map((f) => {
    if (f[1] !== 3) return [f.toString('hex')]
    const ends = messageEnds(f, PROTO_HEADER)
    return messageStarts(f).map((m, k) => canonicalRecord(f, m, ends[k], false))
  })
}

// Expression results that read the clock, each the 8-byte integer of a bin
// ending `fromEnd` bytes before the reply's end: the recorded value is
// replaced by the actual one when that is what the replay's clock allows.
const NS_PER_S = 1_000_000_000n
const nowS = (): bigint => BigInt(Math.floor(Date.now() / 1000))
const TIME_VALUED: Record<string, { fromEnd: number, plausible: (v: bigint) => boolean }> = {
  'exp read meta ttl': { fromEnd: 0, plausible: (v) => v > 990n && v <= 1000n },
  'exp read meta voidTime': { fromEnd: 0, plausible: (v) => within(v / NS_PER_S, nowS() + 1000n, 5n) },
  'exp read meta lastUpdate': { fromEnd: 0, plausible: (v) => within(v / NS_PER_S, nowS(), 60n) },
  'exp read meta sinceUpdate': { fromEnd: 0, plausible: (v) => v >= 0n && v < 60_000n },
  // The ttl bin, then the size (20 bytes) and key (12 bytes) bins.
  'hdr operate exp read metadata': { fromEnd: 32, plausible: (v) => v > 990n && v <= 1000n }
}

function within (a: bigint, b: bigint, slack: bigint): boolean {
  return a - b <= slack && b - a <= slack
}

function alignTimeValued (t: Test, scenario: string, expected: Buffer[], actual: Buffer[]): void {
  const spec = TIME_VALUED[scenario]
  if (spec === undefined || expected.length !== 1 || actual.length !== 1 || expected[0].length !== actual[0].length) return
  const at = actual[0].length - spec.fromEnd - 8
  const value = actual[0].readBigInt64BE(at)
  if (spec.plausible(value)) actual[0].copy(expected[0], at, at, at + 8)
  else t.fail('time-valued result out of range', { scenario, value: value.toString() })
}

// Client views longer than the recorder kept end in `...[<n> chars]`.
const ELIDED = /\.\.\.\[\d+ chars\]$/

t.test('the second transcript is there', async (t) => {
  t.equal(scenarios.length, 470, 'every recorded scenario is loaded')
})

t.test('replay the second transcript against the embedded server', async (t) => {
  const server = new EmbeddedServer({ port: 0, namespaces: ['test'] })
  const { port } = await server.start()
  t.teardown(() => server.stop())
  let reader = await open(port)
  t.teardown(() => reader.socket.destroy())

  const send = async (bytes: Buffer, request = describeRequest(bytes)): Promise<Buffer[]> => {
    reader.socket.write(bytes)
    try {
      return await readReply(reader, request)
    } catch (err) {
      // The connection is out of step now; carry on over a new one.
      reader.socket.destroy()
      reader = await open(port)
      throw err
    }
  }
  const infoReply = async (request: string): Promise<string> => {
    const [frame] = await send(infoFrame(request))
    return frame.toString('utf8', PROTO_HEADER)
  }

  for (const pair of infoPairs.filter((p) => p.scenario === 'prep')) await infoReply(pair.request)

  for (const s of scenarios) {
    const check = compared(s.scenario)
    await t.test(s.scenario, async (t) => {
      for (const { request, replies } of exchanges(s)) {
        const bytes = frameBytes(request)
        const described = describeRequest(bytes)
        const actual = await send(bytes, described).catch((err: Error) => {
          if (check) throw err
          return [] as Buffer[]
        })
        if (!check) continue
        const expected = replies.map(frameBytes)
        alignTimeValued(t, s.scenario, expected, actual)
        if (described.isQuery) {
          const want = scanReply(expected, BVAL_VARIES.has(s.scenario))
          const got = scanReply(actual, BVAL_VARIES.has(s.scenario))
          t.equal(got.final, want.final, 'final message')
          if (COUNT_ONLY.has(s.scenario)) t.equal(got.records.length, want.records.length, 'number of records')
          else t.same(got.records, want.records, 'record messages, as a set')
        } else {
          t.same(canonicalFrames(actual), canonicalFrames(expected), 'reply frames')
        }
      }
      const pairs = infoOf(s)
      for (const [k, pair] of pairs.entries()) {
        const got = await infoReply(pair.request)
        if (!check || pair.reply === '') continue
        // A job polled while it ran is compared with how the recording ended.
        const final = pairs.filter((p) => p.request === pair.request).at(-1) ?? pair
        const want = pair.request.startsWith('query-show') ? final.reply : pair.reply
        const kept = want.replace(ELIDED, '')
        const answer = kept === want ? got : got.slice(0, kept.length)
        t.equal(normalizeInfo(answer), normalizeInfo(kept), `info ${pair.request.trim()} (${k})`)
      }
    })
  }
})
