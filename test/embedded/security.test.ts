// Enterprise security on the embedded server, through the real client only:
// logging in, the default admin user, user management, and the predefined
// roles enforced on records, batches, queries and info commands.

import t from 'tap'
import Aerospike, { Client } from 'aerospike'
import { startEmbeddedServer, EmbeddedServerHandle } from '../../src/embedded/index'
import { codeOf, connectCode, withEmbedded } from '../helpers/embedded'

const { Key, operations: op, status, batchType } = Aerospike

async function connectAs (server: EmbeddedServerHandle, user: string, password: string): Promise<Client> {
  return await Aerospike.connect({
    hosts: server.address,
    user,
    password,
    log: { level: Aerospike.log.OFF }
  } as Parameters<typeof Aerospike.connect>[0])
}

async function secured (t: { teardown: (fn: () => unknown) => void }): Promise<{ server: EmbeddedServerHandle, admin: Client, as: (user: string, password: string) => Promise<Client> }> {
  const { server, client } = await withEmbedded(t, { edition: 'enterprise', security: true }, { user: 'admin', password: 'admin' })
  const as = async (user: string, password: string): Promise<Client> => {
    const c = await connectAs(server, user, password)
    t.teardown(async () => await c.close())
    return c
  }
  return { server, admin: client, as }
}

t.test('security needs the Enterprise edition', async (t) => {
  await t.rejects(startEmbeddedServer({ port: 0, security: true }), /security needs edition 'enterprise'/)
})

t.test('Community Edition, and Enterprise without security, answer 52 to admin commands', async (t) => {
  for (const edition of ['community', 'enterprise'] as const) {
    const { client } = await withEmbedded(t, { edition })
    t.equal(await codeOf(client.createUser('u', 'p', ['read'])), status.SECURITY_NOT_ENABLED, edition)
    t.equal(await codeOf(client.queryUsers(null)), status.SECURITY_NOT_ENABLED, edition)
    // A client with credentials still works: the login is answered 52, which means "no login needed".
    const server = (await withEmbedded(t, { edition }, { user: 'admin', password: 'admin' })).client
    await server.put(new Key('test', 'sec', 1), { a: 1 })
    t.same((await server.get(new Key('test', 'sec', 1))).bins, { a: 1 })
  }
})

t.test('logging in: admin/admin at first, then 60 for an unknown user, 62 for a wrong password, 80 without a user', async (t) => {
  const { server, admin } = await secured(t)
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
  const { admin, as } = await secured(t)
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
  const { admin, as } = await secured(t)
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
  const { admin, as } = await secured(t)
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
