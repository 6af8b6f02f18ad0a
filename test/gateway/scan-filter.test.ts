// Filter expressions (filterexp) on scans, queries and background
// operations, through real HTTP against the embedded server: the records a
// filter rejects are skipped (or left unwritten), in pages and in streams,
// and a page token resumes only under the filter it was made with.

import t from 'tap'
import { parseJson } from '../../src/values'
import { withGateway } from '../helpers/gateway'
import { listen } from '../helpers/http'
import { clientOf, load, readStream, type Page, type Row } from '../helpers/scan'

t.setTimeout(300_000)

const SET = 'sf_a'
const N = 60
const EVEN = { '==': [{ bin: 'p' }, 0] }
const q = (exp: unknown): string => `filterexp=${encodeURIComponent(JSON.stringify(exp))}`
const keys = (rows: Row[]): string[] => rows.map((r) => String(r.userKey)).sort()
const expected = (pick: (i: number) => boolean): string[] => Array.from({ length: N }, (_, i) => i).filter(pick).map((i) => `k${i}`).sort()

const shared = (async () => {
  const g = await withGateway(t)
  await load(await clientOf(t, g.embedded.address), SET, N, (i) => ({ n: i, p: i % 2, s: i % 3 === 0 ? 'three' : 'other' }))
  const url = await listen(g.app)
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number, json: any }> => {
    const res = await fetch(url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await res.text()
    return { status: res.status, json: text === '' ? undefined : parseJson(text) }
  }
  // Every page of a request, following nextToken.
  const pages = async (method: string, path: string, body: (from: string | undefined) => unknown = () => undefined): Promise<Page[]> => {
    const out: Page[] = []
    let from: string | undefined
    for (let i = 0; i < 100; i++) {
      const sep = path.includes('?') ? '&' : '?'
      const res = await call(method, method === 'GET' && from !== undefined ? `${path}${sep}from=${from}` : path, body(from))
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.json)}`)
      out.push(res.json as Page)
      const next = (res.json as Page).pagination.nextToken
      if (next === null) return out
      from = next
    }
    throw new Error('too many pages')
  }
  return { ...g, call, pages }
})()

t.test('a filtered scan answers exactly the matching records, in pages and in a stream', async (t) => {
  const { app, pages } = await shared
  const paged = await pages('GET', `/v1/scan/test/${SET}?maxRecords=7&${q(EVEN)}`)
  t.same(keys(paged.flatMap((p) => p.records)), expected((i) => i % 2 === 0), 'the even records, each once')
  t.ok(paged.length > 1, 'over several pages')
  t.ok(paged.flatMap((p) => p.records).every((r) => r.bins.p === 0))

  const both = { and: [EVEN, { '==': [{ bin: 's' }, 'three'] }] }
  const streamed = await readStream(app, 'GET', `/v1/scan/test/${SET}?${q(both)}`)
  t.equal(streamed.status, 200)
  t.match(streamed.contentType, /^application\/x-ndjson/)
  const lines = streamed.lines.map((l) => parseJson(l) as Row & { pagination?: Page['pagination'] })
  const trailer = lines.pop()
  t.same(keys(lines), expected((i) => i % 6 === 0), 'the stream has the records both conditions keep')
  t.same(trailer?.pagination, { nextToken: null, totalRecords: N / 6 })

  const namespace = await pages('GET', `/v1/scan/test?maxRecords=1000&${q({ and: [EVEN, { '==': [{ setName: [] }, SET] }] })}`)
  t.same(keys(namespace.flatMap((p) => p.records)), expected((i) => i % 2 === 0), 'the namespace form, filtered on the set name')

  // [CMP_EQ, [BIN, INT, "p"], 0] as the official gateway takes it.
  const bytes = Buffer.from([0x93, 0x01, 0x93, 0x51, 0x02, 0xa1, 0x70, 0x00]).toString('base64url')
  const raw = await pages('GET', `/v1/scan/test/${SET}?maxRecords=1000&filterexp=${bytes}`)
  t.same(keys(raw.flatMap((p) => p.records)), expected((i) => i % 2 === 0), 'base64 expression bytes')
})

t.test('a filtered query: the index filter and the expression both apply, on every path form', async (t) => {
  const { call, pages } = await shared
  const index = await call('POST', '/v1/index?wait=true', { namespace: 'test', set: SET, name: 'sf_a_n', bin: 'n', type: 'NUMERIC' })
  t.equal(index.status, 201)
  const range = { filter: { type: 'RANGE', binName: 'n', begin: 10, end: 39 } }
  const set = await pages('POST', `/v1/query/test/${SET}?maxRecords=4&${q(EVEN)}`, (from) => ({ ...range, from }))
  t.same(keys(set.flatMap((p) => p.records)), expected((i) => i >= 10 && i <= 39 && i % 2 === 0), 'the set form, paged')
  const ns = await pages('POST', `/v1/query/test?${q({ '==': [{ bin: 's' }, 'three'] })}`, (from) => ({ from }))
  t.same(keys(ns.flatMap((p) => p.records)), expected((i) => i % 3 === 0), 'the namespace form, no index filter')
  const ranges = [[0, 2048], [2048, 2048]]
  const parts = await Promise.all(ranges.map(async ([b, c]) => await pages('POST', `/v1/query/test/${SET}/${b}/${c}?${q(EVEN)}`, (from) => ({ ...range, from }))))
  t.same(keys(parts.flat().flatMap((p) => p.records)), expected((i) => i >= 10 && i <= 39 && i % 2 === 0), 'the partition-range form')
  const nsRange = await pages('POST', `/v1/query/test/0/4096?${q({ and: [EVEN, { '==': [{ setName: [] }, SET] }] })}`, (from) => ({ from }))
  t.same(keys(nsRange.flatMap((p) => p.records)), expected((i) => i % 2 === 0), 'the namespace partition-range form')
  t.equal((await call('DELETE', '/v1/index/test/sf_a_n')).status, 204)
})

t.test('a filtered background operation writes only the records the filter keeps', async (t) => {
  const { call, embedded } = await shared
  await load(await clientOf(t, embedded.address), 'sf_x', 20, (i) => ({ p: i % 2 }))
  for (const [version, body] of [['v2', { opsList: [{ type: 'PUT', binName: 'mark', value: 1 }] }], ['v1', [{ type: 'PUT', binName: 'mark2', value: 2 }]]] as const) {
    const started = await call('POST', `/${version}/execute/scan/test/sf_x?${q(EVEN)}`, body)
    t.equal(started.status, 200, `${version} started`)
    let status = ''
    for (let i = 0; i < 200 && status !== 'COMPLETE'; i++) {
      status = (await call('GET', `/${version}/execute/scan/status/${started.json.taskId as number}`)).json.status
      if (status !== 'COMPLETE') await new Promise((resolve) => setTimeout(resolve, 50))
    }
    t.equal(status, 'COMPLETE')
  }
  const rows = (await call('GET', '/v1/scan/test/sf_x?maxRecords=1000')).json.records as Row[]
  t.equal(rows.length, 20)
  const marked = rows.filter((r) => r.bins.mark === 1 && r.bins.mark2 === 2)
  t.same(keys(marked), Array.from({ length: 10 }, (_, i) => `k${i * 2}`).sort(), 'the even records were written')
  t.ok(rows.filter((r) => r.bins.p === 1).every((r) => !('mark' in r.bins) && !('mark2' in r.bins)), 'the odd ones were not')
})

t.test('a bad expression is 400 naming its node; a token of another filter is 400', async (t) => {
  const { call } = await shared
  for (const [method, path, body] of [['GET', `/v1/scan/test/${SET}`], ['POST', `/v1/query/test/${SET}`, {}], ['POST', '/v2/execute/scan/test/sf_x', { opsList: [{ type: 'PUT', binName: 'z', value: 1 }] }]] as const) {
    const bad = await call(method, `${path}?${q({ and: [EVEN, { nope: [] }] })}`, body)
    t.equal(bad.status, 400, `${path}: bad expression`)
    t.match(bad.json.detail, /^filterexp\.and\[1\]: unknown operator "nope"/)
    const truncated = await call(method, `${path}?filterexp=${Buffer.from([0x93, 0x01]).toString('base64url')}`, body)
    t.equal(truncated.status, 400, `${path}: truncated bytes`)
    t.match(truncated.json.detail, /^filterexp: /)
  }

  const first = await call('GET', `/v1/scan/test/${SET}?maxRecords=5&${q(EVEN)}`)
  const token = first.json.pagination.nextToken as string
  t.type(token, 'string')
  const other = await call('GET', `/v1/scan/test/${SET}?maxRecords=5&${q({ '!=': [{ bin: 'p' }, 0] })}&from=${token}`)
  t.equal(other.status, 400, 'another filter')
  t.match(other.json.detail, /^from: the token belongs to another scan or query/)
  t.equal((await call('GET', `/v1/scan/test/${SET}?maxRecords=5&from=${token}`)).status, 400, 'no filter')
  const respelled = encodeURIComponent(JSON.stringify(EVEN, null, 2))
  const same = await call('GET', `/v1/scan/test/${SET}?maxRecords=5&filterexp=${respelled}&from=${token}`)
  t.equal(same.status, 200, 'the same filter spelled otherwise resumes')
  t.ok((same.json.records as Row[]).every((r) => r.bins.p === 0))
  const unfiltered = await call('GET', `/v1/scan/test/${SET}?maxRecords=5`)
  t.equal((await call('GET', `/v1/scan/test/${SET}?maxRecords=5&${q(EVEN)}&from=${unfiltered.json.pagination.nextToken as string}`)).status, 400,
    'an unfiltered token under a filter')
  const queried = await call('POST', `/v1/query/test/${SET}?maxRecords=5&${q(EVEN)}`, {})
  const wrong = await call('POST', `/v1/query/test/${SET}?maxRecords=5`, { from: queried.json.pagination.nextToken })
  t.equal(wrong.status, 400, 'a query token without its filter')
})
