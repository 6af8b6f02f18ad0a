// Rate limits (@fastify/rate-limit): per API key when keys are on (a key's
// own `rateLimit` or RATE_LIMIT_MAX), else per client address. Answers 429
// with Retry-After and the RateLimit-* headers of the IETF draft, and a
// problem body from the catalogue. Health checks and the metrics scrape are
// not counted.

import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { GatewayError, RATE_LIMITED } from '../errors'
import type { GatewayConfig } from '../config'

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests refused by the rate limit since start. */
    rateLimited: { count: number }
  }
}

const NOT_COUNTED = /^\/(health\/|metrics$)/

function limitOf (request: FastifyRequest, max: number): number {
  return request.apiKey?.rateLimit ?? max
}

export default fp<{ limit: GatewayConfig['rateLimit'], keys: boolean }>(async (app, { limit, keys }) => {
  const refused = { count: 0 }
  app.decorate('rateLimited', refused)
  // Without a global limit only keys with a `rateLimit` of their own are limited.
  if (limit.max === 0 && !keys) return
  await app.register(rateLimit, {
    global: true,
    timeWindow: limit.windowMs,
    enableDraftSpec: true,
    max: (request) => limitOf(request, limit.max),
    keyGenerator: (request) => request.apiKey === undefined ? `address ${request.ip}` : `key ${request.apiKey.id}`,
    allowList: (request) => NOT_COUNTED.test(request.routeOptions.url ?? '') || limitOf(request, limit.max) === 0,
    onExceeded: () => { refused.count++ },
    errorResponseBuilder: (_request, context) =>
      new GatewayError(RATE_LIMITED, `more than ${context.max} requests in ${context.after}; try again in ${Math.ceil(context.ttl / 1000)} s`)
  })
}, { name: 'rate-limit', fastify: '5.x', dependencies: ['errors', 'auth'] })
