// Every error response as an RFC 9457 problem: errors thrown by routes and
// hooks, Fastify's own (validation, body limits), unknown routes, and known
// paths asked with a method they do not have (405 with Allow). It also
// serves the catalogue that the problems' `type` points into.

import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import errorRoutes from '../../routes/errors'
import { GatewayError, METHOD_NOT_ALLOWED, ROUTE_NOT_FOUND, serializeError, toProblem } from '../errors'

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

export function sendProblem (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, headers, body } = toProblem(err, { instance: path(request), requestId: request.id, conditional: request.conditional })
  // A 4xx is the client's doing and the request log line has its status; a
  // 5xx needs the stack to be looked into (never the client error itself,
  // which carries the client's config and password).
  if (status >= 500) request.log.error({ err: serializeError(err) }, body.title)
  request.resultCode = body.code
  return reply.code(status).headers(headers).send(body)
}

// A route's path as a pattern of a concrete path: ":name" one segment, "*" the rest.
function pattern (url: string): RegExp {
  const escaped = url.split('/').map((segment) => segment.startsWith(':')
    ? '[^/]+'
    : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${escaped.join('/')}/?$`)
}

export default fp(async (app) => {
  app.decorateRequest('conditional', false)
  app.decorateRequest('resultCode', undefined)

  // Every route's methods by path, for the Allow of a 405.
  const routes = new Map<string, { re: RegExp, methods: Set<string> }>()
  app.addHook('onRoute', (route) => {
    const entry = routes.get(route.url) ?? { re: pattern(route.url), methods: new Set<string>() }
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      entry.methods.add(method)
      if (method === 'GET') entry.methods.add('HEAD')
    }
    routes.set(route.url, entry)
  })
  const allowed = (url: string): string[] => {
    const methods = new Set<string>()
    for (const { re, methods: m } of routes.values()) if (re.test(url)) m.forEach((x) => methods.add(x))
    return [...methods].sort()
  }

  app.setErrorHandler((err, request, reply) => sendProblem(err, request, reply))
  app.setNotFoundHandler((request, reply) => {
    const allow = allowed(path(request))
    if (allow.length > 0 && !allow.includes(request.method)) {
      reply.header('allow', allow.join(', '))
      return sendProblem(new GatewayError(METHOD_NOT_ALLOWED, `${path(request)} answers ${allow.join(', ')}, not ${request.method}`, 405), request, reply)
    }
    return sendProblem(new GatewayError(ROUTE_NOT_FOUND, `No route for ${request.method} ${path(request)}`), request, reply)
  })
  await app.register(errorRoutes)
}, { name: 'errors', fastify: '5.x' })
