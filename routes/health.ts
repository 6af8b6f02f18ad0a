// Liveness says the process serves HTTP; readiness says it can reach the
// cluster, so that a load balancer keeps traffic away until it can.

import Aerospike, { type Client } from 'aerospike'
import type { FastifyInstance } from 'fastify'

const status = { $ref: 'HealthStatus#' }

export interface HealthRoutesOptions {
  /** Milliseconds a node has to answer the readiness probe: the client's tend interval, at most 1 s. */
  probeTimeout: number
}

// Ready while some node of the client's view of the cluster answers now:
// the client only drops a node after several failed tends, and meanwhile
// every command to it fails.
async function reachable (client: Client, timeout: number): Promise<boolean> {
  if (!client.isConnected()) return false
  const nodes = client.getNodes()
  if (nodes.length === 0) return false
  const answers = nodes.map(async (node) => { await client.infoNode('status', node, new Aerospike.InfoPolicy({ timeout })) })
  try {
    await Promise.any(answers)
    return true
  } catch {
    return false
  }
}

export default async function healthRoutes (app: FastifyInstance, { probeTimeout }: HealthRoutesOptions): Promise<void> {
  app.get('/health/live', {
    schema: { operationId: 'live', tags: ['health'], summary: 'The process is up', response: { 200: status } }
  }, async () => ({ status: 'ok' }))

  app.get('/health/ready', {
    schema: {
      operationId: 'ready',
      tags: ['health'],
      summary: 'Connected to the Aerospike cluster',
      description: 'Ready while a node of the cluster answers; not ready within one tend interval of losing the cluster.',
      response: {
        200: status,
        503: { ...status, description: 'Not connected to the cluster, or no node answers; Retry-After says when to ask again' }
      }
    }
  }, async (_request, reply) => {
    const client = app.aerospike.client
    if (client !== undefined && await reachable(client, probeTimeout)) return { status: 'ready' }
    return await reply.code(503).header('retry-after', '1').send({ status: 'connecting' })
  })
}
