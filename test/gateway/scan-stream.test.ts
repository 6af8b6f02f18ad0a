// NDJSON streams of scans and queries over real HTTP: one record per line
// and a trailer, resumable from the trailer's token, paced by the reader,
// stopped by a reader that leaves, and 200,000 records at a bounded RSS.

import t from 'tap'
import { parseJson } from '../../src/values'
import { withGateway } from '../helpers/gateway'
import { allPages, clientOf, load, readStream, type Row } from '../helpers/scan'

// Many records and several gateways: slow on a crowded machine.
t.setTimeout(400_000)

const shared = (async () => {
  const g = await withGateway(t)
  await g.app.listen({ port: 0, host: '127.0.0.1' })
  return g
})()

const parse = (lines: string[]): { rows: Row[], trailer: Record<string, unknown> } => {
  const all = lines.map((l) => parseJson(l) as Record<string, unknown>)
  return { rows: all.slice(0, -1) as unknown as Row[], trailer: all[all.length - 1] }
}

t.test('one record per line, then the trailer; maxRecords stops the stream with a token that resumes it', async (t) => {
  const { app, embedded } = await shared
  await load(await clientOf(t, embedded.address), 'gq_nd', 500, (i) => ({ n: i, s: `v${i}` }))
  const all = await readStream(app, 'GET', '/v1/scan/test/gq_nd')
  t.equal(all.status, 200)
  t.equal(all.contentType, 'application/x-ndjson; charset=utf-8')
  const { rows, trailer } = parse(all.lines)
  t.equal(rows.length, 500)
  t.equal(new Set(rows.map((r) => r.digest)).size, 500)
  t.same(trailer, { pagination: { nextToken: null, totalRecords: 500 } })
  t.ok(rows.every((r) => r.bins.s === `v${r.bins.n as number}` && r.userKey === `k${r.bins.n as number}`))

  const first = parse((await readStream(app, 'GET', '/v1/scan/test/gq_nd?maxRecords=123')).lines)
  t.equal(first.rows.length, 123, 'maxRecords records exactly, with several windows at once')
  const token = (first.trailer.pagination as { nextToken: string }).nextToken
  t.type(token, 'string')
  const rest = parse((await readStream(app, 'GET', `/v1/scan/test/gq_nd?from=${token}`)).lines)
  const digests = [...first.rows, ...rest.rows].map((r) => r.digest)
  t.equal(digests.length, 500, 'the rest, from the token')
  t.equal(new Set(digests).size, 500, 'nothing twice')

  const page = await app.inject({ method: 'GET', url: `/v1/scan/test/gq_nd?maxRecords=1000&from=${token}` })
  t.equal(page.json().records.length, 377, 'a stream token also resumes as pages')
})

t.test('a query streams too; one that fails before any record is an ordinary error answer', async (t) => {
  const { app, embedded } = await shared
  await load(await clientOf(t, embedded.address), 'gq_ndq', 200, (i) => ({ n: i }))
  const created = await app.inject({ method: 'POST', url: '/v1/index?wait=true', payload: { namespace: 'test', set: 'gq_ndq', bin: 'n', name: 'gq_ndq_n', type: 'NUMERIC' } })
  t.equal(created.statusCode, 201)
  const q = await readStream(app, 'POST', '/v1/query/test/gq_ndq', { filter: { type: 'RANGE', binName: 'n', begin: 50, end: 149 } })
  const { rows, trailer } = parse(q.lines)
  t.same(rows.map((r) => r.bins.n).sort((a, b) => (a as number) - (b as number)), Array.from({ length: 100 }, (_, i) => i + 50))
  t.same(trailer, { pagination: { nextToken: null, totalRecords: 100 } })
  const noIndex = await readStream(app, 'POST', '/v1/query/test/gq_ndq', { filter: { type: 'EQUALS_LONG', binName: 'other', value: 1 } })
  t.equal(noIndex.status, 404)
  t.equal((parseJson(noIndex.lines.join('\n')) as { code: number }).code, 201)
})

t.test('a slow reader gets every record; a reader that leaves stops the scan', async (t) => {
  const { app, embedded } = await shared
  await load(await clientOf(t, embedded.address), 'gq_slow', 3000, (i) => ({ n: i, pad: 'p'.repeat(200) }))
  let pauses = 0
  const slow = await readStream(app, 'GET', '/v1/scan/test/gq_slow', undefined, (_chunk, res) => {
    if (pauses++ % 4 !== 0) return
    res.pause()
    setTimeout(() => res.resume(), 20)
  })
  const { rows, trailer } = parse(slow.lines)
  t.equal(rows.length, 3000)
  t.equal(new Set(rows.map((r) => r.digest)).size, 3000)
  t.equal((trailer.pagination as { totalRecords: number }).totalRecords, 3000)

  const left = await readStream(app, 'GET', '/v1/scan/test/gq_slow', undefined, (_chunk, _res, req) => { req.destroy() })
  t.ok(left.cut || left.count < 3000, 'the reader left')
  const after = await app.inject({ method: 'GET', url: '/v1/scan/test/gq_slow?maxRecords=10' })
  t.equal(after.statusCode, 200, 'the gateway goes on serving')
})

t.test('a stream that fails part way ends with a problem line whose token resumes the rest', async (t) => {
  const { app, embedded } = await shared
  const total = 20_000
  await load(await clientOf(t, embedded.address), 'gq_fail', total, (i) => ({ n: i, pad: 'f'.repeat(1000) }))
  const make = async (): Promise<number> => (await app.inject({ method: 'POST', url: '/v1/index?wait=true', payload: { namespace: 'test', set: 'gq_fail', bin: 'n', name: 'gq_fail_n', type: 'NUMERIC' } })).statusCode
  t.equal(await make(), 201)
  const filter = { type: 'RANGE', binName: 'n', begin: 0, end: total }
  let dropped = false
  // The reader stops reading, the index goes, then it reads on: the pieces
  // the gateway asks for next fail.
  const read = await readStream(app, 'POST', '/v1/query/test/gq_fail', { filter }, (_chunk, res) => {
    if (dropped) return
    dropped = true
    res.pause()
    void app.inject({ method: 'DELETE', url: '/v1/index/test/gq_fail_n' }).then(() => res.resume())
  })
  t.equal(read.status, 200)
  const last = parseJson(read.lines[read.lines.length - 1]) as { code: number, status: number, pagination: { nextToken: string, totalRecords: number } }
  t.equal(last.code, 201, 'the last line is the problem')
  t.equal(last.status, 404)
  const streamed = parse(read.lines).rows
  t.equal(last.pagination.totalRecords, streamed.length)
  t.ok(streamed.length < total, 'it failed part way')
  t.type(last.pagination.nextToken, 'string')
  t.equal(await make(), 201)
  const rest = await allPages(async (from) => await app.inject({ method: 'POST', url: '/v1/query/test/gq_fail?maxRecords=5000', payload: { filter, from: from ?? last.pagination.nextToken } }))
  const digests = [...streamed, ...rest.flatMap((p) => p.records)].map((r) => r.digest)
  t.equal(digests.length, total, 'the token resumes the rest')
  t.equal(new Set(digests).size, total, 'nothing twice')
})
