// Aerospike credential passthrough over real HTTP, against the embedded
// server in its Enterprise security mode.

import Aerospike from 'aerospike'
import t from 'tap'
import { hashSecret } from '../../src/auth/keys'
import { AUTHENTICATE, LOGIN } from '../helpers/admin-counter'
import { tempDir, writeFile } from '../helpers/http'
import { basic, metric, secureGateway, type SecureGateway } from '../helpers/secure-gateway'

const ADMIN = 'admin:admin'
const SECURITY_401 = [60, 62, 63, 65, 66, 80]

async function createUser (gw: SecureGateway, username: string, password: string, roles: string[]): Promise<void> {
  const res = await gw.call('POST', '/v1/admin/user', ADMIN, { username, password, roles })
  if (res.status !== 202) throw new Error(`creating ${username}: ${res.status} ${JSON.stringify(res.json)}`)
}

const logins = (gw: SecureGateway): number => gw.counter.count(LOGIN)

t.test('a request needs Basic credentials of a good user; a bad one is 401 with a Basic challenge', async (t) => {
  const gw = await secureGateway(t)
  await createUser(gw, 'alice', 'alice-pw', ['read-write'])

  const none = await gw.call('GET', '/v1/kvs/test/demo/k1')
  t.equal(none.status, 401)
  t.equal(none.json.code, 9402)
  t.equal(none.json.constant, 'AEROGATE_CREDENTIALS_REQUIRED')
  t.match(none.headers.get('content-type'), /^application\/problem\+json/)
  t.match(none.headers.get('www-authenticate'), /^Basic realm="aerogate"/)

  const bearer = await gw.call('GET', '/v1/kvs/test/demo/k1', { authorization: 'Bearer abc' })
  t.equal(bearer.status, 401)
  t.equal(bearer.json.code, 9402)
  const garbled = await gw.call('GET', '/v1/kvs/test/demo/k1', { authorization: 'Basic !!!' })
  t.equal(garbled.status, 401, 'Basic without base64 of user:password')
  const noColon = await gw.call('GET', '/v1/kvs/test/demo/k1', { authorization: basic('alice') })
  t.equal(noColon.status, 401, 'no colon between user and password')
  const nul = await gw.call('GET', '/v1/kvs/test/demo/k1', 'alice:alice-pw\u0000more')
  t.equal(nul.json.code, 9402, 'a NUL, which would cut the password short')

  const wrong = await gw.call('GET', '/v1/kvs/test/demo/k1', 'alice:not-her-password')
  t.equal(wrong.status, 401, 'a wrong password')
  t.ok(SECURITY_401.includes(wrong.json.code), `the server's code: ${wrong.json.code as number}`)
  t.equal(wrong.json.error, 'AdminError')
  t.match(wrong.headers.get('www-authenticate'), /^Basic /)

  const unknown = await gw.call('GET', '/v1/kvs/test/demo/k1', 'mallory:x')
  t.equal(unknown.status, 401, 'an unknown user')
  t.ok(SECURITY_401.includes(unknown.json.code), `the server's code: ${unknown.json.code as number}`)

  t.equal((await gw.call('POST', '/v1/kvs/test/demo/k1', 'alice:alice-pw', { n: 1 })).status, 201)
  const read = await gw.call('GET', '/v1/kvs/test/demo/k1', 'alice:alice-pw')
  t.equal(read.status, 200)
  t.same(read.json.bins, { n: 1 })

  t.equal((await gw.call('GET', '/v1/kvs/test/demo/k1', 'alice:not-her-password')).status, 401, 'a wrong password never rides on the good one\'s client')
  t.equal(await metric(gw, 'aerogate_passthrough_logins_total{outcome="failed"}'), 3, 'failed logins are tried again, not cached')

  t.equal((await gw.call('GET', '/health/ready')).status, 200, 'health checks need no user')
  t.equal((await gw.call('GET', '/v1/errors')).status, 200, 'public routes need no user')
})

t.test('the user\'s roles decide: a read-only user writing is 403 (81)', async (t) => {
  const gw = await secureGateway(t)
  await createUser(gw, 'writer', 'writer-pw', ['read-write'])
  await createUser(gw, 'reader', 'reader-pw', ['read'])
  t.equal((await gw.call('PUT', '/v1/kvs/test/demo/k2', 'writer:writer-pw', { n: 2 })).status, 204)

  const write = await gw.call('PUT', '/v1/kvs/test/demo/k2', 'reader:reader-pw', { n: 3 })
  t.equal(write.status, 403)
  t.equal(write.json.code, 81)
  t.equal(write.json.constant, 'AEROSPIKE_ROLE_VIOLATION')
  t.equal(write.headers.get('www-authenticate'), null, 'a 403 asks for no other credentials')
  const batch = await gw.call('POST', '/v1/batch', 'reader:reader-pw', [{ type: 'WRITE', key: { namespace: 'test', setName: 'demo', userKey: 'k2' }, bins: { n: 4 } }])
  t.equal(batch.status, 200)
  t.equal(batch.json.batchRecords[0].resultCode, 81, 'a batch item the role refuses')

  const read = await gw.call('GET', '/v1/kvs/test/demo/k2', 'reader:reader-pw')
  t.equal(read.status, 200)
  t.same(read.json.bins, { n: 2 }, 'the refused writes changed nothing')

  t.equal((await gw.call('GET', '/v1/kvs/test/demo/k2', 'admin:admin')).status, 403, 'user-admin alone may not read data')
})

t.test('each user logs in once: concurrent first requests share one login, later ones reuse the client', async (t) => {
  const gw = await secureGateway(t)
  await createUser(gw, 'bob', 'bob-pw', ['read-write'])
  t.equal((await gw.call('PUT', '/v1/kvs/test/demo/b', 'admin:admin', { n: 1 })).status, 403, 'admin\'s own client is in the cache now')
  const before = logins(gw)
  const authenticationsBefore = gw.counter.count(AUTHENTICATE)
  const okBefore = await metric(gw, 'aerogate_passthrough_logins_total{outcome="ok"}')

  const first = await Promise.all(Array.from({ length: 20 }, async (_, i) => await gw.call('PUT', `/v1/kvs/test/demo/b${i}`, 'bob:bob-pw', { i })))
  t.same(first.map((r) => r.status), Array(20).fill(204), '20 concurrent first requests succeed')
  for (let i = 0; i < 30; i++) t.equal((await gw.call('GET', `/v1/kvs/test/demo/b${i % 20}`, 'bob:bob-pw')).status, 200)

  t.equal(logins(gw) - before, 1, 'the server saw one LOGIN for 50 requests of bob')
  t.equal(await metric(gw, 'aerogate_passthrough_logins_total{outcome="ok"}') - okBefore, 1, 'one client made')
  t.ok((gw.counter.count(AUTHENTICATE)) > authenticationsBefore, 'further connections present the session token instead')
  t.equal(gw.log.filter((l) => l.includes('Aerospike user logged in') && l.includes('"bob"')).length, 1)
})

t.test('users whose name and password run together alike get clients of their own', async (t) => {
  const gw = await secureGateway(t)
  // "ab" + "c-pw" and "a" + "bc-pw": one key for both in the official gateway's cache.
  await createUser(gw, 'ab', 'c-pw', ['read'])
  await createUser(gw, 'a', 'bc-pw', ['read-write'])
  const before = logins(gw)
  t.equal((await gw.call('PUT', '/v1/kvs/test/demo/ab', 'ab:c-pw', { n: 1 })).json.code, 81, 'ab may only read')
  t.equal((await gw.call('PUT', '/v1/kvs/test/demo/ab', 'a:bc-pw', { n: 1 })).status, 204, 'a writes, with a client of its own')
  t.equal((await gw.call('PUT', '/v1/kvs/test/demo/ab', 'ab:c-pw', { n: 2 })).json.code, 81, 'and ab still may not')
  t.equal(logins(gw) - before, 2, 'two logins')
})

t.test('concurrent GETs and writes of several users are never coalesced across users', async (t) => {
  const gw = await secureGateway(t)
  const role = await gw.call('POST', '/v1/admin/role', ADMIN, { name: 'set-a-reader', privileges: [{ code: 'READ', namespace: 'test', set: 'a' }] })
  t.equal(role.status, 202)
  await createUser(gw, 'full', 'full-pw', ['read-write'])
  await createUser(gw, 'narrow', 'narrow-pw', ['set-a-reader'])
  t.equal((await gw.call('PUT', '/v1/kvs/test/a/k', 'full:full-pw', { set: 'a' })).status, 204)
  t.equal((await gw.call('PUT', '/v1/kvs/test/b/k', 'full:full-pw', { set: 'b' })).status, 204)
  for (let round = 0; round < 5; round++) {
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, async () => await gw.call('GET', '/v1/kvs/test/b/k', 'full:full-pw')),
      ...Array.from({ length: 10 }, async () => await gw.call('GET', '/v1/kvs/test/b/k', 'narrow:narrow-pw')),
      ...Array.from({ length: 10 }, async () => await gw.call('GET', '/v1/kvs/test/a/k', 'narrow:narrow-pw'))
    ])
    t.same(answers.slice(0, 10).map((r) => r.status), Array(10).fill(200), `round ${round}: the full reader reads set b`)
    t.same(answers.slice(10, 20).map((r) => r.json.code), Array(10).fill(81), `round ${round}: the narrow reader may not read set b`)
    t.same(answers.slice(20).map((r) => r.json.bins), Array(10).fill({ set: 'a' }), `round ${round}: the narrow reader reads set a`)
  }
  const writes = await Promise.all([
    ...Array.from({ length: 10 }, async (_, i) => await gw.call('PUT', `/v1/kvs/test/b/w${i}`, 'full:full-pw', { i })),
    ...Array.from({ length: 10 }, async (_, i) => await gw.call('PUT', `/v1/kvs/test/b/n${i}`, 'narrow:narrow-pw', { i }))
  ])
  t.same(writes.slice(0, 10).map((r) => r.status), Array(10).fill(204), 'concurrent writes of the writer succeed')
  t.same(writes.slice(10).map((r) => r.json.code), Array(10).fill(81), 'those of the reader, sent at the same time, are refused')
  t.equal((await gw.call('GET', '/v1/kvs/test/b/n3', 'full:full-pw')).status, 404, 'and wrote nothing')
  const groups = await metric(gw, 'aerogate_coalesced_batch_size_count')
  const alone = await metric(gw, 'aerogate_coalesced_batch_size_bucket{le="1"}')
  t.ok(groups - alone > 0, `each user's GETs were still coalesced (${groups - alone} of ${groups} groups held several)`)
})

t.test('eviction under load: cache of 2, 5 users hammering, every request succeeds, evicted clients close', async (t) => {
  // Timeouts of 10 s: each login holds the event loop for a moment, and on a
  // busy machine a 1 s budget would measure the machine, not eviction.
  const gw = await secureGateway(t, { AUTH_CLIENT_CACHE_SIZE: '2', AEROSPIKE_READ_TOTAL_TIMEOUT: '10000', AEROSPIKE_WRITE_TOTAL_TIMEOUT: '10000' })
  const users = ['u1', 'u2', 'u3', 'u4', 'u5']
  for (const u of users) await createUser(gw, u, `${u}-pw`, ['read-write'])
  const failures: string[] = []
  await Promise.all(users.map(async (u) => {
    // Each user keeps 4 requests in flight, 60 in all: writes, reads, a batch, an operate, a scan page.
    await Promise.all(Array.from({ length: 4 }, async (_, lane) => {
      for (let i = 0; i < 15; i++) {
        const key = `/v1/kvs/test/${u}/k${lane}`
        const step = i % 5
        const res = step === 0
          ? await gw.call('PUT', key, `${u}:${u}-pw`, { i })
          : step === 1
            ? await gw.call('GET', key, `${u}:${u}-pw`)
            : step === 2
              ? await gw.call('POST', '/v1/batch', `${u}:${u}-pw`, [{ type: 'READ', key: { namespace: 'test', setName: u, userKey: `k${lane}` } }])
              : step === 3
                ? await gw.call('POST', `/v1/operate/test/${u}/k${lane}`, `${u}:${u}-pw`, { opsList: [{ type: 'ADD', binName: 'i', incr: 1 }] })
                : await gw.call('GET', `/v1/scan/test/${u}?maxRecords=10`, `${u}:${u}-pw`)
        if (res.status >= 300 && !(step === 1 && res.status === 404)) failures.push(`${u} step ${step}: ${res.status} ${JSON.stringify(res.json)}`)
      }
    }))
  }))
  t.same(failures, [], 'no request failed')
  const evictions = await metric(gw, 'aerogate_passthrough_evictions_total')
  t.ok(evictions >= 3, `clients were evicted (${evictions})`)
  t.ok(await metric(gw, 'aerogate_passthrough_clients{state="cached"}') <= 2, 'the cache holds at most 2')
  for (let i = 0; i < 200 && await metric(gw, 'aerogate_passthrough_clients{state="retiring"}') > 0; i++) await new Promise((resolve) => setTimeout(resolve, 25))
  t.equal(await metric(gw, 'aerogate_passthrough_clients{state="retiring"}'), 0, 'no evicted client waits any more')
  const made = await metric(gw, 'aerogate_passthrough_logins_total{outcome="ok"}')
  const closed = await metric(gw, 'aerogate_passthrough_clients_closed_total')
  t.ok(closed >= 3, `evicted clients were closed (${closed})`)
  t.equal(made, closed + await metric(gw, 'aerogate_passthrough_clients{state="cached"}'), 'each client made is cached or closed')
  t.comment(`5 users, cache of 2, 300 requests: ${made} logins, ${evictions} evictions, ${await metric(gw, 'aerogate_passthrough_revivals_total')} taken back before closing`)

  const counts = gw.app.userClients?.counts
  await gw.app.close()
  t.equal(counts?.closed, made, 'closing the gateway closed every client')
})

t.test('an evicted client closes only once the request it serves has answered', async (t) => {
  const gw = await secureGateway(t, { AUTH_CLIENT_CACHE_SIZE: '1', AEROSPIKE_READ_TOTAL_TIMEOUT: '5000' })
  await createUser(gw, 'slow', 'slow-pw', ['read-write'])
  await createUser(gw, 'quick', 'quick-pw', ['read-write'])
  t.equal((await gw.call('PUT', '/v1/kvs/test/slowset/k', 'slow:slow-pw', { n: 1 })).status, 204)
  await gw.embedded.addFault({ delayMs: 600, match: { kind: 'read', set: 'slowset' }, times: 1 })
  const closedBefore = await metric(gw, 'aerogate_passthrough_clients_closed_total')
  const slowRead = gw.call('GET', '/v1/kvs/test/slowset/k', 'slow:slow-pw')
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.equal((await gw.call('PUT', '/v1/kvs/test/quickset/k', 'quick:quick-pw', { n: 2 })).status, 204, 'another user pushes the slow one\'s client out')
  t.equal(await metric(gw, 'aerogate_passthrough_clients{state="retiring"}'), 1, 'evicted, still serving')
  t.equal(await metric(gw, 'aerogate_passthrough_clients_closed_total'), closedBefore, 'not closed under its request')
  const answer = await slowRead
  t.equal(answer.status, 200, 'the request in flight answers')
  t.same(answer.json.bins, { n: 1 })
  for (let i = 0; i < 100 && await metric(gw, 'aerogate_passthrough_clients_closed_total') === closedBefore; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(await metric(gw, 'aerogate_passthrough_clients_closed_total'), closedBefore + 1, 'closed once it answered')
  t.equal(await metric(gw, 'aerogate_passthrough_clients{state="retiring"}'), 0)
})

t.test('API keys and passthrough together: the key in X-API-Key, the Aerospike user in Basic', async (t) => {
  const secret = 'secret-rw-0123456789abcdef'
  const dir = tempDir(t)
  const keys = writeFile(dir, 'keys.yaml', `keys:\n  - id: rw\n    hash: ${hashSecret(secret)}\n    scopes: [{ permissions: [read, write, admin] }]\n`)
  const gw = await secureGateway(t, { API_KEYS_FILE: keys })
  t.equal((await gw.call('POST', '/v1/admin/user', { 'x-api-key': secret, authorization: basic(ADMIN) }, { username: 'carol', password: 'carol-pw', roles: ['read-write'] })).status, 202)

  const both = await gw.call('PUT', '/v1/kvs/test/demo/c', { 'x-api-key': secret, authorization: basic('carol:carol-pw') }, { n: 1 })
  t.equal(both.status, 204)
  const userOnly = await gw.call('PUT', '/v1/kvs/test/demo/c', 'carol:carol-pw', { n: 1 })
  t.equal(userOnly.status, 401)
  t.equal(userOnly.json.code, 9401, 'no API key')
  const keyOnly = await gw.call('PUT', '/v1/kvs/test/demo/c', { 'x-api-key': secret }, { n: 1 })
  t.equal(keyOnly.status, 401)
  t.equal(keyOnly.json.code, 9402, 'no Aerospike user')
  const badKey = await gw.call('PUT', '/v1/kvs/test/demo/c', { 'x-api-key': 'nope', authorization: basic('carol:carol-pw') }, { n: 1 })
  t.equal(badKey.json.code, 9401, 'the key is checked first: no login for a request without a good key')
})

t.test('a password changed or a user dropped through the gateway ends the clients of the old credentials', async (t) => {
  const gw = await secureGateway(t)
  await createUser(gw, 'dave', 'old-pw', ['read-write'])
  t.equal((await gw.call('PUT', '/v1/kvs/test/demo/d', 'dave:old-pw', { n: 1 })).status, 204)
  t.equal((await gw.call('PATCH', '/v1/admin/user/dave', ADMIN, 'new-pw')).status, 202)
  const old = await gw.call('GET', '/v1/kvs/test/demo/d', 'dave:old-pw')
  t.equal(old.status, 401, 'the old password no longer works')
  t.equal((await gw.call('GET', '/v1/kvs/test/demo/d', 'dave:new-pw')).status, 200)
  t.equal((await gw.call('DELETE', '/v1/admin/user/dave', ADMIN)).status, 202)
  t.equal((await gw.call('GET', '/v1/kvs/test/demo/d', 'dave:new-pw')).status, 401, 'a dropped user is refused')
})

t.test('a client whose session the cluster stops renewing (password changed elsewhere) is dropped', async (t) => {
  const gw = await secureGateway(t, {}, { sessionTtl: 1 })
  await createUser(gw, 'olga', 'old-pw', ['read-write'])
  t.equal((await gw.call('PUT', '/v1/kvs/test/demo/o', 'olga:old-pw', { n: 1 })).status, 204)
  const direct = await Aerospike.connect({ hosts: gw.embedded.address, user: 'admin', password: 'admin', log: { level: Aerospike.log.OFF } } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(async () => await direct.close())
  await direct.setPassword('olga', 'new-pw', null)
  await new Promise((resolve) => setTimeout(resolve, 2500))
  // New connections present the expired session; the pooled one stays authenticated.
  const burst = await Promise.all(Array.from({ length: 20 }, async () => await gw.call('GET', '/v1/kvs/test/demo/o', 'olga:old-pw')))
  t.comment(burst.map((r) => `${r.status}:${r.json?.code as number}`).join(' '))
  const stale = burst.find((r) => r.status !== 200) ?? burst[0]
  t.equal(stale.status, 401, `the old client's session is gone (${stale.json?.code as number})`)
  t.match(stale.headers.get('www-authenticate'), /^Basic /)
  const failed = await metric(gw, 'aerogate_passthrough_logins_total{outcome="failed"}')
  t.equal((await gw.call('GET', '/v1/kvs/test/demo/o', 'olga:old-pw')).status, 401)
  t.equal(await metric(gw, 'aerogate_passthrough_logins_total{outcome="failed"}'), failed + 1, 'the next request logged in afresh, and failed')
  t.equal((await gw.call('GET', '/v1/kvs/test/demo/o', 'olga:new-pw')).status, 200)
})

t.test('passwords and Authorization headers never reach the log', async (t) => {
  const gw = await secureGateway(t)
  await createUser(gw, 'erin', 'Erin-Secret-77', ['read-write'])
  await gw.call('PUT', '/v1/kvs/test/demo/e', 'erin:Erin-Secret-77', { n: 1 })
  await gw.call('GET', '/v1/kvs/test/demo/e', 'erin:Wrong-Secret-88')
  await gw.call('GET', '/v1/kvs/test/demo/e', { authorization: 'Basic !!!' })
  await gw.app.close()
  const text = gw.log.join('\n')
  t.ok(gw.log.length > 5, 'the gateway logged')
  t.ok(gw.log.some((l) => l.includes('"msg":"request"') && l.includes('"user":"erin"') && l.includes('"status":204')), 'the request line names the Aerospike user')
  const b64 = (text: string): string => Buffer.from(text).toString('base64')
  for (const secret of ['Erin-Secret-77', 'Wrong-Secret-88', 'admin:admin', b64('erin:Erin-Secret-77'), b64('erin:Wrong-Secret-88'), b64(ADMIN), 'Basic !!!']) {
    t.notOk(text.includes(secret), `the log holds no "${secret}"`)
  }
})
