// Single-record endpoints on the official REST gateway's paths:
// /v1/kvs/{namespace}/{set}/{key}, and /v1/kvs/{namespace}/{key} for records
// in no set. Handlers parse, call the client, and shape the answer.

import Aerospike from 'aerospike'
import type { Client } from 'aerospike'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError } from '../src/errors'
import { connectedClient } from '../src/plugins/aerospike'
import { ERRORS, problem } from '../src/responses'
import { recordKey, KeyType } from '../src/keys'
import { etagGeneration, PolicyQuery, precondition } from '../src/policies'
import type { Policies } from '../src/policies'
import type { ReadCoalescer } from '../src/read-coalescer'
import { checkBinName, readRecord, toClientBins } from '../src/values'

interface Params {
  namespace: string
  set?: string
  key: string
}

type Query = PolicyQuery & { keytype?: KeyType, recordBins?: string[] }
type Req = FastifyRequest<{ Params: Params, Querystring: Query, Body: unknown }>

const ETAG_HEADER = { etag: { type: 'string', description: 'The record generation, quoted' } }


function etag (generation: number): string {
  return `"${generation}"`
}

type WriteOp = ReturnType<typeof Aerospike.operations.write>

/**
 * The write ops of a body; `forReplace` drops nulls, which a replace cannot
 * carry. `viaPut` is set when a top-level bin is a bigint: the client's
 * operate cannot write one (it fails with -2), its put can.
 */
function writeOps (request: Req, forReplace: boolean, maxDepth: number): { ops: WriteOp[], bins: Record<string, unknown>, viaPut: boolean } {
  const bins = toClientBins(request.body, { source: request.bodyFormat ?? 'json', maxDepth })
  const ops: WriteOp[] = []
  let viaPut = false
  for (const name in bins) {
    const value = bins[name]
    if (value === null && forReplace) {
      delete bins[name]
      continue
    }
    if (typeof value === 'bigint') viaPut = true
    ops.push(Aerospike.operations.write(name, value as Parameters<typeof Aerospike.operations.write>[1]))
  }
  if (ops.length === 0) throw new GatewayError(4, 'a replace needs at least one bin that is not null')
  return { ops, bins, viaPut }
}

export interface RecordRoutesOptions {
  policies: Policies
  maxDepth: number
  /** Shares batch reads among concurrent GETs with the default policy; absent when COALESCE_GETS is false. */
  coalescer?: ReadCoalescer
  /** MAX_KEY_BYTES */
  maxKeyBytes: number
}

export default async function recordRoutes (app: FastifyInstance, { policies, maxDepth, coalescer, maxKeyBytes }: RecordRoutesOptions): Promise<void> {
  const keyOf = (request: Req): InstanceType<typeof Aerospike.Key> => {
    const { namespace, set, key } = request.params
    return recordKey(namespace, set, key, request.query.keytype, maxKeyBytes)
  }

  const get = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    const reads = policies.reads(request.query)
    const { record, bins } = await readRecord(connectedClient(app), keyOf(request), {
      bins: request.query.recordBins?.map((name, i) => checkBinName(name, `recordBins[${i}]`)),
      policies: reads,
      firstRead: reads === policies.defaultRead ? coalescer?.read : undefined,
      checkRead: reads === policies.defaultRead ? coalescer?.check : undefined
    })
    const tag = etag(record.gen)
    reply.header('etag', tag)
    const cached = request.headers['if-none-match']
    if (cached !== undefined && etagGeneration(cached) === record.gen) return await reply.code(304).send()
    return await reply.sendValue({ bins, generation: record.gen, ttl: record.ttl })
  }

  const head = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    const record = await connectedClient(app).select(keyOf(request), [], policies.reads(request.query).raw)
    return await reply.header('etag', etag(record.gen)).code(200).send()
  }

  const write = (defaultExists: 'CREATE_ONLY' | 'REPLACE' | 'UPDATE', created: boolean) =>
    async (request: Req, reply: FastifyReply): Promise<unknown> => {
      const pre = precondition(request.headers['if-match'], request.headers['if-none-match'])
      request.conditional = pre !== undefined
      const { ops, bins, viaPut } = writeOps(request, defaultExists === 'REPLACE' && request.query.recordExistsAction !== 'UPDATE', maxDepth)
      const plan = policies.writePlan(request.query, defaultExists, pre)
      const key = keyOf(request)
      const c = connectedClient(app)
      let generation: number
      if (viaPut) {
        // put answers with the key only: the ETag takes a header read, and
        // may name a later generation if another write lands in between.
        await c.put(key, bins as Parameters<Client['put']>[1], plan.meta, new Aerospike.WritePolicy(plan.policy))
        generation = (await c.select(key, [])).gen
      } else {
        generation = (await c.operate(key, ops, plan.meta, plan.policy)).gen
      }
      return await reply.header('etag', etag(generation)).code(created ? 201 : 204).send()
    }

  const remove = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    const pre = precondition(request.headers['if-match'], undefined)
    request.conditional = pre !== undefined
    await connectedClient(app).remove(keyOf(request), policies.remove(request.query, pre))
    return await reply.code(204).send()
  }

  // HEAD comes before GET: Fastify would otherwise derive HEAD from GET,
  // which reads every bin only to drop them.
  const routes = [
    { method: 'HEAD', id: 'headRecord', summary: 'Whether a record exists, and its ETag', handler: head, ok: { 200: { description: 'The record exists', headers: ETAG_HEADER }, 404: { description: 'No such record' } } },
    { method: 'GET', id: 'getRecord', summary: 'Read a record (all bins, or those named by recordBins)', handler: get, ok: { 200: { description: 'The record', headers: ETAG_HEADER, content: { 'application/json': { schema: { $ref: 'Record#' } } } }, 304: { description: 'Not modified (If-None-Match)' }, 404: problem('No such record, namespace or bin'), 412: problem('If-Match did not match') } },
    { method: 'POST', id: 'createRecord', summary: 'Create a record; an existing one is 409', handler: write('CREATE_ONLY', true), ok: { 201: { description: 'Created', headers: ETAG_HEADER }, 409: problem('The record exists'), 412: problem('A conditional header failed') } },
    { method: 'PUT', id: 'replaceRecord', summary: 'Create or replace all bins of a record', handler: write('REPLACE', false), ok: { 204: { description: 'Written', headers: ETAG_HEADER }, 404: problem('No such record (REPLACE_ONLY or If-Match)'), 409: problem('Generation or type conflict'), 412: problem('A conditional header failed') } },
    { method: 'PATCH', id: 'updateRecord', summary: 'Create a record or merge bins into it; a null bin deletes that bin', handler: write('UPDATE', false), ok: { 204: { description: 'Written', headers: ETAG_HEADER }, 404: problem('No such record (UPDATE_ONLY or If-Match)'), 409: problem('Generation or type conflict'), 412: problem('A conditional header failed') } },
    { method: 'DELETE', id: 'deleteRecord', summary: 'Delete a record', handler: remove, ok: { 204: { description: 'Deleted' }, 404: problem('No such record'), 412: problem('If-Match did not match') } }
  ] as const

  for (const r of routes) {
    for (const [url, suffix] of [['/v1/kvs/:namespace/:set/:key', ''], ['/v1/kvs/:namespace/:key', 'NoSet']] as const) {
      app.route({
        method: r.method,
        url,
        schema: {
          operationId: `${r.id}${suffix}`,
          tags: ['records'],
          summary: r.summary,
          params: { $ref: 'RecordParams#' },
          querystring: { $ref: 'RecordQuery#' },
          response: { ...r.ok, ...ERRORS }
        },
        handler: r.handler as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
      })
    }
  }
}
