// Coalesces concurrent single-record reads into batch reads. A batch read
// costs the client and the server far less per record than single reads, so
// under load GETs that arrive in the same turn of the event loop go out as
// one batchRead; a GET that arrives alone goes out alone, at once.
//
// A record with list or map bins needs their types too (see readRecord). The
// coalescer learns, per set, the names of bins found to be lists or maps; a
// read of a whole record in such a set carries a filter that those bins are
// not blobs, so that the usual record takes one round trip and no more
// work. A record that fails the filter is read again alone, the slow way,
// and the set is learned afresh. Type reads that readRecord still needs are
// coalesced the same way as reads.
//
// Only reads with the default read policy come here, so every read of a
// batch has the same timeouts and retries. Each read gets the answer it
// would have had alone: its record, or for a missing one the same error as
// client.get gives (code 2); a row with any other code is read again alone,
// so that its error is exactly the single read's. A timeout of the batch as a
// whole is every member's error; any other failure of it sends each read alone.

import Aerospike from 'aerospike'
import type { AerospikeRecord, Client } from 'aerospike'
import { Coalescer, clientError, groupBy } from './coalescing'
import { PARTICLE_BLOB, plainCheck, plainRead, type CheckRead, type FirstRead, type FirstReadAnswer, type OperatePolicy, type ReadPolicy, type TypeRead } from './values'

type Key = InstanceType<typeof Aerospike.Key>
type BatchPolicy = InstanceType<typeof Aerospike.BatchPolicy>
type Exp = Parameters<Client['expressionToBase64']>[0]

/** Bins of a set known to be lists or maps, and the filter that they are not blobs in a record. */
interface Learned {
  names: Set<string>
  filterExpression: Exp
  /**
   * The filter compiled, as base64: the client compiles a filter given as
   * expression objects on every command, which costs more than the rest of
   * a batch of twenty reads; one given compiled it only decodes.
   */
  compiled?: string
  /**
   * The filter on a batch of reads of the set. On the batch, not on each
   * item: the client takes an item's filter for every item it sends.
   */
  batch?: BatchPolicy
  /** The filter on a read alone, with the reads' policy: made at its first use. */
  alone?: ReadPolicy
}
type Resolve = (answer: FirstReadAnswer) => void
type Reject = (err: unknown) => void

interface Waiting {
  client: Client
  key: Key
  /** A read of these bins (all when undefined), or when ops is set, of these operations. */
  bins: string[] | undefined
  ops: TypeRead[] | undefined
  /** The filter that the set's known list and map bins are not blobs. */
  guard: Learned | undefined
  policy: ReadPolicy | OperatePolicy
  resolve: Resolve
  reject: Reject
}

// Bounds on what is learned: sets, and bin names per set. Past them, reads
// take a second round trip for their types, as without learning.
const MAX_LEARNED_SETS = 1024
const MAX_LEARNED_BINS = 32

const { status, batchType } = Aerospike

function readAlone (w: Waiting): void {
  const read = w.ops === undefined ? plainRead(w.client, w.key, w.bins, w.policy as ReadPolicy) : plainCheck(w.client, w.key, w.ops, w.policy as OperatePolicy).then((record) => ({ record }))
  read.then(w.resolve, w.reject)
}

function compiled (client: Client, guard: Learned): string {
  return (guard.compiled ??= client.expressionToBase64(guard.filterExpression))
}

function setOf (key: Key): string {
  return `${key.ns}\u0000${key.set ?? ''}`
}

export class ReadCoalescer extends Coalescer<Waiting> {
  /** Told the size of every group of reads sent, for the metrics (1: a read that went alone). */
  onGroup: ((size: number) => void) | undefined

  /**
   * @param maxBatch most reads in one batchRead
   * @param batchPolicy the batch policy matching the reads' policy (the same timeouts and retries, deserialize: false)
   */
  constructor (maxBatch: number, private readonly batchPolicy: BatchPolicy) {
    super(maxBatch)
  }

  /** Per set, its bins known to be lists or maps. */
  private readonly learned = new Map<string, Learned>()

  readonly read: FirstRead = async (client, key, bins, policy) => await new Promise<FirstReadAnswer>((resolve, reject) => {
    const guard = bins === undefined ? this.learned.get(setOf(key)) : undefined
    this.enqueue({ client, key, bins, ops: undefined, guard, policy, resolve, reject })
  })

  readonly check: CheckRead = async (client, key, ops, policy) => await new Promise<AerospikeRecord>((resolve, reject) => {
    this.enqueue({ client, key, bins: undefined, ops, guard: undefined, policy, resolve: (answer) => resolve(answer.record), reject })
  })

  /** Learns bins of the key's set found to be lists or maps (readRecord's onListsAndMaps). */
  readonly learn = (key: Key, names: readonly string[]): void => {
    const set = setOf(key)
    // A new set each time: reads in flight keep the names their filter checks.
    const known = new Set(this.learned.get(set)?.names)
    if (!this.learned.has(set) && this.learned.size >= MAX_LEARNED_SETS) return
    const before = known.size
    for (const name of names) if (known.size < MAX_LEARNED_BINS) known.add(name)
    if (known.size === before) return
    const { exp } = Aerospike
    const notBlobs = [...known].map((name) => exp.ne(exp.binType(name), exp.int(PARTICLE_BLOB)))
    const filterExpression = notBlobs.length === 1 ? notBlobs[0] : exp.and(...notBlobs)
    this.learned.set(set, { names: known, filterExpression })
  }

  protected sendGroup (client: Client, group: Waiting[]): void {
    for (const [guard, reads] of groupBy(group, (w) => w.guard)) this.sendGuarded(client, reads, guard)
  }

  /** Reads that all carry this guard, or none. */
  private sendGuarded (client: Client, group: Waiting[], guard: Learned | undefined): void {
    this.onGroup?.(group.length)
    if (group.length === 1 && guard !== undefined) this.readGuarded(group[0], guard)
    else if (group.length === 1) readAlone(group[0])
    else this.readTogether(client, group, guard)
  }

  private readTogether (client: Client, group: Waiting[], guard: Learned | undefined): void {
    const records = group.map((w) => w.ops !== undefined
      ? { type: batchType.BATCH_READ, key: w.key, ops: w.ops }
      : w.bins === undefined
        ? { type: batchType.BATCH_READ, key: w.key, readAllBins: true }
        : { type: batchType.BATCH_READ, key: w.key, bins: w.bins })
    const policy = guard === undefined ? this.batchPolicy : (guard.batch ??= new Aerospike.BatchPolicy({ ...this.batchPolicy, filterExpression: compiled(client, guard) }))
    client.batchRead(records as Parameters<Client['batchRead']>[0], policy).then((rows) => {
      for (let i = 0; i < group.length; i++) {
        const w = group[i]
        const row = rows[i]
        if (row.status === status.OK) w.resolve({ record: row.record as AerospikeRecord, notBlobs: guard?.names })
        else if (row.status === status.ERR_RECORD_NOT_FOUND) w.reject(clientError(status.ERR_RECORD_NOT_FOUND))
        else {
          if (row.status === status.FILTERED_OUT && guard !== undefined) this.forget(w.key, guard)
          readAlone(w)
        }
      }
    }, (err: unknown) => {
      // A timeout is every read's. Any other refusal of the batch as a whole
      // (every key in an unknown namespace is -16, an empty cluster 1) does
      // not say what each read alone would answer: each is read alone.
      if ((err as { code?: unknown }).code === status.ERR_TIMEOUT) for (const w of group) w.reject(err)
      else group.forEach(readAlone)
    })
  }

  private readGuarded (w: Waiting, guard: Learned): void {
    guard.alone ??= new Aerospike.ReadPolicy({ ...w.policy, filterExpression: compiled(w.client, guard) })
    w.client.get(w.key, guard.alone).then((record) => w.resolve({ record, notBlobs: guard.names }), (err: unknown) => {
      if ((err as { code?: unknown }).code !== status.FILTERED_OUT) return w.reject(err)
      this.forget(w.key, guard)
      readAlone(w)
    })
  }

  // A blob where the set had lists or maps: what was learned is dropped, and
  // learned again from the reads that follow.
  private forget (key: Key, guard: Learned): void {
    const set = setOf(key)
    if (this.learned.get(set) === guard) this.learned.delete(set)
  }
}
