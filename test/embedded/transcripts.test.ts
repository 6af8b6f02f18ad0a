// Replays the real-server transcripts (Aerospike CE 7.2 talking to the Node
// client, see test/fixtures/transcripts/README.md) against a fresh
// embedded server over a raw socket, and requires every reply to be byte for
// byte what the real server sent, apart from the clock-dependent void time.

import t from 'tap'
import { EmbeddedServer } from '../../src/embedded/server'
import {
  INFO3_LAST, MSG_HEADER, Request, Scenario, describeRequest, exchanges, frameBytes, loadJsonl, messageStarts, open, readReply
} from '../helpers/transcripts'

const INFO2_WRITE = 0x01
const INFO2_DELETE = 0x02
const TTL_NEVER_EXPIRE = 0xFFFFFFFF
const TTL_DONT_UPDATE = 0xFFFFFFFE
const CITRUSLEAF_EPOCH = 1262304000
// Void times are compared as "now + ttl"; replay and capture clocks differ.
const VOID_TIME_SLACK = 3

function nowVoidBase (): number {
  return Math.floor(Date.now() / 1000) - CITRUSLEAF_EPOCH
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

const all = loadJsonl<Scenario>('messages.jsonl')

t.test('transcripts are there', async (t) => {
  t.equal(all.length, 303, 'every recorded scenario is loaded')
})

t.test('replay against the embedded server', async (t) => {
  const server = new EmbeddedServer({ port: 0, namespaces: ['test'] })
  const { port } = await server.start()
  t.teardown(() => server.stop())
  let reader = await open(port)
  t.teardown(() => reader.socket.destroy())
  const voidTimes = new VoidTimes()

  for (const s of all) {
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
})

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
