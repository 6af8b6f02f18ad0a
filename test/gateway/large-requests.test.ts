// Large requests are bounded so that they do not hold up everyone else: a
// write with more bins than MAX_BINS is 413, and a batch is planned and sent
// in chunks of BATCH_CHUNK items with a yield to the event loop between them.

import t from 'tap'
import { parseJson } from '../../src/values'
import { withGateway } from '../helpers/gateway'
import { BatchGate } from '../../src/batch-gate'

type Row = { key: { userKey: unknown }, resultCode: number, record: { bins: Record<string, unknown> } | null }

const key = (userKey: unknown): { namespace: string, setName: string, userKey: unknown } => ({ namespace: 'test', setName: 'large', userKey })
const bins = (n: number): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`b${i}`, i]))

t.test('a write with more bins than MAX_BINS is 413 naming the limit, on every write route and in a batch', async (t) => {
  const { app } = await withGateway(t, {}, { MAX_BINS: '3' })
  for (const method of ['PUT', 'PATCH', 'POST'] as const) {
    const res = await app.inject({ method, url: '/v1/kvs/test/large/k', payload: bins(4) })
    t.equal(res.statusCode, 413, method)
    const body = res.json()
    t.equal(body.code, 9413, method)
    t.match(body.detail, 'has 4 bins; the limit is 3 (MAX_BINS)', method)
  }
  const ok = await app.inject({ method: 'PUT', url: '/v1/kvs/test/large/k', payload: bins(3) })
  t.equal(ok.statusCode, 204, 'at the limit is fine')
  const batch = await app.inject({ method: 'POST', url: '/v1/batch', payload: [{ type: 'WRITE', key: key('a'), bins: bins(1) }, { type: 'WRITE', key: key('b'), bins: bins(4) }] })
  t.equal(batch.statusCode, 413)
  t.match(batch.json().detail, 'batchRecords[1].bins has 4 bins; the limit is 3 (MAX_BINS)')
  const notWritten = await app.inject({ method: 'GET', url: '/v1/kvs/test/large/a' })
  t.equal(notWritten.statusCode, 404, 'the refused batch wrote nothing')
})

t.test('a batch split into chunks answers every row, in request order', async (t) => {
  const { app } = await withGateway(t, {}, { BATCH_CHUNK: '7' })
  const n = 60
  const writes = Array.from({ length: n }, (_, i) => ({ type: 'WRITE', key: key(i), bins: { i, list: [i, 'x'] } }))
  const w = await app.inject({ method: 'POST', url: '/v1/batch', payload: writes })
  t.equal(w.statusCode, 200)
  t.same((parseJson(w.body) as { batchRecords: Row[] }).batchRecords.map((r) => [r.key.userKey, r.resultCode]), writes.map((_, i) => [i, 0]))
  // Reads of lists take the type-check reads too, chunked as well; every
  // third item names a record that does not exist, and deletes are mixed in.
  const items = Array.from({ length: n }, (_, i) => i % 5 === 4
    ? { type: 'DELETE', key: key(i) }
    : { type: 'READ', key: key(i % 3 === 2 ? `missing${i}` : i), readAllBins: true })
  const r = await app.inject({ method: 'POST', url: '/v1/batch', payload: items })
  t.equal(r.statusCode, 200)
  const rows = (parseJson(r.body) as { batchRecords: Row[] }).batchRecords
  t.equal(rows.length, n)
  rows.forEach((row, i) => {
    const item = items[i]
    t.same(row.key.userKey, item.key.userKey, `row ${i} is item ${i}`)
    if (item.type === 'DELETE') t.equal(row.resultCode, 0, `row ${i} deleted`)
    else if (i % 3 === 2) t.equal(row.resultCode, 2, `row ${i} missing`)
    else t.same(row.record?.bins, { i, list: [i, 'x'] }, `row ${i} holds its own record`)
  })
})

t.test('a small GET is answered while a large batch is still running', async (t) => {
  const { app } = await withGateway(t, {}, { BATCH_CHUNK: '50' })
  t.equal((await app.inject({ method: 'PUT', url: '/v1/kvs/test/large/small', payload: { a: 1 } })).statusCode, 204)
  const writes = Array.from({ length: 3000 }, (_, i) => ({ type: 'WRITE', key: key(`big${i}`), bins: { i, s: `v${i}` } }))
  const done: string[] = []
  const big = app.inject({ method: 'POST', url: '/v1/batch', payload: writes }).then((res) => {
    done.push('batch')
    return res
  })
  // Let the batch start: its body is parsed and its planning begun.
  await new Promise((resolve) => setImmediate(resolve))
  const small = await app.inject({ method: 'GET', url: '/v1/kvs/test/large/small' })
  done.push('get')
  t.equal(small.statusCode, 200)
  const res = await big
  t.equal(res.statusCode, 200)
  t.ok((parseJson(res.body) as { batchRecords: Row[] }).batchRecords.every((r, i) => r.resultCode === 0 && r.key.userKey === `big${i}`))
  t.same(done, ['get', 'batch'], 'the GET did not wait for the whole batch')
})

t.test('BATCH_ITEMS_IN_FLIGHT: batches past the bound wait their turn, in order, and all answer', async (t) => {
  const gate = new BatchGate(10)
  const order: string[] = []
  const a = await gate.enter(6)
  const b = gate.enter(6).then((release) => { order.push('b'); return release })
  const c = gate.enter(2).then((release) => { order.push('c'); return release })
  const big = gate.enter(50).then((release) => { order.push('big'); return release })
  await new Promise((resolve) => setImmediate(resolve))
  t.same(order, [], 'b would pass the bound, and c waits behind it')
  a()
  const releaseB = await b
  const releaseC = await c
  t.same(order, ['b', 'c'])
  releaseB()
  releaseB()
  await new Promise((resolve) => setImmediate(resolve))
  t.same(order, ['b', 'c'], 'a batch larger than the bound waits until it is alone; a double release counts once')
  releaseC()
  ;(await big)()
  t.same(order, ['b', 'c', 'big'])

  const { app, embedded } = await withGateway(t, {}, { BATCH_ITEMS_IN_FLIGHT: '5' })
  await embedded.addFault({ match: { kind: 'batch' }, delayMs: 50 })
  const responses = await Promise.all(Array.from({ length: 6 }, async (_, n) => await app.inject({
    method: 'POST',
    url: '/v1/batch',
    payload: Array.from({ length: 4 }, (_, i) => ({ type: 'WRITE', key: { namespace: 'test', setName: 'gate', userKey: `k${n}-${i}` }, bins: { n, i } }))
  })))
  t.same(responses.map((r) => r.statusCode), [200, 200, 200, 200, 200, 200])
  for (const [n, res] of responses.entries()) {
    t.same(JSON.parse(res.body).batchRecords.map((r: { resultCode: number }) => r.resultCode), [0, 0, 0, 0], `batch ${n}`)
  }
})
