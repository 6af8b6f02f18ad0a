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
  /** Takes the client out of the cache for good, e.g. when the cluster no longer accepts its credentials. */
  discard: () => void
}

interface Entry {
  readonly key: string
  readonly user: string
  readonly ready: Promise<Client>
  leases: number
  /** cached; evicted but still leased (a request of its user takes it back); closing. */
  state: 'cached' | 'retiring' | 'closing'
}

export interface UserClientCounts {
  /** Clients connected, i.e. logins of a user at the cluster. */
  logins: number
  /** Connects that failed: bad credentials or an unreachable cluster. */
  failedLogins: number
  /** Clients pushed out of the cache by others. */
  evictions: number
  /** Evicted clients taken back by a request of their user before they closed. */
  revivals: number
  /** Clients closed once idle (evicted, dropped or at shutdown). */
  closed: number
}

export class ClosedError extends Error {
  override name = 'ClosedError'
}

// How often a closing client's connections, or the cache at shutdown, are looked at again.
const POLL_MS = 20

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

export class UserClients {
  private readonly entries = new Map<string, Entry>()
  /** Evicted, still leased, and revivable: by key. */
  private readonly retiring = new Map<string, Entry>()
  /** Every entry out of the cache that requests still hold. */
  private readonly draining = new Set<Entry>()
  private readonly closing = new Set<Promise<void>>()
  private readonly secret = randomBytes(32)
  private closed = false
  readonly counts: UserClientCounts = { logins: 0, failedLogins: 0, evictions: 0, revivals: 0, closed: 0 }

  /**
   * @param size most clients kept between requests
   * @param connect makes and connects the client of a user; closes it itself when the connect fails
   * @param idle whether a client has no command on any connection
   * @param drainLimitMs longest wait for a closing client's connections to become idle
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

  /** Clients evicted but not closed yet: still serving requests, or closing. */
  get retiringCount (): number {
    return this.draining.size + this.closing.size
  }

  /** The user's client, connected, under a lease the caller must release. */
  async acquire (user: string, password: string): Promise<Lease> {
    if (this.closed) throw new ClosedError('the gateway is closing')
    const key = this.keyOf(user, password)
    let entry = this.entries.get(key)
    if (entry !== undefined) {
      // The most recently used is the last the Map iterates.
      this.entries.delete(key)
      this.entries.set(key, entry)
    } else {
      entry = this.retiring.get(key)
      if (entry !== undefined) {
        // Still open for the requests it serves: cheaper than a new login.
        this.retiring.delete(key)
        this.draining.delete(entry)
        entry.state = 'cached'
        this.counts.revivals++
        this.insert(entry)
      } else {
        entry = this.add(key, user, password)
      }
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
      },
      discard: () => this.retire(leased, false)
    }
  }

  /** Retires every client of a user, e.g. after the user's password changed or the user was dropped. */
  forget (user: string): void {
    for (const entry of [...this.entries.values(), ...this.retiring.values()]) {
      if (entry.user === user) this.retire(entry, false)
    }
  }

  /** Refuses new leases, and resolves once every client is closed. */
  async close (): Promise<void> {
    this.closed = true
    for (const entry of this.entries.values()) this.retire(entry, false)
    while (this.draining.size > 0 || this.closing.size > 0) await sleep(POLL_MS)
  }

  private keyOf (user: string, password: string): string {
    // The length keeps ("ab", "c") and ("a", "bc") apart.
    return createHmac('sha256', this.secret).update(`${user.length}:${user}:${password}`, 'utf8').digest('base64')
  }

  private add (key: string, user: string, password: string): Entry {
    const entry: Entry = { key, user, ready: this.connect(user, password), leases: 0, state: 'cached' }
    entry.ready.then(() => { this.counts.logins++ }, () => {
      this.counts.failedLogins++
      if (this.entries.get(key) === entry) this.entries.delete(key)
      if (this.retiring.get(key) === entry) this.retiring.delete(key)
    })
    this.insert(entry)
    return entry
  }

  // As the most recently used, pushing the least recently used out.
  private insert (entry: Entry): void {
    this.entries.set(entry.key, entry)
    for (const old of this.entries.values()) {
      if (this.entries.size <= this.size) break
      this.counts.evictions++
      this.retire(old, true)
    }
  }

  private release (entry: Entry): void {
    entry.leases--
    if (entry.leases === 0 && entry.state === 'retiring') this.shut(entry)
  }

  // Out of the cache; closed once no request holds it. An evicted client
  // may be taken back meanwhile; a forgotten one may not.
  private retire (entry: Entry, revivable: boolean): void {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key)
    if (this.retiring.get(entry.key) === entry) this.retiring.delete(entry.key)
    if (entry.state === 'closing') return
    entry.state = 'retiring'
    if (entry.leases === 0) {
      this.shut(entry)
      return
    }
    this.draining.add(entry)
    if (revivable) this.retiring.set(entry.key, entry)
  }

  private shut (entry: Entry): void {
    entry.state = 'closing'
    this.draining.delete(entry)
    if (this.retiring.get(entry.key) === entry) this.retiring.delete(entry.key)
    const done: Promise<void> = entry.ready
      .then(async (client) => await this.closeWhenIdle(client), () => {})
      .finally(() => this.closing.delete(done))
    this.closing.add(done)
  }

  // A command of a request that ended early (its client went away) may
  // still be on a connection: wait for it, up to the limit.
  private async closeWhenIdle (client: Client): Promise<void> {
    const deadline = Date.now() + this.drainLimitMs
    while (!this.idle(client) && Date.now() < deadline) await sleep(POLL_MS)
    try {
      await client.close()
    } catch {
      // A client whose cluster went away may refuse to close; it has nothing left to release.
    }
    this.counts.closed++
  }
}
