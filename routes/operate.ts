// POST /v1/operate/{namespace}/{set}/{key} (and /v2/operate/..., the
// official gateway's path for the same v2 format): several operations on one
// record, applied atomically, answering with their results.

import Aerospike from 'aerospike'
import type { AerospikeRecord } from 'aerospike'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { conditionalHeaders, requestBody, valueContent } from '../schemas/openapi'
import { METHOD_PARAMETERS, RECORD_PARAMETERS } from '../schemas/records'
import { GatewayError } from '../src/errors'
import { readHeader } from '../src/header-read'
import { refuseUnhonoured } from '../src/method-parameters'
import { recordKey, KeyType } from '../src/keys'
import { toClientOps } from '../src/operations/index'
import type { ParsedOps } from '../src/operations/index'
import { resultBins } from '../src/operations/results'
import { binTypeReads } from '../src/values'
import { retryKeyBusy } from '../src/operations/retry'
import { requestClient } from '../src/plugins/aerospike'
import type { KeyBusyRetry } from '../src/operations/retry'
import { precondition } from '../src/policies'
import type { Policies, PolicyQuery, Precondition } from '../src/policies'
import { ERRORS, problem } from '../src/responses'

interface Params {
  namespace: string
  set?: string
  key: string
}

type Req = FastifyRequest<{ Params: Params, Querystring: PolicyQuery & { keytype?: KeyType }, Body: unknown }>

declare module 'fastify' {
  interface FastifyRequest {
    /** The opsList of an operate request, read before schema validation (see below). */
    operations: ParsedOps | null
  }
}

const RESPONSES = {
  ...ERRORS,
  200: {
    description: 'The results: under each bin name, the result of the last operation on that bin that answers (see the README, "Operate"); with the new generation in ETag',
    headers: { etag: { type: 'string', description: 'The record generation, quoted; absent when the operations deleted the record' } },
    content: valueContent('Record#')
  },
  400: problem('Invalid key, parameter, operation (the detail names its index and field) or body'),
  404: problem('No such record (an opsList that only reads, UPDATE_ONLY, REPLACE_ONLY), namespace, or list or map element'),
  406: problem('A result JSON cannot carry, such as a map with integer keys: ask for application/msgpack'),
  409: problem('Generation mismatch, record exists (CREATE_ONLY), or an operation that does not apply to the bin (type, element exists)'),
  412: problem('A conditional header failed'),
  429: problem('Key busy (after the gateway\'s own retries) or quota exceeded; Retry-After says when to try again')
} as const

const DESCRIPTION = 'Applies the operations of `opsList` to one record, in order and atomically: all of them or none. ' +
  'The body is the official Aerospike REST gateway\'s v2 operate format (see the `Operation` schema for every type and its fields). ' +
  'One result per bin: when several operations in one request answer for the same bin, only the result of the last one ' +
  'is returned (the Node client keeps one per bin name); the earlier ones are applied but their results are lost. ' +
  'When the request holds a map operation every operation answers, those without a result (PUT, ADD, return type NONE...) with null, ' +
  'so one of them after a READ of the same bin replaces the value read with null. ' +
  'The write policy parameters apply as on PATCH /v1/kvs (the record is created when missing); `expiration` also sets the ttl of TOUCH. ' +
  'If-Match and If-None-Match work as on the record endpoints, for reads too. A key-busy refusal (14) is retried by the gateway ' +
  '(KEY_BUSY_RETRIES, KEY_BUSY_BACKOFF) before it is answered with 429.'

const BODY = requestBody('The operations', { $ref: 'OperateBody#' }, {
  counters: {
    summary: 'Count, read back, append to a list, increment in a map',
    value: {
      opsList: [
        { type: 'ADD', binName: 'visits', incr: 1 },
        { type: 'READ', binName: 'visits' },
        { type: 'LIST_APPEND', binName: 'tags', value: 'new' },
        { type: 'MAP_INCREMENT', binName: 'scores', key: 'ann', incr: 5 }
      ]
    }
  },
  header: { summary: 'Only the generation and ttl', value: { opsList: [{ type: 'GET_HEADER' }] } }
})

export interface OperateRoutesOptions {
  policies: Policies
  maxDepth: number
  keyBusy: KeyBusyRetry
  /** MAX_KEY_BYTES */
  maxKeyBytes: number
}

// A read changes nothing, so the server does not check a generation on it:
// the gateway compares the one it read with the precondition instead.
function checkRead (request: Req, pre: Precondition | undefined, record: AerospikeRecord): void {
  request.conditional = true
  if (pre?.generation !== undefined && record.gen !== pre.generation) {
    throw new GatewayError(Aerospike.status.ERR_RECORD_GENERATION, `If-Match: the record's generation is ${record.gen}, not ${pre.generation}`)
  }
  if (pre?.mustNotExist === true) throw new GatewayError(Aerospike.status.ERR_RECORD_EXISTS, 'If-None-Match: *: the record exists')
}

export default async function operateRoutes (app: FastifyInstance, { policies, maxDepth, keyBusy, maxKeyBytes }: OperateRoutesOptions): Promise<void> {
  app.decorateRequest('operations', null)

  // The operations are read here, before schema validation, so that a bad
  // one is answered with the gateway's own message (index, field, what is
  // wrong) rather than with the schema's; the body schema documents them.
  const readOperations = async (request: Req): Promise<void> => {
    const body = request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Buffer.isBuffer(body)) {
      throw new GatewayError(4, 'the body is an object with an "opsList"')
    }
    request.operations = toClientOps((body as { opsList?: unknown }).opsList, { source: request.bodyFormat ?? 'json', maxDepth, path: 'opsList' })
  }

  const operate = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    const parsed = request.operations as ParsedOps
    const { namespace, set, key: rawKey } = request.params
    const key = recordKey(namespace, set, rawKey, request.query.keytype, maxKeyBytes)
    const pre = precondition(request.headers['if-match'], request.headers['if-none-match'])
    // A failed read answers 412 for If-Match; for If-None-Match: * a
    // missing record is what was asked for, and a read of it is a 404.
    request.conditional = parsed.writes ? pre !== undefined : pre?.generation !== undefined || pre?.mustExist === true
    const c = requestClient(request)
    let record: AerospikeRecord
    if (parsed.ops.length === 0) {
      const header = await readHeader(c, key, policies.reads(request.query).raw)
      if (header === undefined) throw new GatewayError(Aerospike.status.ERR_RECORD_NOT_FOUND, 'no such record')
      record = header
    } else {
      // Lists and maps as the server sends them: exact (see resultBins).
      const plan = policies.writePlan(request.query, 'UPDATE', parsed.writes ? pre : undefined, true)
      record = await retryKeyBusy(async () => await c.operate(key, parsed.ops, plan.meta, plan.policy), keyBusy)
    }
    if (!parsed.writes && pre !== undefined) checkRead(request, pre, record)
    const bins = await resultBins(record, parsed.results, async (names) => await c.operate(key, binTypeReads(names), undefined, policies.reads(request.query).check))
    // Generation 0: the operations deleted the record, which has no ETag.
    if (record.gen > 0) reply.header('etag', `"${record.gen}"`)
    return await reply.sendValue({ bins, generation: record.gen, ttl: record.ttl })
  }

  const refuse = refuseUnhonoured('POST /operate', Object.keys(RECORD_PARAMETERS), METHOD_PARAMETERS.OPERATE)
  for (const version of ['v1', 'v2']) {
    for (const [url, suffix, params] of [[`/${version}/operate/:namespace/:set/:key`, '', 'RecordParams#'], [`/${version}/operate/:namespace/:key`, 'NoSet', 'RecordParamsNoSet#']] as const) {
      app.route({
        method: 'POST',
        url,
        schema: {
          operationId: `operateRecord${suffix}${version === 'v2' ? 'V2' : ''}`,
          tags: ['operate'],
          summary: version === 'v1' ? 'Apply several operations to one record atomically' : 'Same as /v1/operate, on the official gateway\'s v2 path',
          description: DESCRIPTION,
          params: { $ref: params },
          querystring: { $ref: 'OperateQuery#' },
          headers: conditionalHeaders('write'),
          body: { $ref: 'OperateBody#' },
          ...BODY,
          response: RESPONSES
        },
        // Operations that only read need only the read permission.
        config: {
          permission: (request: FastifyRequest) => {
            const { namespace, set } = request.params as Params
            return [{ permission: request.operations?.writes === false ? 'read' : 'write', namespace, set }]
          }
        },
        preValidation: [refuse, readOperations as (request: FastifyRequest) => Promise<void>],
        handler: operate as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
      })
    }
  }
}
