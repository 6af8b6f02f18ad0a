// The admin commands: login and session authentication, then user and role
// management for those who hold user-admin (and, for themselves, anyone:
// their own password and their own user and roles).

import type { Role, User } from './accounts'
import type { ConnectionAuth, Security } from './index'
import { Perm, readPrivileges, writePrivileges } from './privileges'
import {
  AdminCommand, AdminField, AdminRequest, ReplyField, SecResult, adminFrame, adminResult, readNameList, uint32, writeNameList
} from './protocol'
import { parseWhitelist, whitelisted } from './whitelist'

// as_user's read_info and write_info: the server reports four figures each
// (quota, and rates over the last periods); with no traffic counted, zeros.
const USER_INFO = Buffer.from([4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])

function text (req: AdminRequest, id: number): string | undefined {
  return req.fields.get(id)?.toString('utf8')
}

function quota (req: AdminRequest, id: number): number | undefined | null {
  const f = req.fields.get(id)
  if (f === undefined) return undefined
  return f.length === 4 ? f.readUInt32BE(0) : null
}

function userFields (security: Security, u: User): ReplyField[] {
  return [
    [AdminField.USER, Buffer.from(u.name, 'utf8')],
    [AdminField.ROLES, writeNameList(u.roles)],
    [AdminField.READ_INFO, USER_INFO],
    [AdminField.WRITE_INFO, USER_INFO],
    [AdminField.CONNECTIONS, uint32(security.connectionsOf(u.name))]
  ]
}

function roleFields (r: Role): ReplyField[] {
  const fields: ReplyField[] = [
    [AdminField.ROLE, Buffer.from(r.name, 'utf8')],
    [AdminField.PRIVILEGES, writePrivileges(r.privileges)]
  ]
  if (r.whitelist.length > 0) fields.push([AdminField.WHITELIST, Buffer.from(r.whitelist.join(','), 'utf8')])
  if (r.readQuota > 0) fields.push([AdminField.READ_QUOTA, uint32(r.readQuota)])
  if (r.writeQuota > 0) fields.push([AdminField.WRITE_QUOTA, uint32(r.writeQuota)])
  return fields
}

function listing (items: ReplyField[][]): Buffer {
  return adminFrame([...items.map((fields) => ({ result: SecResult.OK, fields })), { result: SecResult.QUERY_END }])
}

function login (security: Security, conn: ConnectionAuth, req: AdminRequest): Buffer {
  const name = text(req, AdminField.USER)
  const user = name === undefined ? undefined : security.accounts.users.get(name)
  if (user === undefined) return adminResult(SecResult.INVALID_USER)
  if (text(req, AdminField.CREDENTIAL) !== user.passwordHash) return adminResult(SecResult.INVALID_PASSWORD)
  if (!fromAllowedAddress(security, conn, user)) return adminResult(SecResult.NOT_WHITELISTED)
  security.bind(conn, user.name)
  return adminFrame([{
    result: SecResult.OK,
    fields: [
      [AdminField.SESSION_TOKEN, security.sessions.issue(user.name)],
      [AdminField.SESSION_TTL, uint32(security.sessions.ttlSeconds)]
    ]
  }])
}

// A user whose roles have whitelists logs in only from an address on one of them.
function fromAllowedAddress (security: Security, conn: ConnectionAuth, user: User): boolean {
  const list = security.accounts.whitelistOf(user)
  return list.length === 0 || whitelisted(list, conn.address)
}

function authenticate (security: Security, conn: ConnectionAuth, req: AdminRequest): Buffer {
  const name = text(req, AdminField.USER)
  const user = name === undefined ? undefined : security.accounts.users.get(name)
  if (user === undefined) return adminResult(SecResult.INVALID_USER)
  const token = req.fields.get(AdminField.SESSION_TOKEN)
  let rc = token === undefined ? SecResult.INVALID_CREDENTIAL : security.sessions.verify(user.name, token)
  if (rc === SecResult.OK && !fromAllowedAddress(security, conn, user)) rc = SecResult.NOT_WHITELISTED
  if (rc === SecResult.OK) security.bind(conn, user.name)
  return adminResult(rc)
}

function queryUsers (security: Security, conn: ConnectionAuth, req: AdminRequest, self: string): Buffer {
  const name = text(req, AdminField.USER)
  if (name !== self && !security.holds(conn, Perm.USER_ADMIN)) return adminResult(SecResult.ROLE_VIOLATION)
  const users = security.accounts.users
  if (name === undefined) return listing([...users.values()].map((u) => userFields(security, u)))
  const user = users.get(name)
  return user === undefined ? adminResult(SecResult.INVALID_USER) : listing([userFields(security, user)])
}

function queryRoles (security: Security, conn: ConnectionAuth, req: AdminRequest, own: readonly string[]): Buffer {
  const name = text(req, AdminField.ROLE)
  if (!(name !== undefined && own.includes(name)) && !security.holds(conn, Perm.USER_ADMIN)) {
    return adminResult(SecResult.ROLE_VIOLATION)
  }
  if (name === undefined) return listing(security.accounts.roles().map(roleFields))
  const role = security.accounts.role(name)
  return role === undefined ? adminResult(SecResult.INVALID_ROLE) : listing([roleFields(role)])
}

function changePassword (security: Security, conn: ConnectionAuth, req: AdminRequest, self: string): number {
  const name = text(req, AdminField.USER)
  if (name === undefined) return SecResult.INVALID_USER
  if (name !== self && !security.holds(conn, Perm.USER_ADMIN)) return SecResult.ROLE_VIOLATION
  const user = security.accounts.users.get(name)
  if (user === undefined) return SecResult.INVALID_USER
  if (text(req, AdminField.OLD_PASSWORD) !== user.passwordHash) return SecResult.INVALID_PASSWORD
  return security.accounts.setPassword(name, text(req, AdminField.PASSWORD) ?? '')
}

function createRole (security: Security, req: AdminRequest, name: string): number {
  const privField = req.fields.get(AdminField.PRIVILEGES)
  const privileges = privField === undefined ? [] : readPrivileges(privField)
  const whitelist = parseWhitelist(req.fields.get(AdminField.WHITELIST))
  const readQuota = quota(req, AdminField.READ_QUOTA)
  const writeQuota = quota(req, AdminField.WRITE_QUOTA)
  if (privileges === undefined) return SecResult.INVALID_PRIVILEGE
  if (whitelist === undefined) return SecResult.INVALID_WHITELIST
  if (readQuota === null || writeQuota === null) return SecResult.INVALID_QUOTA
  if (((readQuota ?? 0) > 0 || (writeQuota ?? 0) > 0) && !security.quotas) return SecResult.QUOTAS_NOT_ENABLED
  return security.accounts.createRole(name, privileges, whitelist, readQuota ?? 0, writeQuota ?? 0)
}

// The commands only user-admin may run, on the user or role they name.
function manage (security: Security, req: AdminRequest): number {
  const accounts = security.accounts
  const user = text(req, AdminField.USER) ?? ''
  const role = text(req, AdminField.ROLE) ?? ''
  const rolesField = req.fields.get(AdminField.ROLES)
  const roles = rolesField === undefined ? [] : readNameList(rolesField)
  const privField = req.fields.get(AdminField.PRIVILEGES)
  const privileges = privField === undefined ? [] : readPrivileges(privField)
  if (roles === undefined) return SecResult.INVALID_ROLE
  if (privileges === undefined) return SecResult.INVALID_PRIVILEGE
  switch (req.command) {
    case AdminCommand.CREATE_USER: return accounts.createUser(user, text(req, AdminField.PASSWORD) ?? '', roles)
    case AdminCommand.DROP_USER: {
      const rc = accounts.dropUser(user)
      if (rc === SecResult.OK) security.sessions.endAll(user)
      return rc
    }
    case AdminCommand.SET_PASSWORD: return accounts.setPassword(user, text(req, AdminField.PASSWORD) ?? '')
    case AdminCommand.GRANT_ROLES: return accounts.grantRoles(user, roles)
    case AdminCommand.REVOKE_ROLES: return accounts.revokeRoles(user, roles)
    case AdminCommand.CREATE_ROLE: return createRole(security, req, role)
    case AdminCommand.DROP_ROLE: return accounts.dropRole(role)
    case AdminCommand.GRANT_PRIVILEGES: return accounts.grantPrivileges(role, privileges)
    case AdminCommand.REVOKE_PRIVILEGES: return accounts.revokePrivileges(role, privileges)
    case AdminCommand.SET_WHITELIST: {
      const whitelist = parseWhitelist(req.fields.get(AdminField.WHITELIST))
      return whitelist === undefined ? SecResult.INVALID_WHITELIST : accounts.setWhitelist(role, whitelist)
    }
    case AdminCommand.SET_QUOTAS: {
      if (!security.quotas) return SecResult.QUOTAS_NOT_ENABLED
      const readQuota = quota(req, AdminField.READ_QUOTA)
      const writeQuota = quota(req, AdminField.WRITE_QUOTA)
      if (readQuota === null || writeQuota === null) return SecResult.INVALID_QUOTA
      return accounts.setQuotas(role, readQuota, writeQuota)
    }
    default: return SecResult.INVALID_COMMAND
  }
}

export function answerAdmin (security: Security, conn: ConnectionAuth, req: AdminRequest): Buffer {
  if (req.command === AdminCommand.LOGIN) return login(security, conn, req)
  if (req.command === AdminCommand.AUTHENTICATE) return authenticate(security, conn, req)
  const self = security.userOf(conn)
  if (self === undefined) return adminResult(SecResult.NOT_AUTHENTICATED)
  switch (req.command) {
    case AdminCommand.QUERY_USERS: return queryUsers(security, conn, req, self.name)
    case AdminCommand.QUERY_ROLES: return queryRoles(security, conn, req, self.roles)
    case AdminCommand.CHANGE_PASSWORD: return adminResult(changePassword(security, conn, req, self.name))
  }
  if (!security.holds(conn, Perm.USER_ADMIN)) return adminResult(SecResult.ROLE_VIOLATION)
  return adminResult(manage(security, req))
}
