// A client generated from the committed openapi.yaml works: openapi-typescript
// writes its types, a program written against them with openapi-fetch
// (test/client/program.ts) type-checks, and it runs against a gateway
// listening on a real port, calling every operation of the document.

import t from 'tap'
import { execFile } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { OPENAPI_PATH, openapiObject } from '../../src/openapi'
import { withGateway } from '../helpers/gateway'

const ROOT = join(__dirname, '..', '..')
const CLIENT = join(ROOT, 'test', 'client')
const bin = (name: string): string => join(ROOT, 'node_modules', '.bin', name)
const run = promisify(execFile)

// Not a literal import: the program needs the generated types, so
// `tsc -p tsconfig.test.json` must not follow it; test/client/tsconfig.json checks it.
const PROGRAM = join(CLIENT, 'program.ts')
type Program = { callEveryOperation: (baseUrl: string, set: string, adminUrl: string) => Promise<Record<string, { status: number, seen?: unknown }>> }

t.test('a generated TypeScript client calls every operation', async (t) => {
  rmSync(join(CLIENT, 'generated'), { recursive: true, force: true })
  const generated = await run(bin('openapi-typescript'), [OPENAPI_PATH, '-o', join(CLIENT, 'generated', 'openapi.d.ts')], { cwd: ROOT })
  t.notMatch(generated.stderr + generated.stdout, /✘|⚠/, 'openapi-typescript reports nothing wrong with the document')

  const checked = await run(bin('tsc'), ['-p', join(CLIENT, 'tsconfig.json')], { cwd: ROOT }).then(() => '', (err: { stdout?: string }) => err.stdout ?? String(err))
  t.equal(checked, '', 'the program type-checks against the generated types')

  const { app } = await withGateway(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  // User admin needs a cluster with security, and a gateway user with user-admin.
  const secure = await withGateway(t, { edition: 'enterprise', security: true }, { AEROSPIKE_USER: 'admin', AEROSPIKE_PASSWORD: 'admin' })
  const adminUrl = await secure.app.listen({ port: 0, host: '127.0.0.1' })
  const program = require(PROGRAM) as Program
  const out = await program.callEveryOperation(`http://127.0.0.1:${port}`, 'genclient', adminUrl)

  const doc = await openapiObject() as { paths: Record<string, Record<string, { operationId: string }>> }
  const ids = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId))
  for (const id of ids) t.ok(out[id] !== undefined, `the program calls ${id}`)

  const etag = (status: number, tag: string): object => ({ status, seen: tag })
  const problem = (status: number, code: number, error: string): object => ({ status, seen: { status, code, error } })
  t.match(out, {
    live: { status: 200, seen: 'ok' },
    ready: { status: 200, seen: 'ready' },
    getCluster: { status: 200, seen: true },
    listErrors: { status: 200, seen: 404 },
    createRecord: etag(201, '"1"'),
    createRecordNoSet: etag(201, '"1"'),
    createRecordAgain: problem(409, 5, 'RecordExistsError'),
    createRecordNoSetAgain: problem(409, 5, 'RecordExistsError'),
    replaceRecord: etag(204, '"2"'),
    replaceRecordNoSet: etag(204, '"2"'),
    updateRecord: etag(204, '"3"'),
    updateRecordNoSet: etag(204, '"3"'),
    getRecord: { status: 200, seen: { name: 'Ann', visits: 3 } },
    getRecordNoSet: { status: 200, seen: { name: 'Ann', visits: 3 } },
    headRecord: etag(200, '"3"'),
    headRecordNoSet: etag(200, '"3"'),
    getRecordStale: problem(412, 3, 'RecordGenerationError'),
    getRecordNoSetStale: problem(412, 3, 'RecordGenerationError'),
    deleteRecord: { status: 204 },
    deleteRecordNoSet: { status: 204 },
    getRecordGone: problem(404, 2, 'RecordNotFound'),
    getRecordNoSetGone: problem(404, 2, 'RecordNotFound'),
    operateRecord: { status: 200, seen: { visits: 1 } },
    operateRecordNoSet: { status: 200, seen: { visits: 1 } },
    operateRecordV2: { status: 200, seen: 1 },
    operateRecordNoSetV2: { status: 200, seen: { visits: 2 } },
    operateRecordBad: problem(409, 12, 'BinTypeError'),
    batch: { status: 200, seen: [0, 2] },
    batchEmpty: problem(400, 4, 'InvalidArgError'),
    createIndex: { status: 201, seen: 'ready' },
    indexInformation: { status: 200, seen: 'visits' },
    namespaceIndexInformation: { status: 200, seen: 'NUMERIC' },
    getIndexStats: { status: 200, seen: true },
    performNamespaceSetQuery: { status: 200, seen: [1] },
    performNamespaceSetRangeQuery: { status: 200, seen: [1] },
    performNamespaceRangeQuery: { status: 200, seen: /^(1,2|2,1)$/ },
    performNamespaceQuery: { status: 200, seen: { records: 1, more: 'string' } },
    performScan: { status: 200, seen: [1] },
    performScanNamespace: { status: 200, seen: [1, 1] },
    dropIndex: { status: 204 },
    getIndexStatsGone: problem(404, 201, 'IndexNotFound'),
    executeScanNamespaceSet: { status: 200, seen: true },
    executeScanStatus: { status: 200, seen: 'COMPLETE' },
    executeScanNamespaceSetV2: { status: 200, seen: true },
    executeScanStatusV2: { status: 200, seen: 'COMPLETE' },
    executeScanNamespace: { status: 200, seen: 'COMPLETE' },
    executeScanNamespaceV2: { status: 200, seen: 'COMPLETE' },
    getRecordExecuted: { status: 200, seen: 5 },
    infoAny: { status: 200, seen: 'test' },
    infoNode: { status: 200, seen: true },
    infoForbidden: problem(403, 10, 'ServerError'),
    metrics: { status: 200, seen: true },
    truncateSet: { status: 202 },
    performScanTruncated: { status: 200, seen: 0 },
    truncateNamespace: problem(404, 20, 'ServerError'),
    createRole: { status: 202 },
    grantPrivileges: { status: 202 },
    revokePrivileges: { status: 202 },
    setRoleQuotas: problem(501, 74, 'AdminError'),
    getRole: { status: 200, seen: ['WRITE'] },
    getRoles: { status: 200, seen: true },
    createUser: { status: 202 },
    grantRoles: { status: 202 },
    revokeRoles: { status: 202 },
    changePassword: { status: 202 },
    getUser: { status: 200, seen: ['read-write'] },
    getUsers: { status: 200, seen: true },
    dropUser: { status: 202 },
    dropRole: { status: 202 },
    getRoleGone: problem(404, 70, 'AdminError')
  })
})
