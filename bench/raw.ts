// The raw client, with no HTTP in front: `connections` commands kept in
// flight for the whole run, as the load generator keeps its connections busy.

import Aerospike from 'aerospike'
import type { Client } from 'aerospike'
import { performance } from 'node:perf_hooks'
import { RECORDS, randomIndex, readKey, SET } from './dataset'
import { Latencies, Load, Measurement } from './measure'

/**
 * Runs `op` from `connections` loops until the time is up; `op` answers how
 * many operations it did. With `latencies` given, the latencies go there too,
 * with those of other runs of the same target.
 */
async function closedLoop (op: () => Promise<number>, { connections, seconds }: Load, latencies = new Latencies()): Promise<Measurement> {
  let ok = 0
  let failed = 0
  const start = performance.now()
  const deadline = start + seconds * 1000
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now()
      try {
        // Not `ok += await op()`: that reads `ok` before the await, and the loops' counts would overwrite each other.
        const done = await op()
        ok += done
        latencies.record(performance.now() - t0)
      } catch {
        failed++
      }
    }
  }
  await Promise.all(Array.from({ length: connections }, loop))
  return latencies.measurement(ok, failed, (performance.now() - start) / 1000)
}

/** `client.get` of one record, a random one of the spread each time; rate in ops/s. */
export async function rawGet (client: Client, namespace: string, options: Load, latencies?: Latencies): Promise<Measurement> {
  const keys = Array.from({ length: RECORDS }, (_, i) => new Aerospike.Key(namespace, SET, readKey(i)))
  return await closedLoop(async () => {
    await client.get(keys[randomIndex()])
    return 1
  }, options, latencies)
}

/** `client.batchRead` of each batch in turn; rate in records/s, counting only the rows that were read. */
export async function rawBatchRead (client: Client, namespace: string, batches: number[][], options: Load, latencies?: Latencies): Promise<Measurement> {
  const requests = batches.map((indexes) => indexes.map((i) => ({ key: new Aerospike.Key(namespace, SET, readKey(i)), readAllBins: true })))
  let next = 0
  return await closedLoop(async () => {
    const rows = await client.batchRead(requests[next++ % requests.length])
    return rows.filter((row) => row.status === Aerospike.status.OK).length
  }, options, latencies)
}
