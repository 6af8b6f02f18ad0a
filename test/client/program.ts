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

// What this program reads: JSON, problems and the metrics' text; not the
// MessagePack or NDJSON forms that some operations also offer.
type Media = 'application/json' | 'application/problem+json' | 'text/plain'

/** `adminUrl`: a gateway in front of a cluster with security, whose own user holds user-admin. */
export async function callEveryOperation (baseUrl: string, set: string, adminUrl: string): Promise<Outcomes> {
  const client = createClient<paths, Media>({ baseUrl })
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

  await indexesAndQueries(client, out, set)
  await backgroundTasks(client, out, set)
  await infoAndMetrics(client, out)
  await usersAndRoles(createClient<paths, Media>({ baseUrl: adminUrl }), out, set)

  // Last: the set is emptied.
  out.truncateSet = status(await client.DELETE('/v1/truncate/{namespace}/{set}', { params: { path: { namespace: 'test', set } } }))
  const emptied = await client.GET('/v1/scan/{namespace}/{set}', { params: { path: { namespace: 'test', set } } })
  out.performScanTruncated = { status: emptied.response.status, seen: emptied.data?.records.length }
  // An unknown namespace: the whole namespace `test` stays.
  out.truncateNamespace = failure(await client.DELETE('/v1/truncate/{namespace}', { params: { path: { namespace: 'nosuchns' } } }))
  return out
}

type Client = ReturnType<typeof createClient<paths, Media>>

/** A secondary index on the bin visits of the set, queries through it (and without), scans, then the index dropped. */
async function indexesAndQueries (client: Client, out: Outcomes, set: string): Promise<void> {
  const name = `${set}_visits`
  const namespace = { namespace: 'test' }
  const created = await client.POST('/v1/index', {
    params: { query: { wait: true } },
    body: { namespace: 'test', set, bin: 'visits', name, type: 'NUMERIC' }
  })
  out.createIndex = { status: created.response.status, seen: created.data?.status }
  const listed = await client.GET('/v1/index', { params: { query: namespace } })
  out.indexInformation = { status: listed.response.status, seen: listed.data?.find((i) => i.name === name)?.bin }
  const listedNs = await client.GET('/v1/index/{namespace}', { params: { path: namespace } })
  out.namespaceIndexInformation = { status: listedNs.response.status, seen: listedNs.data?.find((i) => i.name === name)?.type }
  const stats = await client.GET('/v1/index/{namespace}/{name}', { params: { path: { ...namespace, name } } })
  out.getIndexStats = { status: stats.response.status, seen: stats.data === undefined ? undefined : Object.keys(stats.data).length > 0 }

  const filter: components['schemas']['QueryFilter_RANGE'] = { type: 'RANGE', binName: 'visits', begin: 1, end: 10 }
  const visits = (page: components['schemas']['ScanPage'] | undefined): unknown => page?.records.map((r) => r.bins.visits)
  const query = await client.POST('/v1/query/{namespace}/{set}', { params: { path: { ...namespace, set } }, body: { filter } })
  out.performNamespaceSetQuery = { status: query.response.status, seen: visits(query.data) }
  const range = await client.POST('/v1/query/{namespace}/{set}/{begin}/{count}', { params: { path: { ...namespace, set, begin: 0, count: 4096 } }, body: { filter } })
  out.performNamespaceSetRangeQuery = { status: range.response.status, seen: visits(range.data) }
  // Without a filter, the whole namespace: the record in no set is there.
  const all = await client.POST('/v1/query/{namespace}/{begin}/{count}', { params: { path: { ...namespace, begin: 0, count: 4096 } }, body: {} })
  out.performNamespaceRangeQuery = { status: all.response.status, seen: visits(all.data)?.toString() }
  const page = await client.POST('/v1/query/{namespace}', { params: { path: namespace, query: { maxRecords: 1 } }, body: {} })
  out.performNamespaceQuery = { status: page.response.status, seen: { records: page.data?.records.length, more: typeof page.data?.pagination.nextToken } }

  const scan = await client.GET('/v1/scan/{namespace}/{set}', { params: { path: { ...namespace, set } } })
  out.performScan = { status: scan.response.status, seen: visits(scan.data) }
  const first = await client.GET('/v1/scan/{namespace}', { params: { path: namespace, query: { maxRecords: 1 } } })
  const token = first.data?.pagination.nextToken ?? undefined
  const next = await client.GET('/v1/scan/{namespace}', { params: { path: namespace, query: { maxRecords: 1, from: token } } })
  out.performScanNamespace = { status: next.response.status, seen: [first.data?.records.length, next.data?.records.length] }

  out.dropIndex = status(await client.DELETE('/v1/index/{namespace}/{name}', { params: { path: { ...namespace, name } } }))
  out.getIndexStatsGone = failure(await client.GET('/v1/index/{namespace}/{name}', { params: { path: { ...namespace, name } } }))
}

const POLL_MS = 50
const MAX_POLLS = 200

/** Adds 1 to visits through each of the four execute paths, each task polled until complete; then reads the record. */
async function backgroundTasks (client: Client, out: Outcomes, set: string): Promise<void> {
  const opsList: components['schemas']['OperateBody']['opsList'] = [{ type: 'ADD', binName: 'visits', incr: 1 }]
  const poll = async (version: 'v1' | 'v2', taskId: number | undefined): Promise<{ status: number, seen?: unknown }> => {
    for (let tries = 0; ; tries++) {
      const path = { taskId: String(taskId) }
      const answer = version === 'v1'
        ? await client.GET('/v1/execute/scan/status/{taskId}', { params: { path } })
        : await client.GET('/v2/execute/scan/status/{taskId}', { params: { path } })
      if (answer.data?.status !== 'IN_PROGRESS' || tries === MAX_POLLS) return { status: answer.response.status, seen: answer.data?.status }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }
  const path = { namespace: 'test', set }
  const v1 = await client.POST('/v1/execute/scan/{namespace}/{set}', { params: { path }, body: opsList })
  out.executeScanNamespaceSet = { status: v1.response.status, seen: v1.data?.scan }
  out.executeScanStatus = await poll('v1', v1.data?.taskId)
  const v2 = await client.POST('/v2/execute/scan/{namespace}/{set}', { params: { path }, body: { opsList } })
  out.executeScanNamespaceSetV2 = { status: v2.response.status, seen: v2.data?.scan }
  out.executeScanStatusV2 = await poll('v2', v2.data?.taskId)
  // The whole namespace: the record in no set has visits too.
  const ns = await client.POST('/v1/execute/scan/{namespace}', { params: { path: { namespace: 'test' } }, body: { opsList } })
  out.executeScanNamespace = { status: ns.response.status, seen: (await poll('v1', ns.data?.taskId)).seen }
  const nsV2 = await client.POST('/v2/execute/scan/{namespace}', { params: { path: { namespace: 'test' } }, body: { opsList } })
  out.executeScanNamespaceV2 = { status: nsV2.response.status, seen: (await poll('v2', nsV2.data?.taskId)).seen }
  const read = await client.GET('/v1/kvs/{namespace}/{set}/{key}', { params: { path: { ...path, key: 'ann' } } })
  out.getRecordExecuted = { status: read.response.status, seen: read.data?.bins.visits }
}

async function infoAndMetrics (client: Client, out: Outcomes): Promise<void> {
  const any = await client.POST('/v1/info', { body: ['node', 'namespaces'] })
  out.infoAny = { status: any.response.status, seen: any.data?.namespaces }
  const node = any.data?.node ?? ''
  const one = await client.POST('/v1/info/{node}', { params: { path: { node } }, body: ['node'] })
  out.infoNode = { status: one.response.status, seen: one.data?.node === node }
  out.infoForbidden = failure(await client.POST('/v1/info', { body: ['set-config:context=service;proto-fd-max=1000'] }))
  const metrics = await client.GET('/metrics', { parseAs: 'text' })
  out.metrics = { status: metrics.response.status, seen: /^http_requests_total\{/m.test(String(metrics.data)) }
}

async function usersAndRoles (admin: Client, out: Outcomes, set: string): Promise<void> {
  const name = `${set}-role`
  const user = `${set}-user`
  const role = { params: { path: { name } } }
  out.createRole = status(await admin.POST('/v1/admin/role', { body: { name, privileges: [{ code: 'READ', namespace: 'test', set }] } }))
  out.grantPrivileges = status(await admin.POST('/v1/admin/role/{name}/privilege', { ...role, body: [{ code: 'WRITE', namespace: 'test', set }] }))
  out.revokePrivileges = status(await admin.PATCH('/v1/admin/role/{name}/privilege/delete', { ...role, body: [{ code: 'READ', namespace: 'test', set }] }))
  out.setRoleQuotas = failure(await admin.POST('/v1/admin/role/{name}/quota', { ...role, body: { readQuota: 10 } }))
  const one = await admin.GET('/v1/admin/role/{name}', role)
  out.getRole = { status: one.response.status, seen: one.data?.privileges.map((p) => p.code) }
  const roles = await admin.GET('/v1/admin/role')
  out.getRoles = { status: roles.response.status, seen: roles.data?.some((r) => r.name === name) }

  const path = { params: { path: { user } } }
  out.createUser = status(await admin.POST('/v1/admin/user', { body: { username: user, password: 'first-pw', roles: [name] } }))
  out.grantRoles = status(await admin.POST('/v1/admin/user/{user}/role', { ...path, body: ['read-write'] }))
  out.revokeRoles = status(await admin.PATCH('/v1/admin/user/{user}/role/delete', { ...path, body: [name] }))
  out.changePassword = status(await admin.PATCH('/v1/admin/user/{user}', { ...path, body: 'second-pw' }))
  const got = await admin.GET('/v1/admin/user/{user}', path)
  out.getUser = { status: got.response.status, seen: got.data?.roles }
  const users = await admin.GET('/v1/admin/user')
  out.getUsers = { status: users.response.status, seen: users.data?.some((u) => u.name === user) }
  out.dropUser = status(await admin.DELETE('/v1/admin/user/{user}', path))
  out.dropRole = status(await admin.DELETE('/v1/admin/role/{name}', role))
  out.getRoleGone = failure(await admin.GET('/v1/admin/role/{name}', role))
}
