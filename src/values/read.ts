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
  /** Makes the type check instead of client.operate with `policies.check`, with the same answer. */
  checkRead?: CheckRead
  /**
   * true (default): when a Buffer bin parses as a list or map, a second read
   * tells lists and maps from blobs that happen to parse (see binTypeChecks).
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

export type ReadPolicy = InstanceType<typeof Aerospike.ReadPolicy>
export type OperatePolicy = InstanceType<typeof Aerospike.OperatePolicy>
type Operation = ReturnType<typeof Aerospike.lists.size> | ReturnType<typeof Aerospike.maps.size>

/**
 * The same read fields in the three policies a read may take: the first read,
 * raw (deserialize: false); the type check, an operate; the value read that
 * tells blobs apart when the type check cannot.
 */
export interface ReadPolicies {
  raw: ReadPolicy
  check: OperatePolicy
  cooked: ReadPolicy
}

export type FirstRead = (client: Client, key: Key, bins: string[] | undefined, policy: ReadPolicy) => Promise<AerospikeRecord>
export type CheckRead = (client: Client, key: Key, ops: Operation[], policy: OperatePolicy) => Promise<AerospikeRecord>

/** Read policies with these fields (timeouts, replica...). */
export function readPolicies (fields: ReadPolicyOptions): ReadPolicies {
  return {
    raw: new Aerospike.ReadPolicy({ ...fields, deserialize: false }),
    check: new Aerospike.OperatePolicy(fields as ConstructorParameters<typeof Aerospike.OperatePolicy>[0]),
    cooked: new Aerospike.ReadPolicy({ ...fields, deserialize: true })
  }
}

const LIBRARY_DEFAULTS = readPolicies({})

/** client.get, or client.select when bins are named. */
export async function plainRead (client: Client, key: Key, bins: string[] | undefined, policy: ReadPolicy): Promise<AerospikeRecord> {
  return bins === undefined ? await client.get(key, policy) : await client.select(key, bins, policy)
}

/** client.operate with no metadata. */
export async function plainCheck (client: Client, key: Key, ops: Operation[], policy: OperatePolicy): Promise<AerospikeRecord> {
  return await client.operate(key, ops, undefined, policy)
}

/**
 * The operations that tell the bins named from blobs, for bins whose raw
 * bytes parse as a list or a map: a list size for those that parse as a
 * list, a map size for those that parse as a map. The server answers them
 * with a small integer each when every bin is the list or map it looks like,
 * and refuses them all with 12 (incompatible type) when one is a blob (its
 * particle type is not a list's or a map's). The client's binding drops the
 * particle type of raw reads (as_bytes' type, AS_BYTES_LIST or
 * AS_BYTES_MAP), which would have told it for free.
 */
export function binTypeChecks (bins: Record<string, unknown>, names: Iterable<string>): Operation[] {
  const ops: Operation[] = []
  for (const name of names) {
    const first = (bins[name] as Buffer)[0]
    const list = (first >= 0x90 && first <= 0x9f) || first === 0xdc || first === 0xdd
    ops.push(list ? Aerospike.lists.size(name) : Aerospike.maps.size(name))
  }
  return ops
}

/** Whether an error is the server's 12: an operation on a bin of another type. */
export function isIncompatibleType (err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === Aerospike.status.ERR_BIN_INCOMPATIBLE_TYPE
}

/**
 * Reads a record with `deserialize: false`, so lists and maps keep every
 * type, and converts its bins into the value model. A record with no list or
 * map bins (nor blobs that parse as one) takes one read. Otherwise a second,
 * small read (binTypeChecks) confirms that those bins are lists and maps; when
 * one of them is a blob, a read of their values with the client's
 * deserialization tells which. The whole is read again if the record changed
 * in between (up to 3 times).
 */
export async function readRecord (client: Client, key: Key, options: ReadRecordOptions = {}): Promise<ReadRecordResult> {
  const policies = options.policies ?? LIBRARY_DEFAULTS
  const firstRead = options.firstRead ?? plainRead
  const checkRead = options.checkRead ?? plainCheck
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
    let gen: number
    try {
      reads++
      gen = (await checkRead(client, key, binTypeChecks(bins, decoded.keys()), policies.check)).gen
    } catch (err) {
      if (!isIncompatibleType(err)) {
        if (reads < 2 * MAX_READ_ATTEMPTS) continue // removed in between: read again
        throw err
      }
      try {
        reads++
        const check = await client.select(key, [...decoded.keys()], policies.cooked)
        for (const name of [...decoded.keys()]) {
          const v = (check.bins as Record<string, unknown>)[name]
          if (typeof v !== 'object' || v === null || Buffer.isBuffer(v)) decoded.delete(name) // a blob
        }
        gen = check.gen
      } catch (err) {
        if (reads < 2 * MAX_READ_ATTEMPTS) continue
        throw err
      }
    }
    if (gen === record.gen || reads >= 2 * MAX_READ_ATTEMPTS) return { record, bins: convertBins(bins, decoded, detectGeo), reads }
  }
}
