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
    const first = all[0].client
    if (all.every((w) => w.client === first)) {
      this.send(first, all)
      return
    }
    const byClient = new Map<Client, W[]>()
    for (const w of all) {
      const same = byClient.get(w.client)
      if (same === undefined) byClient.set(w.client, [w])
      else same.push(w)
    }
    for (const [client, commands] of byClient) this.send(client, commands)
  }

  private send (client: Client, commands: W[]): void {
    for (let i = 0; i < commands.length; i += this.maxBatch) this.sendGroup(client, commands.slice(i, i + this.maxBatch))
  }
}

/** The error a single command would have failed with: the client's message for the code. */
export function clientError (code: number, fields: { inDoubt?: boolean, message?: string } = {}): Error {
  const err = new Aerospike.AerospikeError(fields.message ?? (Aerospike.status.getMessage as (code: number) => string)(code))
  // The typings make these read-only; the client itself sets them like this.
  Object.assign(err, { code, ...(fields.inDoubt === true ? { inDoubt: true } : {}) })
  return err
}
