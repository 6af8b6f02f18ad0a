// Users and roles of the cluster (/v1/admin), in the official gateway's
// shapes: a user is created from {username, password, roles}, a role is
// {name, privileges: [{code, namespace, set}], whitelist, readQuota,
// writeQuota}, a password change is the new password as a JSON string.

import { Type } from 'typebox'

// The client passes names and passwords as C strings, where NUL would end
// them early; the server's own limits are 63 bytes for names.
const NAME_PATTERN = '^[^\\u0000-\\u001f]+$'
const name = (description: string): ReturnType<typeof Type.String> =>
  Type.String({ minLength: 1, maxLength: 63, pattern: NAME_PATTERN, description: `${description} (1 to 63 characters, no control characters)` })
const password = (description: string): ReturnType<typeof Type.String> =>
  Type.String({ minLength: 1, maxLength: 255, pattern: NAME_PATTERN, description })

/** The privilege codes: the official gateway's names, and the server's own spelling. */
export const PRIVILEGE_CODES = {
  USER_ADMIN: 'user-admin',
  SYS_ADMIN: 'sys-admin',
  DATA_ADMIN: 'data-admin',
  UDF_ADMIN: 'udf-admin',
  SINDEX_ADMIN: 'sindex-admin',
  READ: 'read',
  READ_WRITE: 'read-write',
  READ_WRITE_UDF: 'read-write-udf',
  WRITE: 'write',
  TRUNCATE: 'truncate'
} as const

export type PrivilegeName = keyof typeof PRIVILEGE_CODES

export const AdminUserParams = Type.Object({ user: name('User name') }, { $id: 'AdminUserParams' })
export const AdminRoleParams = Type.Object({ name: name('Role name') }, { $id: 'AdminRoleParams' })

export const AdminPrivilege = Type.Object({
  code: Type.Unsafe<string>({
    type: 'string',
    enum: [...Object.keys(PRIVILEGE_CODES), ...Object.values(PRIVILEGE_CODES)],
    description: 'What the privilege allows; answers use the first spelling (READ_WRITE)'
  }),
  namespace: Type.Optional(Type.Union([name('Namespace the privilege is limited to'), Type.Null()], { description: 'Namespace the privilege is limited to; absent or null: every namespace' })),
  set: Type.Optional(Type.Union([name('Set the privilege is limited to'), Type.Null()], { description: 'Set the privilege is limited to, within the namespace; absent or null: every set' }))
}, { $id: 'AdminPrivilege', additionalProperties: false })

export const AdminPrivileges = Type.Array(Type.Ref('AdminPrivilege#'), { $id: 'AdminPrivileges', minItems: 1, description: 'Privileges' })

export const AdminRoleNames = Type.Array(name('Role name'), { $id: 'AdminRoleNames', minItems: 1, description: 'Role names, e.g. ["read-write", "read-write-udf"]' })

export const AdminPassword = Type.String({ $id: 'AdminPassword', minLength: 1, maxLength: 255, pattern: NAME_PATTERN, description: 'The new password, as a JSON string' })

export const AdminUserCreate = Type.Object({
  username: name('User name'),
  password: password('Password'),
  roles: Type.Optional(Type.Array(name('Role name'), { description: 'Role names, e.g. ["read-write"]; none is allowed' }))
}, { $id: 'AdminUserCreate', additionalProperties: false })

export const AdminUser = Type.Object({
  name: Type.String(),
  roles: Type.Array(Type.String()),
  readInfo: Type.Array(Type.Integer(), { description: 'Read statistics the server keeps for the user (quota, rate...), when quotas are on' }),
  writeInfo: Type.Array(Type.Integer(), { description: 'Write statistics the server keeps for the user, when quotas are on' }),
  connsInUse: Type.Integer({ description: 'Connections the user has open' })
}, { $id: 'AdminUser' })

const quota = (what: string): ReturnType<typeof Type.Integer> =>
  Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, description: `Most ${what} per second; 0: no limit (the server must have quotas on)` })

export const AdminRole = Type.Object({
  name: name('Role name'),
  privileges: Type.Array(Type.Ref('AdminPrivilege#'), { description: 'Privileges of the role' }),
  whitelist: Type.Optional(Type.Array(Type.String({ minLength: 1, pattern: NAME_PATTERN }), { description: 'Addresses allowed to use the role, e.g. 10.1.2.0/24; absent: any' })),
  readQuota: Type.Optional(quota('reads')),
  writeQuota: Type.Optional(quota('writes'))
}, { $id: 'AdminRole', additionalProperties: false })

export const AdminRoleQuota = Type.Object({
  readQuota: Type.Optional(quota('reads')),
  writeQuota: Type.Optional(quota('writes'))
}, { $id: 'AdminRoleQuota', additionalProperties: false })

export const ADMIN_SCHEMAS = [AdminUserParams, AdminRoleParams, AdminPrivilege, AdminPrivileges, AdminRoleNames, AdminPassword, AdminUserCreate, AdminUser, AdminRole, AdminRoleQuota]
