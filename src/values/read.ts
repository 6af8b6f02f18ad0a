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
   * `policies.raw`, with the same answer: how GETs are coalesced. It may
   * say which bins the server found not to be blobs in the same read.
   */
  firstRead?: FirstRead
  /** Makes the type read instead of client.operate with `policies.check`, with the same answer. */
  checkRead?: CheckRead
  /** Told the names of bins whose type read found a list or a map. */
  onListsAndMaps?: (key: Key, names: readonly string[]) => void
  /**
   * true (default): when a Buffer bin parses as a list or map, the bin's type
   * tells lists and maps from blobs that happen to parse (see binTypeReads).
   * false: one read; such blobs read as lists or maps.
   */
  exact?: boolean
  detectGeoJSON?: boolean
  /** See FromClientOptions.jsonText: for a record that is only written out. */
  jsonText?: boolean
}

export interface ReadRecordResult {
  /** The record of the (first) read: key, gen, ttl, and the client's bins. */
  record: AerospikeRecord
  bins: Record<string, Value>
  /** How many round trips it took. */
  reads: number
}

const MAX_READ_ATTEMPTS = 3

type ReadPolicyOptions = ConstructorParameters<typeof Aerospike.ReadPolicy>[0]

export type ReadPolicy = InstanceType<typeof Aerospike.ReadPolicy>
export type OperatePolicy = InstanceType<typeof Aerospike.OperatePolicy>
export type TypeRead = ReturnType<typeof Aerospike.exp.operations.read>

/**
 * The same read fields in the policies a read may take: the first read, raw
 * (deserialize: false), and the type read, an operate.
 */
export interface ReadPolicies {
  raw: ReadPolicy
  check: OperatePolicy
}

/**
 * A first read's answer: the record, and the names of bins that the server,
 * in the same read, found not to be blobs (a filter on their types): those
 * that parse as a list or a map are one.
 */
export interface FirstReadAnswer {
  record: AerospikeRecord
  notBlobs?: ReadonlySet<string>
}

export type FirstRead = (client: Client, key: Key, bins: string[] | undefined, policy: ReadPolicy) => Promise<FirstReadAnswer>
export type CheckRead = (client: Client, key: Key, ops: TypeRead[], policy: OperatePolicy) => Promise<AerospikeRecord>

/** Read policies with these fields (timeouts, replica...). */
export function readPolicies (fields: ReadPolicyOptions): ReadPolicies {
  return {
    raw: new Aerospike.ReadPolicy({ ...fields, deserialize: false }),
    check: new Aerospike.OperatePolicy(fields as ConstructorParameters<typeof Aerospike.OperatePolicy>[0])
  }
}

const LIBRARY_DEFAULTS = readPolicies({})

/** client.get, or client.select when bins are named. */
export async function plainRead (client: Client, key: Key, bins: string[] | undefined, policy: ReadPolicy): Promise<FirstReadAnswer> {
  return { record: bins === undefined ? await client.get(key, policy) : await client.select(key, bins, policy) }
}

/** client.operate with no metadata. */
export async function plainCheck (client: Client, key: Key, ops: TypeRead[], policy: OperatePolicy): Promise<AerospikeRecord> {
  return await client.operate(key, ops, undefined, policy)
}

// The server's particle types, as the binType expression answers them.
export const PARTICLE_BLOB = 4
const PARTICLE_MAP = 19
const PARTICLE_LIST = 20

const TYPE_READS = new Map<string, TypeRead>()
const MAX_CACHED_TYPE_READS = 4096

/**
 * Reads of the particle type of each bin named, one small integer each,
 * answered under the bin's own name. The client's binding drops the particle
 * type of raw reads (as_bytes' type, AS_BYTES_LIST or AS_BYTES_MAP), which
 * would have told lists and maps from blobs for free: a blob that holds
 * MessagePack parses just like a list.
 */
export function binTypeReads (names: Iterable<string>): TypeRead[] {
  const ops: TypeRead[] = []
  for (const name of names) {
    let op = TYPE_READS.get(name)
    if (op === undefined) {
      op = Aerospike.exp.operations.read(name, Aerospike.exp.binType(name), 0)
      if (TYPE_READS.size < MAX_CACHED_TYPE_READS) TYPE_READS.set(name, op)
    }
    ops.push(op)
  }
  return ops
}

/** The names whose bin type binTypeReads answered as a list or a map. */
export function listsAndMaps (types: Record<string, unknown> | undefined, names: Iterable<string>): string[] {
  const cdt: string[] = []
  for (const name of names) {
    const type = types?.[name]
    if (type === PARTICLE_LIST || type === PARTICLE_MAP) cdt.push(name)
  }
  return cdt
}

/**
 * Reads a record with `deserialize: false`, so lists and maps keep every
 * type, and converts its bins into the value model. A record with no list or
 * map bins (nor blobs that parse as one) takes one read, and so does one
 * whose such bins the first read found not to be blobs. Otherwise a second,
 * small read of their types (binTypeReads) tells lists and maps from blobs,
 * and the whole is read again if the record changed in between (up to 3
 * times).
 */
export async function readRecord (client: Client, key: Key, options: ReadRecordOptions = {}): Promise<ReadRecordResult> {
  const policies = options.policies ?? LIBRARY_DEFAULTS
  const firstRead = options.firstRead ?? plainRead
  const checkRead = options.checkRead ?? plainCheck
  const detectGeo = options.detectGeoJSON ?? true
  let reads = 0
  for (;;) {
    const answer = await firstRead(client, key, options.bins, policies.raw)
    const record = answer.record
    reads++
    const bins = record.bins as Record<string, unknown>
    const decoded = new Map<string, Value>()
    for (const name of Object.keys(bins)) {
      const d = tryDecodeRawCdt(bins[name], options.jsonText)
      if (d !== undefined) decoded.set(name, d)
    }
    if (decoded.size === 0 || options.exact === false) return { record, bins: convertBins(bins, decoded, detectGeo), reads }
    const unknown = [...decoded.keys()].filter((name) => answer.notBlobs?.has(name) !== true)
    if (unknown.length === 0) return { record, bins: convertBins(bins, decoded, detectGeo), reads }
    let types: AerospikeRecord
    try {
      reads++
      types = await checkRead(client, key, binTypeReads(unknown), policies.check)
    } catch (err) {
      if (reads < 2 * MAX_READ_ATTEMPTS) continue // removed in between: read again
      throw err
    }
    const cdt = listsAndMaps(types.bins, unknown)
    if (cdt.length > 0) options.onListsAndMaps?.(key, cdt)
    const kept = new Set(cdt)
    for (const name of unknown) if (!kept.has(name)) decoded.delete(name)
    if (types.gen === record.gen || reads >= 2 * MAX_READ_ATTEMPTS) return { record, bins: convertBins(bins, decoded, detectGeo), reads }
  }
}
