// Coalesces concurrent single-record reads into batch reads. A batch read
// costs the client and the server far less per record than single reads, so
// under load GETs that arrive in the same turn of the event loop go out as
// one batchRead; a GET that arrives alone goes out alone, at once. The type
// checks of GETs of records with lists and maps (see binTypeChecks) are
// coalesced the same way, into the same batch reads.
//
// Only reads with the default read policy come here, so every read of a
// batch has the same timeouts and retries. Each read gets the answer it
// would have had alone: its record, or for a missing one the same error as
// client.get gives (code 2); a row with any other code is read again alone,
// so that its error is exactly the single read's. A timeout of the batch as a
// whole is every member's error; any other failure of it sends each read alone.

import Aerospike from 'aerospike'
import type { AerospikeRecord, Client } from 'aerospike'
import { plainCheck, plainRead, type CheckRead, type FirstRead, type OperatePolicy, type ReadPolicy } from './values'

type Key = InstanceType<typeof Aerospike.Key>
type BatchPolicy = InstanceType<typeof Aerospike.BatchPolicy>
type Resolve = (record: AerospikeRecord) => void
type Reject = (err: unknown) => void

type Operation = Parameters<CheckRead>[2][number]

interface Waiting {
  client: Client
  key: Key
  /** A read of these bins (all when undefined), or when ops is set, of these operations. */
  bins: string[] | undefined
  ops: Operation[] | undefined
  policy: ReadPolicy | OperatePolicy
  resolve: Resolve
  reject: Reject
}

const { status, batchType } = Aerospike

function notFound (): Error {
  const err = new Aerospike.AerospikeError(status.getMessage(status.ERR_RECORD_NOT_FOUND))
  // The typings make code read-only; the client itself sets it like this.
  Object.assign(err, { code: status.ERR_RECORD_NOT_FOUND })
  return err
}

function readAlone (w: Waiting): void {
  const read = w.ops === undefined ? plainRead(w.client, w.key, w.bins, w.policy as ReadPolicy) : plainCheck(w.client, w.key, w.ops, w.policy as OperatePolicy)
  read.then(w.resolve, w.reject)
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

  readonly read: FirstRead = async (client, key, bins, policy) => await new Promise<AerospikeRecord>((resolve, reject) => {
    this.enqueue({ client, key, bins, ops: undefined, policy, resolve, reject })
  })

  readonly check: CheckRead = async (client, key, ops, policy) => await new Promise<AerospikeRecord>((resolve, reject) => {
    this.enqueue({ client, key, bins: undefined, ops, policy, resolve, reject })
  })

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
      if (group.length === 1) readAlone(group[0])
      else this.readTogether(client, group)
    }
  }

  private readTogether (client: Client, group: Waiting[]): void {
    const records = group.map((w) => w.ops !== undefined
      ? { type: batchType.BATCH_READ, key: w.key, ops: w.ops }
      : w.bins === undefined
        ? { type: batchType.BATCH_READ, key: w.key, readAllBins: true }
        : { type: batchType.BATCH_READ, key: w.key, bins: w.bins })
    client.batchRead(records as Parameters<Client['batchRead']>[0], this.batchPolicy).then((rows) => {
      for (let i = 0; i < group.length; i++) {
        const row = rows[i]
        if (row.status === status.OK) group[i].resolve(row.record as AerospikeRecord)
        else if (row.status === status.ERR_RECORD_NOT_FOUND) group[i].reject(notFound())
        else readAlone(group[i])
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
