// POST /v1/batch, the official REST gateway's batch endpoint: READ, WRITE and
// DELETE items in one Aerospike batch call, a result per item in request
// order. One bad item rejects the whole request before anything is sent.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { batchPolicies, batchResults, planBatch, runBatch } from '../src/batch'
import type { BatchItem, BatchQuery } from '../src/batch'
import { GatewayError } from '../src/errors'
import { connectedClient } from '../src/plugins/aerospike'
import type { Policies } from '../src/policies'
import { ERRORS, problem } from '../src/responses'

export interface BatchRoutesOptions {
  policies: Policies
  maxDepth: number
  /** Most items in one request; more is 413. */
  maxItems: number
  /** MAX_KEY_BYTES */
  maxKeyBytes: number
}

type Req = FastifyRequest<{ Querystring: BatchQuery, Body: BatchItem[] }>

export default async function batchRoutes (app: FastifyInstance, { policies, maxDepth, maxItems, maxKeyBytes }: BatchRoutesOptions): Promise<void> {
  const defaults = batchPolicies({}, policies)
  app.route({
    method: 'POST',
    url: '/v1/batch',
    schema: {
      operationId: 'batch',
      tags: ['batch'],
      summary: 'Read, write and delete many records in one round trip',
      description: 'Each item has its own result code; a missing record is resultCode 2 with record null, never a failure of the whole batch. ' +
        'An invalid item rejects the whole request with 400 naming it (batchRecords[i]). The body may also be {"batchRecords": [...]}.',
      querystring: { $ref: 'BatchQuery#' },
      body: { $ref: 'BatchBody#' },
      response: {
        200: { description: 'A result per item, in request order', content: { 'application/json': { schema: { $ref: 'BatchResult#' } } } },
        ...ERRORS,
        413: problem(`More items than MAX_BATCH_ITEMS (default 5,000), or a body over BODY_LIMIT`)
      }
    },
    preValidation: async (request) => {
      const body = request.body as unknown
      const items = typeof body === 'object' && body !== null && !Array.isArray(body) && 'batchRecords' in body
        ? (body as { batchRecords: unknown }).batchRecords
        : body
      if (!Array.isArray(items)) throw new GatewayError(4, 'the body must be an array of batch items, or {"batchRecords": [...]}')
      if (items.length === 0) throw new GatewayError(4, 'the batch is empty: give at least one item')
      if (items.length > maxItems) throw new GatewayError(4, `the batch has ${items.length} items; the limit is ${maxItems} (MAX_BATCH_ITEMS)`, 413)
      request.body = items
    },
    handler: async (req, reply) => {
      const request = req as Req
      const items = request.body
      const plan = planBatch(items, { source: request.bodyFormat ?? 'json', maxDepth, maxKeyBytes })
      const client = connectedClient(app)
      const batch = Object.keys(request.query).length === 0 ? defaults : batchPolicies(request.query, policies)
      const outcomes = await runBatch(client, plan, batch)
      return await reply.sendRows('batchRecords', await batchResults(client, plan, items, outcomes, batch, request.id))
    }
  })
}
