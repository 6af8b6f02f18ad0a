// Background operations, on the official gateway's paths: apply an opsList
// to every record a scan (or, with a filter, a query) selects, on the
// servers, and poll the task.

import Aerospike from 'aerospike'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requestBody } from '../schemas/openapi'
import { GatewayError } from '../src/errors'
import { toClientOps } from '../src/operations/index'
import { requestClient } from '../src/plugins/aerospike'
import type { Policies, PolicyQuery } from '../src/policies'
import { ERRORS, problem } from '../src/responses'
import { toPredicate } from '../src/scan/filter'

export interface ExecuteRoutesOptions {
  policies: Policies
  maxDepth: number
}

const STATUS: Record<number, string> = {
  [Aerospike.jobStatus.INPROGRESS]: 'IN_PROGRESS',
  [Aerospike.jobStatus.COMPLETED]: 'COMPLETE'
}

type Req = FastifyRequest<{ Params: { namespace: string, set?: string, taskId?: string }, Querystring: PolicyQuery, Body: unknown }>

const EXECUTE_BODY = requestBody('The operations, in the operate endpoint\'s format, and an optional query filter', { $ref: 'ExecuteBody#' }, {
  add: { summary: 'Add 1 to the bin visits of every record', value: { opsList: [{ type: 'ADD', binName: 'visits', incr: 1 }] } }
})

export default async function executeRoutes (app: FastifyInstance, { policies, maxDepth }: ExecuteRoutesOptions): Promise<void> {
  const execute = async (request: Req): Promise<unknown> => {
    // v1 took the list itself, v2 {opsList}; both read the v2 operation format.
    const body = request.body
    const fields = Array.isArray(body) ? { opsList: body } : body
    if (typeof fields !== 'object' || fields === null || Buffer.isBuffer(fields)) throw new GatewayError(4, 'the body is {"opsList": [...], "filter": ...}')
    const { opsList, filter } = fields as { opsList?: unknown, filter?: unknown }
    const source = request.bodyFormat ?? 'json'
    const parsed = toClientOps(opsList, { source, maxDepth, path: 'opsList' })
    if (!parsed.writes) throw new GatewayError(4, 'opsList: a background task writes: give at least one operation that changes the record')
    const predicate = toPredicate(filter, source, maxDepth)
    const { namespace, set } = request.params
    const plan = policies.writePlan(request.query, 'UPDATE_ONLY', undefined)
    const client = requestClient(request)
    const query = client.query(namespace, set ?? null as unknown as string, predicate === undefined ? {} : { filters: [predicate] })
    if (plan.meta.ttl !== undefined) (query as unknown as { ttl: number }).ttl = plan.meta.ttl
    const job = await query.operate(parsed.ops as Parameters<typeof query.operate>[0], new Aerospike.WritePolicy(plan.policy))
    return { taskId: job.jobID, scan: true }
  }

  const status = async (request: Req): Promise<unknown> => {
    const raw = request.params.taskId as string
    const id = Number(raw)
    if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(id)) throw new GatewayError(4, `taskId: a task id as POST /v1/execute/scan answers it, got "${raw}"`)
    const task = { taskId: id, scan: true }
    let info: { status: number, recordsRead?: number, progressPct?: number }
    try {
      info = await new Aerospike.Job(requestClient(request), id, 'query').info() as typeof info
    } catch (err) {
      if ((err as { code?: number }).code === Aerospike.status.ERR_RECORD_NOT_FOUND) return { task, status: 'NOT_FOUND' }
      throw err
    }
    return { task, status: STATUS[info.status] ?? 'NOT_FOUND', recordsRead: info.recordsRead ?? 0, progressPct: info.progressPct ?? 0 }
  }
  const taskResponse = { 200: { description: 'The task', content: { 'application/json': { schema: { $ref: 'ExecuteTask#' } } } } }
  for (const version of ['v1', 'v2'] as const) {
    for (const [url, suffix, params] of [[`/${version}/execute/scan/:namespace/:set`, 'NamespaceSet', 'ScanParams#'], [`/${version}/execute/scan/:namespace`, 'Namespace', 'ScanParamsNoSet#']] as const) {
      app.post(url, {
        config: { permission: 'write' },
        schema: {
          operationId: `executeScan${suffix}${version === 'v2' ? 'V2' : ''}`,
          tags: ['execute'],
          summary: 'Apply operations to every record of a scan or query, in the background',
          description: 'The body is {"opsList": [...]} in the operate endpoint\'s format (v1 also takes the list alone), with an optional ' +
            'query `filter`. Records are updated, never created; the write policy parameters apply (expiration sets the ttl), and a ' +
            '`filterexp` leaves the records it rejects unwritten. ' +
            'Poll GET .../execute/scan/status/{taskId}.',
          params: { $ref: params },
          querystring: { $ref: 'ExecuteQuery#' },
          body: { $ref: 'ExecuteBody#' },
          ...EXECUTE_BODY,
          response: { ...taskResponse, 404: problem('Unknown namespace (20), or no index for the filter (201)'), ...ERRORS }
        }
      }, execute as (request: FastifyRequest) => Promise<unknown>)
    }
    app.get(`/${version}/execute/scan/status/:taskId`, {
      config: { permission: 'read' },
      schema: {
        operationId: `executeScanStatus${version === 'v2' ? 'V2' : ''}`,
        tags: ['execute'],
        summary: 'The status of a background task',
        params: { $ref: 'TaskParams#' },
        response: { 200: { description: 'The task\'s status', content: { 'application/json': { schema: { $ref: 'ExecuteTaskStatus#' } } } }, ...ERRORS }
      }
    }, status as (request: FastifyRequest) => Promise<unknown>)
  }
}
