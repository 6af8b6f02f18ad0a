// Privileges (as_admin.h codes), the permissions each grants (the server's
// as_sec_perm bits of security.h), and the permission each request needs
// (thr_tsvc.c for records and queries, thr_info.c's command table for info).

export const PrivilegeCode = {
  USER_ADMIN: 0,
  SYS_ADMIN: 1,
  DATA_ADMIN: 2,
  UDF_ADMIN: 3,
  SINDEX_ADMIN: 4,
  READ: 10,
  READ_WRITE: 11,
  READ_WRITE_UDF: 12,
  WRITE: 13,
  TRUNCATE: 14
} as const

/** Codes from READ up may be scoped to a namespace or a set; the ones below are global. */
export const FIRST_SCOPED_CODE = PrivilegeCode.READ

export const Perm = {
  NONE: 0n,
  READ: 0x0001n,
  QUERY: 0x0002n,
  WRITE: 0x0004n,
  DELETE: 0x0008n,
  UDF_APPLY: 0x0010n,
  UDF_QUERY: 0x0020n,
  OPS_QUERY: 0x0040n,
  UDF_ADMIN: 0x00010000n,
  SINDEX_ADMIN: 0x00020000n,
  QUERY_ADMIN: 0x00040000n,
  TRUNCATE: 0x00080000n,
  EVICT_ADMIN: 0x00100000n,
  RECORD_INFO: 0x00200000n,
  SET_CONFIG: 0x01000000n,
  LOGGING_CTRL: 0x02000000n,
  SERVICE_CTRL: 0x04000000n,
  XDR_SET_FILTER: 0x08000000n,
  USER_ADMIN: 0x100000000000n
} as const

const READ = Perm.READ | Perm.QUERY
const WRITE = Perm.WRITE | Perm.DELETE | Perm.OPS_QUERY
const DATA_ADMIN = Perm.UDF_ADMIN | Perm.SINDEX_ADMIN | Perm.QUERY_ADMIN | Perm.TRUNCATE

// Aerospike's documentation: sys-admin includes everything data-admin does;
// read-write-udf includes read-write.
const PERMS_OF_CODE = new Map<number, bigint>([
  [PrivilegeCode.USER_ADMIN, Perm.USER_ADMIN],
  [PrivilegeCode.SYS_ADMIN, DATA_ADMIN | Perm.EVICT_ADMIN | Perm.RECORD_INFO | Perm.SET_CONFIG | Perm.LOGGING_CTRL |
    Perm.SERVICE_CTRL | Perm.XDR_SET_FILTER],
  [PrivilegeCode.DATA_ADMIN, DATA_ADMIN],
  [PrivilegeCode.UDF_ADMIN, Perm.UDF_ADMIN],
  [PrivilegeCode.SINDEX_ADMIN, Perm.SINDEX_ADMIN],
  [PrivilegeCode.READ, READ],
  [PrivilegeCode.READ_WRITE, READ | WRITE],
  [PrivilegeCode.READ_WRITE_UDF, READ | WRITE | Perm.UDF_APPLY | Perm.UDF_QUERY],
  [PrivilegeCode.WRITE, WRITE],
  [PrivilegeCode.TRUNCATE, Perm.TRUNCATE]
])

export function isPrivilegeCode (code: number): boolean {
  return PERMS_OF_CODE.has(code)
}

export function permsOf (code: number): bigint {
  return PERMS_OF_CODE.get(code) ?? Perm.NONE
}

/** The predefined roles: each holds the global privilege of its name. */
export const PREDEFINED_ROLES = new Map<string, number>([
  ['user-admin', PrivilegeCode.USER_ADMIN],
  ['sys-admin', PrivilegeCode.SYS_ADMIN],
  ['data-admin', PrivilegeCode.DATA_ADMIN],
  ['udf-admin', PrivilegeCode.UDF_ADMIN],
  ['sindex-admin', PrivilegeCode.SINDEX_ADMIN],
  ['read', PrivilegeCode.READ],
  ['read-write', PrivilegeCode.READ_WRITE],
  ['read-write-udf', PrivilegeCode.READ_WRITE_UDF],
  ['write', PrivilegeCode.WRITE],
  ['truncate', PrivilegeCode.TRUNCATE]
])

export interface Privilege {
  code: number
  /** '' for every namespace. */
  ns: string
  /** '' for every set of the namespace. */
  set: string
}

export function samePrivilege (a: Privilege, b: Privilege): boolean {
  return a.code === b.code && a.ns === b.ns && a.set === b.set
}

/** A count byte, then each code, with namespace and set (length-prefixed) from READ up (as_admin_write_privileges). */
export function readPrivileges (data: Buffer): Privilege[] | undefined {
  if (data.length < 1) return undefined
  const out: Privilege[] = []
  let off = 1
  const name = (): string | undefined => {
    if (off >= data.length) return undefined
    const len = data[off]
    if (off + 1 + len > data.length) return undefined
    const s = data.toString('utf8', off + 1, off + 1 + len)
    off += 1 + len
    return s
  }
  for (let i = 0; i < data[0]; i++) {
    if (off >= data.length) return undefined
    const code = data[off++]
    if (code < FIRST_SCOPED_CODE) {
      out.push({ code, ns: '', set: '' })
      continue
    }
    const ns = name()
    const set = name()
    if (ns === undefined || set === undefined) return undefined
    out.push({ code, ns, set })
  }
  return out
}

export function writePrivileges (privileges: readonly Privilege[]): Buffer {
  const parts: Buffer[] = [Buffer.from([privileges.length])]
  for (const p of privileges) {
    parts.push(Buffer.from([p.code]))
    if (p.code < FIRST_SCOPED_CODE) continue
    const ns = Buffer.from(p.ns, 'utf8')
    const set = Buffer.from(p.set, 'utf8')
    parts.push(Buffer.from([ns.length]), ns, Buffer.from([set.length]), set)
  }
  return Buffer.concat(parts)
}

/** Permissions granted in one scope: global (ns ''), a namespace (set ''), or a set. */
export interface Grant {
  perms: bigint
  ns: string
  set: string
}

/** Whether the grants, summed over the scopes that cover namespace and set, hold every bit of perm. */
export function permits (grants: readonly Grant[], perm: bigint, ns: string, set: string): boolean {
  let held = 0n
  for (const g of grants) {
    if (g.ns === '' || (g.ns === ns && (g.set === '' || g.set === set))) held |= g.perms
  }
  return (held & perm) === perm
}

// thr_info.c's command table: the commands that need more than a login.
export const INFO_PERMS = new Map<string, bigint>([
  ['config-set', Perm.SET_CONFIG],
  ['set-config', Perm.SET_CONFIG],
  ['debug-record', Perm.RECORD_INFO],
  ['debug-record-meta', Perm.RECORD_INFO],
  ['dump-cluster', Perm.LOGGING_CTRL],
  ['dump-fabric', Perm.LOGGING_CTRL],
  ['dump-hb', Perm.LOGGING_CTRL],
  ['dump-hlc', Perm.LOGGING_CTRL],
  ['dump-migrates', Perm.LOGGING_CTRL],
  ['dump-rw', Perm.LOGGING_CTRL],
  ['dump-skew', Perm.LOGGING_CTRL],
  ['dump-wb-summary', Perm.LOGGING_CTRL],
  ['jem-stats', Perm.LOGGING_CTRL],
  ['log-message', Perm.LOGGING_CTRL],
  ['log-set', Perm.LOGGING_CTRL],
  ['set-log', Perm.LOGGING_CTRL],
  ['eviction-reset', Perm.EVICT_ADMIN],
  ['query-abort', Perm.QUERY_ADMIN],
  ['query-abort-all', Perm.QUERY_ADMIN],
  ['quiesce', Perm.SERVICE_CTRL],
  ['quiesce-undo', Perm.SERVICE_CTRL],
  ['recluster', Perm.SERVICE_CTRL],
  ['revive', Perm.SERVICE_CTRL],
  ['roster-set', Perm.SERVICE_CTRL],
  ['services-alumni-reset', Perm.SERVICE_CTRL],
  ['tip', Perm.SERVICE_CTRL],
  ['tip-clear', Perm.SERVICE_CTRL],
  ['sindex-create', Perm.SINDEX_ADMIN],
  ['sindex-delete', Perm.SINDEX_ADMIN],
  ['sindex-exists', Perm.SINDEX_ADMIN],
  ['truncate', Perm.TRUNCATE],
  ['truncate-namespace', Perm.TRUNCATE],
  ['truncate-namespace-undo', Perm.TRUNCATE],
  ['truncate-undo', Perm.TRUNCATE],
  ['udf-clear-cache', Perm.UDF_ADMIN],
  ['udf-put', Perm.UDF_ADMIN],
  ['udf-remove', Perm.UDF_ADMIN],
  ['xdr-set-filter', Perm.XDR_SET_FILTER]
])

// thr_info.c perm_to_string, for the role-violation message.
const PERM_NAMES = new Map<bigint, string>([
  [Perm.UDF_ADMIN, 'udf-admin'],
  [Perm.SINDEX_ADMIN, 'sindex-admin'],
  [Perm.QUERY_ADMIN, 'query-admin'],
  [Perm.RECORD_INFO, 'record-info'],
  [Perm.TRUNCATE, 'truncate'],
  [Perm.EVICT_ADMIN, 'evict-admin'],
  [Perm.SET_CONFIG, 'set-config'],
  [Perm.LOGGING_CTRL, 'logging-ctrl'],
  [Perm.SERVICE_CTRL, 'service-ctrl'],
  [Perm.XDR_SET_FILTER, 'xdr-set-filter']
])

export function permName (perm: bigint): string {
  return PERM_NAMES.get(perm) ?? 'none'
}
