// W3C Trace Context: a valid `traceparent` is carried into the request's log
// line and answered with the same trace id and the gateway's own span id, so
// that a tracing system can place the gateway between its caller and the
// cluster. Without one nothing is made up.

import { randomBytes } from 'node:crypto'
import fp from 'fastify-plugin'

export interface TraceContext {
  traceId: string
  /** The caller's span. */
  parentId: string
  /** The gateway's span for this request. */
  spanId: string
}

declare module 'fastify' {
  interface FastifyRequest {
    trace: TraceContext | undefined
  }
}

// version 00, trace id, parent id, flags; all-zero ids are invalid. A later
// version may append fields, which are ignored.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-|$)/

export function parseTraceparent (header: string | undefined): { traceId: string, parentId: string, flags: string } | undefined {
  const m = header === undefined ? null : TRACEPARENT.exec(header.trim())
  if (m === null || m[1] === 'ff' || (m[1] === '00' && m[5] === '-') || /^0+$/.test(m[2]) || /^0+$/.test(m[3])) return undefined
  return { traceId: m[2], parentId: m[3], flags: m[4] }
}

export default fp(async (app) => {
  app.decorateRequest('trace', undefined)
  app.addHook('onRequest', (request, reply, done) => {
    const header = request.headers.traceparent
    const parent = parseTraceparent(typeof header === 'string' ? header : undefined)
    if (parent !== undefined) {
      const spanId = randomBytes(8).toString('hex')
      request.trace = { traceId: parent.traceId, parentId: parent.parentId, spanId }
      reply.header('traceparent', `00-${parent.traceId}-${spanId}-${parent.flags}`)
    }
    done()
  })
}, { name: 'trace', fastify: '5.x' })
