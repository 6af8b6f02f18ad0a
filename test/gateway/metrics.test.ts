import { Writable } from 'node:stream'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import t from 'tap'
import app, { options } from '../../src/app'
import { hashSecret } from '../../src/auth/keys'
import { loadConfig } from '../../src/config'
import { startEmbeddedServer } from '../../src/embedded/index'
import { parseTraceparent } from '../../src/plugins/trace'
import { withGateway } from '../helpers/gateway'
import { listen, tempDir, writeFile } from '../helpers/http'

/** The value of one sample of a scrape, 0 when absent. */
function sample (text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null || m[1] !== name) continue
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3])
  }
  return 0
}

t.test('a /metrics scrape whose counters move with the requests', async (t) => {
  const { app } = await withGateway(t, {}, { RATE_LIMIT_MAX: '1000' })
  const url = await listen(app)
  const scrape = async (): Promise<string> => {
    const res = await fetch(`${url}/metrics`)
    t.equal(res.status, 200)
    t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
    return await res.text()
  }
  const before = await scrape()
  const route = '/v1/kvs/:namespace/:set/:key'
  for (let i = 0; i < 3; i++) t.equal((await fetch(`${url}/v1/kvs/test/m/missing${i}`)).status, 404)
  t.equal((await fetch(`${url}/v1/kvs/test/m/k`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })).status, 204)
  // In one tick, so that the coalescer surely groups them.
  const gets = await Promise.all(Array.from({ length: 20 }, async () => (await app.inject({ method: 'GET', url: '/v1/kvs/test/m/k' })).statusCode))
  t.same([...new Set(gets)], [200])
  const after = await scrape()

  const moved = (name: string, labels: Record<string, string> = {}): number => sample(after, name, labels) - sample(before, name, labels)
  t.equal(moved('http_requests_total', { route, method: 'GET', status: '404' }), 3, 'requests by route, method and status')
  t.equal(moved('http_requests_total', { route, method: 'PUT', status: '204' }), 1)
  t.equal(moved('http_requests_total', { route, method: 'GET', status: '200' }), 20)
  t.equal(moved('http_request_duration_seconds_count', { route, method: 'GET', status: '404' }), 3, 'durations')
  t.ok(sample(after, 'http_request_duration_seconds_bucket', { route, method: 'GET', status: '404', le: '+Inf' }) >= 3)
  t.equal(moved('aerospike_result_codes_total', { code: '2', class: 'RecordNotFound' }), 3, 'result codes by class')
  t.equal(moved('aerogate_coalesced_batch_size_sum'), 23, 'every GET went through the coalescer')
  t.ok(moved('aerogate_coalesced_batch_size_count') <= 4, 'the 20 together')
  t.match(after, /^aerospike_client_connections\{node="[^"]+",kind="async",state="in_pool"\} \d+$/m, 'connections per node')
  t.match(after, /^aerospike_client_commands_in_flight \d+$/m)
  t.match(after, /^aerospike_client_commands_queued \d+$/m)
  t.match(after, /^process_cpu_user_seconds_total /m, 'process metrics')
  t.match(after, /^nodejs_eventloop_lag_seconds /m)
  t.equal(sample(after, 'aerogate_rate_limited_total'), 0)
})

t.test('rate-limit and shedding counts', async (t) => {
  const limited = await withGateway(t, {}, { RATE_LIMIT_MAX: '1' })
  const url = await listen(limited.app)
  await fetch(`${url}/v1/kvs/test/m/k`)
  t.equal((await fetch(`${url}/v1/kvs/test/m/k`)).status, 429)
  t.equal((await fetch(`${url}/v1/kvs/test/m/k`)).status, 429)
  t.equal(sample(await (await fetch(`${url}/metrics`)).text(), 'aerogate_rate_limited_total'), 2, 'the scrape itself is not limited')

  const shedding = await withGateway(t, {}, { SHED_HEAP_USED_BYTES: '1' })
  const shedUrl = await listen(shedding.app)
  await new Promise((resolve) => setTimeout(resolve, 700))
  t.equal((await fetch(`${shedUrl}/v1/kvs/test/m/k`)).status, 503)
  const scrape = await fetch(`${shedUrl}/metrics`)
  t.equal(scrape.status, 200, 'served while shedding')
  t.equal(sample(await scrape.text(), 'aerogate_shed_total', { reason: 'heapUsedBytes' }), 1)
})

t.test('/metrics is guarded: METRICS=false, and the metrics permission with API keys', async (t) => {
  const off = await listen((await withGateway(t, {}, { METRICS: 'false' })).app)
  t.equal((await fetch(`${off}/metrics`)).status, 404)
  const keys = writeFile(tempDir(t), 'keys.yaml', 'keys:\n' +
    `  - { id: prom, hash: ${hashSecret('secret-prom-0123456789')}, scopes: [{ permissions: [metrics] }] }\n` +
    `  - { id: ops, hash: ${hashSecret('secret-ops-0123456789')}, scopes: [{ permissions: [admin] }] }\n` +
    `  - { id: app, hash: ${hashSecret('secret-app-0123456789')}, scopes: [{ permissions: [read, write] }] }\n`)
  const url = await listen((await withGateway(t, {}, { API_KEYS_FILE: keys })).app)
  t.equal((await fetch(`${url}/metrics`)).status, 401)
  t.equal((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer secret-app-0123456789' } })).status, 403)
  t.equal((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer secret-prom-0123456789' } })).status, 200)
  t.equal((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer secret-ops-0123456789' } })).status, 200)
})

t.test('traceparent is accepted, logged and returned; the access log has the key id, namespace, set and outcome', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(JSON.parse(chunk.toString())); cb() } })
  const embedded = await startEmbeddedServer({ port: 0 })
  t.teardown(() => embedded.close())
  const secret = 'secret-writer-0123456789'
  const keys = writeFile(tempDir(t), 'keys.yaml', `keys:\n  - { id: writer, hash: ${hashSecret(secret)}, scopes: [{ namespaces: [test], permissions: [read, write] }] }\n`)
  const config = { ...loadConfig({ API_KEYS_FILE: keys }), aerospikeHosts: embedded.address }
  const server = Fastify(options(config, { level: 'info', stream }))
  await server.register(fp(app), { config })
  t.teardown(() => server.close())
  const url = await listen(server)

  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  const put = await fetch(`${url}/v1/kvs/test/audit/k1`, { method: 'PUT', headers: { authorization: `Bearer ${secret}`, traceparent, 'content-type': 'application/json' }, body: '{"a":1}' })
  t.equal(put.status, 204)
  const returned = parseTraceparent(put.headers.get('traceparent') ?? undefined)
  t.equal(returned?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736', 'the same trace')
  t.not(returned?.parentId, '00f067aa0ba902b7', 'the gateway\'s own span')
  t.equal(returned?.flags, '01')
  t.equal((await fetch(`${url}/v1/kvs/other/audit/k1`, { method: 'DELETE', headers: { 'x-api-key': secret } })).status, 403)
  t.equal((await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'x-api-key': secret, 'content-type': 'application/json' },
    body: JSON.stringify([{ type: 'DELETE', key: { namespace: 'test', setName: 'audit', userKey: 'k1' } }, { type: 'READ', key: { namespace: 'test', setName: 'other', userKey: 'k1' } }])
  })).status, 200)
  const bad = await fetch(`${url}/v1/kvs/test/audit/k1`, { headers: { 'x-api-key': secret, traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' } })
  t.equal(bad.headers.get('traceparent'), null, 'an invalid traceparent is ignored')
  await server.close()

  const requests = lines.filter((l) => l.msg === 'request')
  t.equal(requests.length, 4, 'one line per request')
  t.match(requests[0], { method: 'PUT', status: 204, keyId: 'writer', namespace: 'test', set: 'audit', outcome: 'ok', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', spanId: returned?.parentId })
  t.match(requests[1], { method: 'DELETE', status: 403, keyId: 'writer', namespace: 'other', set: 'audit', outcome: 'denied', code: 9403 })
  t.match(requests[2], { method: 'POST', route: '/v1/batch', keyId: 'writer', targets: ['test/audit'], outcome: 'ok' })
  t.notMatch(requests[3], { outcome: String }, 'a read has no outcome field')
  t.notOk(JSON.stringify(lines).includes(secret), 'the key itself is never logged')
})
