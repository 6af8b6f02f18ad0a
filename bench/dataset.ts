// The records the bench reads and writes, in two shapes: five scalar bins
// (strings and integers), and the shape most records take, a few scalars with
// a list and a map bin. Within a shape every record has bins of fixed width,
// so every GET answers a body of the same size, the size the bare route sends
// back for the scalar shape.

import Aerospike from 'aerospike'
import type { Client } from 'aerospike'

export const SET = 'bench'
export const RECORDS = 1000
export const BATCH_SIZE = 100
// Enough distinct batches that no one of them is hot, few enough to build
// before the run instead of on the load generator's clock.
const BATCHES = 100

export type Bins = Record<string, unknown>

export function bins (i: number): Bins {
  const id = String(i).padStart(4, '0')
  return { name: `user-${id}`, email: `user${id}@example.com`, visits: 1000 + i, city: 'Lisbon', plan: 'pro' }
}

/** A user profile: two scalars, a list of 10 tags, a map of 10 settings (about 400 bytes of JSON). */
export function listMapBins (i: number): Bins {
  const id = String(i).padStart(4, '0')
  return {
    name: `user-${id}`,
    visits: 1000 + i,
    tags: ['news', 'sport', 'travel', 'music', `cohort-${i % 7}`, 'beta', 2024, 2025, i, 'eu-west'],
    prefs: {
      lang: 'pt-PT', theme: 'dark', currency: 'EUR', newsletter: true, itemsPerPage: 50,
      timezone: 'Europe/Lisbon', lastLogin: 1767225600 + i, score: 4.5, region: 'eu', referrer: `campaign-${i % 13}`
    }
  }
}

export type Shape = 'scalar' | 'listmap'

/** Keys the reads spread over; the writes have keys of their own, so GET answers keep one generation, and one size, all run long. */
export const readKey = (i: number, shape: Shape = 'scalar'): string => `${shape === 'scalar' ? 'k' : 'l'}${i}`
export const writeKey = (i: number): string => `w${i}`

export const randomIndex = (): number => Math.floor(Math.random() * RECORDS)

/** BATCHES sets of BATCH_SIZE distinct record indexes. */
export function batchIndexes (): number[][] {
  const all = Array.from({ length: RECORDS }, (_, i) => i)
  return Array.from({ length: BATCHES }, () => {
    // A partial Fisher-Yates shuffle: the first BATCH_SIZE slots are a random sample.
    for (let i = 0; i < BATCH_SIZE; i++) {
      const j = i + Math.floor(Math.random() * (RECORDS - i))
      ;[all[i], all[j]] = [all[j], all[i]]
    }
    return all.slice(0, BATCH_SIZE)
  })
}

// Seeding is no measurement: on a busy machine it waits rather than fails.
const SEED_POLICY = new Aerospike.WritePolicy({ totalTimeout: 30_000, maxRetries: 3 })

/** Writes the records the reads spread over, of both shapes, `concurrency` at a time. */
export async function seed (client: Client, namespace: string, concurrency: number): Promise<void> {
  for (const [shape, of] of [['scalar', bins], ['listmap', listMapBins]] as const) {
    for (let start = 0; start < RECORDS; start += concurrency) {
      const writes = []
      for (let i = start; i < Math.min(RECORDS, start + concurrency); i++) {
        writes.push(client.put(new Aerospike.Key(namespace, SET, readKey(i, shape)), of(i) as Parameters<Client['put']>[1], undefined, SEED_POLICY))
      }
      await Promise.all(writes)
    }
  }
}
