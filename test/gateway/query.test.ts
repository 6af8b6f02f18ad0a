// POST /v1/query through HTTP against the embedded server: every official
// filter type on its index, the partition-range form, pages of a query, and
// the real codes of queries the server cannot serve.

import Aerospike from 'aerospike'
import t from 'tap'
import { encodeMsgpack } from '../../src/values'
import { withGateway } from '../helpers/gateway'
import { allPages, clientOf, load, type Page } from '../helpers/scan'

const SET = 'gq_q'
const N = 40
const lng = (i: number): number => -122 + i * 0.01
const lat = (i: number): number => 37 + i * 0.01
const square = (i: number): object => ({
  type: 'Polygon',
  coordinates: [[[lng(i) - 0.004, lat(i) - 0.004], [lng(i) + 0.004, lat(i) - 0.004], [lng(i) + 0.004, lat(i) + 0.004], [lng(i) - 0.004, lat(i) + 0.004], [lng(i) - 0.004, lat(i) - 0.004]]]
})

const INDEXES = [
  { name: 'gq_q_n', bin: 'n', type: 'NUMERIC' },
  { name: 'gq_q_s', bin: 's', type: 'STRING' },
  { name: 'gq_q_l', bin: 'l', type: 'NUMERIC', collection_type: 'LIST' },
  { name: 'gq_q_ls', bin: 'ls', type: 'STRING', collection_type: 'LIST' },
  { name: 'gq_q_mk', bin: 'm', type: 'STRING', collection_type: 'MAPKEYS' },
  { name: 'gq_q_mv', bin: 'm', type: 'NUMERIC', collection_type: 'MAPVALUES' },
  { name: 'gq_q_g', bin: 'g', type: 'GEO2DSPHERE' },
  { name: 'gq_q_rg', bin: 'rg', type: 'GEO2DSPHERE' }
]

const shared = (async () => {
  const g = await withGateway(t)
  const client = await clientOf(t, g.embedded.address)
  await load(client, SET, N, (i) => ({
    n: i,
    s: `s${i % 5}`,
    l: [i, i + 1],
    ls: [`t${i % 3}`],
    m: { [`k${i % 4}`]: i },
    g: new Aerospike.GeoJSON({ type: 'Point', coordinates: [lng(i), lat(i)] }),
    rg: new Aerospike.GeoJSON(square(i)),
    noidx: i
  }))
  for (const index of INDEXES) {
    const res = await g.app.inject({ method: 'POST', url: '/v1/index?wait=true', payload: { namespace: 'test', set: SET, ...index } })
    if (res.statusCode !== 201) throw new Error(`index ${index.name}: ${res.statusCode} ${res.body}`)
  }
  return g
})()

async function query (filter: unknown, path = `/v1/query/test/${SET}`): Promise<number[]> {
  const { app } = await shared
  const res = await app.inject({ method: 'POST', url: `${path}?maxRecords=1000`, payload: { filter } })
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`)
  return (res.json() as Page).records.map((r) => r.bins.n as number).sort((a, b) => a - b)
}

const range = (from: number, to: number, step = 1): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, k) => from + k * step)

t.test('every filter type selects what its index holds', async (t) => {
  t.same(await query({ type: 'EQUALS_LONG', binName: 'n', value: 7 }), [7])
  t.same(await query({ type: 'RANGE', binName: 'n', begin: 10, end: 19 }), range(10, 19))
  t.same(await query({ type: 'EQUALS_STRING', binName: 's', value: 's2' }), range(2, 37, 5))
  t.same(await query({ type: 'CONTAINS_LONG', binName: 'l', value: 5, collectionType: 'LIST' }), [4, 5])
  t.same(await query({ type: 'RANGE', binName: 'l', begin: 30, end: 31, collectionType: 'LIST' }), [29, 30, 31], 'a record matching twice comes once')
  t.same(await query({ type: 'CONTAINS_STRING', binName: 'ls', value: 't1', collectionType: 'LIST' }), range(1, 39, 3))
  t.same(await query({ type: 'CONTAINS_STRING', binName: 'm', value: 'k3', collectionType: 'MAPKEYS' }), range(3, 39, 4))
  t.same(await query({ type: 'CONTAINS_LONG', binName: 'm', value: 12, collectionType: 'MAPVALUES' }), [12])
  t.same(await query({ type: 'RANGE', binName: 'm', begin: 0, end: 3, collectionType: 'MAPVALUES' }), [0, 1, 2, 3])
  const box = [[-121.905, 37.095], [-121.795, 37.095], [-121.795, 37.205], [-121.905, 37.205], [-121.905, 37.095]]
  t.same(await query({ type: 'GEO_WITHIN_REGION', binName: 'g', polygon: box }), range(10, 20))
  t.same(await query({ type: 'GEO_WITHIN_RADIUS', binName: 'g', circle: [[-122, 37], 2000] }), [0, 1])
  t.same(await query({ type: 'GEO_CONTAINS_POINT', binName: 'rg', point: [lng(5), lat(5)] }), [5])
  t.same(await query(null), range(0, N - 1), 'no filter: every record of the set')
})

t.test('the partition-range form reads only its partitions', async (t) => {
  const filter = { type: 'RANGE', binName: 'n', begin: 0, end: N - 1 }
  const low = await query(filter, `/v1/query/test/${SET}/0/2048`)
  const high = await query(filter, `/v1/query/test/${SET}/2048/2048`)
  t.ok(low.length > 0 && high.length > 0)
  t.same([...low, ...high].sort((a, b) => a - b), range(0, N - 1), 'the two halves make the whole, without overlap')
  const { app } = await shared
  const ns = await app.inject({ method: 'POST', url: '/v1/query/test/0/4096', payload: {} })
  t.ok((ns.json() as Page).records.length >= N, 'the namespace form')
  t.equal((await app.inject({ method: 'POST', url: `/v1/query/test/${SET}/4000/97`, payload: {} })).statusCode, 400)
  t.equal((await app.inject({ method: 'POST', url: `/v1/query/test/${SET}/4096/1`, payload: {} })).statusCode, 400)
})

t.test('a query pages to the end; its token is bound to the filter', async (t) => {
  const { app } = await shared
  const filter = { type: 'RANGE', binName: 'n', begin: 5, end: 34 }
  const pages = await allPages(async (from) => await app.inject({ method: 'POST', url: `/v1/query/test/${SET}?maxRecords=7`, payload: { filter, from } }))
  const ns = pages.flatMap((p) => p.records.map((r) => r.bins.n as number)).sort((a, b) => a - b)
  t.same(ns, range(5, 34), 'every record once')
  t.ok(pages.length >= 5)
  const token = pages[0].pagination.nextToken
  const other = await app.inject({ method: 'POST', url: `/v1/query/test/${SET}?maxRecords=7`, payload: { filter: { ...filter, end: 33 }, from: token } })
  t.equal(other.statusCode, 400)
  t.match(other.json().detail, /another scan or query/)
  const mp = await app.inject({
    method: 'POST',
    url: `/v1/query/test/${SET}`,
    payload: encodeMsgpack({ filter: { type: 'EQUALS_LONG', binName: 'n', value: 3 } }),
    headers: { 'content-type': 'application/msgpack' }
  })
  t.same((mp.json() as Page).records.map((r) => r.bins.n), [3], 'a MessagePack body')
})

t.test('what the server cannot serve gets its real code; a bad filter is 400', async (t) => {
  const { app } = await shared
  const post = async (payload: unknown, path = `/v1/query/test/${SET}`): Promise<{ status: number, code: number, detail: string }> => {
    const res = await app.inject({ method: 'POST', url: path, payload: payload as object })
    return { status: res.statusCode, code: res.json().code, detail: res.json().detail }
  }
  t.match(await post({ filter: { type: 'EQUALS_LONG', binName: 'noidx', value: 1 } }), { status: 404, code: 201 }, 'a bin with no index')
  t.match(await post({ filter: { type: 'EQUALS_STRING', binName: 'n', value: '1' } }), { status: 404, code: 201 }, 'a string filter on a numeric index')
  t.match(await post({ filter: { type: 'EQUALS_LONG', binName: 'n', value: 1 } }, '/v1/query/test/gq_q_unknown'), { status: 404, code: 201 }, 'a set without the index')
  t.match(await post({ filter: { type: 'EQUALS_LONG', binName: 'n', value: 1 } }, `/v1/query/nope/${SET}`), { status: 404, code: 20 }, 'an unknown namespace')
  const bad: Array<[unknown, RegExp]> = [
    [{ type: 'EQUALS', binName: 'n', value: 1 }, /filter.type: must be one of/],
    [{ type: 'EQUALS_LONG', binName: 'n', value: 'x' }, /filter.value: must be an integer/],
    [{ type: 'EQUALS_LONG', value: 1 }, /filter.binName/],
    [{ type: 'RANGE', binName: 'n', begin: 1 }, /filter.end/],
    [{ type: 'CONTAINS_LONG', binName: 'l', value: 1, collectionType: 'SET' }, /collectionType/],
    [{ type: 'GEO_WITHIN_REGION', binName: 'g', polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }, /closed ring/],
    [{ type: 'GEO_WITHIN_RADIUS', binName: 'g', circle: [[200, 0], 5] }, /longitude/],
    [{ type: 'GEO_CONTAINS_POINT', binName: 'rg', point: [1] }, /filter.point/],
    ['EQUALS_LONG', /filter: must be an object/]
  ]
  for (const [filter, detail] of bad) {
    const r = await post({ filter })
    t.equal(r.status, 400, JSON.stringify(filter))
    t.match(r.detail, detail)
  }
  t.match(await post({ from: 12 }), { status: 400, code: 4 }, 'from is a string')
  t.match(await post([1]), { status: 400, code: 4 }, 'the body is an object')
})
