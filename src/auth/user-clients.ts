// The Aerospike clients of credential passthrough: one per user and
// password, connected (which logs the user in) once and then reused, in a
// least-recently-used cache of bounded size.
//
// - Concurrent first requests of a user wait on the same connect.
// - A connect that fails (bad user or password, cluster down) is not kept:
//   the next request tries again.
// - Requests hold a lease on their client. An evicted client is closed once
//   its last lease is released and its connections are idle, so that no
//   command of it is cut off: the cache of the official gateway closes an
//   evicted client at once, under the requests still using it.
// - The cache key is an HMAC of the user and the password under a secret of
//   the process: a wrong password never rides on a good one's client, and no
//   password is kept as key text (the client's own configuration still holds
//   it, since the client logs in again when its session expires).

import { createHmac, randomBytes } from 'node:crypto'
import type { Client } from 'aerospike'

export interface Lease {
  readonly client: Client
  /** Ends the lease; once per lease. */
  release: () => void
}

interface Entry {
  readonly user: string
  readonly ready: Promise<Client>
  leases: number
  evicted: boolean
  drained: (() => void) | undefined
}

export interface UserClientCounts {
  /** Clients connected, i.e. logins of a user at the cluster. */
  logins: number
  /** Connects that failed: bad credentials or an unreachable cluster. */
  failedLogins: number
  /** Clients pushed out of the cache by others. */
  evictions: number
  /** Clients closed once idle (evicted, dropped or at shutdown). */
  closed: number
}

export class ClosedError extends Error {
  override name = 'ClosedError'
}

// How often a retired client's connections are checked for idleness.
const IDLE_POLL_MS = 20

export class UserClients {
  private readonly entries = new Map<string, Entry>()
  private readonly retiring = new Set<Promise<void>>()
  private readonly secret = randomBytes(32)
  private closed = false
  readonly counts: UserClientCounts = { logins: 0, failedLogins: 0, evictions: 0, closed: 0 }

  /**
   * @param size most clients kept
   * @param connect makes and connects the client of a user; closes it itself when the connect fails
   * @param idle whether a client has no command on any connection
   * @param drainLimitMs longest wait for a retired client's connections to become idle
   */
  constructor (
    private readonly size: number,
    private readonly connect: (user: string, password: string) => Promise<Client>,
    private readonly idle: (client: Client) => boolean,
    private readonly drainLimitMs: number
  ) {}

  /** Clients in the cache, connecting ones included. */
  get cached (): number {
    return this.entries.size
  }

  /** Clients evicted but not yet closed. */
  get retiringCount (): number {
    return this.retiring.size
  }

  /** The user's client, connected, under a lease the caller must release. */
  async acquire (user: string, password: string): Promise<Lease> {
    if (this.closed) throw new ClosedError('the gateway is closing')
    const key = this.keyOf(user, password)
    let entry = this.entries.get(key)
    if (entry === undefined) {
      entry = this.add(key, user, password)
    } else {
      // The most recently used is the last the Map iterates.
      this.entries.delete(key)
      this.entries.set(key, entry)
    }
    entry.leases++
    let client: Client
    try {
      client = await entry.ready
    } catch (err) {
      this.release(entry)
      throw err
    }
    const leased = entry
    let released = false
    return {
      client,
      release: () => {
        if (released) return
        released = true
        this.release(leased)
      }
    }
  }

  /** Retires every client of a user, e.g. after the user's password changed or the user was dropped. */
  forget (user: string): void {
    for (const [key, entry] of this.entries) if (entry.user === user) this.evict(key, entry)
  }

  /** Refuses new leases, and resolves once every client is closed. */
  async close (): Promise<void> {
    this.closed = true
    for (const [key, entry] of this.entries) this.evict(key, entry)
    while (this.retiring.size > 0) await Promise.all([...this.retiring])
  }

  private keyOf (user: string, password: string): string {
    // The length keeps ("ab", "c") and ("a", "bc") apart.
    return createHmac('sha256', this.secret).update(`${user.length}:${user}:${password}`, 'utf8').digest('base64')
  }

  private add (key: string, user: string, password: string): Entry {
    const entry: Entry = { user, ready: this.connect(user, password), leases: 0, evicted: false, drained: undefined }
    this.entries.set(key, entry)
    entry.ready.then(() => { this.counts.logins++ }, () => {
      this.counts.failedLogins++
      if (this.entries.get(key) === entry) this.entries.delete(key)
    })
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= this.size) break
      this.counts.evictions++
      this.evict(oldKey, old)
    }
    return entry
  }

  private release (entry: Entry): void {
    entry.leases--
    if (entry.leases === 0) entry.drained?.()
  }

  private evict (key: string, entry: Entry): void {
    this.entries.delete(key)
    if (entry.evicted) return
    entry.evicted = true
    const drained = entry.leases === 0 ? Promise.resolve() : new Promise<void>((resolve) => { entry.drained = resolve })
    const done: Promise<void> = drained
      .then(async () => await entry.ready)
      .then(async (client) => await this.retire(client), () => {})
      .finally(() => this.retiring.delete(done))
    this.retiring.add(done)
  }

  // A command of a request that ended early (its client went away) may
  // still be on a connection: wait for it, up to the limit.
  private async retire (client: Client): Promise<void> {
    const deadline = Date.now() + this.drainLimitMs
    while (!this.idle(client) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS))
    try {
      await client.close()
    } catch {
      // A client whose cluster went away may refuse to close; it has nothing left to release.
    }
    this.counts.closed++
  }
}
