// Load shedding (@fastify/under-pressure): past the event-loop delay, heap or
// RSS threshold every request is answered 503 with Retry-After before any
// work is done for it, so that the gateway recovers instead of queueing.
// Health checks and the metrics scrape are still served: a load balancer
// must see the gateway alive, and the operator why it sheds.

import underPressure from '@fastify/under-pressure'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { GATEWAY_UNAVAILABLE, GatewayError } from '../errors'
import type { GatewayConfig } from '../config'

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests shed since start, by the threshold passed. */
    shedCounts: Map<string, number>
  }
}

const RETRY_AFTER_SECONDS = 5
const ALWAYS_SERVED = /^\/(health\/|metrics$)/

export default fp<{ shed: GatewayConfig['shed'] }>(async (app, { shed }) => {
  const counts = new Map<string, number>()
  app.decorate('shedCounts', counts)
  if (shed.maxEventLoopDelayMs === 0 && shed.maxHeapUsedBytes === 0 && shed.maxRssBytes === 0) return
  await app.register(underPressure, {
    maxEventLoopDelay: shed.maxEventLoopDelayMs,
    maxHeapUsedBytes: shed.maxHeapUsedBytes,
    maxRssBytes: shed.maxRssBytes,
    sampleInterval: 500,
    pressureHandler: async (request: FastifyRequest, reply, type: string, value: number | undefined) => {
      if (ALWAYS_SERVED.test(request.routeOptions.url ?? '')) return
      counts.set(type, (counts.get(type) ?? 0) + 1)
      reply.header('retry-after', String(RETRY_AFTER_SECONDS))
      throw new GatewayError(GATEWAY_UNAVAILABLE, `the gateway is overloaded (${type} is ${Math.round(value ?? 0)}); try again later`)
    }
  })
}, { name: 'shedding', fastify: '5.x', dependencies: ['errors'] })
