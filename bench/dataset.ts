// The records the bench reads and writes. Every record has the same five bins
// of fixed width, so every GET answers a body of the same size, the size the
// bare route sends back.

import Aerospike from 'aerospike'
import type { Client } from 'aerospike'

export const SET = 'bench'
export const RECORDS = 1000
export const BATCH_SIZE = 100
// Enough distinct batches that no one of them is hot, few enough to build
// before the run instead of on the load generator's clock.
const BATCHES = 100

export type Bins = Record<string, string | number>

export function bins (i: number): Bins {
  const id = String(i).padStart(4, '0')
  return { name: `user-${id}`, email: `user${id}@example.com`, visits: 1000 + i, city: 'Lisbon', plan: 'pro' }
}

/** Keys the reads spread over; the writes have keys of their own, so GET answers keep one generation, and one size, all run long. */
export const readKey = (i: number): string => `k${i}`
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

/** Writes the records the reads spread over, `concurrency` at a time. */
export async function seed (client: Client, namespace: string, concurrency: number): Promise<void> {
  for (let start = 0; start < RECORDS; start += concurrency) {
    const writes = []
    for (let i = start; i < Math.min(RECORDS, start + concurrency); i++) {
      writes.push(client.put(new Aerospike.Key(namespace, SET, readKey(i)), bins(i)))
    }
    await Promise.all(writes)
  }
}
