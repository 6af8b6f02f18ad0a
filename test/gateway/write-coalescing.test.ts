// Concurrent plain writes share batch writes (COALESCE_WRITES), and each
// still gets the answer it would have had alone.

import Aerospike from 'aerospike'
import t from 'tap'
import { withGateway } from '../helpers/gateway'
import { TEST_CLIENT_POLICIES } from '../helpers/embedded'

type App = Awaited<ReturnType<typeof withGateway>>['app']

const JSON_HEADERS = { 'content-type': 'application/json' }

// A mix of outcomes: creations, replaces, updates, a create of an existing
// record (409), a replace-only... none: plain writes only, in one turn.
async function writes (app: App, round: number): Promise<Array<{ status: number, etag: unknown, body: string }>> {
  const requests = [
    { method: 'PUT' as const, url: `/v1/kvs/test/wc/a${round}`, payload: '{"n":1,"l":[1.0,2]}' },
    { method: 'POST' as const, url: '/v1/kvs/test/wc/existing', payload: '{"n":2}' },
    { method: 'PATCH' as const, url: '/v1/kvs/test/wc/existing', payload: `{"r":${round}}` },
    { method: 'POST' as const, url: `/v1/kvs/test/wc/new${round}`, payload: '{"n":3}' },
    { method: 'PUT' as const, url: '/v1/kvs/nonamespace/wc/x', payload: '{"n":4}' },
    { method: 'PATCH' as const, url: `/v1/kvs/test/wc/b${round}`, payload: '{"gone":null,"s":"x"}' },
    { method: 'PUT' as const, url: `/v1/kvs/test/wc/7?keytype=INTEGER`, payload: `{"i":${round}}` },
    { method: 'PUT' as const, url: '/v1/kvs/test/wc/replaced', payload: `{"p":${round}}` }
  ]
  const responses = await Promise.all(requests.map(async (r) => await app.inject({ ...r, headers: JSON_HEADERS })))
  return responses.map((r) => ({ status: r.statusCode, etag: r.headers.etag, body: r.body.replace(/"requestId":"[^"]*"/, '') }))
}

async function seed (app: App): Promise<void> {
  for (const [key, payload] of [['existing', '{"n":0}'], ['replaced', '{"n":0,"old":"x"}']]) {
    const res = await app.inject({ method: 'PUT', url: `/v1/kvs/test/wc/${key}`, payload, headers: JSON_HEADERS })
    if (res.statusCode !== 204) throw new Error(res.body)
  }
}

t.test('coalesced writes answer exactly as writes alone, and write the same records', async (t) => {
  const together = await withGateway(t)
  const alone = await withGateway(t, {}, { COALESCE_WRITES: 'false' })
  await seed(together.app)
  await seed(alone.app)
  for (let round = 0; round < 2; round++) {
    const a = await writes(together.app, round)
    const b = await writes(alone.app, round)
    t.same(a, b, `round ${round}`)
    t.same(a.map((r) => r.status), [204, 409, 204, 201, 404, 204, 204, 204])
  }
  for (const url of ['/v1/kvs/test/wc/a1', '/v1/kvs/test/wc/existing', '/v1/kvs/test/wc/new0', '/v1/kvs/test/wc/b1', '/v1/kvs/test/wc/7?keytype=INTEGER', '/v1/kvs/test/wc/replaced']) {
    const x = await together.app.inject({ url })
    const y = await alone.app.inject({ url })
    t.same([x.statusCode, x.body], [y.statusCode, y.body], url)
  }
  t.match((await together.app.inject({ url: '/v1/kvs/test/wc/a1' })).body, /"l":\[1\.0,2\]/)
})

t.test('in one batch write, a PUT replaces the record and a PATCH or a POST keeps its own meaning', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_WRITE_MAX_RETRIES: '0' })
  for (let i = 0; i < 4; i++) {
    for (const key of [`put${i}`, `patch${i}`]) {
      const res = await app.inject({ method: 'PUT', url: `/v1/kvs/test/wcm/${key}`, payload: { old: 'x', n: 0 }, headers: JSON_HEADERS })
      t.equal(res.statusCode, 204)
    }
  }
  // A PUT's row goes without a policy of its own (the client's default row
  // policy, REPLACE), the others' name theirs.
  await embedded.addFault({ match: { kind: 'write', inBatch: false }, resultCode: 11 })
  const responses = await Promise.all(Array.from({ length: 4 }, (_, i) => [
    { method: 'PUT' as const, url: `/v1/kvs/test/wcm/put${i}`, payload: { n: i } },
    { method: 'PATCH' as const, url: `/v1/kvs/test/wcm/patch${i}`, payload: { n: i } },
    { method: 'POST' as const, url: `/v1/kvs/test/wcm/post${i}`, payload: { n: i } }
  ]).flat().map(async (r) => await app.inject({ ...r, headers: JSON_HEADERS })))
  t.same(responses.map((r) => r.statusCode), [204, 204, 201, 204, 204, 201, 204, 204, 201, 204, 204, 201], 'none went alone')
  for (let i = 0; i < 4; i++) {
    t.same(JSON.parse((await app.inject({ url: `/v1/kvs/test/wcm/put${i}` })).body).bins, { n: i }, 'replaced')
    t.same(JSON.parse((await app.inject({ url: `/v1/kvs/test/wcm/patch${i}` })).body).bins, { old: 'x', n: i }, 'updated')
    t.same(JSON.parse((await app.inject({ url: `/v1/kvs/test/wcm/post${i}` })).body).bins, { n: i }, 'created')
  }
})

t.test('writes in one turn go out as one batch write', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_WRITE_MAX_RETRIES: '0' })
  await embedded.addFault({ match: { kind: 'write', inBatch: false }, resultCode: 11 })
  const responses = await Promise.all(Array.from({ length: 10 }, async (_, i) => await app.inject({ method: 'PUT', url: `/v1/kvs/test/wc/one${i}`, payload: { i }, headers: JSON_HEADERS })))
  t.same([...new Set(responses.map((r) => r.statusCode))], [204], 'no write went alone')
  t.same([...new Set(responses.map((r) => r.headers.etag))], ['"1"'])
  const client = await Aerospike.connect({ hosts: embedded.address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(() => client.close())
  for (let i = 0; i < 10; i++) t.same((await client.get(new Aerospike.Key('test', 'wc', `one${i}`))).bins, { i }, `one${i} holds its own body`)
})

t.test('a refused row is sent again alone: its error is the single write\'s', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_WRITE_MAX_RETRIES: '0' })
  const client = await Aerospike.connect({ hosts: embedded.address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(() => client.close())
  await client.put(new Aerospike.Key('test', 'wc', 'r2'), { v: 0 })
  const digest = ((await client.get(new Aerospike.Key('test', 'wc', 'r2'))).key.digest as Buffer).toString('hex')
  await embedded.addFault({ match: { inBatch: true, digest }, resultCode: 14 })
  const responses = await Promise.all([0, 1, 2, 3].map(async (i) => await app.inject({ method: 'PUT', url: `/v1/kvs/test/wc/r${i}`, payload: { v: i }, headers: JSON_HEADERS })))
  t.same(responses.map((r) => r.statusCode), [204, 204, 204, 204], 'r2, refused in the batch, was written alone')
  t.same((await client.get(new Aerospike.Key('test', 'wc', 'r2'))).bins, { v: 2 })
})

t.test('a batch that times out is every write\'s timeout, in doubt, and none is sent again', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_WRITE_MAX_RETRIES: '0', AEROSPIKE_WRITE_TOTAL_TIMEOUT: '300' })
  await embedded.addFault({ match: { kind: 'batch' }, delayMs: 1000 })
  const responses = await Promise.all([0, 1, 2, 3].map(async (i) => await app.inject({ method: 'PATCH', url: `/v1/kvs/test/wc/t${i}`, payload: { v: i }, headers: JSON_HEADERS })))
  t.same(responses.map((r) => r.statusCode), [504, 504, 504, 504])
  for (const r of responses) t.equal(r.json().inDoubt, true)
})

t.test('writes with parameters or conditions are not coalesced', async (t) => {
  const { app, embedded } = await withGateway(t)
  await embedded.addFault({ match: { kind: 'batch' }, resultCode: 11 })
  const responses = await Promise.all(Array.from({ length: 8 }, async (_, i) => await app.inject({
    method: 'PUT', url: `/v1/kvs/test/wc/p${i}${i % 2 === 0 ? '?expiration=100' : ''}`, payload: { i }, headers: { ...JSON_HEADERS, ...(i % 2 === 1 ? { 'if-none-match': '*' } : {}) }
  })))
  t.same([...new Set(responses.map((r) => r.statusCode))], [204])
})
