// GET /v1/scan/{namespace}[/{set}]: every record of a set or namespace, a
// page at a time (the official gateway's page shape and `from` token), or
// as one NDJSON stream.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ScanSettings } from '../src/config'
import { requestClient } from '../src/plugins/aerospike'
import type { Policies } from '../src/policies'
import { ERRORS, problem } from '../src/responses'
import type { ScanResponder } from '../src/scan/respond'
import { scanSpec, type ScanParameters } from '../src/scan/spec'
import { PARTITIONS } from '../src/scan/token'

export interface ScanRoutesOptions {
  policies: Policies
  settings: ScanSettings
  responder: ScanResponder
}

type Req = FastifyRequest<{ Params: { namespace: string, set?: string }, Querystring: ScanParameters & { maxRecords?: number, from?: string } }>

export const PAGE_RESPONSES = {
  ...ERRORS,
  200: {
    description: 'A page of records and the token of the next one; with Accept: application/x-ndjson, one record per line, ' +
      'then a trailer line `{"pagination": {...}}`, or a problem object with `pagination` when the read failed part way',
    content: {
      'application/json': { schema: { $ref: 'ScanPage#' } },
      'application/msgpack': { schema: { $ref: 'ScanPage#' } },
      'application/x-ndjson': { schema: { $ref: 'ScanRecord#' } }
    }
  },
  400: problem('Invalid parameter, filter, or page token (altered, of another request, or signed with another SCAN_TOKEN_SECRET)'),
  404: problem('Unknown namespace (20), or no index for the filter (201: a bin without an index, a filter of the wrong type, an unknown set)'),
  406: problem('A record JSON cannot carry: ask for application/msgpack')
} as const

export const SCAN_DESCRIPTION = 'Pages: `maxRecords` records at most (SCAN_MAX_PAGE_SIZE caps it and is the default), and ' +
  '`pagination.nextToken` while records remain; pass it as `from`. Tokens are opaque, signed and self-contained: any gateway ' +
  'with the same SCAN_TOKEN_SECRET resumes them, for the same request only. Records come in no particular order. ' +
  'With Accept: application/x-ndjson the whole result streams, one record per line, at the pace the client reads.'

export default async function scanRoutes (app: FastifyInstance, { policies, settings, responder }: ScanRoutesOptions): Promise<void> {
  const handler = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    const { namespace, set } = request.params
    const q = request.query
    const spec = scanSpec(namespace, set, undefined, q, policies.limits, settings)
    return await responder.answer(requestClient(request), request, reply, { spec, begin: 0, count: PARTITIONS, maxRecords: q.maxRecords || undefined, from: q.from })
  }
  for (const [url, suffix, params] of [['/v1/scan/:namespace/:set', '', 'ScanParams#'], ['/v1/scan/:namespace', 'Namespace', 'ScanParamsNoSet#']] as const) {
    app.route({
      method: 'GET',
      url,
      config: { permission: 'read' },
      schema: {
        operationId: `performScan${suffix}`,
        tags: ['scan'],
        summary: suffix === '' ? 'Read every record of a set' : 'Read every record of a namespace',
        description: SCAN_DESCRIPTION,
        params: { $ref: params },
        querystring: { $ref: 'ScanQuery#' },
        response: PAGE_RESPONSES
      },
      handler: handler as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
    })
  }
}
