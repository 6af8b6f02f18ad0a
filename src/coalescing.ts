// What the read and write coalescers share: commands that arrive in the same
// turn of the event loop are sent together, in groups of at most `maxBatch`,
// each group through one client. A reconnect may replace the shared client
// while commands wait, and with credential passthrough each Aerospike user
// has a client of its own: a group never carries another client's commands.

import Aerospike from 'aerospike'
import type { Client } from 'aerospike'

export abstract class Coalescer<W extends { client: Client }> {
  private waiting: W[] = []
  private scheduled = false

  constructor (protected readonly maxBatch: number) {}

  protected enqueue (w: W): void {
    this.waiting.push(w)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.flush)
    }
  }

  /** Sends a group of commands of one client: one alone, or several together. */
  protected abstract sendGroup (client: Client, group: W[]): void

  private readonly flush = (): void => {
    this.scheduled = false
    const all = this.waiting
    this.waiting = []
    for (const [client, commands] of groupBy(all, (w) => w.client)) this.send(client, commands)
  }

  private send (client: Client, commands: W[]): void {
    for (let i = 0; i < commands.length; i += this.maxBatch) this.sendGroup(client, commands.slice(i, i + this.maxBatch))
  }
}

/**
 * The items by `keyOf`, in order of first appearance; the common case, one
 * key for all, without a map.
 */
export function groupBy<T, K> (items: T[], keyOf: (item: T) => K): Iterable<[K, T[]]> {
  const first = keyOf(items[0])
  if (items.every((item) => keyOf(item) === first)) return [[first, items]]
  const groups = new Map<K, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const same = groups.get(key)
    if (same === undefined) groups.set(key, [item])
    else same.push(item)
  }
  return groups
}

/** The error a single command would have failed with: the client's message for the code. */
export function clientError (code: number, fields: { inDoubt?: boolean, message?: string } = {}): Error {
  const err = new Aerospike.AerospikeError(fields.message ?? (Aerospike.status.getMessage as (code: number) => string)(code))
  // The typings make these read-only; the client itself sets them like this.
  Object.assign(err, { code, ...(fields.inDoubt === true ? { inDoubt: true } : {}) })
  return err
}
