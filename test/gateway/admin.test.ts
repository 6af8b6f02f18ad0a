// /v1/admin/user and /v1/admin/role over real HTTP, against the embedded
// server in its Enterprise security mode.

import t from 'tap'
import { hashSecret } from '../../src/auth/keys'
import { withGateway } from '../helpers/gateway'
import { tempDir, writeFile } from '../helpers/http'
import { basic, secureGateway } from '../helpers/secure-gateway'

const ADMIN = 'admin:admin'

t.test('users: create, read, list, grant and revoke roles, change the password, drop', async (t) => {
  const gw = await secureGateway(t)
  const created = await gw.call('POST', '/v1/admin/user', ADMIN, { username: 'frank', password: 'frank-pw', roles: ['read'] })
  t.equal(created.status, 202)
  t.equal(created.json, undefined, 'no body')
  t.equal((await gw.call('POST', '/v1/admin/user', ADMIN, { username: 'frank', password: 'other', roles: [] })).json?.code, 61, 'the user exists')
  t.equal((await gw.call('POST', '/v1/admin/user', ADMIN, { username: 'frank', password: 'other', roles: [] })).status, 409)

  const one = await gw.call('GET', '/v1/admin/user/frank', ADMIN)
  t.equal(one.status, 200)
  t.match(one.json, { name: 'frank', roles: ['read'] })
  t.ok(Array.isArray(one.json.readInfo) && Array.isArray(one.json.writeInfo) && typeof one.json.connsInUse === 'number', 'the official shape')
  const all = await gw.call('GET', '/v1/admin/user', ADMIN)
  t.equal(all.status, 200)
  t.same(all.json.map((u: { name: string }) => u.name).sort(), ['admin', 'frank'])

  t.equal((await gw.call('POST', '/v1/admin/user/frank/role', ADMIN, ['read-write', 'sys-admin'])).status, 202)
  t.same((await gw.call('GET', '/v1/admin/user/frank', ADMIN)).json.roles.sort(), ['read', 'read-write', 'sys-admin'])
  t.equal((await gw.call('PATCH', '/v1/admin/user/frank/role/delete', ADMIN, ['read', 'sys-admin'])).status, 202)
  t.same((await gw.call('GET', '/v1/admin/user/frank', ADMIN)).json.roles, ['read-write'])
  const unknownRole = await gw.call('POST', '/v1/admin/user/frank/role', ADMIN, ['no-such-role'])
  t.equal(unknownRole.status, 400, 'a role in the body that does not exist')
  t.equal(unknownRole.json.code, 70)

  t.equal((await gw.call('PUT', '/v1/kvs/test/demo/f', 'frank:frank-pw', { n: 1 })).status, 204, 'frank writes with his roles')
  t.equal((await gw.call('PATCH', '/v1/admin/user/frank', ADMIN, 'frank-new')).status, 202)
  t.equal((await gw.call('GET', '/v1/kvs/test/demo/f', 'frank:frank-pw')).status, 401)
  t.equal((await gw.call('GET', '/v1/kvs/test/demo/f', 'frank:frank-new')).status, 200)
  t.equal((await gw.call('PATCH', '/v1/admin/user/frank', 'frank:frank-new', 'frank-own')).status, 202, 'a user without user-admin changes his own password')
  t.equal((await gw.call('GET', '/v1/kvs/test/demo/f', 'frank:frank-new')).status, 401)
  t.equal((await gw.call('GET', '/v1/kvs/test/demo/f', 'frank:frank-own')).status, 200)
  t.equal((await gw.call('PATCH', '/v1/admin/user/admin', 'frank:frank-own', 'taken-over')).json.code, 81, 'but not another\'s')

  t.equal((await gw.call('DELETE', '/v1/admin/user/frank', ADMIN)).status, 202)
  const gone = await gw.call('GET', '/v1/admin/user/frank', ADMIN)
  t.equal(gone.status, 404)
  t.equal(gone.json.code, 60)
  t.match(gone.json.detail, /user "frank" does not exist/)
  t.equal((await gw.call('DELETE', '/v1/admin/user/frank', ADMIN)).status, 404)
  t.equal((await gw.call('PATCH', '/v1/admin/user/frank', ADMIN, 'x')).status, 404)
  t.equal((await gw.call('POST', '/v1/admin/user/frank/role', ADMIN, ['read'])).status, 404)
})

t.test('roles: create, read, list, grant and revoke privileges, drop', async (t) => {
  const gw = await secureGateway(t)
  const role = { name: 'demo-rw', privileges: [{ code: 'READ_WRITE', namespace: 'test', set: 'demo' }], whitelist: ['127.0.0.1', '10.0.0.0/8'] }
  t.equal((await gw.call('POST', '/v1/admin/role', ADMIN, role)).status, 202)
  const dup = await gw.call('POST', '/v1/admin/role', ADMIN, role)
  t.equal(dup.status, 409)
  t.equal(dup.json.code, 71)

  const one = await gw.call('GET', '/v1/admin/role/demo-rw', ADMIN)
  t.equal(one.status, 200)
  t.same(one.json, { name: 'demo-rw', privileges: [{ code: 'READ_WRITE', namespace: 'test', set: 'demo' }], whitelist: ['127.0.0.1', '10.0.0.0/8'], readQuota: 0, writeQuota: 0 })
  const all = await gw.call('GET', '/v1/admin/role', ADMIN)
  t.equal(all.status, 200)
  const names = all.json.map((r: { name: string }) => r.name)
  t.ok(names.includes('demo-rw') && names.includes('read-write') && names.includes('user-admin'), 'custom and predefined roles')
  t.same(all.json.find((r: { name: string }) => r.name === 'read').privileges, [{ code: 'READ', namespace: null, set: null }], 'a global privilege has no namespace or set')

  t.equal((await gw.call('POST', '/v1/admin/role/demo-rw/privilege', ADMIN, [{ code: 'read', namespace: 'test' }, { code: 'TRUNCATE' }])).status, 202, 'both spellings of a code')
  t.same((await gw.call('GET', '/v1/admin/role/demo-rw', ADMIN)).json.privileges.map((p: { code: string }) => p.code).sort(), ['READ', 'READ_WRITE', 'TRUNCATE'])
  t.equal((await gw.call('PATCH', '/v1/admin/role/demo-rw/privilege/delete', ADMIN, [{ code: 'READ_WRITE', namespace: 'test', set: 'demo' }, { code: 'TRUNCATE' }])).status, 202)
  t.same((await gw.call('GET', '/v1/admin/role/demo-rw', ADMIN)).json.privileges, [{ code: 'READ', namespace: 'test', set: null }])

  const badCode = await gw.call('POST', '/v1/admin/role/demo-rw/privilege', ADMIN, [{ code: 'EVERYTHING' }])
  t.equal(badCode.status, 400)
  t.match(badCode.json.detail, /code/)
  const scopedAdmin = await gw.call('POST', '/v1/admin/role/demo-rw/privilege', ADMIN, [{ code: 'USER_ADMIN', namespace: 'test' }])
  t.equal(scopedAdmin.status, 400, 'user-admin cannot be scoped to a namespace')
  t.equal(scopedAdmin.json.code, -2, 'the client refuses it before the server')

  const quotas = await gw.call('POST', '/v1/admin/role/demo-rw/quota', ADMIN, { readQuota: 100, writeQuota: 10 })
  t.equal(quotas.status, 501, 'quotas are off on this server')
  t.equal(quotas.json.code, 74)

  t.equal((await gw.call('DELETE', '/v1/admin/role/demo-rw', ADMIN)).status, 202)
  const gone = await gw.call('GET', '/v1/admin/role/demo-rw', ADMIN)
  t.equal(gone.status, 404)
  t.equal(gone.json.code, 70)
  t.equal((await gw.call('DELETE', '/v1/admin/role/demo-rw', ADMIN)).status, 404)
  t.equal((await gw.call('POST', '/v1/admin/role/demo-rw/privilege', ADMIN, [{ code: 'READ' }])).status, 404)
})

t.test('quotas on a server that has them', async (t) => {
  const gw = await secureGateway(t, {}, { quotas: true })
  t.equal((await gw.call('POST', '/v1/admin/role', ADMIN, { name: 'q', privileges: [{ code: 'READ' }], readQuota: 5 })).status, 202)
  t.match((await gw.call('GET', '/v1/admin/role/q', ADMIN)).json, { readQuota: 5, writeQuota: 0 })
  t.equal((await gw.call('POST', '/v1/admin/role/q/quota', ADMIN, { readQuota: 100, writeQuota: 10 })).status, 202)
  t.match((await gw.call('GET', '/v1/admin/role/q', ADMIN)).json, { readQuota: 100, writeQuota: 10 })
  t.equal((await gw.call('POST', '/v1/admin/role/nope/quota', ADMIN, { readQuota: 1 })).status, 404)
})

t.test('bodies are checked before anything reaches the cluster', async (t) => {
  const gw = await secureGateway(t)
  for (const [method, path, body, field] of [
    ['POST', '/v1/admin/user', { username: 'g', roles: [] }, 'password'],
    ['POST', '/v1/admin/user', { username: 'g\u0000h', password: 'p' }, 'username'],
    ['PATCH', '/v1/admin/user/g', { password: 'p' }, 'string'],
    ['POST', '/v1/admin/user/g/role', [], 'fewer than 1'],
    ['POST', '/v1/admin/role', { name: 'r' }, 'privileges'],
    ['POST', '/v1/admin/role', { name: 'r', privileges: [], readQuota: -1 }, 'readQuota'],
    ['POST', '/v1/admin/role/r/quota', { readQuota: 'many' }, 'readQuota']
  ] as const) {
    const res = await gw.call(method, path, ADMIN, body)
    t.equal(res.status, 400, `${method} ${path} ${JSON.stringify(body)}`)
    t.match(res.json.detail, field)
  }
})

t.test('user management needs the user-admin role at the cluster (81) and the admin permission of an API key', async (t) => {
  const secret = 'secret-rw-0123456789abcdef'
  const adminSecret = 'secret-admin-0123456789abcdef'
  const dir = tempDir(t)
  const keys = writeFile(dir, 'keys.yaml', 'keys:\n' +
    `  - id: rw\n    hash: ${hashSecret(secret)}\n    scopes: [{ permissions: [read, write] }]\n` +
    `  - id: admin\n    hash: ${hashSecret(adminSecret)}\n    scopes: [{ permissions: [admin] }]\n`)
  const gw = await secureGateway(t, { API_KEYS_FILE: keys })
  const asAdmin = { 'x-api-key': adminSecret, authorization: basic(ADMIN) }
  t.equal((await gw.call('POST', '/v1/admin/user', asAdmin, { username: 'gina', password: 'gina-pw', roles: ['read-write'] })).status, 202)
  const notAdminKey = await gw.call('GET', '/v1/admin/user', { 'x-api-key': secret, authorization: basic(ADMIN) })
  t.equal(notAdminKey.status, 403, 'a key without admin')
  t.equal(notAdminKey.json.code, 9403)
  const notAdminUser = await gw.call('POST', '/v1/admin/user', { 'x-api-key': adminSecret, authorization: basic('gina:gina-pw') }, { username: 'h', password: 'h', roles: ['read'] })
  t.equal(notAdminUser.status, 403, 'a user without user-admin')
  t.equal(notAdminUser.json.code, 81)
})

t.test('without passthrough the commands run as the gateway\'s own user', async (t) => {
  const gw = await secureGateway(t, { AUTH_PASSTHROUGH: 'false' })
  t.equal((await gw.call('POST', '/v1/admin/user', undefined, { username: 'ivan', password: 'ivan-pw', roles: ['read'] })).status, 202)
  t.match((await gw.call('GET', '/v1/admin/user/ivan')).json, { name: 'ivan', roles: ['read'] })
  t.equal((await gw.call('PATCH', '/v1/admin/user/ivan', undefined, 'ivan-new')).status, 202)
  t.equal((await gw.call('DELETE', '/v1/admin/user/ivan')).status, 202)
})

t.test('a cluster without security answers 501 (51 Community, 52 Enterprise), and a gateway without a user cannot change passwords', async (t) => {
  const { app } = await withGateway(t)
  const list = await app.inject({ method: 'GET', url: '/v1/admin/user' })
  t.equal(list.statusCode, 501)
  t.equal(list.json().code, 51, 'Community Edition has no security')
  const enterprise = await withGateway(t, { edition: 'enterprise' })
  const off = await enterprise.app.inject({ method: 'GET', url: '/v1/admin/role' })
  t.equal(off.statusCode, 501)
  t.equal(off.json().code, 52, 'Enterprise with security off')
  const change = await app.inject({ method: 'PATCH', url: '/v1/admin/user/x', payload: '"pw"', headers: { 'content-type': 'application/json' } })
  t.equal(change.statusCode, 401)
  t.equal(change.json().code, 80)
})
