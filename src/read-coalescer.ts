// Coalesces concurrent single-record reads into batch reads. A batch read
// costs the client and the server far less per record than single reads, so
// under load GETs that arrive in the same turn of the event loop go out as
// one batchRead; a GET that arrives alone goes out alone, at once.
//
// A record with list or map bins needs their types too (see readRecord). The
// coalescer learns, per set, the names of the bins that needed it; a read in
// such a set asks for the types of those bins in the same batch, as a second
// item on the same key, so that the usual record takes one round trip. Type
// reads that readRecord still needs are coalesced the same way.
//
// Only reads with the default read policy come here, so every read of a
// batch has the same timeouts and retries. Each read gets the answer it
// would have had alone: its record, or for a missing one the same error as
// client.get gives (code 2); a row with any other code is read again alone,
// so that its error is exactly the single read's. A timeout of the batch as a
// whole is every member's error; any other failure of it sends each read alone.

import Aerospike from 'aerospike'
import type { AerospikeRecord, Client } from 'aerospike'
import { binTypeReads, plainCheck, plainRead, type CheckRead, type FirstRead, type FirstReadAnswer, type OperatePolicy, type ReadPolicy, type TypeRead } from './values'

type Key = InstanceType<typeof Aerospike.Key>
type BatchPolicy = InstanceType<typeof Aerospike.BatchPolicy>
type Resolve = (answer: FirstReadAnswer) => void
type Reject = (err: unknown) => void

interface Waiting {
  client: Client
  key: Key
  /** A read of these bins (all when undefined), or when ops is set, of these operations. */
  bins: string[] | undefined
  ops: TypeRead[] | undefined
  /** Type reads to send along with a read, in the same batch. */
  types: TypeRead[] | undefined
  policy: ReadPolicy | OperatePolicy
  resolve: Resolve
  reject: Reject
}

// Bounds on what is learned: sets, and bin names per set. Past them, reads
// take a second round trip for their types, as without learning.
const MAX_LEARNED_SETS = 1024
const MAX_LEARNED_BINS = 32

const { status, batchType } = Aerospike

function notFound (): Error {
  const err = new Aerospike.AerospikeError(status.getMessage(status.ERR_RECORD_NOT_FOUND))
  // The typings make code read-only; the client itself sets it like this.
  Object.assign(err, { code: status.ERR_RECORD_NOT_FOUND })
  return err
}

function readAlone (w: Waiting): void {
  const read = w.ops === undefined ? plainRead(w.client, w.key, w.bins, w.policy as ReadPolicy) : plainCheck(w.client, w.key, w.ops, w.policy as OperatePolicy).then((record) => ({ record }))
  read.then(w.resolve, w.reject)
}

function setOf (key: Key): string {
  return `${key.ns}\u0000${key.set ?? ''}`
}

export class ReadCoalescer {
  private waiting: Waiting[] = []
  private scheduled = false
  /** Told the size of every group of reads sent, for the metrics (1: a read that went alone). */
  onGroup: ((size: number) => void) | undefined

  /**
   * @param maxBatch most reads in one batchRead
   * @param batchPolicy the batch policy matching the reads' policy (the same timeouts and retries, deserialize: false)
   */
  constructor (private readonly maxBatch: number, private readonly batchPolicy: BatchPolicy) {}

  /** Per set, the names of bins that needed their types read, and their type reads. */
  private readonly learned = new Map<string, { names: Set<string>, reads: TypeRead[] }>()

  readonly read: FirstRead = async (client, key, bins, policy) => await new Promise<FirstReadAnswer>((resolve, reject) => {
    let types = this.learned.get(setOf(key))?.reads
    if (types !== undefined && bins !== undefined) {
      const learned = this.learned.get(setOf(key))?.names
      types = binTypeReads(bins.filter((name) => learned?.has(name)))
      if (types.length === 0) types = undefined
    }
    this.enqueue({ client, key, bins, ops: undefined, types, policy, resolve, reject })
  })

  readonly check: CheckRead = async (client, key, ops, policy) => await new Promise<AerospikeRecord>((resolve, reject) => {
    this.enqueue({ client, key, bins: undefined, ops, types: undefined, policy, resolve: (answer) => resolve(answer.record), reject })
  })

  /** Learns names of bins of the key's set that need their types read (readRecord's onTypeRead). */
  readonly learn = (key: Key, names: Iterable<string>): void => {
    const set = setOf(key)
    let entry = this.learned.get(set)
    if (entry === undefined) {
      if (this.learned.size >= MAX_LEARNED_SETS) return
      entry = { names: new Set(), reads: [] }
      this.learned.set(set, entry)
    }
    let added = false
    for (const name of names) {
      if (entry.names.has(name) || entry.names.size >= MAX_LEARNED_BINS) continue
      entry.names.add(name)
      added = true
    }
    if (added) entry.reads = binTypeReads(entry.names)
  }

  private enqueue (w: Waiting): void {
    this.waiting.push(w)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.flush)
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false
    const all = this.waiting
    this.waiting = []
    const first = all[0].client
    if (all.every((w) => w.client === first)) {
      this.send(first, all)
      return
    }
    // Each read goes through its own client: a reconnect may have replaced
    // the shared one, and with credential passthrough each Aerospike user
    // has one. A batch never carries another user's reads.
    const byClient = new Map<Client, Waiting[]>()
    for (const w of all) {
      const same = byClient.get(w.client)
      if (same === undefined) byClient.set(w.client, [w])
      else same.push(w)
    }
    for (const [client, reads] of byClient) this.send(client, reads)
  }

  private send (client: Client, reads: Waiting[]): void {
    for (let i = 0; i < reads.length; i += this.maxBatch) {
      const group = reads.slice(i, i + this.maxBatch)
      this.onGroup?.(group.length)
      // A read alone with nothing else to ask goes as a single read.
      if (group.length === 1 && group[0].types === undefined) readAlone(group[0])
      else this.readTogether(client, group)
    }
  }

  private readTogether (client: Client, group: Waiting[]): void {
    const records: Array<{ type: number, key: Key, ops?: TypeRead[], readAllBins?: boolean, bins?: string[] }> = []
    for (const w of group) {
      if (w.ops !== undefined) records.push({ type: batchType.BATCH_READ, key: w.key, ops: w.ops })
      else if (w.bins === undefined) records.push({ type: batchType.BATCH_READ, key: w.key, readAllBins: true })
      else records.push({ type: batchType.BATCH_READ, key: w.key, bins: w.bins })
      if (w.types !== undefined) records.push({ type: batchType.BATCH_READ, key: w.key, ops: w.types })
    }
    client.batchRead(records as Parameters<Client['batchRead']>[0], this.batchPolicy).then((rows) => {
      let r = 0
      for (const w of group) {
        const row = rows[r++]
        const types = w.types === undefined ? undefined : rows[r++]
        if (row.status === status.OK) w.resolve({ record: row.record as AerospikeRecord, types: types?.status === status.OK ? types.record as AerospikeRecord : undefined })
        else if (row.status === status.ERR_RECORD_NOT_FOUND) w.reject(notFound())
        else readAlone(w)
      }
    }, (err: unknown) => {
      // A timeout is every read's. Any other refusal of the batch as a whole
      // (every key in an unknown namespace is -16, an empty cluster 1) does
      // not say what each read alone would answer: each is read alone.
      if ((err as { code?: unknown }).code === status.ERR_TIMEOUT) for (const w of group) w.reject(err)
      else group.forEach(readAlone)
    })
  }
}
