// Coalesces concurrent batches of reads. Batches of plain reads (READ items
// with no policy and no operations, under the default batch policy) that
// arrive in the same turn of the event loop go out as one batch read, in
// which a record that several of them ask for, with the same bins, is read
// once. Under load a turn brings many batches; where they share records (hot
// keys) the client and the server do that much less work, and the client's
// work per record is most of the cost of a batch.
//
// Every read of the call was asked for before the call was sent, so each
// batch gets an answer it could have had alone. A timeout of the call is
// every batch's; any other failure of it sends each batch on its own, so
// that each fails, or not, as it would have alone.

import Aerospike from 'aerospike'
import type { Client } from 'aerospike'
import { Coalescer } from './coalescing'
import { inChunks, type BatchRow, type SubCommand } from './batch'

type BatchPolicy = InstanceType<typeof Aerospike.BatchPolicy>
type Alone = (client: Client, commands: SubCommand[]) => Promise<BatchRow[]>

interface Waiting {
  client: Client
  commands: SubCommand[]
  resolve: (rows: BatchRow[]) => void
  reject: (err: unknown) => void
}

/**
 * What makes two reads the same read: namespace, set, user key and its type,
 * and the bins. Undefined for a key given as bytes or by digest, which is
 * read as often as it is asked for. Namespaces, sets and keys hold no NUL
 * (src/keys.ts), and the bins come last.
 */
function sameRead (cmd: SubCommand): string | undefined {
  const { ns, set, key } = cmd.key
  const kind = typeof key === 'string' ? 's' : typeof key === 'number' ? 'i' : undefined
  if (kind === undefined) return undefined
  const bins = cmd.readAllBins === true ? '*' : `[${(cmd.bins ?? []).join('\u0000')}`
  return `${ns}\u0000${set ?? ''}\u0000${kind}${String(key)}\u0000${bins}`
}

export class BatchCoalescer extends Coalescer<Waiting> {
  /** Told, per coalesced call, how many items it answered and how many records it read. */
  onCall: ((items: number, reads: number) => void) | undefined

  /**
   * @param policy the default batch policy
   * @param chunk most sub-commands in one client call (BATCH_CHUNK)
   * @param alone how a batch goes on its own
   */
  constructor (private readonly policy: BatchPolicy, private readonly chunk: number, private readonly alone: Alone) {
    // The batch gate (BATCH_ITEMS_IN_FLIGHT) bounds the items that can wait.
    super(Number.POSITIVE_INFINITY)
  }

  /** The rows of a batch of plain reads, in its order. */
  readonly read = async (client: Client, commands: SubCommand[]): Promise<BatchRow[]> => await new Promise((resolve, reject) => {
    this.enqueue({ client, commands, resolve, reject })
  })

  protected sendGroup (client: Client, group: Waiting[]): void {
    if (group.length === 1) {
      this.alone(client, group[0].commands).then(group[0].resolve, group[0].reject)
      return
    }
    const first = new Map<string, number>()
    const reads: SubCommand[] = []
    const slots = group.map(({ commands }) => commands.map((cmd) => {
      const same = sameRead(cmd)
      if (same !== undefined) {
        const at = first.get(same)
        if (at !== undefined) return at
        first.set(same, reads.length)
      }
      return reads.push(cmd) - 1
    }))
    this.onCall?.(slots.reduce((n, s) => n + s.length, 0), reads.length)
    inChunks(reads, this.chunk, async (part) => await client.batchRead(part as Parameters<Client['batchRead']>[0], this.policy) as BatchRow[]).then((rows) => {
      // A batch may change its rows (a record read again alone): a row that
      // answers several items is given to the first as it is, to the others as copies.
      const given = new Uint8Array(rows.length)
      for (let g = 0; g < group.length; g++) {
        group[g].resolve(slots[g].map((at) => {
          const row = rows[at]
          if (given[at] === 0) {
            given[at] = 1
            return row
          }
          return { status: row.status, inDoubt: row.inDoubt, record: row.record }
        }))
      }
    }, (err: unknown) => {
      if ((err as { code?: unknown }).code === Aerospike.status.ERR_TIMEOUT) for (const w of group) w.reject(err)
      else for (const w of group) this.alone(client, w.commands).then(w.resolve, w.reject)
    })
  }
}
