// Secondary indexes on the official gateway's paths: list, create, read the
// statistics of one, drop. A real server answers `ok` to re-creating an
// identical index and to dropping a missing one, so both succeed here too:
// 200 for the identical index (nothing was created), 204 for the drop.

import Aerospike from 'aerospike'
import type { Client } from 'aerospike'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { MAX_INDEX_NAME, SERVER_NAME_PATTERN, serverName } from '../schemas/limits'
import { noBody, requestBody } from '../schemas/openapi'
import { GatewayError } from '../src/errors'
import { info, pairs, requireNamespace } from '../src/info'
import { context } from '../src/operations/fields'
import { requestClient } from '../src/plugins/aerospike'
import { ERRORS, problem } from '../src/responses'
import { COLLECTION_TYPES, INDEX_COLLECTION, INDEX_TYPES } from '../src/scan/filter'
import { checkBinName } from '../src/values'

const DATA_TYPES: Record<typeof INDEX_TYPES[number], number> = {
  NUMERIC: Aerospike.indexDataType.NUMERIC,
  STRING: Aerospike.indexDataType.STRING,
  GEO2DSPHERE: Aerospike.indexDataType.GEO2DSPHERE
}

export interface IndexRoutesOptions {
  maxDepth: number
  /** Longest wait for ?wait=true, ms. */
  waitTimeout: number
}

const POLL_MS = 100

// An entry of sindex-list: ns=..:indexname=..:set=..:bin=..:type=..:indextype=..:context=..:state=..
function indexEntry (text: string): Record<string, unknown> {
  const p = pairs(text, ':')
  const type = (p.type ?? '').toUpperCase()
  const collection = (p.indextype ?? 'default').toUpperCase()
  return {
    namespace: p.ns,
    set: p.set === undefined || p.set === 'NULL' ? null : p.set,
    bin: p.bin,
    name: p.indexname,
    type: type === 'GEOJSON' ? 'GEO2DSPHERE' : type,
    collection_type: collection === 'NONE' ? 'DEFAULT' : collection,
    context: p.context === undefined || p.context === 'null' ? null : p.context,
    state: p.state ?? null
  }
}

async function indexStats (client: Client, namespace: string, name: string): Promise<Record<string, string>> {
  const text = await info(client, `sindex/${namespace}/${name}`)
  if (text.startsWith('ns_type=unknown')) throw new GatewayError(Aerospike.status.ERR_NAMESPACE_NOT_FOUND, `namespace ${namespace} not found`)
  return pairs(text, ';')
}

async function exists (client: Client, namespace: string, name: string): Promise<boolean> {
  try {
    await indexStats(client, namespace, name)
    return true
  } catch (err) {
    if ((err as { code?: number }).code === Aerospike.status.ERR_INDEX_NOT_FOUND) return false
    throw err
  }
}

function oneOf<T extends string> (values: readonly T[], v: unknown, field: string, fallback?: T): T {
  if ((v === undefined || v === null) && fallback !== undefined) return fallback
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T
  throw new GatewayError(4, `${field}: must be one of ${values.join(', ')}`)
}

const SERVER_NAME = new RegExp(SERVER_NAME_PATTERN)

function name (v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v === '' || Buffer.byteLength(v) > max || !SERVER_NAME.test(v)) {
    throw new GatewayError(4, `${field}: a name of 1 to ${max} bytes without control characters or : ; =`)
  }
  return v
}

type Req = FastifyRequest<{ Params: { namespace?: string, name?: string }, Querystring: { namespace?: string, wait?: boolean }, Body: unknown }>

export default async function indexRoutes (app: FastifyInstance, { maxDepth, waitTimeout }: IndexRoutesOptions): Promise<void> {
  const list = async (request: Req): Promise<unknown> => {
    const client = requestClient(request)
    const namespace = request.params.namespace ?? request.query.namespace
    if (namespace !== undefined) await requireNamespace(client, namespace)
    const text = await info(client, namespace === undefined ? 'sindex-list:' : `sindex-list:ns=${namespace}`)
    return text.split(';').filter((e) => e.trim() !== '').map(indexEntry)
  }

  const create = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    const body = request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Buffer.isBuffer(body)) {
      throw new GatewayError(4, 'the body is an index: {"namespace", "set", "bin", "name", "type", "collection_type"}')
    }
    const b = body as Record<string, unknown>
    const namespace = name(b.namespace, 'namespace', 31)
    const set = b.set === undefined || b.set === null ? undefined : name(b.set, 'set', 63)
    const index = name(b.name, 'name', MAX_INDEX_NAME)
    const bin = checkBinName(b.bin, 'bin')
    const type = oneOf(INDEX_TYPES, b.type, 'type')
    const collection = oneOf(COLLECTION_TYPES, b.collection_type ?? b.collectionType, 'collection_type', 'DEFAULT')
    const ctx = context({ op: b, where: 'body', options: { source: request.bodyFormat ?? 'json', maxDepth, path: 'body' } }, 'ctx')
    const client = requestClient(request)
    // The server answers ok for an unknown namespace, and the index never gets built.
    await requireNamespace(client, namespace)
    const existed = await exists(client, namespace, index)
    const job = await client.createIndex({ ns: namespace, set, bin, index, type: INDEX_COLLECTION[collection], datatype: DATA_TYPES[type], context: ctx } as Parameters<Client['createIndex']>[0])
    reply.header('location', `/v1/index/${encodeURIComponent(namespace)}/${encodeURIComponent(index)}`)
    if (existed) return await reply.code(200).send({ status: 'exists', name: index })
    if (request.query.wait !== true) return await reply.code(202).send({ status: 'building', name: index })
    const deadline = Date.now() + waitTimeout
    for (;;) {
      if (await (job as unknown as { checkStatus: () => Promise<boolean> }).checkStatus()) return await reply.code(201).send({ status: 'ready', name: index })
      if (Date.now() >= deadline) return await reply.code(202).send({ status: 'building', name: index })
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }

  const stats = async (request: Req): Promise<unknown> => {
    const { namespace, name: index } = request.params as { namespace: string, name: string }
    return await indexStats(requestClient(request), namespace, index)
  }

  const drop = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    const { namespace, name: index } = request.params as { namespace: string, name: string }
    await requestClient(request).indexRemove(namespace, index)
    return await reply.code(204).send()
  }

  const params = { $ref: 'IndexParams#' }
  const listed = { 200: { description: 'The indexes', content: { 'application/json': { schema: { type: 'array', items: { $ref: 'IndexInfo#' } } } } }, 404: problem('Unknown namespace (20)'), ...ERRORS }
  for (const [url, operationId, summary, extra] of [
    ['/v1/index', 'indexInformation', 'Every secondary index, or those of ?namespace=',
      { querystring: { type: 'object', properties: { namespace: serverName('Only the indexes of this namespace', 31) }, additionalProperties: false } }],
    ['/v1/index/:namespace', 'namespaceIndexInformation', 'The secondary indexes of a namespace',
      { params: { $ref: 'ScanParamsNoSet#' } }]
  ] as const) {
    app.get(url, { config: { permission: 'read' }, schema: { operationId, tags: ['index'], summary, ...extra, response: listed } }, list as (request: FastifyRequest) => Promise<unknown>)
  }
  app.post('/v1/index', {
    // The namespace and set are in the body.
    config: {
      permission: (request: FastifyRequest) => {
        const b = (request.body ?? {}) as { namespace?: unknown, set?: unknown }
        return [{ permission: 'admin', namespace: typeof b.namespace === 'string' ? b.namespace : undefined, set: typeof b.set === 'string' ? b.set : undefined }]
      }
    },
    schema: {
      operationId: 'createIndex',
      tags: ['index'],
      summary: 'Create a secondary index',
      description: 'Without ?wait=true the answer comes at once (202) while the server builds the index; with it, once the index is ' +
        'ready (201), or 202 after INDEX_WAIT_TIMEOUT. An identical index of the same name is 200 and changes nothing; ' +
        'a different index under the name is 409 (200). The server renames an identical index that has another name.',
      querystring: { type: 'object', properties: { wait: { type: 'boolean', description: 'Answer once the index is built' } }, additionalProperties: false },
      body: { $ref: 'IndexBody#' },
      ...requestBody('The index', { $ref: 'IndexBody#' }, {
        numeric: { summary: 'An index of the integers of bin age in set demo', value: { namespace: 'test', set: 'demo', bin: 'age', name: 'demo_age_idx', type: 'NUMERIC' } }
      }),
      response: {
        200: { description: 'An identical index of that name exists', content: { 'application/json': { schema: { $ref: 'IndexCreated#' } } } },
        201: { description: 'Created and built (wait=true)', content: { 'application/json': { schema: { $ref: 'IndexCreated#' } } } },
        202: { description: 'Created; the server is building it', content: { 'application/json': { schema: { $ref: 'IndexCreated#' } } } },
        404: problem('Unknown namespace (20)'),
        409: problem('An index of that name with another definition exists (200), or too many indexes (206)'),
        ...ERRORS
      }
    }
  }, create as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>)
  app.get('/v1/index/:namespace/:name', {
    config: { permission: 'read' },
    schema: {
      operationId: 'getIndexStats',
      tags: ['index'],
      summary: 'Statistics of a secondary index, as the server gives them',
      params,
      response: { 200: { description: 'The server\'s figures, as strings', content: { 'application/json': { schema: { type: 'object', additionalProperties: { type: 'string' } } } } }, 404: problem('No such index (201) or namespace (20)'), ...ERRORS }
    }
  }, stats as (request: FastifyRequest) => Promise<unknown>)
  app.delete('/v1/index/:namespace/:name', {
    config: { permission: 'admin' },
    schema: {
      operationId: 'dropIndex',
      tags: ['index'],
      summary: 'Drop a secondary index; dropping a missing one succeeds, as on the server',
      params,
      response: { 204: noBody('Dropped, or there was none'), ...ERRORS }
    }
  }, drop as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>)
}
