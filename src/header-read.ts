// The generation and ttl of a record without its bins. A real server refuses
// a read that names no bins (`client.select(key, [])`: 4, parameter error),
// so this is the exists command (READ | GET_NO_BINS), which it answers.

import type { AerospikeRecord, Client, Key } from 'aerospike'
import type { ReadPolicy } from './values'

/** The record's header, or undefined when there is no such record. */
export async function readHeader (client: Client, key: Key, policy?: ReadPolicy): Promise<AerospikeRecord | undefined> {
  const record = await client.existsWithMetadata(key, policy)
  // The client answers a missing record with gen null rather than an error.
  return record.gen === null || record.gen === undefined ? undefined : record
}
