// Concurrent batches of plain reads share batch reads (COALESCE_BATCHES), a
// record they share is read once, and each batch still gets the answer it
// would have had alone.

import Aerospike from 'aerospike'
import t from 'tap'
import { withGateway } from '../helpers/gateway'
import { TEST_CLIENT_POLICIES } from '../helpers/embedded'

type App = Awaited<ReturnType<typeof withGateway>>['app']

const JSON_HEADERS = { 'content-type': 'application/json' }

const read = (userKey: string | number, extra: Record<string, unknown> = { readAllBins: true }, namespace = 'test'): object =>
  ({ type: 'READ', key: { namespace, setName: 'bc', userKey }, ...extra })

// Batches that share records, with every kind of answer: records of scalars
// and of lists and maps, integer keys, missing records, a bin selection, a
// namespace the cluster does not have; and batches that are not plain reads
// (an item policy, a write), which go alone.
const BATCHES: object[][] = [
  [read('a'), read('b'), read('missing'), read(7)],
  [read('b'), read('a'), read('lm'), read('a', { binNames: ['n'] })],
  [read('lm'), read('lm', { binNames: ['l'] }), read(7), read('7')],
  [read('a'), read('x', {}, 'nonamespace')],
  [read('x', {}, 'nonamespace'), read('y', {}, 'nonamespace')],
  [read('b', { readAllBins: true, policy: { readModeAP: 'ALL' } }), read('a')],
  [read('a'), { type: 'WRITE', key: { namespace: 'test', setName: 'bc', userKey: 'w' }, bins: { n: 1 } }],
  [read('a'), read('b'), read('lm'), read(7), read('missing')]
]

async function seed (app: App): Promise<void> {
  for (const [key, body] of [['a', '{"n":1,"d":2.0}'], ['b', '{"n":2,"s":"x"}'], ['lm', '{"l":[1,2.0,"x"],"m":{"k":[1]}}'], ['7?keytype=INTEGER', '{"n":7}'], ['7', '{"n":"seven"}']]) {
    const res = await app.inject({ method: 'PUT', url: `/v1/kvs/test/bc/${key}`, payload: body, headers: JSON_HEADERS })
    if (res.statusCode !== 204) throw new Error(res.body)
  }
}

async function batches (app: App, bodies: object[][]): Promise<Array<{ status: number, body: unknown }>> {
  const responses = await Promise.all(bodies.map(async (payload) => await app.inject({ method: 'POST', url: '/v1/batch', payload, headers: JSON_HEADERS })))
  return responses.map((r) => ({ status: r.statusCode, body: JSON.parse(r.body.replace(/"requestId":"[^"]*"/g, '"requestId":""')) }))
}

function counter (metrics: string, name: string): number {
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN)
}

t.test('batches read together answer exactly as batches alone', async (t) => {
  const together = await withGateway(t)
  const alone = await withGateway(t, {}, { COALESCE_BATCHES: 'false' })
  await seed(together.app)
  await seed(alone.app)
  for (let round = 0; round < 2; round++) {
    const a = await batches(together.app, BATCHES)
    const b = await batches(alone.app, BATCHES)
    t.same(a, b, `round ${round}`)
    t.same(a.map((r) => r.status), [200, 200, 200, 200, 200, 200, 200, 200])
  }
  const metrics = (await together.app.inject({ url: '/metrics' })).body
  const items = counter(metrics, 'aerogate_coalesced_batch_items_total')
  t.ok(items > 0, `the plain batches went together (${items} items)`)
  t.ok(counter(metrics, 'aerogate_coalesced_batch_reads_total') < items, 'records they shared were read once')
  const [first] = await batches(together.app, [BATCHES[0]])
  t.same((first.body as { batchRecords: Array<{ resultCode: number }> }).batchRecords.map((r) => r.resultCode), [0, 0, 2, 0])
  const [lm] = await batches(together.app, [[read('lm'), read('lm')]])
  t.same((lm.body as { batchRecords: Array<{ record: { bins: unknown } }> }).batchRecords.map((r) => r.record.bins), [{ l: [1, 2.0, 'x'], m: { k: [1] } }, { l: [1, 2.0, 'x'], m: { k: [1] } }])
  t.match((await together.app.inject({ method: 'POST', url: '/v1/batch', payload: [read('lm')], headers: JSON_HEADERS })).body, /"l":\[1,2\.0,"x"\]/, 'a double stays a double')
})

t.test('a record that batches in one turn share is read once, for all of them', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_READ_MAX_RETRIES: '0' })
  await seed(app)
  const client = await Aerospike.connect({ hosts: embedded.address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(() => client.close())
  const digest = ((await client.get(new Aerospike.Key('test', 'bc', 'a'))).key.digest as Buffer).toString('hex')
  // One read of "a" in a batch answers KEY_BUSY (14): every batch that asked
  // for "a" in that turn has that one read's answer.
  await embedded.addFault({ match: { inBatch: true, digest }, resultCode: 14, times: 1 })
  const before = await (await app.inject({ url: '/metrics' })).body
  const answers = await batches(app, Array.from({ length: 6 }, () => [read('b'), read('a')]))
  t.same(answers.map((r) => (r.body as { batchRecords: Array<{ resultCode: number }> }).batchRecords.map((x) => x.resultCode)), Array.from({ length: 6 }, () => [0, 14]))
  const after = await (await app.inject({ url: '/metrics' })).body
  t.equal(counter(after, 'aerogate_coalesced_batch_items_total') - (counter(before, 'aerogate_coalesced_batch_items_total') || 0), 12, 'twelve items')
  t.equal(counter(after, 'aerogate_coalesced_batch_reads_total') - (counter(before, 'aerogate_coalesced_batch_reads_total') || 0), 2, 'two records read')
  const again = await batches(app, [[read('a')]])
  t.equal((again[0].body as { batchRecords: Array<{ resultCode: number }> }).batchRecords[0].resultCode, 0, 'the fault was one read')
})

t.test('without coalescing each batch reads its own records', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_READ_MAX_RETRIES: '0', COALESCE_BATCHES: 'false' })
  await seed(app)
  const client = await Aerospike.connect({ hosts: embedded.address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(() => client.close())
  const digest = ((await client.get(new Aerospike.Key('test', 'bc', 'a'))).key.digest as Buffer).toString('hex')
  await embedded.addFault({ match: { inBatch: true, digest }, resultCode: 14, times: 1 })
  const answers = await batches(app, Array.from({ length: 6 }, () => [read('b'), read('a')]))
  const busy = answers.filter((r) => (r.body as { batchRecords: Array<{ resultCode: number }> }).batchRecords[1].resultCode === 14)
  t.equal(busy.length, 1, 'one batch met the fault')
})

t.test('a shared call that times out is every batch\'s timeout', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_READ_MAX_RETRIES: '0', AEROSPIKE_READ_TOTAL_TIMEOUT: '300' })
  await seed(app)
  await embedded.addFault({ match: { kind: 'batch' }, delayMs: 1000 })
  const answers = await batches(app, Array.from({ length: 4 }, (_, i) => [read('a'), read(`k${i}`)]))
  t.same(answers.map((r) => r.status), [504, 504, 504, 504])
  t.same(answers.map((r) => (r.body as { code: number }).code), [9, 9, 9, 9])
})
