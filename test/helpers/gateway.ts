// Builds the gateway exactly as server.ts does, against a given cluster.

import Fastify, { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import app from '../../src/app'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

export async function buildGateway (t: Teardown, aerospikeHosts: string): Promise<FastifyInstance> {
  const server = Fastify({ logger: false, requestIdHeader: 'x-request-id' })
  await server.register(fp(app), { aerospikeHosts })
  await server.ready()
  t.teardown(() => server.close())
  return server
}
