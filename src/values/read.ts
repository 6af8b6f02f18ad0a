// Reading a record with every type it can keep.

import Aerospike from 'aerospike'
import type { AerospikeRecord, Client, Key } from 'aerospike'
import { type Value } from './model'
import { convertBins, tryDecodeRawCdt } from './convert'

export interface ReadRecordOptions {
  /** Bins to read; all when absent. */
  bins?: string[]
  /** The policies of the two reads (see ReadPolicies); the client library's defaults when absent. */
  policies?: ReadPolicies
  /**
   * Makes the first read instead of client.get / client.select with
   * `policies.raw`, with the same answer: how GETs are coalesced.
   */
  firstRead?: FirstRead
  /**
   * true (default): when a Buffer bin parses as a list or map, a second read
   * of just those bins tells lists and maps from blobs that happen to parse.
   * false: one read; such blobs read as lists or maps.
   */
  exact?: boolean
  detectGeoJSON?: boolean
}

export interface ReadRecordResult {
  /** The record of the (first) read: key, gen, ttl, and the client's bins. */
  record: AerospikeRecord
  bins: Record<string, Value>
  /** How many reads it took. */
  reads: number
}

const MAX_READ_ATTEMPTS = 3

type ReadPolicyOptions = ConstructorParameters<typeof Aerospike.ReadPolicy>[0]

/**
 * Reads a record with `deserialize: false`, so lists and maps keep every
 * type, and converts its bins into the value model. A record with no list or
 * map bins (nor blobs that parse as one) takes one read; otherwise a second
 * read of just those bins, with the client's deserialization, tells lists
 * and maps from blobs, and the whole is read again if the record changed in
 * between (up to 3 times).
 */
export type ReadPolicy = InstanceType<typeof Aerospike.ReadPolicy>

/** The same read policy twice: for the first read, raw (deserialize: false), and for the check read. */
export interface ReadPolicies {
  raw: ReadPolicy
  cooked: ReadPolicy
}

export type FirstRead = (client: Client, key: Key, bins: string[] | undefined, policy: ReadPolicy) => Promise<AerospikeRecord>

/** Read policies with these fields (timeouts, replica...). */
export function readPolicies (fields: ReadPolicyOptions): ReadPolicies {
  return {
    raw: new Aerospike.ReadPolicy({ ...fields, deserialize: false }),
    cooked: new Aerospike.ReadPolicy({ ...fields, deserialize: true })
  }
}

const LIBRARY_DEFAULTS = readPolicies({})

/** client.get, or client.select when bins are named. */
export async function plainRead (client: Client, key: Key, bins: string[] | undefined, policy: ReadPolicy): Promise<AerospikeRecord> {
  return bins === undefined ? await client.get(key, policy) : await client.select(key, bins, policy)
}

export async function readRecord (client: Client, key: Key, options: ReadRecordOptions = {}): Promise<ReadRecordResult> {
  const policies = options.policies ?? LIBRARY_DEFAULTS
  const firstRead = options.firstRead ?? plainRead
  const detectGeo = options.detectGeoJSON ?? true
  let reads = 0
  for (;;) {
    const record = await firstRead(client, key, options.bins, policies.raw)
    reads++
    const bins = record.bins as Record<string, unknown>
    const decoded = new Map<string, Value>()
    for (const name of Object.keys(bins)) {
      const d = tryDecodeRawCdt(bins[name])
      if (d !== undefined) decoded.set(name, d)
    }
    if (decoded.size === 0 || options.exact === false) return { record, bins: convertBins(bins, decoded, detectGeo), reads }
    let check: AerospikeRecord
    try {
      check = await client.select(key, [...decoded.keys()], policies.cooked)
      reads++
    } catch (err) {
      reads++
      if (reads < 2 * MAX_READ_ATTEMPTS) continue // removed in between: read again
      throw err
    }
    for (const name of [...decoded.keys()]) {
      const v = (check.bins as Record<string, unknown>)[name]
      if (typeof v !== 'object' || v === null || Buffer.isBuffer(v)) decoded.delete(name) // a blob
    }
    if (check.gen === record.gen || reads >= 2 * MAX_READ_ATTEMPTS) return { record, bins: convertBins(bins, decoded, detectGeo), reads }
  }
}
