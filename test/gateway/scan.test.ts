// GET /v1/scan through HTTP against the embedded server: pages to the end
// with nothing lost or repeated (also while records are written), their
// shape in JSON and MessagePack, bin selection, and page tokens that only
// this gateway's secret and this request open.

import { createHmac } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import t from 'tap'
import { expandState } from '../../src/scan/query-state'
import { decodeMsgpack } from '../../src/values'
import { buildGateway, withGateway } from '../helpers/gateway'
import { allPages, clientOf, load, type Page } from '../helpers/scan'

// Many records and several gateways: slow on a crowded machine.
t.setTimeout(400_000)

const SECRET = 'a-secret-of-at-least-thirty-two-characters'

// One embedded server and gateway for the file (each test has its own sets):
// building a gateway takes seconds on a busy machine.
const shared = withGateway(t, {}, { SCAN_TOKEN_SECRET: SECRET })
// Another instance with the same secret, other limits: one window of all partitions.
const small = (async () => await buildGateway(t, (await shared).embedded.address,
  { SCAN_TOKEN_SECRET: SECRET, SCAN_MAX_PAGE_SIZE: '25', SCAN_WINDOW_PARTITIONS: '4096' }))()

t.test('pages to the end: every record once, in the official page shape', async (t) => {
  const { app, embedded } = await shared
  await load(await clientOf(t, embedded.address), 'gq_a', 300, (i) => ({ n: i, s: `v${i}`, l: [i, 'x'] }))
  await load(await clientOf(t, embedded.address), 'gq_other', 7, (i) => ({ n: i }))
  const pages = await allPages(async (from) => await app.inject({ method: 'GET', url: `/v1/scan/test/gq_a?maxRecords=40${from === undefined ? '' : `&from=${from}`}` }))
  const rows = pages.flatMap((p) => p.records)
  t.equal(rows.length, 300, 'every record')
  t.equal(new Set(rows.map((r) => r.digest)).size, 300, 'none twice')
  t.ok(pages.slice(0, -1).every((p) => p.records.length === 40 && p.pagination.totalRecords === 40), 'full pages until the last')
  t.equal(pages.at(-1)?.pagination.nextToken, null, 'the last page has no token')
  const k7 = rows.find((r) => r.userKey === 'k7')
  t.same(k7, { userKey: 'k7', digest: k7?.digest, generation: 1, ttl: -1, bins: { n: 7, s: 'v7', l: [7, 'x'] } })
  t.match(k7?.digest, /^[A-Za-z0-9_-]{27}$/, 'the digest is base64url')
  const byDigest = await app.inject({ method: 'GET', url: `/v1/kvs/test/gq_a/${k7?.digest as string}?keytype=DIGEST` })
  t.same(byDigest.json().bins, { n: 7, s: 'v7', l: [7, 'x'] }, 'the digest reads the record')

  const whole = await allPages(async (from) => await app.inject({ method: 'GET', url: `/v1/scan/test?maxRecords=5000${from === undefined ? '' : `&from=${from}`}` }))
  const sets = new Set(whole.flatMap((p) => p.records).map((r) => r.userKey))
  t.ok(sets.has('k299') && sets.has('k6'), 'the namespace form reads every set')
})

t.test('without maxRecords a page is SCAN_MAX_PAGE_SIZE records; larger maxRecords are capped', async (t) => {
  const { embedded } = await shared
  const app = await small
  await load(await clientOf(t, embedded.address), 'gq_cap', 60, (i) => ({ n: i }))
  const first = await app.inject({ method: 'GET', url: '/v1/scan/test/gq_cap' })
  t.equal(first.json().records.length, 25)
  t.type(first.json().pagination.nextToken, 'string')
  // 25 digests read of 4,096 partitions: the unread ones are zeros, not the C client's stale heap bytes.
  t.ok((first.json().pagination.nextToken as string).length < 2048, `a token of one window of all partitions fits a URL (${String(first.json().pagination.nextToken.length)} characters)`)
  const capped = await app.inject({ method: 'GET', url: '/v1/scan/test/gq_cap?maxRecords=1000' })
  t.equal(capped.json().records.length, 25)
  const pages = await allPages(async (from) => await app.inject({ method: 'GET', url: `/v1/scan/test/gq_cap${from === undefined ? '' : `?from=${from}`}` }))
  t.same(pages.map((p) => p.records.length), [25, 25, 10], 'one window of all partitions pages exactly too')
})

t.test('pagination while records are written: every record that was there before is read exactly once', async (t) => {
  const { app, embedded } = await shared
  const client = await clientOf(t, embedded.address)
  await load(client, 'gq_live', 400, (i) => ({ n: i }))
  const seen = new Map<string, number>()
  let from: string | undefined
  let written = 0
  for (let page = 0; page < 100; page++) {
    const res = await app.inject({ method: 'GET', url: `/v1/scan/test/gq_live?maxRecords=30${from === undefined ? '' : `&from=${from}`}` })
    const body = res.json() as Page
    for (const r of body.records) seen.set(String(r.userKey), (seen.get(String(r.userKey)) ?? 0) + 1)
    // Between pages: new records, and updates of old ones.
    await load(client, 'gq_live', 400 + written + 20, (i) => ({ n: i, page }))
    written += 20
    if (body.pagination.nextToken === null) break
    from = body.pagination.nextToken
  }
  const twice = [...seen].filter(([, n]) => n > 1)
  t.same(twice, [], 'no record twice')
  for (let i = 0; i < 400; i++) if (!seen.has(`k${i}`)) t.fail(`k${i} was never read`)
  t.ok(seen.size >= 400)
})

t.test('recordBins, includeBinData=false and MessagePack pages', async (t) => {
  const { app, embedded } = await shared
  await load(await clientOf(t, embedded.address), 'gq_bins', 20, (i) => ({ a: i, b: `b${i}`, c: 1.5 }))
  const some = (await app.inject({ method: 'GET', url: '/v1/scan/test/gq_bins?recordBins=a&recordBins=c' })).json() as Page
  t.equal(some.records.length, 20)
  t.ok(some.records.every((r) => Object.keys(r.bins).sort().join() === 'a,c'))
  const none = (await app.inject({ method: 'GET', url: '/v1/scan/test/gq_bins?includeBinData=false' })).json() as Page
  t.ok(none.records.every((r) => Object.keys(r.bins).length === 0 && r.generation === 1), 'metadata only')
  const mp = await app.inject({ method: 'GET', url: '/v1/scan/test/gq_bins?maxRecords=5', headers: { accept: 'application/msgpack' } })
  t.equal(mp.headers['content-type'], 'application/msgpack')
  const page = decodeMsgpack(mp.rawPayload) as unknown as Page
  t.equal(page.records.length, 5)
  t.type(page.pagination.nextToken, 'string')
  t.equal(page.pagination.totalRecords, 5)
  const bad = await app.inject({ method: 'GET', url: '/v1/scan/test/gq_bins?recordBins=' + 'x'.repeat(20) })
  t.equal(bad.statusCode, 400, 'a bin name too long')
})

// A token of version 1 (whole client states) made from a version 2 one, as
// a gateway before the compact states would have signed it.
function asVersion1 (token: string): string {
  const bytes = Buffer.from(token, 'base64url')
  const raw = inflateRawSync(bytes.subarray(17))
  const parts: Buffer[] = [raw.subarray(0, 14)]
  let at = 14
  for (let i = 0; i < raw.readUInt16BE(12); i++) {
    const begin = raw.readUInt16BE(at)
    const count = raw.readUInt16BE(at + 2)
    const len = raw.readUInt32BE(at + 4)
    const state = expandState(raw.subarray(at + 8, at + 8 + len), begin, count) as Buffer
    const head = Buffer.alloc(8)
    head.writeUInt16BE(begin, 0)
    head.writeUInt16BE(count, 2)
    head.writeUInt32BE(state.length, 4)
    parts.push(head, state)
    at += 8 + len
  }
  const body = Buffer.concat([Buffer.of(1), deflateRawSync(Buffer.concat(parts))])
  const mac = createHmac('sha256', Buffer.from(SECRET)).update(body).digest().subarray(0, 16)
  return Buffer.concat([body.subarray(0, 1), mac, body.subarray(1)]).toString('base64url')
}

t.test('a token of the version before compact states still resumes', async (t) => {
  const { app, embedded } = await shared
  await load(await clientOf(t, embedded.address), 'gq_v1', 50, (i) => ({ n: i }))
  const first = (await app.inject({ method: 'GET', url: '/v1/scan/test/gq_v1?maxRecords=20' })).json() as Page
  const old = asVersion1(first.pagination.nextToken as string)
  const rest = await allPages(async (from) => await app.inject({ method: 'GET', url: `/v1/scan/test/gq_v1?maxRecords=20&from=${from ?? old}` }))
  const digests = [...first.records, ...rest.flatMap((p) => p.records)].map((r) => r.digest)
  t.equal(digests.length, 50, 'every record')
  t.equal(new Set(digests).size, 50, 'none twice')
})

t.test('tokens: altered, foreign, of another request or of another secret are 400; the same secret resumes anywhere', async (t) => {
  const { embedded } = await shared
  const { app: a } = await shared
  const b = await small
  const other = await buildGateway(t, embedded.address, { SCAN_TOKEN_SECRET: SECRET.toUpperCase() })
  await load(await clientOf(t, embedded.address), 'gq_tok', 50, (i) => ({ n: i }))
  const first = (await a.inject({ method: 'GET', url: '/v1/scan/test/gq_tok?maxRecords=20' })).json() as Page
  const token = first.pagination.nextToken as string
  t.match(token, /^[A-Za-z0-9_-]+$/, 'url-safe')

  const rest = await allPages(async (from) => await b.inject({ method: 'GET', url: `/v1/scan/test/gq_tok?maxRecords=20&from=${from ?? token}` }))
  const digests = [...first.records, ...rest.flatMap((p) => p.records)].map((r) => r.digest)
  t.equal(new Set(digests).size, 50, 'another instance with the same secret (and other windows) goes on from the token')

  const problems: Array<[string, string, RegExp]> = [
    ['altered', `/v1/scan/test/gq_tok?from=${token.slice(0, 30)}${token[30] === 'A' ? 'B' : 'A'}${token.slice(31)}`, /altered/],
    ['truncated', `/v1/scan/test/gq_tok?from=${token.slice(0, -3)}`, /altered|damaged/],
    ['not base64url', '/v1/scan/test/gq_tok?from=abc%2Bdef', /base64url/],
    ['garbage', '/v1/scan/test/gq_tok?from=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', /altered|not a page token/],
    ['another set', `/v1/scan/test/gq_other?from=${token}`, /another scan or query/],
    ['other bins', `/v1/scan/test/gq_tok?recordBins=n&from=${token}`, /another scan or query/]
  ]
  for (const [what, url, detail] of problems) {
    const res = await a.inject({ method: 'GET', url })
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, 4, what)
    t.match(res.json().detail, detail, what)
  }
  const foreign = await other.inject({ method: 'GET', url: `/v1/scan/test/gq_tok?from=${token}` })
  t.equal(foreign.statusCode, 400, 'signed with another secret')
  t.match(foreign.json().detail, /SCAN_TOKEN_SECRET/)
})

t.test('scan errors: unknown namespace 404 (20), bad parameters 400', async (t) => {
  const { app } = await shared
  const ns = await app.inject({ method: 'GET', url: '/v1/scan/nope/gq_x' })
  t.equal(ns.statusCode, 404)
  t.equal(ns.json().code, 20)
  t.equal((await app.inject({ method: 'GET', url: '/v1/scan/test/gq_x?maxRecords=-1' })).statusCode, 400)
  t.equal((await app.inject({ method: 'GET', url: '/v1/scan/test/gq_x?includeBinData=maybe' })).statusCode, 400)
  const empty = await app.inject({ method: 'GET', url: '/v1/scan/test/gq_none' })
  t.same(empty.json(), { records: [], pagination: { nextToken: null, totalRecords: 0 } }, 'a set with no records')
})
