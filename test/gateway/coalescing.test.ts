// Concurrent GETs share batch reads (COALESCE_GETS), and each still gets the
// answer it would have had alone.

import Aerospike from 'aerospike'
import t from 'tap'
import { withGateway } from '../helpers/gateway'
import { TEST_CLIENT_POLICIES } from '../helpers/embedded'

type App = Awaited<ReturnType<typeof withGateway>>['app']

const PATHS = [
  '/v1/kvs/test/c/k0', '/v1/kvs/test/c/k1?recordBins=s&recordBins=l', '/v1/kvs/test/c/missing', '/v1/kvs/test/c/k2',
  '/v1/kvs/test/c/k3?recordBins=nope', '/v1/kvs/test/c/k4', '/v1/kvs/test/c/7?keytype=INTEGER', '/v1/kvs/test/c/k5'
]

async function seed (app: App): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const res = await app.inject({ method: 'PUT', url: `/v1/kvs/test/c/k${i}`, payload: '{"i":' + i + ',"s":"v","d":2.5,"l":[1.0,{"a":null}],"m":{"x":[]}}', headers: { 'content-type': 'application/json' } })
    if (res.statusCode !== 204) throw new Error(res.body)
  }
  await app.inject({ method: 'PUT', url: '/v1/kvs/test/c/7?keytype=INTEGER', payload: { n: 7 } })
}

// Every path several times at once, so that the reads meet in one turn.
async function all (app: App): Promise<Array<{ status: number, etag: unknown, body: string }>> {
  const paths = [...PATHS, ...PATHS, ...PATHS]
  const responses = await Promise.all(paths.map(async (url) => await app.inject({ url })))
  return responses.map((r) => ({ status: r.statusCode, etag: r.headers.etag, body: r.body.replace(/"requestId":"[^"]*"/, '') }))
}

t.test('coalesced GETs answer exactly as GETs alone', async (t) => {
  const coalesced = await withGateway(t)
  const alone = await withGateway(t, {}, { COALESCE_GETS: 'false' })
  await seed(coalesced.app)
  await seed(alone.app)
  const a = await all(coalesced.app)
  const b = await all(alone.app)
  t.same(a, b)
  t.same(a.map((r) => r.status).slice(0, PATHS.length), [200, 200, 404, 200, 200, 200, 200, 200])
})

t.test('GETs in one turn go out as one batch read; a batch refused as a whole sends each read alone', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_READ_MAX_RETRIES: '0' })
  const { app: plain } = await withGateway(t, {}, { COALESCE_GETS: 'false' })
  await seed(app)
  await seed(plain)
  await embedded.addFault({ match: { kind: 'batch' }, resultCode: 11 })
  t.same(await all(app), await all(plain), 'each GET answers what it would alone')
})

t.test('a batch that times out is the timeout of every GET in it', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_READ_MAX_RETRIES: '0', AEROSPIKE_READ_TOTAL_TIMEOUT: '300' })
  await seed(app)
  await embedded.addFault({ match: { kind: 'batch' }, delayMs: 1000 })
  const statuses = (await all(app)).map((r) => r.status)
  t.ok(statuses.filter((s) => s === 504).length > PATHS.length, `most GETs were in the batch that timed out: ${statuses.join(',')}`)
})

t.test('a row that fails inside the batch is read again alone', async (t) => {
  const { app, embedded } = await withGateway(t)
  await seed(app)
  const client = await Aerospike.connect({ hosts: embedded.address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(() => client.close())
  const digest = ((await client.get(new Aerospike.Key('test', 'c', 'k2'))).key.digest as Buffer).toString('hex')
  await embedded.addFault({ match: { inBatch: true, digest }, resultCode: 14 })
  const responses = await all(app)
  t.same(responses.map((r) => r.status).slice(0, PATHS.length), [200, 200, 404, 200, 200, 200, 200, 200], 'k2 read alone succeeds')
})

t.test('GETs with parameters of their own are not coalesced', async (t) => {
  const { app, embedded } = await withGateway(t)
  await seed(app)
  await embedded.addFault({ match: { kind: 'batch' }, resultCode: 11 })
  const responses = await Promise.all(Array.from({ length: 20 }, async (_, i) => await app.inject({ url: `/v1/kvs/test/c/k${i % 6}?totalTimeout=900` })))
  t.same([...new Set(responses.map((r) => r.statusCode))], [200])
})

t.test('the type checks of records with lists and maps are coalesced too: concurrent GETs send no single read', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_READ_MAX_RETRIES: '0' })
  await seed(app)
  await embedded.addFault({ match: { kind: 'read', inBatch: false }, resultCode: 11 })
  const urls = Array.from({ length: 24 }, (_, i) => `/v1/kvs/test/c/k${i % 6}`)
  const responses = await Promise.all(urls.map(async (url) => await app.inject({ url })))
  t.same([...new Set(responses.map((r) => r.statusCode))], [200])
  t.same(JSON.parse(responses[0].body).bins, { i: 0, s: 'v', d: 2.5, l: [1.0, { a: null }], m: { x: [] } })
  t.match(responses[0].body, /"l":\[1\.0,/, 'the list keeps its double 1.0')
})

// The histogram's count: the groups of GETs sent so far.
async function groupsSent (app: App): Promise<number> {
  const text = (await app.inject({ url: '/metrics' })).body
  return Number(/^aerogate_coalesced_batch_size_count (\d+)$/m.exec(text)?.[1])
}

t.test('once the list and map bins of a set are known, GETs of its records take one batch read and no type read', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_READ_MAX_RETRIES: '0' })
  await seed(app)
  const first = await app.inject({ url: '/v1/kvs/test/c/k0' })
  t.match(first.body, /"l":\[1\.0,/)
  const before = await groupsSent(app)
  const fault = await embedded.addFault({ match: { kind: 'read', inBatch: false }, resultCode: 11 })
  const urls = Array.from({ length: 12 }, (_, i) => `/v1/kvs/test/c/k${i % 6}`)
  const responses = await Promise.all(urls.map(async (url) => await app.inject({ url })))
  t.same([...new Set(responses.map((r) => r.statusCode))], [200])
  t.same(JSON.parse(responses[5].body).bins, { i: 5, s: 'v', d: 2.5, l: [1.0, { a: null }], m: { x: [] } })
  t.equal(await groupsSent(app) - before, 1, 'one batch read for the twelve GETs, none for their types')
  await embedded.removeFault(fault)
  const lone = await app.inject({ url: '/v1/kvs/test/c/k3' })
  t.match(lone.body, /"l":\[1\.0,/, 'a GET alone in a learned set')
  t.equal(await groupsSent(app) - before, 2, 'takes one read too')
})

t.test('GETs of a set with known lists and of another set, in one turn, take a batch read per set and no type read', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_READ_MAX_RETRIES: '0' })
  await seed(app)
  for (let i = 0; i < 6; i++) await app.inject({ method: 'PUT', url: `/v1/kvs/test/d/s${i}`, payload: { n: i, f: 1.5 } })
  await app.inject({ url: '/v1/kvs/test/c/k0' })
  const before = await groupsSent(app)
  const fault = await embedded.addFault({ match: { kind: 'read', inBatch: false }, resultCode: 11 })
  t.teardown(async () => await embedded.removeFault(fault))
  const urls = Array.from({ length: 12 }, (_, i) => i % 2 === 0 ? `/v1/kvs/test/c/k${i % 6}` : `/v1/kvs/test/d/s${i % 6}`)
  const responses = await Promise.all(urls.map(async (url) => await app.inject({ url })))
  t.same([...new Set(responses.map((r) => r.statusCode))], [200])
  t.same(JSON.parse(responses[4].body).bins, { i: 4, s: 'v', d: 2.5, l: [1.0, { a: null }], m: { x: [] } })
  t.same(JSON.parse(responses[5].body).bins, { n: 5, f: 1.5 })
  t.equal(await groupsSent(app) - before, 2, 'a batch read per set')
})

t.test('a blob that parses as a list, where the set has lists, stays bytes; lists after it read as lists', async (t) => {
  const { app, embedded } = await withGateway(t)
  await seed(app)
  await app.inject({ url: '/v1/kvs/test/c/k0' })
  const client = await Aerospike.connect({ hosts: embedded.address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(() => client.close())
  await client.put(new Aerospike.Key('test', 'c', 'blob'), { l: Buffer.from([0x92, 0x01, 0x02]), m: [1] })
  await client.put(new Aerospike.Key('test', 'c', 'nolist'), { s: 'x' })
  const urls = ['blob', 'k1', 'blob', 'nolist', 'k2', 'blob'].map((k) => `/v1/kvs/test/c/${k}`)
  for (let round = 0; round < 2; round++) {
    const responses = await Promise.all(urls.map(async (url) => await app.inject({ url })))
    for (const i of [0, 2, 5]) t.same(JSON.parse(responses[i].body).bins, { l: { type: 'BYTE_ARRAY', value: 'kgEC' }, m: [1] }, `blob, round ${round}`)
    t.same(JSON.parse(responses[1].body).bins, { i: 1, s: 'v', d: 2.5, l: [1.0, { a: null }], m: { x: [] } })
    t.match(responses[4].body, /"l":\[1\.0,/)
    t.same(JSON.parse(responses[3].body).bins, { s: 'x' }, 'a record without the learned bins passes the filter')
  }
  for (const k of ['k1', 'blob', 'k2', 'blob']) {
    const bins = JSON.parse((await app.inject({ url: `/v1/kvs/test/c/${k}` })).body).bins
    t.same(bins.l, k === 'blob' ? { type: 'BYTE_ARRAY', value: 'kgEC' } : [1.0, { a: null }], `${k} read alone`)
  }
})
