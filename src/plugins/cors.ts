// CORS (@fastify/cors) for the origins of CORS_ORIGINS; none by default, so
// that browsers on other sites cannot call the gateway. Preflights are
// answered before authentication: browsers send them without credentials.

import cors from '@fastify/cors'
import fp from 'fastify-plugin'

const EXPOSED = ['etag', 'retry-after', 'x-request-id', 'traceparent', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']

export default fp<{ origins: string[] }>(async (app, { origins }) => {
  if (origins.length === 0) return
  await app.register(cors, {
    origin: origins.includes('*') ? '*' : origins,
    methods: ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'accept', 'if-match', 'if-none-match', 'x-request-id', 'traceparent'],
    exposedHeaders: EXPOSED,
    maxAge: 600
  })
}, { name: 'cors', fastify: '5.x' })
