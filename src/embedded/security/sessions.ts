// Session tokens handed out by LOGIN and presented by AUTHENTICATE on each
// later connection, valid for the session TTL.

import { randomBytes } from 'node:crypto'
import { SecResult } from './protocol'

interface Session {
  user: string
  expiresAt: number
}

export class Sessions {
  private readonly byToken = new Map<string, Session>()

  constructor (readonly ttlSeconds: number) {}

  issue (user: string): Buffer {
    const now = Date.now()
    for (const [token, s] of this.byToken) if (s.expiresAt <= now) this.byToken.delete(token)
    const token = randomBytes(32)
    this.byToken.set(token.toString('hex'), { user, expiresAt: now + this.ttlSeconds * 1000 })
    return token
  }

  /** OK, or why the token does not authenticate the user. */
  verify (user: string, token: Buffer): number {
    const s = this.byToken.get(token.toString('hex'))
    if (s === undefined || s.user !== user) return SecResult.INVALID_CREDENTIAL
    if (s.expiresAt <= Date.now()) return SecResult.EXPIRED_SESSION
    return SecResult.OK
  }

  /** A dropped user's sessions end with it. */
  endAll (user: string): void {
    for (const [token, s] of this.byToken) if (s.user === user) this.byToken.delete(token)
  }
}
