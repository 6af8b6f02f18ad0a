import t from 'tap'
import { readFileSync } from 'node:fs'
import { OPENAPI_PATH, openapiObject, renderOpenapi } from '../../src/openapi'

t.test('openapi.yaml is what the route schemas generate (run `npm run openapi`)', async (t) => {
  t.equal(readFileSync(OPENAPI_PATH, 'utf8'), await renderOpenapi())
})

t.test('every operation has an operationId, tags and documented responses', async (t) => {
  const yaml = await renderOpenapi()
  const operations = yaml.split(/\n {4}(?:get|put|post|patch|delete|head):\n/).slice(1)
  t.ok(operations.length > 0)
  for (const op of operations) {
    t.match(op, /operationId: \S+/)
    t.match(op, /tags:\n\s+- \S+/)
    t.match(op, /responses:\n\s+"\d{3}":/)
  }
})

interface Operation {
  operationId: string
  parameters?: Array<{ name: string, in: string, required?: boolean }>
  requestBody?: { content: Record<string, { examples?: Record<string, unknown> }> }
  responses: Record<string, { content?: Record<string, unknown> }>
}

t.test('the document is exact: bodies, parameters per path and method, headers, media types', async (t) => {
  const doc = await openapiObject() as { paths: Record<string, Record<string, Operation>>, servers?: unknown[], info: { license?: unknown } }
  t.ok(doc.servers !== undefined && doc.servers.length > 0, 'a servers entry')
  t.ok(doc.info.license, 'a license')
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
  for (const { path, method, op } of ops) {
    const names = (where: string): string[] => (op.parameters ?? []).filter((p) => p.in === where).map((p) => p.name)
    const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
    t.same(names('path').sort(), inPath.sort(), `${op.operationId}: exactly the path's parameters`)
    if (['post', 'put', 'patch'].includes(method) && path !== '/v1/batch' && !path.includes('/operate/')) {
      t.ok(op.requestBody?.content['application/json']?.examples, `${op.operationId}: a JSON body with examples`)
      t.ok(op.requestBody?.content['application/msgpack'], `${op.operationId}: a MessagePack body`)
    }
    if (path.startsWith('/v1/kvs/')) {
      const query = names('query')
      if (method === 'get' || method === 'head') {
        t.notOk(query.includes('expiration') || query.includes('recordExistsAction'), `${op.operationId}: no write parameters`)
        t.ok(names('header').includes('if-none-match'), `${op.operationId}: If-None-Match`)
        t.same(op.responses['304']?.content, undefined, `${op.operationId}: 304 has no body`)
      }
      if (method === 'delete') t.notOk(query.includes('recordBins'), `${op.operationId}: no recordBins`)
      if (method === 'post') t.notOk(query.includes('recordExistsAction'), `${op.operationId}: POST only creates`)
      t.ok(names('header').includes('if-match'), `${op.operationId}: If-Match`)
    }
  }
  for (const id of ['getRecord', 'operateRecord', 'batch']) {
    const op = ops.find((o) => o.op.operationId === id)?.op
    t.ok(op?.responses['200'].content?.['application/msgpack'], `${id} answers MessagePack too`)
  }
  for (const id of ['batch', 'operateRecord', 'operateRecordNoSetV2']) {
    const op = ops.find((o) => o.op.operationId === id)?.op
    t.ok(op?.requestBody?.content['application/json']?.examples, `${id}: examples`)
    t.ok(op?.requestBody?.content['application/msgpack'], `${id}: a MessagePack body`)
  }
})
