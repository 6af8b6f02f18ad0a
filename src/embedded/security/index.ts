// Enterprise security as a server with `security {}` configured enforces it:
// every connection logs in (LOGIN) or presents a session token
// (AUTHENTICATE) before anything else, and each request needs the
// permission thr_tsvc.c and thr_info.c ask of it.

import { FieldType, Info1, Info2, Message, findField } from '../wire'
import { Accounts, User } from './accounts'
import { answerAdmin } from './admin'
import { Grant, INFO_PERMS, Perm, permName, permits } from './privileges'
import { SecResult, adminResult, parseAdmin } from './protocol'
import { Sessions } from './sessions'

export { SecResult, adminResult } from './protocol'

export const DEFAULT_SESSION_TTL = 86_400

export interface SecurityOptions {
  /** Seconds a session token from LOGIN stays good (the server's session-ttl). */
  sessionTtl?: number
  /** Whether role quotas may be set (the server's enable-quotas). */
  quotas?: boolean
}

// UDF fields of as_msg.h: a message naming a UDF applies or queries with it.
const UDF_FILENAME = 30
const UDF_OP = 33

/** What one connection has proven: the user it authenticated as, if any. */
export class ConnectionAuth {
  user: string | undefined = undefined
  grants: Grant[] = []
  version = -1

  /** The client's IP address. */
  constructor (readonly address: string) {}
}

export class Security {
  readonly accounts = new Accounts()
  readonly sessions: Sessions
  readonly quotas: boolean
  private readonly connections = new Map<string, number>()

  constructor (options: SecurityOptions = {}) {
    const ttl = options.sessionTtl ?? DEFAULT_SESSION_TTL
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 0xFFFFFFFF) throw new RangeError('sessionTtl must be a positive whole number of seconds')
    this.sessions = new Sessions(ttl)
    this.quotas = options.quotas ?? false
  }

  /** Answers one admin frame. */
  admin (body: Buffer, conn: ConnectionAuth): Buffer {
    const req = parseAdmin(body)
    if (req === undefined) return adminResult(SecResult.INVALID_FIELD)
    return answerAdmin(this, conn, req)
  }

  /** The user a connection is authenticated as, while that user exists. */
  userOf (conn: ConnectionAuth): User | undefined {
    return conn.user === undefined ? undefined : this.accounts.users.get(conn.user)
  }

  /** Marks the connection as the user's. */
  bind (conn: ConnectionAuth, user: string): void {
    this.release(conn)
    conn.user = user
    conn.version = -1
    this.connections.set(user, (this.connections.get(user) ?? 0) + 1)
  }

  /** The connection closed, or became another user's. */
  release (conn: ConnectionAuth): void {
    if (conn.user === undefined) return
    const n = (this.connections.get(conn.user) ?? 1) - 1
    if (n > 0) this.connections.set(conn.user, n)
    else this.connections.delete(conn.user)
    conn.user = undefined
  }

  connectionsOf (user: string): number {
    return this.connections.get(user) ?? 0
  }

  /** Whether the connection's user holds perm where namespace and set are. */
  holds (conn: ConnectionAuth, perm: bigint, ns = '', set = ''): boolean {
    const user = this.userOf(conn)
    if (user === undefined) return false
    if (conn.version !== this.accounts.version) {
      conn.grants = this.accounts.grants(user)
      conn.version = this.accounts.version
    }
    return permits(conn.grants, perm, ns, set)
  }

  /** 80 unless the connection is authenticated (as_security_check_auth). */
  checkAuth (conn: ConnectionAuth): number {
    return this.userOf(conn) === undefined ? SecResult.NOT_AUTHENTICATED : SecResult.OK
  }

  /**
   * OK, or 81 when the connection's user may not run this record command,
   * batch row or query (thr_tsvc.c: writes need write, and read too when they
   * read; queries need query, ops-query when they write, udf-query with a UDF).
   */
  checkData (conn: ConnectionAuth, msg: Message, query: boolean): number {
    const ns = findField(msg, FieldType.NAMESPACE)?.toString('utf8') ?? ''
    const set = findField(msg, FieldType.SET)?.toString('utf8') ?? ''
    const udf = findField(msg, UDF_FILENAME) !== undefined || findField(msg, UDF_OP) !== undefined
    const write = (msg.info2 & Info2.WRITE) !== 0
    let perm: bigint
    if (query) perm = udf ? Perm.UDF_QUERY : write ? Perm.OPS_QUERY : Perm.QUERY
    else if (udf) perm = Perm.UDF_APPLY
    else if (write) perm = Perm.WRITE | ((msg.info1 & Info1.READ) !== 0 ? Perm.READ : 0n)
    else perm = Perm.READ
    return this.holds(conn, perm, ns, set) ? SecResult.OK : SecResult.ROLE_VIOLATION
  }

  /**
   * The error an info command answers instead of running, or undefined when
   * it may run (thr_info.c handle_cmd; truncates are checked where they apply).
   */
  refuseInfo (conn: ConnectionAuth, name: string, params: string): string | undefined {
    const perm = INFO_PERMS.get(name)
    if (perm === undefined) return undefined
    let ns = ''
    let set = ''
    if (perm === Perm.TRUNCATE) {
      for (const kv of params.split(';')) {
        const [k, v = ''] = kv.split('=')
        if (k === 'namespace') ns = v
        else if (k === 'set') set = v
      }
    }
    if (this.holds(conn, perm, ns, set)) return undefined
    return `ERROR:${SecResult.ROLE_VIOLATION}:role violation - requires permission '${permName(perm)}'`
  }
}

/** A whole info reply to a connection that has not authenticated. */
export const INFO_NOT_AUTHENTICATED = `ERROR:${SecResult.NOT_AUTHENTICATED}:not authenticated\n`
