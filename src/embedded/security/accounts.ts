// Users and roles as a security-enabled server keeps them. Passwords are the
// bcrypt hashes clients send (the C client hashes with a fixed salt), so a
// login compares hashes and nothing here computes bcrypt.

import {
  FIRST_SCOPED_CODE, Grant, PREDEFINED_ROLES, Privilege, isPrivilegeCode, permsOf, samePrivilege
} from './privileges'
import { SecResult } from './protocol'

/** as_password_get_constant_hash("admin"): bcrypt of "admin" with the C client's salt $2a$10$7EqJtq98hPqEX7fNZaFWoO. */
export const DEFAULT_ADMIN_HASH = '$2a$10$7EqJtq98hPqEX7fNZaFWoO1mVO/4MLpGzsqojz6E9Gef6iXDjXdDa'

// as_admin.h: AS_USER_SIZE and AS_ROLE_SIZE hold 63 bytes and a NUL.
const MAX_NAME_BYTES = 63

export interface User {
  name: string
  passwordHash: string
  roles: string[]
}

export interface Role {
  name: string
  privileges: Privilege[]
  whitelist: string[]
  readQuota: number
  writeQuota: number
}

function validName (name: string): boolean {
  const bytes = Buffer.byteLength(name)
  return bytes > 0 && bytes <= MAX_NAME_BYTES
}

export class Accounts {
  readonly users = new Map<string, User>()
  private readonly custom = new Map<string, Role>()
  /** Bumped by every change, so that cached permissions know when to look again. */
  version = 0

  constructor () {
    // A new Enterprise server with security on has one user, admin/admin, with user-admin.
    this.users.set('admin', { name: 'admin', passwordHash: DEFAULT_ADMIN_HASH, roles: ['user-admin'] })
  }

  private changed (): number {
    this.version++
    return SecResult.OK
  }

  role (name: string): Role | undefined {
    const code = PREDEFINED_ROLES.get(name)
    if (code !== undefined) return { name, privileges: [{ code, ns: '', set: '' }], whitelist: [], readQuota: 0, writeQuota: 0 }
    return this.custom.get(name)
  }

  /** Predefined roles first, then the ones created, in creation order. */
  roles (): Role[] {
    const out: Role[] = []
    for (const name of PREDEFINED_ROLES.keys()) out.push(this.role(name) as Role)
    return out.concat([...this.custom.values()])
  }

  /** Each privilege of each of the user's roles, as permissions in a scope. */
  grants (user: User): Grant[] {
    const out: Grant[] = []
    for (const r of user.roles) {
      for (const p of this.role(r)?.privileges ?? []) out.push({ perms: permsOf(p.code), ns: p.ns, set: p.set })
    }
    return out
  }

  /** Every address or block on the whitelists of the user's roles. */
  whitelistOf (user: User): string[] {
    return user.roles.flatMap((r) => this.role(r)?.whitelist ?? [])
  }

  private unknownRole (roles: readonly string[]): boolean {
    return roles.some((r) => this.role(r) === undefined)
  }

  createUser (name: string, passwordHash: string, roles: readonly string[]): number {
    if (!validName(name)) return SecResult.INVALID_USER
    if (passwordHash.length === 0) return SecResult.INVALID_PASSWORD
    if (this.users.has(name)) return SecResult.USER_ALREADY_EXISTS
    if (this.unknownRole(roles)) return SecResult.INVALID_ROLE
    this.users.set(name, { name, passwordHash, roles: [...new Set(roles)] })
    return this.changed()
  }

  dropUser (name: string): number {
    if (!this.users.delete(name)) return SecResult.INVALID_USER
    return this.changed()
  }

  setPassword (name: string, passwordHash: string): number {
    const user = this.users.get(name)
    if (user === undefined) return SecResult.INVALID_USER
    if (passwordHash.length === 0) return SecResult.INVALID_PASSWORD
    user.passwordHash = passwordHash
    return this.changed()
  }

  grantRoles (name: string, roles: readonly string[]): number {
    const user = this.users.get(name)
    if (user === undefined) return SecResult.INVALID_USER
    if (roles.length === 0 || this.unknownRole(roles)) return SecResult.INVALID_ROLE
    for (const r of roles) if (!user.roles.includes(r)) user.roles.push(r)
    return this.changed()
  }

  revokeRoles (name: string, roles: readonly string[]): number {
    const user = this.users.get(name)
    if (user === undefined) return SecResult.INVALID_USER
    if (roles.length === 0 || this.unknownRole(roles)) return SecResult.INVALID_ROLE
    user.roles = user.roles.filter((r) => !roles.includes(r))
    return this.changed()
  }

  createRole (name: string, privileges: readonly Privilege[], whitelist: string[], readQuota: number, writeQuota: number): number {
    if (!validName(name)) return SecResult.INVALID_ROLE
    if (this.role(name) !== undefined) return SecResult.ROLE_ALREADY_EXISTS
    const rc = checkPrivileges(privileges)
    if (rc !== SecResult.OK) return rc
    this.custom.set(name, { name, privileges: dedupe([], privileges), whitelist, readQuota, writeQuota })
    return this.changed()
  }

  /** A role created here, or the result that refuses to change one (predefined or absent). */
  customRole (name: string): Role | number {
    return this.custom.get(name) ?? SecResult.INVALID_ROLE
  }

  dropRole (name: string): number {
    if (!this.custom.delete(name)) return SecResult.INVALID_ROLE
    for (const u of this.users.values()) u.roles = u.roles.filter((r) => r !== name)
    return this.changed()
  }

  grantPrivileges (name: string, privileges: readonly Privilege[]): number {
    const role = this.customRole(name)
    if (typeof role === 'number') return role
    const rc = checkPrivileges(privileges)
    if (rc !== SecResult.OK) return rc
    role.privileges = dedupe(role.privileges, privileges)
    return this.changed()
  }

  revokePrivileges (name: string, privileges: readonly Privilege[]): number {
    const role = this.customRole(name)
    if (typeof role === 'number') return role
    const rc = checkPrivileges(privileges)
    if (rc !== SecResult.OK) return rc
    role.privileges = role.privileges.filter((p) => !privileges.some((q) => samePrivilege(p, q)))
    return this.changed()
  }

  setWhitelist (name: string, whitelist: string[]): number {
    const role = this.customRole(name)
    if (typeof role === 'number') return role
    role.whitelist = whitelist
    return this.changed()
  }

  setQuotas (name: string, readQuota: number | undefined, writeQuota: number | undefined): number {
    const role = this.customRole(name)
    if (typeof role === 'number') return role
    if (readQuota !== undefined) role.readQuota = readQuota
    if (writeQuota !== undefined) role.writeQuota = writeQuota
    return this.changed()
  }
}

function checkPrivileges (privileges: readonly Privilege[]): number {
  if (privileges.length === 0) return SecResult.INVALID_PRIVILEGE
  for (const p of privileges) {
    if (!isPrivilegeCode(p.code)) return SecResult.INVALID_PRIVILEGE
    if (p.code < FIRST_SCOPED_CODE && (p.ns !== '' || p.set !== '')) return SecResult.INVALID_PRIVILEGE
    if (p.ns === '' && p.set !== '') return SecResult.INVALID_PRIVILEGE
  }
  return SecResult.OK
}

function dedupe (existing: readonly Privilege[], added: readonly Privilege[]): Privilege[] {
  const out = existing.slice()
  for (const p of added) if (!out.some((q) => samePrivilege(p, q))) out.push({ ...p })
  return out
}
