// Roles of one's own on the embedded server's Enterprise security, through
// the real client: privileges global, or scoped to a namespace or a set,
// granted and revoked while users are connected; whitelists and quotas.

import t from 'tap'
import Aerospike from 'aerospike'
import { codeOf, connectCode, withSecurity } from '../helpers/embedded'

const { Key, operations: op, status, batchType, privilegeCode: code } = Aerospike
const { Privilege } = Aerospike.admin

t.test('creating, querying, changing and dropping roles', async (t) => {
  const { admin } = await withSecurity(t, { namespaces: ['test', 'other'] })
  await admin.createRole('analyst', [new Privilege(code.READ, { namespace: 'test', set: 'sales' }), new Privilege(code.SINDEX_ADMIN)], null)
  t.same(await admin.queryRole('analyst', null), {
    name: 'analyst',
    readQuota: 0,
    writeQuota: 0,
    whitelist: [],
    privileges: [new Privilege(code.READ, { namespace: 'test', set: 'sales' }), new Privilege(code.SINDEX_ADMIN)]
  })
  t.same((await admin.queryRole('read-write', null)).privileges, [new Privilege(code.READ_WRITE)], 'predefined roles are listed with their privilege')

  await admin.grantPrivileges('analyst', [new Privilege(code.WRITE, { namespace: 'other' }), new Privilege(code.SINDEX_ADMIN)], null)
  t.same((await admin.queryRole('analyst', null)).privileges.map((p) => [p.code, p.namespace, p.set]), [
    [code.READ, 'test', 'sales'], [code.SINDEX_ADMIN, '', ''], [code.WRITE, 'other', '']
  ], 'granted privileges follow, a held one is not doubled')
  await admin.revokePrivileges('analyst', [new Privilege(code.SINDEX_ADMIN)], null)
  t.same((await admin.queryRole('analyst', null)).privileges.map((p) => p.code), [code.READ, code.WRITE])

  const names = (await admin.queryRoles(null)).map((r) => r.name)
  t.same(names, ['user-admin', 'sys-admin', 'data-admin', 'udf-admin', 'sindex-admin', 'read', 'read-write', 'read-write-udf', 'write', 'truncate', 'analyst'])

  t.equal(await codeOf(admin.createRole('analyst', [new Privilege(code.READ)], null)), status.ROLE_ALREADY_EXISTS)
  t.equal(await codeOf(admin.createRole('read', [new Privilege(code.READ)], null)), status.ROLE_ALREADY_EXISTS)
  t.equal(await codeOf(admin.createRole('bad', [new Privilege(99)], null)), status.INVALID_PRIVILEGE)
  t.equal(await codeOf(admin.grantPrivileges('read', [new Privilege(code.WRITE)], null)), status.INVALID_ROLE, 'predefined roles cannot change')
  t.equal(await codeOf(admin.grantPrivileges('nope', [new Privilege(code.WRITE)], null)), status.INVALID_ROLE)
  t.equal(await codeOf(admin.queryRole('nope', null)), status.INVALID_ROLE)

  await admin.createUser('ann', 'pw', ['analyst', 'read'])
  await admin.dropRole('analyst', null)
  t.equal(await codeOf(admin.queryRole('analyst', null)), status.INVALID_ROLE)
  t.same((await admin.queryUser('ann', null)).roles, ['read'], 'a dropped role leaves its users')
  t.equal(await codeOf(admin.dropRole('analyst', null)), status.INVALID_ROLE)
  t.equal(await codeOf(admin.dropRole('read', null)), status.INVALID_ROLE)
})

t.test('scoped privileges: a namespace, a set; rows of a batch each in their own scope', async (t) => {
  const { admin, as } = await withSecurity(t, { namespaces: ['test', 'other'] })
  await admin.createRole('sales-rw', [new Privilege(code.READ_WRITE, { namespace: 'test', set: 'sales' })], null)
  await admin.createRole('other-read', [new Privilege(code.READ, { namespace: 'other' })], null)
  await admin.createUser('sam', 'pw', ['sales-rw', 'other-read'])
  const sam = await as('sam', 'pw')
  const sales = new Key('test', 'sales', 1)
  const hr = new Key('test', 'hr', 1)
  const elsewhere = new Key('other', 'any', 1)

  await sam.put(sales, { v: 1 })
  t.same((await sam.get(sales)).bins, { v: 1 })
  t.equal(await codeOf(sam.put(hr, { v: 1 })), status.ROLE_VIOLATION, 'another set of the namespace')
  t.equal(await codeOf(sam.get(hr)), status.ROLE_VIOLATION)
  t.equal(await codeOf(sam.get(elsewhere)), status.ERR_RECORD_NOT_FOUND, 'read anywhere in the other namespace')
  t.equal(await codeOf(sam.put(elsewhere, { v: 1 })), status.ROLE_VIOLATION, 'but not write')
  t.equal(await codeOf(sam.get(new Key('missing-ns', 'sales', 1))), status.ERR_NAMESPACE_NOT_FOUND, 'an unknown namespace is 20 first')
  t.equal((await sam.query('test', 'sales').results()).length, 1)
  t.equal(await codeOf(sam.query('test', 'hr').results()), status.ROLE_VIOLATION)

  const rows = await sam.batchWrite([
    { type: batchType.BATCH_WRITE, key: new Key('test', 'sales', 2), ops: [op.write('v', 2)] },
    { type: batchType.BATCH_WRITE, key: new Key('test', 'hr', 2), ops: [op.write('v', 2)] },
    { type: batchType.BATCH_READ, key: elsewhere, readAllBins: true },
    { type: batchType.BATCH_READ, key: hr, readAllBins: true }
  ] as Parameters<typeof sam.batchWrite>[0])
  t.same(rows.map((r) => r.status), [status.OK, status.ROLE_VIOLATION, status.ERR_RECORD_NOT_FOUND, status.ROLE_VIOLATION])

  // Changes to roles apply to connections already logged in.
  await admin.revokePrivileges('sales-rw', [new Privilege(code.READ_WRITE, { namespace: 'test', set: 'sales' })], null)
  t.equal(await codeOf(sam.get(sales)), status.ROLE_VIOLATION)
  await admin.grantPrivileges('sales-rw', [new Privilege(code.READ, { namespace: 'test' })], null)
  t.same((await sam.get(sales)).bins, { v: 1 })
  t.equal(await codeOf(sam.get(hr)), status.ERR_RECORD_NOT_FOUND, 'the namespace scope covers every set')

  // A truncate privilege scoped to a set truncates that set only.
  await admin.createRole('sales-truncate', [new Privilege(code.TRUNCATE, { namespace: 'test', set: 'sales' })], null)
  await admin.grantRoles('sam', ['sales-truncate'])
  await sam.truncate('test', 'sales', 0)
  t.equal(await codeOf(sam.truncate('test', 'hr', 0)), status.ROLE_VIOLATION)
  t.equal(await codeOf(sam.infoAny('truncate-namespace:namespace=test')), status.ROLE_VIOLATION, 'nor the whole namespace')
})

t.test('whitelists: kept, and a user of a whitelisted role logs in only from an address on it', async (t) => {
  const { server, admin } = await withSecurity(t)
  await admin.createRole('remote', [new Privilege(code.READ)], null, ['10.0.0.0/8'])
  await admin.createUser('far', 'pw', ['remote'])
  t.equal(await connectCode({ hosts: server.address, user: 'far', password: 'pw' }), status.NOT_WHITELISTED)
  await admin.setWhitelist('remote', ['10.0.0.0/8', '127.0.0.0/8'], null)
  t.equal(await connectCode({ hosts: server.address, user: 'far', password: 'pw' }), 'resolved')
  await admin.setWhitelist('remote', [], null)
  t.equal(await connectCode({ hosts: server.address, user: 'far', password: 'pw' }), 'resolved', 'no whitelist: any address')
})

t.test('whitelists are kept; quotas need enable-quotas', async (t) => {
  const { admin } = await withSecurity(t)
  await admin.createRole('net', [new Privilege(code.READ)], null, ['10.0.0.0/8', '192.168.1.7'])
  t.same((await admin.queryRole('net', null)).whitelist, ['10.0.0.0/8', '192.168.1.7'])
  await admin.setWhitelist('net', ['127.0.0.1'], null)
  t.same((await admin.queryRole('net', null)).whitelist, ['127.0.0.1'])
  await admin.setWhitelist('net', [], null)
  t.same((await admin.queryRole('net', null)).whitelist, [])
  t.equal(await codeOf(admin.setWhitelist('net', ['not-an-address'], null)), status.INVALID_WHITELIST)
  t.equal(await codeOf(admin.setQuotas('net', 100, 200, null)), status.QUOTAS_NOT_ENABLED)
  t.equal(await codeOf(admin.createRole('q', [new Privilege(code.READ)], null, [], 5, 5)), status.QUOTAS_NOT_ENABLED)

  const quotas = (await withSecurity(t, { quotas: true })).admin
  await quotas.createRole('q', [new Privilege(code.READ)], null, [], 5, 6)
  t.match(await quotas.queryRole('q', null), { readQuota: 5, writeQuota: 6 })
  await quotas.setQuotas('q', 100, 200, null)
  t.match(await quotas.queryRole('q', null), { readQuota: 100, writeQuota: 200 })
})
