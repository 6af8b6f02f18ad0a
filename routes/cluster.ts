// What the gateway sees of the cluster: its nodes, namespaces and the
// client's connection pool and command queue figures.

import type { FastifyInstance } from 'fastify'
import { requestClient } from '../src/plugins/aerospike'
import { CLIENT_ERROR } from '../src/responses'

const problem = { description: 'Not connected to the cluster', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } }

export default async function clusterRoutes (app: FastifyInstance): Promise<void> {
  app.get('/v1/cluster', {
    config: { permission: 'read' },
    schema: {
      operationId: 'getCluster',
      tags: ['cluster'],
      summary: 'Nodes, namespaces and connection pool figures',
      response: { 200: { $ref: 'ClusterInfo#' }, ...CLIENT_ERROR, 503: problem }
    }
  }, async (request) => {
    const client = requestClient(request)
    const namespaces = await client.infoAny('namespaces')
    const stats = client.stats()
    return {
      connected: client.isConnected(),
      namespaces: namespaces.replace(/^namespaces\t/, '').trim().split(';').filter(Boolean),
      commands: stats.commands,
      nodes: stats.nodes.map((n) => ({
        name: n.name,
        asyncConnections: n.asyncConnections,
        syncConnections: n.syncConnections,
        errors: n.errorCount,
        timeouts: n.timeoutCount,
        keyBusy: n.keyBusyCount
      }))
    }
  })
}
