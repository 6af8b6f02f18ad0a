// A bounded retry of commands the server refused with 14 (key busy): too
// many writes to one record were pending, and the command was not applied,
// so running it again is safe.

import { AerospikeError } from 'aerospike'

const KEY_BUSY = 14

export interface KeyBusyRetry {
  /** Retries after the first attempt; 0 answers the first 14. */
  retries: number
  /** Delay before the first retry, ms; it doubles for each next one, with jitter. */
  backoffMs: number
}

export async function retryKeyBusy<T> (command: () => Promise<T>, { retries, backoffMs }: KeyBusyRetry): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await command()
    } catch (err) {
      if (attempt >= retries || !(err instanceof AerospikeError) || (err.code as number) !== KEY_BUSY) throw err
      // Jitter spreads the writers that collided, so they do not collide again.
      const delay = backoffMs * 2 ** attempt * (0.5 + Math.random() / 2)
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}
