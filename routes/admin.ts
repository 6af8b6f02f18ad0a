// /v1/admin/user and /v1/admin/role: the cluster's users and roles, with the
// official gateway's paths, bodies and statuses (202 for a change: the node
// that takes it spreads it to the others in the background). The commands
// run as the request's Aerospike user with credential passthrough, else as
// the gateway's AEROSPIKE_USER; the cluster refuses them without the
// user-admin role (81, 403). API keys need the admin permission.
//
// A user or role named in the path that the cluster does not know is 404;
// one named in a body (a role to grant) keeps the table's 400.

import Aerospike from 'aerospike'
import type { Client } from 'aerospike'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify'
import { PRIVILEGE_CODES, type PrivilegeName } from '../schemas/admin'
import { noBody, requestBody } from '../schemas/openapi'
import { GatewayError } from '../src/errors'
import { requestClient } from '../src/plugins/aerospike'
import { ERRORS, problem } from '../src/responses'

const { status } = Aerospike

interface PrivilegeBody { code: string, namespace?: string | null, set?: string | null }
interface RoleBody { name: string, privileges: PrivilegeBody[], whitelist?: string[], readQuota?: number, writeQuota?: number }
interface QuotaBody { readQuota?: number, writeQuota?: number }

type Req = FastifyRequest<{ Params: { user: string, name: string }, Body: unknown }>

const CODES = new Map<string, number>()
const NAMES = new Map<number, PrivilegeName>()
for (const [constant, spelled] of Object.entries(PRIVILEGE_CODES) as Array<[PrivilegeName, string]>) {
  const code = (Aerospike.privilegeCode as unknown as Record<string, number>)[constant]
  CODES.set(constant, code)
  CODES.set(spelled, code)
  NAMES.set(code, constant)
}

function toPrivilege (p: PrivilegeBody): InstanceType<typeof Aerospike.admin.Privilege> {
  return new Aerospike.admin.Privilege(CODES.get(p.code) as number, { namespace: p.namespace ?? undefined, set: p.set ?? undefined })
}

function fromPrivilege (p: { code: number, namespace?: string, set?: string }): object {
  return { code: NAMES.get(p.code) ?? String(p.code), namespace: p.namespace === undefined || p.namespace === '' ? null : p.namespace, set: p.set === undefined || p.set === '' ? null : p.set }
}

interface ClientRole { name: string, privileges?: Array<{ code: number, namespace?: string, set?: string }>, whitelist?: string[], readQuota?: number, writeQuota?: number }

// The client's typings give the allowlist as numbers; it holds addresses.
function fromRole (role: unknown): object {
  const r = role as ClientRole
  return { name: r.name, privileges: (r.privileges ?? []).map(fromPrivilege), whitelist: r.whitelist ?? [], readQuota: r.readQuota ?? 0, writeQuota: r.writeQuota ?? 0 }
}

// The server's "no such user" (60) and "no such role" (70) for the one the path names.
async function named<T> (command: Promise<T>, missing: number, what: string): Promise<T> {
  try {
    return await command
  } catch (err) {
    if ((err as { code?: unknown }).code === missing) throw new GatewayError(missing, `${what} does not exist`, 404)
    throw err
  }
}

const accepted = (description: string): object => noBody(description)
const admin = { permission: 'admin' as const }

export default async function adminRoutes (app: FastifyInstance): Promise<void> {
  // A password change or a dropped user ends the clients that logged in with the old credentials.
  const forget = (user: string): void => { app.userClients?.forget(user) }
  const client = (request: FastifyRequest): Client => requestClient(request)
  const route = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, options: RouteShorthandOptions['schema'], handler: (request: Req, reply: FastifyReply) => Promise<unknown>): void => {
    app.route({ method, url, config: admin, schema: { tags: ['admin'], ...options }, handler: handler as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> })
  }
  const userParams = { $ref: 'AdminUserParams#' }
  const roleParams = { $ref: 'AdminRoleParams#' }
  const json = (schema: object): object => ({ content: { 'application/json': { schema } } })
  const userMissing = problem('No such user (60)')
  const roleMissing = problem('No such role (70)')
  // The user or role of the path: its name, the code of its absence, and how a 404 names it.
  const users = { params: userParams, missing: userMissing, target: (r: Req) => [r.params.user, status.INVALID_USER, `user "${r.params.user}"`] as const }
  const roles = { params: roleParams, missing: roleMissing, target: (r: Req) => [r.params.name, status.INVALID_ROLE, `role "${r.params.name}"`] as const }

  route('GET', '/v1/admin/user', {
    operationId: 'getUsers',
    summary: 'Every user of the cluster',
    response: { 200: { description: 'The users', ...json({ type: 'array', items: { $ref: 'AdminUser#' } }) }, ...ERRORS }
  }, async (request) => await client(request).queryUsers(null))

  route('GET', '/v1/admin/user/:user', {
    operationId: 'getUser',
    summary: 'One user: roles, and read and write statistics when quotas are on',
    params: userParams,
    response: { 200: { description: 'The user', ...json({ $ref: 'AdminUser#' }) }, 404: userMissing, ...ERRORS }
  }, async (request) => await named(client(request).queryUser(request.params.user, null), status.INVALID_USER, `user "${request.params.user}"`))

  route('POST', '/v1/admin/user', {
    operationId: 'createUser',
    summary: 'Create a user with a password and roles',
    body: { $ref: 'AdminUserCreate#' },
    ...requestBody('The user', { $ref: 'AdminUserCreate#' }, {
      reader: { summary: 'A user who may read every namespace', value: { username: 'reader', password: 'Reader-Pa55', roles: ['read'] } }
    }),
    response: { ...ERRORS, 202: accepted('Created; the other nodes learn of it within a moment'), 400: problem('Invalid body, or an unknown role (70)'), 409: problem('The user exists (61)') }
  }, async (request, reply) => {
    const { username, password, roles } = request.body as { username: string, password: string, roles?: string[] }
    await client(request).createUser(username, password, roles ?? [], null)
    return await reply.code(202).send()
  })

  route('PATCH', '/v1/admin/user/:user', {
    operationId: 'changePassword',
    summary: 'Change a user\'s password',
    description: 'The body is the new password as a JSON string. Clients of the user that the gateway keeps (credential passthrough) are closed once their requests end.',
    params: userParams,
    body: { $ref: 'AdminPassword#' },
    ...requestBody('The new password', { $ref: 'AdminPassword#' }, { password: { summary: 'A new password', value: 'N3w-Secret' } }),
    response: { 202: accepted('Changed'), 404: userMissing, ...ERRORS }
  }, async (request, reply) => {
    const { user } = request.params
    const c = client(request)
    // The client sends its own user along, and has none without AEROSPIKE_USER or passthrough.
    if (c.config.user === undefined) throw new GatewayError(status.NOT_AUTHENTICATED, 'the gateway has no Aerospike user to change passwords as: set AEROSPIKE_USER, or turn on AUTH_PASSTHROUGH')
    // Another user's password is set, as only user-admin may; one's own is changed, which proves the old one.
    const password = request.body as string
    await named(user === c.config.user ? c.changePassword(user, password, null) : c.setPassword(user, password, null), status.INVALID_USER, `user "${user}"`)
    forget(user)
    return await reply.code(202).send()
  })

  route('GET', '/v1/admin/role', {
    operationId: 'getRoles',
    summary: 'Every role of the cluster, predefined ones included',
    response: { 200: { description: 'The roles', ...json({ type: 'array', items: { $ref: 'AdminRole#' } }) }, ...ERRORS }
  }, async (request) => (await client(request).queryRoles(null)).map(fromRole))

  route('GET', '/v1/admin/role/:name', {
    operationId: 'getRole',
    summary: 'One role',
    params: roleParams,
    response: { 200: { description: 'The role', ...json({ $ref: 'AdminRole#' }) }, 404: roleMissing, ...ERRORS }
  }, async (request) => fromRole(await named(client(request).queryRole(request.params.name, null), status.INVALID_ROLE, `role "${request.params.name}"`)))

  route('POST', '/v1/admin/role', {
    operationId: 'createRole',
    summary: 'Create a role with privileges, and optionally an allowlist and quotas',
    body: { $ref: 'AdminRole#' },
    ...requestBody('The role', { $ref: 'AdminRole#' }, {
      demoReader: { summary: 'Reads of set demo of namespace test', value: { name: 'demo-reader', privileges: [{ code: 'READ', namespace: 'test', set: 'demo' }] } }
    }),
    response: { ...ERRORS, 202: accepted('Created'), 400: problem('Invalid body or privilege (72), allowlist (73) or quota (75)'), 409: problem('The role exists (71)') }
  }, async (request, reply) => {
    const role = request.body as RoleBody
    const quotas = role.readQuota !== undefined || role.writeQuota !== undefined
    await client(request).createRole(role.name, role.privileges.map(toPrivilege), null, role.whitelist ?? null,
      quotas ? role.readQuota ?? 0 : null, quotas ? role.writeQuota ?? 0 : null)
    return await reply.code(202).send()
  })

  // Granting and revoking: roles of a user, privileges of a role.
  const roleList = { $ref: 'AdminRoleNames#' }
  const privileges = { $ref: 'AdminPrivileges#' }
  const roleNames = requestBody('Role names', roleList, { roles: { summary: 'Two roles', value: ['read-write', 'read-write-udf'] } })
  const privilegeList = requestBody('Privileges', privileges, { readWrite: { summary: 'Reads and writes of namespace test', value: [{ code: 'READ_WRITE', namespace: 'test' }] } })
  const ofUser = { body: roleList, ...roleNames, invalid: problem('Invalid body, or an unknown role (70)') }
  const ofRole = { body: privileges, ...privilegeList, invalid: problem('Invalid body or privilege (72)') }
  for (const [method, url, operationId, summary, done, on, call] of [
    ['POST', '/v1/admin/user/:user/role', 'grantRoles', 'Grant roles to a user', 'Granted', ofUser,
      async (c: Client, user: string, body: unknown) => await c.grantRoles(user, body as string[], null)],
    ['PATCH', '/v1/admin/user/:user/role/delete', 'revokeRoles', 'Revoke roles from a user', 'Revoked', ofUser,
      async (c: Client, user: string, body: unknown) => await c.revokeRoles(user, body as string[], null)],
    ['POST', '/v1/admin/role/:name/privilege', 'grantPrivileges', 'Grant privileges to a role', 'Granted', ofRole,
      async (c: Client, role: string, body: unknown) => await c.grantPrivileges(role, (body as PrivilegeBody[]).map(toPrivilege), null)],
    ['PATCH', '/v1/admin/role/:name/privilege/delete', 'revokePrivileges', 'Revoke privileges from a role', 'Revoked', ofRole,
      async (c: Client, role: string, body: unknown) => await c.revokePrivileges(role, (body as PrivilegeBody[]).map(toPrivilege), null)]
  ] as const) {
    const { invalid, ...schema } = on
    const { params, missing, target } = url.startsWith('/v1/admin/user') ? users : roles
    route(method, url, { operationId, summary, params, ...schema, response: { ...ERRORS, 202: accepted(done), 400: invalid, 404: missing } }, async (request, reply) => {
      const [name, code, what] = target(request)
      await named(call(client(request), name, request.body), code, what)
      return await reply.code(202).send()
    })
  }

  for (const { url, operationId, summary, params, missing, target, drop } of [
    { url: '/v1/admin/user/:user', operationId: 'dropUser', summary: 'Remove a user', ...users, drop: async (c: Client, user: string) => { await c.dropUser(user, null); forget(user) } },
    { url: '/v1/admin/role/:name', operationId: 'dropRole', summary: 'Remove a role', ...roles, drop: async (c: Client, role: string) => await c.dropRole(role, null) }
  ]) {
    route('DELETE', url, { operationId, summary, params, response: { 202: accepted('Removed'), 404: missing, ...ERRORS } }, async (request, reply) => {
      const [name, code, what] = target(request)
      await named(drop(client(request), name), code, what)
      return await reply.code(202).send()
    })
  }

  route('POST', '/v1/admin/role/:name/quota', {
    operationId: 'setRoleQuotas',
    summary: 'Set a role\'s most reads and writes per second',
    description: 'An absent quota is 0: no limit. The server must have quotas on (74 otherwise, 501).',
    params: roleParams,
    body: { $ref: 'AdminRoleQuota#' },
    ...requestBody('The quotas', { $ref: 'AdminRoleQuota#' }, { quotas: { summary: '1000 reads and 100 writes a second', value: { readQuota: 1000, writeQuota: 100 } } }),
    response: { ...ERRORS, 202: accepted('Set'), 400: problem('Invalid quota (75)'), 404: roleMissing }
  }, async (request, reply) => {
    const { name } = request.params
    const q = request.body as QuotaBody
    await named(client(request).setQuotas(name, q.readQuota ?? 0, q.writeQuota ?? 0, null), status.INVALID_ROLE, `role "${name}"`)
    return await reply.code(202).send()
  })
}
