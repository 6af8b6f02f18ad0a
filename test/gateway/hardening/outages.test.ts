// Outages classified right, and nothing private in any answer or log line:
// an empty cluster is 503 for every command shape, an unknown namespace is
// each row's own 20, readiness follows the cluster, the password and the
// nodes' names and addresses appear nowhere.

import { Writable } from 'node:stream'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import t from 'tap'
import app, { options } from '../../../src/app'
import { loadConfig } from '../../../src/config'
import { withGateway, unusedPort } from '../../helpers/gateway'

const JSON_HEADERS = { 'content-type': 'application/json' }
const FAST_TEND = { AEROSPIKE_TEND_INTERVAL: '250', AEROSPIKE_READ_TOTAL_TIMEOUT: '20000', AEROSPIKE_WRITE_TOTAL_TIMEOUT: '20000', AEROSPIKE_READ_MAX_RETRIES: '0' }

async function until (what: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await what()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

t.test('an unknown namespace: each batch row its own 20, a coalesced GET exactly as alone', async (t) => {
  const { app } = await withGateway(t, {}, FAST_TEND)
  const res = await app.inject({ method: 'POST', url: '/v1/batch', headers: JSON_HEADERS, payload: [
    { type: 'READ', key: { namespace: 'nons', setName: 's', userKey: 'a' } },
    { type: 'WRITE', key: { namespace: 'other', setName: 's', userKey: 'b' }, bins: { a: 1 } }
  ] })
  t.equal(res.statusCode, 200)
  t.same(res.json().batchRecords.map((r: { resultCode: number }) => r.resultCode), [20, 20])
  t.match(res.json().batchRecords[1].error, { code: 20, status: 404, inDoubt: false })
  const gets = await Promise.all(Array.from({ length: 6 }, async (_, i) => await app.inject({ url: `/v1/kvs/nons/s/k${i}` })))
  for (const g of gets) t.match({ status: g.statusCode, ...g.json() }, { status: 404, code: 20, error: 'ServerError' })
})

t.test('an empty cluster: 503 with Retry-After for every command shape; readiness follows within a tend interval', async (t) => {
  const { app, embedded } = await withGateway(t, {}, FAST_TEND)
  await app.inject({ method: 'PUT', url: '/v1/kvs/test/out/k', headers: JSON_HEADERS, payload: { a: 1 } })
  t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200)
  await embedded.stop()
  const stopped = Date.now()
  t.ok(await until(async () => (await app.inject({ url: '/health/ready' })).statusCode === 503, 5000), 'not ready')
  t.ok(Date.now() - stopped < 1000, `not ready within a tend interval or so: ${Date.now() - stopped} ms`)
  // Wait until the client has dropped the node: the cluster is empty.
  t.ok(await until(async () => (app.aerospike.client?.getNodes().length ?? 0) === 0, 15000), 'the client sees no node')
  const shapes = await Promise.all([
    app.inject({ url: '/v1/kvs/test/out/k' }),
    ...Array.from({ length: 4 }, async (_, i) => await app.inject({ url: `/v1/kvs/test/out/c${i}` })),
    app.inject({ method: 'POST', url: '/v1/batch', headers: JSON_HEADERS, payload: [{ type: 'READ', key: { namespace: 'test', setName: 'out', userKey: 'k' } }] }),
    app.inject({ method: 'POST', url: '/v1/operate/test/out/k', headers: JSON_HEADERS, payload: { opsList: [{ type: 'READ', binName: 'a' }] } }),
    app.inject({ method: 'PUT', url: '/v1/kvs/test/out/k', headers: JSON_HEADERS, payload: { a: 2 } }),
    app.inject({ method: 'DELETE', url: '/v1/kvs/test/out/k' })
  ])
  for (const res of shapes) {
    t.equal(res.statusCode, 503, `${res.body}`)
    t.equal(res.headers['retry-after'], '1')
    t.match(res.json(), { retryable: true, error: 'ClusterError' })
  }
  await embedded.start()
  t.ok(await until(async () => (await app.inject({ url: '/health/ready' })).statusCode === 200, 15000), 'ready again')
})

t.test('client details lose node names and addresses', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { AEROSPIKE_READ_MAX_RETRIES: '0' })
  await embedded.addFault({ delayMs: 600, match: { kind: 'read' }, times: 1 })
  const slow = await app.inject({ url: '/v1/kvs/test/nodes/k?totalTimeout=100' })
  t.equal(slow.statusCode, 504)
  await embedded.stop()
  const down = await app.inject({ url: '/v1/kvs/test/nodes/k' })
  const cluster = await app.inject({ url: '/v1/cluster' })
  for (const res of [slow, down, cluster]) {
    t.notMatch(res.body, /127\.0\.0\.1|lastNode|\b[0-9A-F]{12,16}\b/, `no node in ${res.body}`)
  }
})

t.test('the password appears in no log line and no answer, at any level', async (t) => {
  const password = 'pa55-SECRET-word'
  const lines: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString())
      done()
    }
  })
  const start = async (hosts: string): Promise<ReturnType<typeof Fastify>> => {
    const config = { ...loadConfig({ AEROSPIKE_USER: 'admin', AEROSPIKE_PASSWORD: password, AEROSPIKE_CONNECT_TIMEOUT: '200' }), aerospikeHosts: hosts }
    const server = Fastify(options(config, { level: 'trace', stream }))
    await server.register(fp(app), { config })
    await server.ready()
    t.teardown(() => server.close())
    return server
  }
  const dead = await start(`127.0.0.1:${await unusedPort()}`)
  const answers = [await dead.inject({ url: '/v1/kvs/test/s/k' }), await dead.inject({ url: '/v1/cluster' }), await dead.inject({ url: '/health/ready' })]
  // Enterprise without security takes the login as not needed (52); Community
  // Edition refuses a client with credentials (51), as a real one does.
  const { embedded } = await withGateway(t, { edition: 'enterprise' })
  const failing = await start(embedded.address)
  await embedded.addFault({ resultCode: 1, match: { kind: 'read' }, times: 1 })
  answers.push(await failing.inject({ url: '/v1/kvs/test/s/k' }))
  await embedded.stop()
  answers.push(await failing.inject({ url: '/v1/kvs/test/s/k' }), await failing.inject({ method: 'POST', url: '/v1/batch', headers: JSON_HEADERS, payload: [{ type: 'READ', key: { namespace: 'test', userKey: 'k' } }] }))
  t.ok(lines.some((l) => l.includes('cannot reach the Aerospike cluster yet')), 'the warning was logged')
  t.ok(lines.some((l) => /"level":50/.test(l)), 'and 5xx errors')
  const everything = [...lines, ...answers.map((a) => `${JSON.stringify(a.headers)} ${a.body}`)].join('\n')
  t.notMatch(everything, password, 'no password anywhere')
  t.notMatch(everything, /"config"|as_client/, 'no client object anywhere')
})
