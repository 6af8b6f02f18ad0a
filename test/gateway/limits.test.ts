import { request as httpsRequest } from 'node:https'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Aerospike from 'aerospike'
import t from 'tap'
import { hashSecret } from '../../src/auth/keys'
import { clientConfig } from '../../src/plugins/aerospike'
import { loadConfig } from '../../src/config'
import { withGateway } from '../helpers/gateway'
import { listen, tempDir, writeFile } from '../helpers/http'
import { TEST_CLIENT_POLICIES } from '../helpers/embedded'

const TLS = join(__dirname, '..', 'fixtures', 'tls')

t.test('rate limit per client address: 429 with Retry-After, RateLimit-* and a problem body', async (t) => {
  const { app } = await withGateway(t, {}, { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW: '60000' })
  const url = await listen(app)
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${url}/v1/kvs/test/rl/k`)
    t.equal(res.status, 404, `request ${i + 1} is served`)
    t.equal(res.headers.get('ratelimit-limit'), '3')
    t.equal(res.headers.get('ratelimit-remaining'), String(2 - i))
  }
  t.equal((await fetch(`${url}/health/ready`)).status, 200, 'health checks are not counted')
  const refused = await fetch(`${url}/v1/kvs/test/rl/k`)
  t.equal(refused.status, 429)
  const retryAfter = Number(refused.headers.get('retry-after'))
  t.ok(retryAfter > 1 && retryAfter <= 60, `Retry-After is the rest of the window (${retryAfter})`)
  t.equal(refused.headers.get('ratelimit-remaining'), '0')
  t.ok(Number(refused.headers.get('ratelimit-reset')) > 0)
  t.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8')
  const body = await refused.json() as { code: number, status: number, retryable: boolean, detail: string }
  t.equal(body.code, 9429)
  t.equal(body.status, 429)
  t.equal(body.retryable, true)
  t.match(body.detail, /more than 3 requests/)
})

t.test('rate limit per API key: one key past its limit leaves the others alone', async (t) => {
  const keys = writeFile(tempDir(t), 'keys.yaml', 'keys:\n' +
    `  - { id: small, hash: ${hashSecret('secret-small-0123456789')}, rateLimit: 2, scopes: [{ permissions: [read] }] }\n` +
    `  - { id: big, hash: ${hashSecret('secret-big-0123456789')}, scopes: [{ permissions: [read] }] }\n`)
  const { app } = await withGateway(t, {}, { API_KEYS_FILE: keys, RATE_LIMIT_MAX: '4' })
  const url = await listen(app)
  const get = async (key: string): Promise<Response> => await fetch(`${url}/v1/kvs/test/rl/k`, { headers: { 'x-api-key': key } })
  t.equal((await get('secret-small-0123456789')).status, 404)
  t.equal((await get('secret-small-0123456789')).status, 404)
  t.equal((await get('secret-small-0123456789')).status, 429, 'the key\'s own limit')
  for (let i = 0; i < 4; i++) t.equal((await get('secret-big-0123456789')).status, 404, 'the other key is served')
  t.equal((await get('secret-big-0123456789')).status, 429, 'RATE_LIMIT_MAX for a key without its own')
})

t.test('load shedding: 503 with Retry-After before any work; health checks still served', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { SHED_HEAP_USED_BYTES: '1' })
  const url = await listen(app)
  // under-pressure samples the heap every 500 ms.
  await new Promise((resolve) => setTimeout(resolve, 700))
  const shed = await fetch(`${url}/v1/kvs/test/shed/k`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
  t.equal(shed.status, 503)
  t.equal(shed.headers.get('retry-after'), '5')
  const body = await shed.json() as { code: number, retryable: boolean }
  t.equal(body.code, 9503)
  t.equal(body.retryable, true)
  const client = await Aerospike.connect({ hosts: embedded.address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(() => client.close())
  t.equal(await client.exists(new Aerospike.Key('test', 'shed', 'k')), false, 'the write did not run')
  t.equal((await fetch(`${url}/health/live`)).status, 200)
  t.equal((await fetch(`${url}/health/ready`)).status, 200)
})

t.test('CORS: none by default; preflights for the configured origins', async (t) => {
  const closed = await listen((await withGateway(t)).app)
  const plain = await fetch(`${closed}/v1/kvs/test/c/k`, { headers: { origin: 'https://app.example.com' } })
  t.equal(plain.headers.get('access-control-allow-origin'), null, 'no CORS_ORIGINS: no CORS')

  const keys = writeFile(tempDir(t), 'keys.yaml', `keys:\n  - { id: k, hash: ${hashSecret('secret-cors-0123456789')}, scopes: [{ permissions: [read] }] }\n`)
  const { app } = await withGateway(t, {}, { CORS_ORIGINS: 'https://app.example.com, https://admin.example.com', API_KEYS_FILE: keys })
  const url = await listen(app)
  const preflight = await fetch(`${url}/v1/kvs/test/c/k`, {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type' }
  })
  t.equal(preflight.status, 204, 'a preflight needs no key')
  t.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example.com')
  t.match(preflight.headers.get('access-control-allow-methods'), /PUT/)
  t.match(preflight.headers.get('access-control-allow-headers'), /authorization/)
  t.equal(preflight.headers.get('access-control-max-age'), '600')
  const stranger = await fetch(`${url}/v1/kvs/test/c/k`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'PUT' }
  })
  t.equal(stranger.headers.get('access-control-allow-origin'), null, 'another origin is not allowed')
  const actual = await fetch(`${url}/v1/kvs/test/c/k`, { headers: { origin: 'https://admin.example.com', 'x-api-key': 'secret-cors-0123456789' } })
  t.equal(actual.status, 404)
  t.equal(actual.headers.get('access-control-allow-origin'), 'https://admin.example.com')
  t.match(actual.headers.get('access-control-expose-headers'), /etag/)
  const unauthenticated = await fetch(`${url}/v1/kvs/test/c/k`, { headers: { origin: 'https://admin.example.com' } })
  t.equal(unauthenticated.status, 401)
  t.equal(unauthenticated.headers.get('access-control-allow-origin'), 'https://admin.example.com', 'a browser can read the 401')
})

t.test('HTTPS when TLS_CERT and TLS_KEY are set', async (t) => {
  const { app } = await withGateway(t, {}, { TLS_CERT: join(TLS, 'cert.pem'), TLS_KEY: join(TLS, 'key.pem') })
  const url = await listen(app)
  t.match(url, /^https:\/\//)
  const { status, body } = await new Promise<{ status: number, body: string }>((resolve, reject) => {
    const req = httpsRequest(`${url}/health/ready`, { ca: readFileSync(join(TLS, 'cert.pem')) }, (res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => { text += chunk.toString() })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    req.end()
  })
  t.equal(status, 200)
  t.same(JSON.parse(body), { status: 'ready' })
  await t.rejects(fetch(url.replace('https', 'http') + '/health/ready'), 'plain HTTP is not served')
  t.throws(() => loadConfig({ TLS_CERT: 'cert.pem' }), /TLS_CERT and TLS_KEY must be set together/)
})

t.test('TLS to the cluster: the TLS name on every seed, the CA, certificate and key files', async (t) => {
  const config = { ...loadConfig({ AEROSPIKE_TLS_NAME: 'db.example.com', AEROSPIKE_TLS_CA_FILE: '/etc/ca.pem' }), aerospikeHosts: 'a.example.com:4333,b.example.com' }
  const client = clientConfig(config) as { hosts: unknown, tls: unknown }
  t.same(client.hosts, [{ addr: 'a.example.com', port: 4333, tlsname: 'db.example.com' }, { addr: 'b.example.com', port: 4333, tlsname: 'db.example.com' }])
  t.same(client.tls, { enable: true, cafile: '/etc/ca.pem', certfile: undefined, keyfile: undefined })
  const plain = clientConfig({ ...loadConfig({}), aerospikeHosts: 'a:3000' }) as { hosts: unknown, tls?: unknown }
  t.equal(plain.hosts, 'a:3000')
  t.equal(plain.tls, undefined)
  t.throws(() => loadConfig({ AEROSPIKE_TLS_CERT_FILE: 'c.pem' }), /must be set together/)
})
