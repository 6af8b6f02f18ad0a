// POST /v1/batch, the official REST gateway's batch endpoint: READ, WRITE and
// DELETE items in one Aerospike batch call, a result per item in request
// order. One bad item rejects the whole request before anything is sent.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { batchAlone, batchPolicies, batchResults, planBatch, runBatch } from '../src/batch'
import { BatchCoalescer } from '../src/batch-coalescer'
import { BatchGate } from '../src/batch-gate'
import type { BatchItem, BatchQuery } from '../src/batch'
import { requestBody, valueContent } from '../schemas/openapi'
import { GatewayError } from '../src/errors'
import { requestClient } from '../src/plugins/aerospike'
import type { Policies } from '../src/policies'
import { ERRORS, problem } from '../src/responses'

const ann = { namespace: 'test', setName: 'people', userKey: 'ann' }
const BODY = requestBody('The items', { $ref: 'BatchRequest#' }, {
  mixed: {
    summary: 'Write a record, read it back, delete another',
    value: [
      { type: 'WRITE', key: ann, bins: { name: 'Ann', visits: 1 } },
      { type: 'READ', key: ann, readAllBins: true },
      { type: 'READ', key: { ...ann, userKey: 'bob' }, binNames: ['name'] },
      { type: 'DELETE', key: { ...ann, userKey: 'carl' } }
    ]
  },
  wrapped: {
    summary: 'The official gateway\'s wrapped form',
    value: { batchRecords: [{ type: 'READ', key: ann }] }
  }
})

export interface BatchRoutesOptions {
  policies: Policies
  maxDepth: number
  /** Most items in one request; more is 413. */
  maxItems: number
  /** MAX_KEY_BYTES */
  maxKeyBytes: number
  /** MAX_BINS: most bins in one WRITE item. */
  maxBins: number
  /** BATCH_CHUNK: items between yields to the event loop, and sub-commands in one client call. */
  chunk: number
  /** BATCH_ITEMS_IN_FLIGHT: items of all batches held at once; later batches wait. */
  itemsInFlight: number
  /** COALESCE_BATCHES: concurrent batches of plain reads share batch reads. */
  coalesce: boolean
}

type Req = FastifyRequest<{ Querystring: BatchQuery, Body: BatchItem[] }>

export default async function batchRoutes (app: FastifyInstance, { policies, maxDepth, maxItems, maxKeyBytes, maxBins, chunk, itemsInFlight, coalesce }: BatchRoutesOptions): Promise<void> {
  const defaults = batchPolicies({}, policies, chunk)
  const coalescer = coalesce ? new BatchCoalescer(defaults.batch, chunk, async (client, commands) => await batchAlone(client, commands, defaults)) : undefined
  if (coalescer !== undefined) coalescer.onCall = app.observeCoalescedBatches
  const gate = new BatchGate(itemsInFlight)
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
      ...BODY,
      response: {
        200: { description: 'A result per item, in request order', content: valueContent('BatchResult#') },
        ...ERRORS,
        413: problem(`More items than MAX_BATCH_ITEMS (default 5,000), a WRITE item with more bins than MAX_BINS (default 5,000), or a body over BODY_LIMIT`)
      }
    },
    // Every item's namespace and set are checked before any item runs.
    config: {
      permission: (request: FastifyRequest) => (request.body as BatchItem[]).map((item, i) => ({
        permission: item.type === 'READ' ? 'read' : 'write',
        namespace: item.key.namespace,
        set: item.key.setName ?? undefined,
        where: `batchRecords[${i}]`
      }))
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
      const release = await gate.enter(items.length)
      try {
        const plan = await planBatch(items, { source: request.bodyFormat ?? 'json', maxDepth, maxKeyBytes, maxBins, chunk })
        const client = requestClient(request)
        const batch = Object.keys(request.query).length === 0 ? defaults : batchPolicies(request.query, policies, chunk)
        const outcomes = await runBatch(client, plan, batch, batch === defaults ? coalescer?.read : undefined)
        return await reply.sendRows('batchRecords', await batchResults(client, plan, items, outcomes, batch, request.id))
      } finally {
        release()
      }
    }
  })
}
