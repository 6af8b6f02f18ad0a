// A scan or query message, from its checks to its answer: a refusal, a
// stream of record frames, or (background operations) an immediate LAST
// while the job runs afterwards.

import type { Namespace } from '../store'
import type { SindexRegistry } from '../sindex/registry'
import { FieldType, Message, Result, findField } from '../wire'
import { Execute, runBackground } from './background'
import { refusal } from './encode'
import { JobRegistry, QueryJob } from './jobs'
import { N_PARTITIONS, messageTrid, parseQuery } from './request'
import { RecordFilter, lastMessage, queryFrames } from './run'

/**
 * Turns a filter expression field into a record predicate, or the result code
 * that refuses it. Without one, every filter is refused as unsupported.
 */
export type FilterCompiler = (field: Buffer, ns: Namespace) => RecordFilter | number

export interface QueryHost {
  readonly namespaces: ReadonlyMap<string, Namespace>
  readonly sindexes: SindexRegistry
  readonly jobs: JobRegistry
  readonly compileFilter?: FilterCompiler
  execute: Execute
}

export type QueryAnswer =
  | { reply: Buffer, stream?: undefined, background?: undefined }
  | { reply?: undefined, stream: Generator<Buffer>, background?: undefined }
  | { reply: Buffer, stream?: undefined, background: () => void }

/** A message with no digest is a scan or query (as_transaction_is_query). */
export function isQuery (msg: Message): boolean {
  return findField(msg, FieldType.DIGEST) === undefined && findField(msg, FieldType.KEY) === undefined
}

export function answerQuery (host: QueryHost, msg: Message, now: number, from: string): QueryAnswer {
  const trid = messageTrid(msg)
  const nsField = findField(msg, FieldType.NAMESPACE)
  const ns = nsField === undefined ? undefined : host.namespaces.get(nsField.toString('utf8'))
  if (ns === undefined) return { reply: refusal(Result.NAMESPACE, trid) }
  const req = parseQuery(msg, ns, host.sindexes)
  if (typeof req === 'number') return { reply: refusal(req, trid) }
  let filter: RecordFilter | undefined
  // Background writes carry the filter into each record's own write.
  if (req.filter !== undefined && req.background === undefined) {
    const compiled = host.compileFilter === undefined ? Result.UNSUPPORTED_FEATURE : host.compileFilter(req.filter, ns)
    if (typeof compiled === 'number') return { reply: refusal(compiled, trid) }
    filter = compiled
  }
  const keyds = req.partitions.filter((p) => p.resume !== undefined).length
  const explicit = req.background === undefined && req.partitions.length <= N_PARTITIONS
  const job = new QueryJob(req.trid, req.background === undefined ? 'basic' : 'background-ops', ns.name, req.setName,
    req.index?.def.name, explicit ? req.partitions.length : 0, explicit ? keyds : 0, req.rps, from, req.socketTimeout)
  if (!host.jobs.start(job)) return { reply: refusal(Result.PARAMETER, trid) }
  if (req.background !== undefined) {
    return {
      reply: lastMessage(Result.OK),
      background: () => {
        try {
          runBackground(req, job, now, host.execute)
        } finally {
          host.jobs.finish(job)
        }
      }
    }
  }
  return { stream: tracked(queryFrames(req, job, now, filter), () => host.jobs.finish(job)) }
}

function * tracked (frames: Generator<Buffer>, onEnd: () => void): Generator<Buffer> {
  try {
    yield * frames
  } finally {
    onEnd()
  }
}
