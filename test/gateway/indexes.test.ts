// Secondary indexes, truncate, info commands and background operations
// through HTTP against the embedded server, with the answers a real server
// gives: re-creating an identical index and dropping a missing one succeed.

import t from 'tap'
import { buildGateway, withGateway } from '../helpers/gateway'
import { clientOf, load } from '../helpers/scan'

const shared = withGateway(t)

const index = (name: string, extra: object = {}): object => ({ namespace: 'test', set: 'gq_ix', bin: 'n', name, type: 'NUMERIC', ...extra })

t.test('create, list, read, re-create, conflict and drop an index', async (t) => {
  const { app } = await shared
  const created = await app.inject({ method: 'POST', url: '/v1/index?wait=true', payload: index('gq_ix_n') })
  t.equal(created.statusCode, 201)
  t.same(created.json(), { status: 'ready', name: 'gq_ix_n' })
  t.equal(created.headers.location, '/v1/index/test/gq_ix_n')
  const again = await app.inject({ method: 'POST', url: '/v1/index', payload: index('gq_ix_n') })
  t.equal(again.statusCode, 200, 'an identical index: the server answers ok, nothing is created')
  t.same(again.json(), { status: 'exists', name: 'gq_ix_n' })
  const conflict = await app.inject({ method: 'POST', url: '/v1/index', payload: index('gq_ix_n', { bin: 'other' }) })
  t.equal(conflict.statusCode, 409)
  t.equal(conflict.json().code, 200)
  t.notMatch(conflict.json().detail, /127\.0\.0\.1/, 'the node is not named')

  const building = await app.inject({ method: 'POST', url: '/v1/index', payload: index('gq_ix_s', { bin: 's', type: 'STRING', collection_type: 'LIST' }) })
  t.equal(building.statusCode, 202, 'without wait the answer comes at once')

  const list = (await app.inject({ method: 'GET', url: '/v1/index' })).json() as Array<Record<string, unknown>>
  t.same(list.find((i) => i.name === 'gq_ix_n'), { namespace: 'test', set: 'gq_ix', bin: 'n', name: 'gq_ix_n', type: 'NUMERIC', collection_type: 'DEFAULT', context: null, state: 'RW' })
  t.match(list.find((i) => i.name === 'gq_ix_s'), { bin: 's', type: 'STRING', collection_type: 'LIST' })
  t.same((await app.inject({ method: 'GET', url: '/v1/index/test' })).json(), list, 'the namespace form')
  t.same((await app.inject({ method: 'GET', url: '/v1/index?namespace=test' })).json(), list, 'the official ?namespace= form')

  const stats = await app.inject({ method: 'GET', url: '/v1/index/test/gq_ix_n' })
  t.equal(stats.statusCode, 200)
  t.equal(stats.json().load_pct, '100')
  const missing = await app.inject({ method: 'GET', url: '/v1/index/test/gq_ix_missing' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 201)

  t.equal((await app.inject({ method: 'DELETE', url: '/v1/index/test/gq_ix_n' })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/index/test/gq_ix_n' })).statusCode, 204, 'dropping a missing index succeeds, as on the server')
  t.equal((await app.inject({ method: 'GET', url: '/v1/index/test/gq_ix_n' })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/index/test/gq_ix_s' })).statusCode, 204)
})

t.test('index errors: unknown namespace 404 (20), invalid bodies 400', async (t) => {
  const { app } = await shared
  const ns = await app.inject({ method: 'POST', url: '/v1/index', payload: { ...index('gq_ix_x'), namespace: 'nope' } })
  t.equal(ns.statusCode, 404)
  t.equal(ns.json().code, 20)
  t.equal((await app.inject({ method: 'GET', url: '/v1/index/nope' })).json().code, 20)
  t.equal((await app.inject({ method: 'GET', url: '/v1/index/nope/gq_ix_x' })).statusCode, 404)
  for (const body of [index('gq_ix_x', { type: 'BLOBBY' }), index('gq_ix_x', { collection_type: 'SET' }), index('a:b'), index('gq_ix_x', { bin: 'b'.repeat(16) }), [1]]) {
    const res = await app.inject({ method: 'POST', url: '/v1/index', payload: body })
    t.equal(res.statusCode, 400, JSON.stringify(body))
  }
})

t.test('truncate a set, and only the records before a date', async (t) => {
  const { app, embedded } = await shared
  const client = await clientOf(t, embedded.address)
  await load(client, 'gq_tr', 10, (i) => ({ n: i }))
  await load(client, 'gq_tr_keep', 3, (i) => ({ n: i }))
  const past = await app.inject({ method: 'DELETE', url: '/v1/truncate/test/gq_tr?date=2020-01-01T00:00:00Z' })
  t.equal(past.statusCode, 202)
  t.equal((await app.inject({ method: 'GET', url: '/v1/kvs/test/gq_tr/k1' })).statusCode, 200, 'records written after the date stay')
  const future = new Date(Date.now() + 1000).toISOString().replace('Z', '+00:00')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/truncate/test/gq_tr?date=${encodeURIComponent(future)}` })).statusCode, 202)
  t.equal((await app.inject({ method: 'GET', url: '/v1/kvs/test/gq_tr/k1' })).statusCode, 404, 'records written before the date are gone')
  t.equal((await app.inject({ method: 'GET', url: '/v1/kvs/test/gq_tr_keep/k1' })).statusCode, 200, 'another set keeps its records')
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/truncate/test/gq_tr_keep' })).statusCode, 202)
  t.equal((await app.inject({ method: 'GET', url: '/v1/kvs/test/gq_tr_keep/k1' })).statusCode, 404)
  const ns = await app.inject({ method: 'DELETE', url: '/v1/truncate/nope/gq_tr' })
  t.equal(ns.statusCode, 404)
  t.equal(ns.json().code, 20)
  const bad = await app.inject({ method: 'DELETE', url: '/v1/truncate/test/gq_tr?date=yesterday' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().detail, /ISO 8601/)
  const before2010 = await app.inject({ method: 'DELETE', url: '/v1/truncate/test/gq_tr?date=2001-01-01T00:00:00Z' })
  t.equal(before2010.statusCode, 400, 'before the server\'s epoch')
})

t.test('info commands: per node, allow-listed, errors as the server words them', async (t) => {
  const { app, embedded } = await shared
  const any = await app.inject({ method: 'POST', url: '/v1/info', payload: ['build', 'namespaces', 'sindex-list:ns=nope'] })
  t.equal(any.statusCode, 200)
  t.match(any.json(), { build: /^\d+\.\d+/, namespaces: /test/ })
  const nodes = (await app.inject({ method: 'GET', url: '/v1/cluster' })).json().nodes as Array<{ name: string }>
  const one = await app.inject({ method: 'POST', url: `/v1/info/${nodes[0].name}`, payload: ['node'] })
  t.same(one.json(), { node: nodes[0].name })
  const all = await app.inject({ method: 'POST', url: '/v1/info?allNodes=true', payload: ['node'] })
  t.same(all.json(), { [nodes[0].name]: { node: nodes[0].name } })
  const forbidden = await app.inject({ method: 'POST', url: '/v1/info', payload: ['build', 'truncate:namespace=test;set=gq_x'] })
  t.equal(forbidden.statusCode, 403)
  t.match(forbidden.json().detail, /truncate is not allowed by INFO_ALLOW/)
  t.equal((await app.inject({ method: 'POST', url: '/v1/info/NOSUCHNODE', payload: ['build'] })).statusCode, 404)
  for (const body of [[], 'build', [1], ['a\nb']]) {
    const res = await app.inject({ method: 'POST', url: '/v1/info', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    t.equal(res.statusCode, 400, JSON.stringify(body))
  }
  const open = await buildGateway(t, embedded.address, { INFO_ALLOW: '*' })
  const unknown = await open.inject({ method: 'POST', url: '/v1/info', payload: ['no-such-command', 'build'] })
  t.equal(unknown.statusCode, 200)
  t.match(unknown.json(), { 'no-such-command': /^ERROR:4:/, build: /^\d/ }, 'each command has its own answer')
})

t.test('background operations on a scan or query, and their status', async (t) => {
  const { app, embedded } = await shared
  await load(await clientOf(t, embedded.address), 'gq_ex', 30, (i) => ({ n: i }))
  const all = await app.inject({ method: 'POST', url: '/v2/execute/scan/test/gq_ex', payload: { opsList: [{ type: 'PUT', binName: 'tag', value: 'seen' }] } })
  t.equal(all.statusCode, 200)
  t.match(all.json(), { taskId: Number, scan: true })
  const poll = async (id: number): Promise<Record<string, unknown>> => {
    for (let i = 0; i < 100; i++) {
      const s = (await app.inject({ method: 'GET', url: `/v1/execute/scan/status/${id}` })).json()
      if (s.status === 'COMPLETE') return s
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error('the task did not complete')
  }
  t.match(await poll(all.json().taskId), { task: { taskId: all.json().taskId, scan: true }, status: 'COMPLETE', recordsRead: 30 })
  t.same((await app.inject({ method: 'GET', url: '/v1/kvs/test/gq_ex/k4' })).json().bins, { n: 4, tag: 'seen' })

  const created = await app.inject({ method: 'POST', url: '/v1/index?wait=true', payload: { namespace: 'test', set: 'gq_ex', bin: 'n', name: 'gq_ex_n', type: 'NUMERIC' } })
  t.equal(created.statusCode, 201)
  const some = await app.inject({
    method: 'POST',
    url: '/v1/execute/scan/test/gq_ex',
    payload: { opsList: [{ type: 'ADD', binName: 'n', incr: 100 }], filter: { type: 'RANGE', binName: 'n', begin: 0, end: 2 } }
  })
  await poll(some.json().taskId)
  const after = await Promise.all([0, 1, 2, 3].map(async (i) => (await app.inject({ method: 'GET', url: `/v1/kvs/test/gq_ex/k${i}` })).json().bins.n))
  t.same(after, [100, 101, 102, 3], 'only the records the filter selects')
  const v1 = await app.inject({ method: 'POST', url: '/v1/execute/scan/test/gq_ex', payload: [{ type: 'PUT', binName: 'v1', value: 1 }] })
  t.equal(v1.statusCode, 200, 'v1 takes the list alone')
  await poll(v1.json().taskId)
  t.equal((await app.inject({ method: 'GET', url: '/v1/kvs/test/gq_ex/k9' })).json().bins.v1, 1)

  const readOnly = await app.inject({ method: 'POST', url: '/v2/execute/scan/test/gq_ex', payload: { opsList: [{ type: 'READ', binName: 'n' }] } })
  t.equal(readOnly.statusCode, 400)
  t.equal((await app.inject({ method: 'POST', url: '/v2/execute/scan/test/gq_ex', payload: { opsList: [{ type: 'NOPE' }] } })).statusCode, 400)
  t.equal((await app.inject({ method: 'GET', url: '/v1/execute/scan/status/abc' })).statusCode, 400)
})
