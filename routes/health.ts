// Liveness says the process serves HTTP; readiness says it can reach the
// cluster, so that a load balancer keeps traffic away until it can.

import type { FastifyInstance } from 'fastify'
import { CLIENT_ERROR } from '../src/responses'

const status = { $ref: 'HealthStatus#' }

export default async function healthRoutes (app: FastifyInstance): Promise<void> {
  app.get('/health/live', {
    schema: { operationId: 'live', tags: ['health'], summary: 'The process is up', response: { 200: status, ...CLIENT_ERROR } }
  }, async () => ({ status: 'ok' }))

  app.get('/health/ready', {
    schema: {
      operationId: 'ready',
      tags: ['health'],
      summary: 'Connected to the Aerospike cluster',
      response: {
        200: status,
        ...CLIENT_ERROR,
        503: { ...status, description: 'Not connected to the cluster yet; Retry-After says when to ask again' }
      }
    }
  }, async (_request, reply) => {
    if (app.aerospike.client?.isConnected() === true) return { status: 'ready' }
    return await reply.code(503).header('retry-after', '1').send({ status: 'connecting' })
  })
}
