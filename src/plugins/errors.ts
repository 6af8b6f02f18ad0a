// Every error response as an RFC 9457 problem: errors thrown by routes and
// hooks, Fastify's own (validation, body limits) and unknown routes. It also
// serves the catalogue that the problems' `type` points into.

import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import errorRoutes from '../../routes/errors'
import { GatewayError, ROUTE_NOT_FOUND, toProblem } from '../errors'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Set by a route when a conditional header (If-Match, If-None-Match)
     * shaped its command, so that record not found, generation mismatch and
     * record exists answer 412 Precondition Failed.
     */
    conditional: boolean
    /** The Aerospike result code of an error answer, for the request log. */
    resultCode: number | undefined
  }
}

function path (request: FastifyRequest): string {
  return request.url.split('?', 1)[0]
}

function sendProblem (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, headers, body } = toProblem(err, { instance: path(request), requestId: request.id, conditional: request.conditional })
  // A 4xx is the client's doing and the request log line has its status; a
  // 5xx needs the stack to be looked into.
  if (status >= 500) request.log.error({ err }, body.title)
  request.resultCode = body.code
  // A rate limit knows when its window ends: its Retry-After stands.
  if (reply.hasHeader('retry-after')) delete headers['retry-after']
  return reply.code(status).headers(headers).send(body)
}

export default fp(async (app) => {
  app.decorateRequest('conditional', false)
  app.decorateRequest('resultCode', undefined)
  app.setErrorHandler((err, request, reply) => sendProblem(err, request, reply))
  app.setNotFoundHandler((request, reply) =>
    sendProblem(new GatewayError(ROUTE_NOT_FOUND, `No route for ${request.method} ${path(request)}`), request, reply))
  await app.register(errorRoutes)
}, { name: 'errors', fastify: '5.x' })
