import t from 'tap'
import { readFileSync } from 'node:fs'
import { OPENAPI_PATH, renderOpenapi } from '../../src/openapi'

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
