// DELETE /v1/truncate/{namespace}[/{set}]: removes every record of a set or
// namespace, or those last updated before `date`, as the official gateway.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { noBody } from '../schemas/openapi'
import { GatewayError } from '../src/errors'
import { requireNamespace } from '../src/info'
import { requestClient } from '../src/plugins/aerospike'
import { ERRORS, problem } from '../src/responses'

// ISO 8601 with a date, a time and an offset, as the official gateway takes it.
const ISO_OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

/** Nanoseconds since the Unix epoch of an ISO 8601 date-time; 0 (everything) when absent. */
export function beforeNanos (raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0
  // An unencoded + in a URL's query reads as a space.
  const date = raw.replace(/ (\d{2}:\d{2})$/, '+$1')
  const ms = Date.parse(date)
  if (!ISO_OFFSET_DATE_TIME.test(date) || Number.isNaN(ms)) {
    throw new GatewayError(4, `date: an ISO 8601 date-time with an offset, such as 2019-12-03T10:15:30+01:00, got "${date}"`)
  }
  if (ms <= 0) throw new GatewayError(4, 'date: must be after 1970-01-01T00:00:00Z')
  return ms * 1e6
}

type Req = FastifyRequest<{ Params: { namespace: string, set?: string }, Querystring: { date?: string } }>

export default async function truncateRoutes (app: FastifyInstance): Promise<void> {
  const truncate = async (request: Req, reply: FastifyReply): Promise<unknown> => {
    const { namespace, set } = request.params
    const before = beforeNanos(request.query.date)
    const client = requestClient(request)
    // The server answers ok for a namespace it does not have.
    await requireNamespace(client, namespace)
    await client.truncate(namespace, set ?? null as unknown as string, before)
    return await reply.code(202).send()
  }
  for (const [url, id, summary, params] of [
    ['/v1/truncate/:namespace/:set', 'truncateSet', 'Remove every record of a set (or those updated before date)', 'ScanParams#'],
    ['/v1/truncate/:namespace', 'truncateNamespace', 'Remove every record of a namespace (or those updated before date)', 'ScanParamsNoSet#']
  ] as const) {
    app.route({
      method: 'DELETE',
      url,
      config: { permission: 'admin' },
      schema: {
        operationId: id,
        tags: ['truncate'],
        summary,
        description: 'The records are gone for reads at once; the server frees their storage in the background, hence 202. ' +
          'A date before 2010-01-01 (the server\'s epoch) is 400 (4). A set the namespace does not have succeeds.',
        params: { $ref: params },
        querystring: {
          type: 'object',
          properties: { date: { type: 'string', description: 'Remove only records last updated before this ISO 8601 date-time with offset, e.g. 2019-12-03T10:15:30+01:00', examples: ['2019-12-03T10:15:30+01:00'] } },
          additionalProperties: false
        },
        response: { 202: noBody('Truncated'), 404: problem('Unknown namespace (20)'), ...ERRORS }
      },
      handler: truncate as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
    })
  }
}
