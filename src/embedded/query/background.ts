// Background operations (query.c ops_bg_query_job): every record the scan or
// query selects gets the request's write operations as an update-only write
// of its own, through the ordinary write path, counted in the job.

import type { Outcome } from '../transaction'
import { FieldType, Message, MsgField, Result } from '../wire'
import type { QueryJob } from './jobs'
import type { QueryRequest } from './request'
import { selectRecords } from './run'

export type Execute = (msg: Message) => Outcome

export function runBackground (req: QueryRequest, job: QueryJob, now: number, execute: Execute): void {
  const bg = req.background
  if (bg === undefined) return
  const nsField = Buffer.from(req.ns.name, 'utf8')
  for (const { digest, record } of selectRecords(req, job, now)) {
    const fields: MsgField[] = [{ type: FieldType.NAMESPACE, data: nsField }]
    if (record.setName !== '') fields.push({ type: FieldType.SET, data: Buffer.from(record.setName, 'utf8') })
    fields.push({ type: FieldType.DIGEST, data: Buffer.from(digest, 'latin1') })
    if (req.filter !== undefined) fields.push({ type: FieldType.FILTER_EXP, data: req.filter })
    const outcome = execute({
      info1: 0,
      info2: bg.info2,
      info3: bg.info3,
      info4: 0,
      resultCode: 0,
      generation: 0,
      recordTtl: bg.recordTtl,
      transactionTtl: 0,
      fields,
      ops: bg.ops
    })
    if (outcome.resultCode === Result.OK) job.succeeded++
    else if (outcome.resultCode === Result.FILTERED_OUT) job.filteredBins++
    else if (outcome.resultCode !== Result.NOT_FOUND) job.failed++
  }
}
