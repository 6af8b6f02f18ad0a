// A client program as a user of the gateway writes it: openapi-fetch over the
// types openapi-typescript generates from the committed openapi.yaml (into
// ./generated, by test/gateway/client.test.ts). It calls every operation,
// the paths without a set included, and reads errors through `Problem`.
// Type-checked on its own (test/client/tsconfig.json): it needs the
// generated types, which are not committed.

import createClient from 'openapi-fetch'
import type { components, paths } from './generated/openapi'

type Problem = components['schemas']['Problem']

/** What each operation answered: its status, and what the program read from it. */
export type Outcomes = Record<string, { status: number, seen?: unknown }>

const problemOf = (error: Problem | undefined): unknown => error === undefined ? undefined : { status: error.status, code: error.code, error: error.error }

/** The status, and a header when named. */
function status (answer: { response: Response }, header?: string): { status: number, seen?: unknown } {
  return { status: answer.response.status, seen: header === undefined ? undefined : answer.response.headers.get(header) }
}

/** The status and the Problem of an error answer. */
function failure (answer: { response: Response, error?: Problem }): { status: number, seen?: unknown } {
  return { status: answer.response.status, seen: problemOf(answer.error) }
}

export async function callEveryOperation (baseUrl: string, set: string): Promise<Outcomes> {
  const client = createClient<paths>({ baseUrl })
  const out: Outcomes = {}
  const withSet = { namespace: 'test', set, key: 'ann' }
  const noSet = { namespace: 'test', key: `${set}-ann` }

  const live = await client.GET('/health/live')
  out.live = { status: live.response.status, seen: live.data?.status }
  const ready = await client.GET('/health/ready')
  out.ready = { status: ready.response.status, seen: ready.data?.status }
  const cluster = await client.GET('/v1/cluster')
  out.getCluster = { status: cluster.response.status, seen: cluster.data === undefined ? undefined : 'nodes' in cluster.data }
  const errors = await client.GET('/v1/errors')
  out.listErrors = { status: errors.response.status, seen: errors.data?.find((e) => e.code === 2)?.status }

  // The two forms of the record paths, each typed by the generated paths.
  const s = '/v1/kvs/{namespace}/{set}/{key}'
  const n = '/v1/kvs/{namespace}/{key}'
  out.createRecord = status(await client.POST(s, { params: { path: withSet }, body: { name: 'Ann', visits: 1 } }), 'etag')
  out.createRecordNoSet = status(await client.POST(n, { params: { path: noSet }, body: { name: 'Ann', visits: 1 } }), 'etag')
  out.createRecordAgain = failure(await client.POST(s, { params: { path: withSet }, body: { name: 'Ann' } }))
  out.createRecordNoSetAgain = failure(await client.POST(n, { params: { path: noSet }, body: { name: 'Ann' } }))
  const bins = { name: 'Ann', visits: 2, tags: ['vip'] }
  out.replaceRecord = status(await client.PUT(s, { params: { path: withSet }, body: bins }), 'etag')
  out.replaceRecordNoSet = status(await client.PUT(n, { params: { path: noSet }, body: bins }), 'etag')
  const update = { body: { visits: 3 }, headers: { 'if-match': '"2"' } }
  out.updateRecord = status(await client.PATCH(s, { params: { path: withSet, query: { expiration: -1 } }, ...update }), 'etag')
  out.updateRecordNoSet = status(await client.PATCH(n, { params: { path: noSet, query: { expiration: -1 } }, ...update }), 'etag')
  const read = await client.GET(s, { params: { path: withSet, query: { recordBins: ['name', 'visits'] } } })
  out.getRecord = { status: read.response.status, seen: read.data?.bins }
  const readNoSet = await client.GET(n, { params: { path: noSet, query: { recordBins: ['name', 'visits'] } } })
  out.getRecordNoSet = { status: readNoSet.response.status, seen: readNoSet.data?.bins }
  out.headRecord = status(await client.HEAD(s, { params: { path: withSet } }), 'etag')
  out.headRecordNoSet = status(await client.HEAD(n, { params: { path: noSet } }), 'etag')
  out.getRecordStale = failure(await client.GET(s, { params: { path: withSet }, headers: { 'if-match': '"1"' } }))
  out.getRecordNoSetStale = failure(await client.GET(n, { params: { path: noSet }, headers: { 'if-match': '"1"' } }))
  out.deleteRecord = status(await client.DELETE(s, { params: { path: withSet } }))
  out.deleteRecordNoSet = status(await client.DELETE(n, { params: { path: noSet } }))
  out.getRecordGone = failure(await client.GET(s, { params: { path: withSet } }))
  out.getRecordNoSetGone = failure(await client.GET(n, { params: { path: noSet } }))

  const opsList: components['schemas']['OperateBody']['opsList'] = [
    { type: 'ADD', binName: 'visits', incr: 1 },
    { type: 'READ', binName: 'visits' }
  ]
  const operated = await client.POST('/v1/operate/{namespace}/{set}/{key}', { params: { path: withSet }, body: { opsList } })
  out.operateRecord = { status: operated.response.status, seen: operated.data?.bins }
  const operatedNoSet = await client.POST('/v1/operate/{namespace}/{key}', { params: { path: noSet }, body: { opsList } })
  out.operateRecordNoSet = { status: operatedNoSet.response.status, seen: operatedNoSet.data?.bins }
  const operatedV2 = await client.POST('/v2/operate/{namespace}/{set}/{key}', { params: { path: withSet }, body: { opsList: [{ type: 'GET_HEADER' }] } })
  out.operateRecordV2 = { status: operatedV2.response.status, seen: operatedV2.data?.generation }
  const operatedNoSetV2 = await client.POST('/v2/operate/{namespace}/{key}', { params: { path: noSet }, body: { opsList } })
  out.operateRecordNoSetV2 = { status: operatedNoSetV2.response.status, seen: operatedNoSetV2.data?.bins }
  const badOperate = await client.POST('/v1/operate/{namespace}/{set}/{key}', {
    params: { path: withSet },
    body: { opsList: [{ type: 'LIST_APPEND', binName: 'visits', value: 1 }] }
  })
  out.operateRecordBad = failure(badOperate)

  const key = { namespace: 'test', setName: set, userKey: 'ann' }
  const batch = await client.POST('/v1/batch', {
    body: [
      { type: 'READ', key, readAllBins: true },
      { type: 'READ', key: { ...key, userKey: 'nobody' } }
    ]
  })
  out.batch = { status: batch.response.status, seen: batch.data?.batchRecords.map((r) => r.resultCode) }
  const badBatch = await client.POST('/v1/batch', { body: [] })
  out.batchEmpty = failure(badBatch)
  return out
}
