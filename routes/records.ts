// Single-record endpoints on the official REST gateway's paths:
// /v1/kvs/{namespace}/{set}/{key}, and /v1/kvs/{namespace}/{key} for records
// in no set. Handlers parse, call the client, and shape the answer.

import Aerospike from 'aerospike'
import type { Client } from 'aerospike'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { conditionalHeaders, noBody, requestBody, valueContent } from '../schemas/openapi'
import { METHOD_PARAMETERS, RECORD_PARAMETERS } from '../schemas/records'
import { GatewayError } from '../src/errors'
import { readHeader } from '../src/header-read'
import { refuseUnhonoured } from '../src/method-parameters'
import { requestClient } from '../src/plugins/aerospike'
import { ERRORS, problem } from '../src/responses'
import { recordKey, KeyType } from '../src/keys'
import { etagGeneration, hasAny, PolicyQuery, precondition } from '../src/policies'
import type { Policies } from '../src/policies'
import type { ReadCoalescer } from '../src/read-coalescer'
import type { WriteCoalescer } from '../src/write-coalescer'
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

// RFC 9110 on a read: If-Match first (412 when it fails), then If-None-Match
// (304 when any of its ETags, or `*`, matches).
function notModified (request: Req, generation: number): boolean {
  const ifMatch = request.headers['if-match']
  if (ifMatch !== undefined) {
    const pre = precondition(ifMatch, undefined)
    if (pre?.generation !== undefined && pre.generation !== generation) {
      throw new GatewayError(Aerospike.status.ERR_RECORD_GENERATION, `If-Match: the record's generation is ${generation}, not ${pre.generation}`)
    }
  }
  const ifNoneMatch = request.headers['if-none-match']
  if (ifNoneMatch === undefined) return false
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || etagGeneration(tag) === generation)
}

const NO_RECORD = 'no such record'

// With If-Match, a missing record is a failed precondition (412), not a 404.
function conditionalRead (request: Req): void {
  request.conditional = request.headers['if-match'] !== undefined
}

type WriteOp = ReturnType<typeof Aerospike.operations.write>

/**
 * The write ops of a body; `forReplace` drops nulls, which a replace cannot
 * carry. `viaPut` is set when a top-level bin is a bigint: the client's
 * operate cannot write one (it fails with -2), its put can.
 */
function writeOps (request: Req, forReplace: boolean, maxDepth: number, maxBins: number): { ops: WriteOp[], bins: Record<string, unknown>, viaPut: boolean } {
  const bins = toClientBins(request.body, { source: request.bodyFormat ?? 'json', maxDepth, maxBins })
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
  /** Shares batch writes among concurrent writes without parameters or conditions; absent when COALESCE_WRITES is false. */
  writeCoalescer?: WriteCoalescer
  /** MAX_KEY_BYTES */
  maxKeyBytes: number
  /** MAX_BINS */
  maxBins: number
}

export default async function recordRoutes (app: FastifyInstance, { policies, maxDepth, coalescer, writeCoalescer, maxKeyBytes, maxBins }: RecordRoutesOptions): Promise<void> {
  const keyOf = (request: Req): InstanceType<typeof Aerospike.Key> => {
    const { namespace, set, key } = request.params
    return recordKey(namespace, set, key, request.query.keytype, maxKeyBytes)
  }

  const get = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    conditionalRead(request)
    const reads = policies.reads(request.query)
    const { record, bins } = await readRecord(requestClient(request), keyOf(request), {
      bins: request.query.recordBins?.map((name, i) => checkBinName(name, `recordBins[${i}]`)),
      policies: reads,
      firstRead: reads === policies.defaultRead ? coalescer?.read : undefined,
      checkRead: reads === policies.defaultRead ? coalescer?.check : undefined,
      onListsAndMaps: reads === policies.defaultRead ? coalescer?.learn : undefined,
      jsonText: true
    })
    reply.header('etag', etag(record.gen))
    if (notModified(request, record.gen)) return await reply.code(304).send()
    return await reply.sendValue({ bins, generation: record.gen, ttl: record.ttl })
  }

  const head = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    conditionalRead(request)
    const record = await readHeader(requestClient(request), keyOf(request), policies.reads(request.query).raw)
    if (record === undefined) throw new GatewayError(Aerospike.status.ERR_RECORD_NOT_FOUND, NO_RECORD)
    reply.header('etag', etag(record.gen))
    return await reply.code(notModified(request, record.gen) ? 304 : 200).send()
  }

  const write = (defaultExists: 'CREATE_ONLY' | 'REPLACE' | 'UPDATE', created: boolean) =>
    async (request: Req, reply: FastifyReply): Promise<unknown> => {
      const pre = precondition(request.headers['if-match'], request.headers['if-none-match'])
      request.conditional = pre !== undefined
      const { ops, bins, viaPut } = writeOps(request, defaultExists === 'REPLACE' && request.query.recordExistsAction !== 'UPDATE', maxDepth, maxBins)
      const plan = policies.writePlan(request.query, defaultExists, pre)
      const key = keyOf(request)
      const c = requestClient(request)
      let generation: number
      if (viaPut) {
        // put answers with the key only: the ETag takes a header read, and
        // may name a later generation if another write lands in between.
        await c.put(key, bins as Parameters<Client['put']>[1], plan.meta, new Aerospike.WritePolicy(plan.policy))
        generation = (await readHeader(c, key))?.gen ?? 0
      } else if (writeCoalescer !== undefined && pre === undefined && !hasAny(request.query)) {
        generation = (await writeCoalescer.write(c, key, ops, plan.policy)).gen
      } else {
        generation = (await c.operate(key, ops, plan.meta, plan.policy)).gen
      }
      // Generation 0: the nulls of a PATCH deleted every bin, and with them
      // the record, which has no ETag now.
      if (generation > 0) reply.header('etag', etag(generation))
      return await reply.code(created ? 201 : 204).send()
    }

  const remove = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    const pre = precondition(request.headers['if-match'], undefined)
    request.conditional = pre !== undefined
    await requestClient(request).remove(keyOf(request), policies.remove(request.query, pre))
    return await reply.code(204).send()
  }

  const bodyExample = { name: 'Ann', visits: 1, score: 1.5, tags: ['vip'] }
  const body = (description: string): ReturnType<typeof requestBody> => requestBody(description, { $ref: 'Bins#' }, {
    record: { summary: 'Bins of several types', value: bodyExample }
  })
  const written = (description: string): object => noBody(description, ETAG_WRITTEN)

  // HEAD comes before GET: Fastify would otherwise derive HEAD from GET,
  // which reads every bin only to drop them.
  const routes = [
    { method: 'HEAD', id: 'headRecord', summary: 'Whether a record exists, and its ETag', handler: head, params: METHOD_PARAMETERS.HEAD, headers: 'read', ok: { 200: noBody('The record exists', ETAG_HEADER), 304: noBody('Not modified (If-None-Match matched)', ETAG_HEADER), 404: noBody('No such record'), 412: noBody('If-Match did not match, or no such record with If-Match') } },
    { method: 'GET', id: 'getRecord', summary: 'Read a record (all bins, or those named by recordBins)', handler: get, params: METHOD_PARAMETERS.GET, headers: 'read', ok: { 200: { description: 'The record', headers: ETAG_HEADER, content: valueContent('Record#') }, 304: noBody('Not modified (If-None-Match matched)', ETAG_HEADER), 404: problem('No such record, namespace or bin'), 406: problem('A value JSON cannot carry, such as a map with integer keys: ask for application/msgpack'), 412: problem('If-Match did not match, or no such record with If-Match') } },
    { method: 'POST', id: 'createRecord', summary: 'Create a record; an existing one is 409', handler: write('CREATE_ONLY', true), params: METHOD_PARAMETERS.POST, headers: 'write', body: body('The bins of the new record'), ok: { 201: written('Created'), 409: problem('The record exists'), 412: problem('A conditional header failed') } },
    { method: 'PUT', id: 'replaceRecord', summary: 'Create or replace all bins of a record', handler: write('REPLACE', false), params: METHOD_PARAMETERS.PUT, headers: 'write', body: body('Every bin of the record; null bins are dropped'), ok: { 204: written('Written'), 404: problem('No such record (REPLACE_ONLY or If-Match)'), 409: problem('Generation or type conflict'), 412: problem('A conditional header failed') } },
    { method: 'PATCH', id: 'updateRecord', summary: 'Create a record or merge bins into it; a null bin deletes that bin', handler: write('UPDATE', false), params: METHOD_PARAMETERS.PATCH, headers: 'write', body: body('Bins to write; null deletes a bin, and deleting every bin deletes the record'), ok: { 204: written('Written; without ETag when the nulls deleted every bin, and so the record'), 404: problem('No such record (UPDATE_ONLY or If-Match)'), 409: problem('Generation or type conflict'), 412: problem('A conditional header failed') } },
    { method: 'DELETE', id: 'deleteRecord', summary: 'Delete a record', handler: remove, params: METHOD_PARAMETERS.DELETE, headers: 'delete', ok: { 204: noBody('Deleted'), 404: problem('No such record'), 409: problem('Generation mismatch (generationPolicy)'), 412: problem('If-Match did not match') } }
  ] as const

  const known = Object.keys(RECORD_PARAMETERS)
  for (const r of routes) {
    const refuse = refuseUnhonoured(r.method, known, r.params, r.method === 'POST' ? POST_HINTS : {})
    for (const [url, suffix, params] of [['/v1/kvs/:namespace/:set/:key', '', 'RecordParams#'], ['/v1/kvs/:namespace/:key', 'NoSet', 'RecordParamsNoSet#']] as const) {
      app.route({
        method: r.method,
        url,
        schema: {
          operationId: `${r.id}${suffix}`,
          tags: ['records'],
          summary: r.summary,
          params: { $ref: params },
          querystring: { $ref: `${QUERY_SCHEMAS[r.method]}#` },
          headers: conditionalHeaders(r.headers),
          ...('body' in r ? r.body : {}),
          response: { ...r.ok, ...ERRORS }
        },
        preValidation: refuse,
        // @fastify/swagger leaves HEAD routes out unless told.
        config: { swagger: { exposeHeadRoute: true }, permission: r.method === 'HEAD' || r.method === 'GET' ? 'read' : 'write' },
        handler: r.handler as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
      })
    }
  }
}

const ETAG_WRITTEN = { etag: { type: 'string', description: 'The new generation, quoted' } }

const QUERY_SCHEMAS = { HEAD: 'HeadQuery', GET: 'GetQuery', POST: 'CreateQuery', PUT: 'WriteQuery', PATCH: 'WriteQuery', DELETE: 'DeleteQuery' } as const

const POST_HINTS = {
  recordExistsAction: 'POST only creates (201, or 409 when the record exists): PUT replaces and PATCH updates, with or without recordExistsAction',
  generation: 'a record POST creates has no generation yet',
  generationPolicy: 'a record POST creates has no generation yet'
}
