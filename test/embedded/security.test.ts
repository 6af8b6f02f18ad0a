// Enterprise security on the embedded server, through the real client only:
// logging in, the default admin user, user management, and the predefined
// roles enforced on records, batches, queries and info commands.

import t from 'tap'
import Aerospike, { Client } from 'aerospike'
import bcrypt from 'bcryptjs'
import { DEFAULT_ADMIN_HASH } from '../../src/embedded/security/accounts'
import { startEmbeddedServer } from '../../src/embedded/index'
import { codeOf, connectCode, withEmbedded, withSecurity } from '../helpers/embedded'

const { Key, operations: op, status, batchType } = Aerospike

t.test('security needs the Enterprise edition', async (t) => {
  await t.rejects(startEmbeddedServer({ port: 0, security: true }), /security needs edition 'enterprise'/)
})

t.test('without security: Community Edition answers 51 to admin commands, Enterprise 52', async (t) => {
  // security_ce.c: not supported. A client with credentials cannot connect at all.
  const ce = await withEmbedded(t)
  t.equal(await codeOf(ce.client.createUser('u', 'p', ['read'])), status.SECURITY_NOT_SUPPORTED)
  t.equal(await codeOf(ce.client.queryUsers(null)), status.SECURITY_NOT_SUPPORTED)
  t.equal(await connectCode({ hosts: ce.server.address, user: 'admin', password: 'admin' }), status.SECURITY_NOT_SUPPORTED)
  // Enterprise without security: not enabled, which the client's login takes as "no login needed".
  const ee = await withEmbedded(t, { edition: 'enterprise' }, { user: 'admin', password: 'admin' })
  t.equal(await codeOf(ee.client.createUser('u', 'p', ['read'])), status.SECURITY_NOT_ENABLED)
  await ee.client.put(new Key('test', 'sec', 1), { a: 1 })
  t.same((await ee.client.get(new Key('test', 'sec', 1))).bins, { a: 1 })
})

t.test('logging in: admin/admin at first, then 60 for an unknown user, 62 for a wrong password, 80 without a user', async (t) => {
  const { server, admin } = await withSecurity(t)
  const me = await admin.queryUser('admin', null)
  t.same(me.roles, ['user-admin'])
  t.same(me.readInfo, [0, 0, 0, 0])
  t.same(me.writeInfo, [0, 0, 0, 0])
  t.ok(me.connsInUse >= 1, 'the client\'s own connections count')
  t.equal(await connectCode({ hosts: server.address, user: 'nobody', password: 'admin' }), status.INVALID_USER)
  t.equal(await connectCode({ hosts: server.address, user: 'admin', password: 'wrong' }), status.INVALID_PASSWORD)
  t.equal(await connectCode({ hosts: server.address }), status.NOT_AUTHENTICATED)
})

t.test('user-admin manages users; it reads and writes no data', async (t) => {
  const { admin, as } = await withSecurity(t)
  const k = new Key('test', 'sec', 'x')
  t.equal(await codeOf(admin.put(k, { a: 1 })), status.ROLE_VIOLATION)
  t.equal(await codeOf(admin.get(k)), status.ROLE_VIOLATION)

  await admin.createUser('carol', 'pw-carol', ['read'])
  await admin.createUser('dave', 'pw-dave')
  t.equal(await codeOf(admin.createUser('carol', 'other')), status.USER_ALREADY_EXISTS)
  t.equal(await codeOf(admin.createUser('erin', 'pw', ['no-such-role'])), status.INVALID_ROLE)
  t.same((await admin.queryUser('dave', null)).roles, [])
  const users = await admin.queryUsers(null)
  t.same(users.map((u) => u.name).sort(), ['admin', 'carol', 'dave'])

  await admin.grantRoles('dave', ['read-write', 'truncate'])
  t.same((await admin.queryUser('dave', null)).roles, ['read-write', 'truncate'])
  await admin.revokeRoles('dave', ['truncate'])
  t.same((await admin.queryUser('dave', null)).roles, ['read-write'])
  t.equal(await codeOf(admin.grantRoles('nobody', ['read'])), status.INVALID_USER)

  const dave = await as('dave', 'pw-dave')
  await dave.put(k, { a: 1 })
  t.same((await dave.get(k)).bins, { a: 1 })
  t.equal((await dave.queryUser('dave', null)).connsInUse > 0, true, 'a user may query themselves')
  t.equal(await codeOf(dave.queryUser('carol', null)), status.ROLE_VIOLATION)
  t.equal(await codeOf(dave.queryUsers(null)), status.ROLE_VIOLATION)
  t.equal(await codeOf(dave.createUser('mallory', 'pw', ['read-write'])), status.ROLE_VIOLATION)

  await admin.dropUser('carol')
  t.equal(await codeOf(admin.queryUser('carol', null)), status.INVALID_USER)
  t.equal(await codeOf(admin.dropUser('carol')), status.INVALID_USER)
})

t.test('the predefined data roles, on records, operate, batches and queries', async (t) => {
  const { admin, as } = await withSecurity(t)
  await admin.createUser('reader', 'pw', ['read'])
  await admin.createUser('writer', 'pw', ['write'])
  await admin.createUser('both', 'pw', ['read-write'])
  const reader = await as('reader', 'pw')
  const writer = await as('writer', 'pw')
  const both = await as('both', 'pw')
  const k = (id: number): InstanceType<typeof Key> => new Key('test', 'roles', id)

  await writer.put(k(1), { n: 1 })
  t.equal(await codeOf(writer.get(k(1))), status.ROLE_VIOLATION, 'write cannot read')
  t.equal(await codeOf(writer.operate(k(1), [op.incr('n', 1), op.read('n')])), status.ROLE_VIOLATION, 'a write that reads needs read too')
  await writer.operate(k(1), [op.incr('n', 1)])
  await writer.remove(k(1))
  await writer.put(k(1), { n: 2 })

  t.same((await reader.get(k(1))).bins, { n: 2 })
  t.equal(await reader.exists(k(1)), true)
  t.equal(await codeOf(reader.put(k(1), { n: 3 })), status.ROLE_VIOLATION, 'read cannot write')
  t.equal(await codeOf(reader.remove(k(1))), status.ROLE_VIOLATION)
  t.equal((await reader.query('test', 'roles').results()).length, 1, 'read can query')
  t.equal(await codeOf(writer.query('test', 'roles').results()), status.ROLE_VIOLATION, 'write cannot query')

  t.same((await both.operate(k(1), [op.incr('n', 1), op.read('n')])).bins, { n: 3 })
  t.equal(await codeOf(both.apply(k(1), { module: 'm', funcname: 'f' })), status.ROLE_VIOLATION, 'a UDF needs read-write-udf')
  // A background write over a query needs write (ops-query), not read.
  t.equal(await codeOf(reader.query('test', 'roles').operate([op.write('bg', 1)])), status.ROLE_VIOLATION)
  await (await writer.query('test', 'roles').operate([op.write('bg', 1)])).waitUntilDone(20)
  t.same((await both.get(k(1))).bins, { n: 3, bg: 1 })

  // Each row of a batch is checked on its own.
  const rows = await reader.batchWrite([
    { type: batchType.BATCH_READ, key: k(1), readAllBins: true },
    { type: batchType.BATCH_WRITE, key: k(2), ops: [op.write('n', 1)] },
    { type: batchType.BATCH_REMOVE, key: k(1) }
  ] as Parameters<Client['batchWrite']>[0])
  t.same(rows.map((r) => r.status), [status.OK, status.ROLE_VIOLATION, status.ROLE_VIOLATION])
  t.equal(await both.exists(k(2)), false, 'the refused row wrote nothing')
  t.same((await writer.batchRead([{ key: k(1), readAllBins: true }])).map((r) => r.status), [status.ROLE_VIOLATION])
})

t.test('info commands: truncate and index creation need their permissions', async (t) => {
  const { admin, as } = await withSecurity(t)
  await admin.createUser('rw', 'pw', ['read-write'])
  await admin.createUser('ops', 'pw', ['sys-admin'])
  await admin.createUser('data', 'pw', ['data-admin'])
  const rw = await as('rw', 'pw')
  const ops = await as('ops', 'pw')
  const data = await as('data', 'pw')
  await rw.put(new Key('test', 'info', 1), { a: 1 })

  t.equal(await codeOf(rw.truncate('test', 'info', 0)), status.ROLE_VIOLATION)
  await t.rejects(rw.infoAny('truncate:namespace=test;set=info'), { code: status.ROLE_VIOLATION, message: /role violation - requires permission 'truncate'/ })
  t.equal(await codeOf(rw.createIntegerIndex({ ns: 'test', set: 'info', bin: 'a', index: 'sec_a' })), status.ROLE_VIOLATION)
  t.match(await rw.infoAny('namespaces'), /test/, 'commands without a permission need only a login')

  await data.createIntegerIndex({ ns: 'test', set: 'info', bin: 'a', index: 'sec_a' })
  await ops.truncate('test', 'info', 0)
  t.equal(await codeOf(ops.get(new Key('test', 'info', 1))), status.ROLE_VIOLATION, 'sys-admin reads no data')
  t.equal(await codeOf(ops.createUser('x', 'y')), status.ROLE_VIOLATION, 'nor manages users')
})

t.test('the default admin password is the hash the client makes of "admin"', async (t) => {
  // The C client sends bcrypt(password) with its fixed salt (aerospike-common as_password.c).
  t.equal(bcrypt.hashSync('admin', '$2a$10$7EqJtq98hPqEX7fNZaFWoO'), DEFAULT_ADMIN_HASH)
})

t.test('passwords: set by user-admin, changed by the user, the old one refused', async (t) => {
  const { server, admin, as } = await withSecurity(t)
  await admin.createUser('pat', 'first', ['read'])
  await admin.setPassword('pat', 'second')
  t.equal(await connectCode({ hosts: server.address, user: 'pat', password: 'first' }), status.INVALID_PASSWORD)
  const pat = await as('pat', 'second')
  await pat.changePassword('pat', 'third')
  t.equal(await connectCode({ hosts: server.address, user: 'pat', password: 'second' }), status.INVALID_PASSWORD)
  t.equal(await connectCode({ hosts: server.address, user: 'pat', password: 'third' }), 'resolved')
  t.equal(await codeOf(pat.setPassword('admin', 'mine')), status.ROLE_VIOLATION, 'only user-admin sets passwords')
  t.equal(await codeOf(pat.changePassword('admin', 'mine')), status.ROLE_VIOLATION, 'nor changes another user\'s')
  t.equal(await codeOf(admin.setPassword('nobody', 'x')), status.INVALID_USER)
  // The client logs in again with the password it changed to.
  t.same((await pat.queryUser('pat', null)).roles, ['read'])
})

t.test('a dropped user\'s connections are no longer authenticated', async (t) => {
  const { admin, as } = await withSecurity(t)
  await admin.createUser('gone', 'pw', ['read'])
  const gone = await as('gone', 'pw')
  const k = new Key('test', 'sec', 'gone')
  t.equal(await codeOf(gone.get(k)), status.ERR_RECORD_NOT_FOUND)
  await admin.dropUser('gone')
  t.equal(await codeOf(gone.get(k)), status.NOT_AUTHENTICATED)
})

t.test('an expired session: a new connection is refused with 66, the client logs in again', async (t) => {
  const { server, admin, as } = await withSecurity(t, { sessionTtl: 1 })
  await admin.createUser('sid', 'pw', ['read-write'])
  const sid = await as('sid', 'pw')
  const k = new Key('test', 'sec', 'session')
  await sid.put(k, { v: 1 })
  await new Promise((resolve) => setTimeout(resolve, 1200))
  await sid.put(k, { v: 2 })
  t.pass('a connection authenticated before expiry stays so')
  // Every connection dropped: the client's new ones present the expired token.
  await server.restart()
  t.equal(await codeOf(sid.get(k)), status.EXPIRED_SESSION)
  let answer: unknown
  for (let i = 0; i < 50 && answer === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    try {
      answer = (await sid.get(k)).bins
    } catch (err) {
      t.equal((err as { code: number }).code, status.EXPIRED_SESSION)
    }
  }
  t.same(answer, { v: 2 }, 'a fresh login, and the record read')
})
