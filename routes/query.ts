// POST /v1/query/{namespace}[/{set}][/{begin}/{count}]: the records a
// secondary-index filter selects (every record without one), paged or
// streamed as GET /v1/scan is. The body is the official gateway's
// {filter, from}.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ScanSettings } from '../src/config'
import { requestBody } from '../schemas/openapi'
import { GatewayError } from '../src/errors'
import { requestClient } from '../src/plugins/aerospike'
import type { Policies } from '../src/policies'
import { toPredicate, type Predicate } from '../src/scan/filter'
import type { ScanResponder } from '../src/scan/respond'
import { scanSpec, type ScanParameters } from '../src/scan/spec'
import { PARTITIONS } from '../src/scan/token'
import { PAGE_RESPONSES, SCAN_DESCRIPTION } from './scan'

export interface QueryRoutesOptions {
  policies: Policies
  settings: ScanSettings
  responder: ScanResponder
  maxDepth: number
}

interface Params { namespace: string, set?: string, begin?: number, count?: number }
type Req = FastifyRequest<{ Params: Params, Querystring: ScanParameters & { maxRecords?: number }, Body: unknown }>

function bodyFields (body: unknown): { filter?: unknown, from?: unknown } {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) throw new GatewayError(4, 'the body is an object: {"filter": ..., "from": ...}')
  return body as { filter?: unknown, from?: unknown }
}

const QUERY_BODY = requestBody('The filter, and the page token; without a filter, every record', { $ref: 'QueryBody#' }, {
  all: { summary: 'Every record (no filter)', value: {} },
  range: { summary: 'A range of integers: needs the index of POST /v1/index\'s example (bin age, set demo)', value: { filter: { type: 'RANGE', binName: 'age', begin: 18, end: 65 } } }
})

export default async function queryRoutes (app: FastifyInstance, { policies, settings, responder, maxDepth }: QueryRoutesOptions): Promise<void> {
  // The filter is read before schema validation, so that a bad one is
  // answered with the gateway's message (field, what is wrong).
  const predicates = new WeakMap<FastifyRequest, Predicate>()
  const handler = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    const { namespace, set, begin = 0, count = PARTITIONS - begin } = request.params
    if (begin + count > PARTITIONS) throw new GatewayError(4, `partitions ${begin} to ${begin + count - 1}: there are ${PARTITIONS} partitions, 0 to ${PARTITIONS - 1}`)
    const { from } = bodyFields(request.body)
    const predicate = predicates.get(request)
    const spec = scanSpec(namespace, set, predicate, request.query, policies.limits, settings)
    return await responder.answer(requestClient(request), request, reply, {
      spec, begin, count, maxRecords: request.query.maxRecords || undefined, from: typeof from === 'string' ? from : undefined
    })
  }
  const routes = [
    ['/v1/query/:namespace/:set', 'performNamespaceSetQuery', 'Query a set', 'ScanParams#'],
    ['/v1/query/:namespace', 'performNamespaceQuery', 'Query a namespace', 'ScanParamsNoSet#'],
    ['/v1/query/:namespace/:set/:begin/:count', 'performNamespaceSetRangeQuery', 'Query a set within a range of partitions', 'QueryRangeParams#'],
    ['/v1/query/:namespace/:begin/:count', 'performNamespaceRangeQuery', 'Query a namespace within a range of partitions', 'QueryRangeParamsNoSet#']
  ] as const
  for (const [url, operationId, summary, params] of routes) {
    app.route({
      method: 'POST',
      url,
      config: { permission: 'read' },
      schema: {
        operationId,
        tags: ['query'],
        summary,
        description: `${SCAN_DESCRIPTION} A page token holds the filter's request: it resumes only the same filter, bins and partitions.`,
        params: { $ref: params },
        querystring: { $ref: 'QueryQuery#' },
        body: { $ref: 'QueryBody#' },
        ...QUERY_BODY,
        response: PAGE_RESPONSES
      },
      preValidation: async (request) => {
        const { filter, from } = bodyFields(request.body)
        if (from !== undefined && from !== null && typeof from !== 'string') throw new GatewayError(4, 'from: must be a page token (a string)')
        const predicate = toPredicate(filter, request.bodyFormat ?? 'json', maxDepth)
        if (predicate !== undefined) predicates.set(request, predicate)
      },
      handler: handler as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
    })
  }
}
