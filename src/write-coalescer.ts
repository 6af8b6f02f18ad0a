// Coalesces concurrent plain record writes (PUT, PATCH, POST without
// parameters or conditions) into batch writes, as src/read-coalescer.ts does
// for GETs: the client and the server spend about half as much on a write in
// a batch as on a write alone. A write that arrives alone goes out alone, at
// once.
//
// Each write gets the answer it would have had alone. A row the server
// refused without applying it (not in doubt) is sent again alone, so that its
// error is exactly the single write's, message included; a row in doubt is
// that error, in doubt. A timeout of the batch as a whole is every write's
// timeout, in doubt; any other refusal of the batch as a whole sends each
// write alone when the client says nothing was applied, and otherwise is
// every write's error, in doubt. No write is ever sent twice after it may have
// been applied.

import Aerospike from 'aerospike'
import type { AerospikeRecord, Client } from 'aerospike'
import { Coalescer, clientError } from './coalescing'
import { EXISTS } from './policies'

type Key = InstanceType<typeof Aerospike.Key>
type BatchPolicy = InstanceType<typeof Aerospike.BatchPolicy>
type BatchWritePolicy = InstanceType<typeof Aerospike.BatchWritePolicy>
type OperatePolicy = InstanceType<typeof Aerospike.OperatePolicy>
type Operation = Parameters<Client['operate']>[1][number]

interface Waiting {
  client: Client
  key: Key
  ops: Operation[]
  policy: OperatePolicy
  resolve: (record: AerospikeRecord) => void
  reject: (err: unknown) => void
}

const { status, batchType } = Aerospike

/**
 * The `exists` of the client's default batch write policy (clientConfig sets
 * it), which a row sent without a policy of its own takes. The client reads
 * a row's policy object anew, property by property, for every row, and that
 * costs about as much as the rest of the row; a PUT (REPLACE), the usual
 * write, goes without one. Every other batch write of the gateway names its
 * policy (src/batch.ts).
 */
export const ROW_DEFAULT_EXISTS = EXISTS.REPLACE

function writeAlone (w: Waiting): void {
  w.client.operate(w.key, w.ops, undefined, w.policy).then(w.resolve, w.reject)
}

export class WriteCoalescer extends Coalescer<Waiting> {
  // The row policy of each write policy: the same `exists`, which is all a
  // plain write sets beyond the batch's timeouts; none for ROW_DEFAULT_EXISTS.
  private readonly rowPolicies = new Map<OperatePolicy, BatchWritePolicy>()

  /**
   * @param maxBatch most writes in one batch
   * @param batchPolicy the batch policy matching the writes' (the same timeouts and retries)
   */
  constructor (maxBatch: number, private readonly batchPolicy: BatchPolicy) {
    super(maxBatch)
  }

  /** client.operate(key, ops, undefined, policy) of write operations, with the same answer. */
  async write (client: Client, key: Key, ops: Operation[], policy: OperatePolicy): Promise<AerospikeRecord> {
    return await new Promise<AerospikeRecord>((resolve, reject) => this.enqueue({ client, key, ops, policy, resolve, reject }))
  }

  protected sendGroup (client: Client, group: Waiting[]): void {
    if (group.length === 1) writeAlone(group[0])
    else this.writeTogether(client, group)
  }

  private rowPolicy (policy: OperatePolicy): BatchWritePolicy | undefined {
    if (policy.exists === ROW_DEFAULT_EXISTS) return undefined
    let row = this.rowPolicies.get(policy)
    if (row === undefined) {
      row = new Aerospike.BatchWritePolicy({ exists: policy.exists })
      this.rowPolicies.set(policy, row)
    }
    return row
  }

  private writeTogether (client: Client, group: Waiting[]): void {
    // A policy of undefined is none: the client takes only an object.
    const records = group.map((w) => ({ type: batchType.BATCH_WRITE, key: w.key, ops: w.ops, policy: this.rowPolicy(w.policy) }))
    client.batchWrite(records as Parameters<Client['batchWrite']>[0], this.batchPolicy).then((rows) => {
      for (let i = 0; i < group.length; i++) {
        const row = rows[i]
        if (row.status === status.OK) group[i].resolve(row.record as AerospikeRecord)
        else if (row.inDoubt === true) group[i].reject(clientError(row.status as number, { inDoubt: true }))
        else writeAlone(group[i])
      }
    }, (err: { code?: number, inDoubt?: boolean, message?: string }) => {
      if (err.code !== status.ERR_TIMEOUT && err.inDoubt !== true) group.forEach(writeAlone)
      else for (const w of group) w.reject(clientError(err.code ?? status.ERR_TIMEOUT, { inDoubt: true, message: err.message }))
    })
  }
}
