// One log line per request, written when the response is done: method,
// route, status, duration and, for errors, the Aerospike result code; the
// API key's id (never the key), the Aerospike user with credential
// passthrough (never the password), and the trace context when there are; and for
// a write, the access log's namespace, set and outcome. Fastify's own two
// lines per request are turned off in the app options.

import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

// What a write touched: the namespace and set of its path, or, for a batch,
// every namespace/set its write items name (what the route's permission
// declaration lists).
function target (request: FastifyRequest): { namespace?: string, set?: string, targets?: string[] } {
  const params = request.params as { namespace?: string, set?: string } | undefined
  if (params?.namespace !== undefined) return { namespace: params.namespace, set: params.set }
  const declared = request.routeOptions.config?.permission
  if (typeof declared !== 'function') return {}
  try {
    const targets = new Set(declared(request).filter((n) => n.permission === 'write').map((n) => `${n.namespace ?? ''}/${n.set ?? ''}`))
    return { targets: [...targets] }
  } catch {
    // A body that failed validation names nothing reliably.
    return {}
  }
}

function outcome (status: number): string {
  if (status < 400) return 'ok'
  return status === 401 || status === 403 ? 'denied' : 'failed'
}

export default fp(async (app) => {
  // Below info (LOG_LEVEL=warn, or no logger) the line is not even built.
  const enabled = (app.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.('info') === true
  app.addHook('onResponse', (request, reply, done) => {
    if (enabled) {
      const write = !READS.has(request.method) && request.routeOptions.url !== undefined
      request.log.info({
        method: request.method,
        route: request.routeOptions.url,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        code: request.resultCode,
        keyId: request.apiKey?.id,
        user: request.aerospikeUser,
        ...request.trace,
        ...(write ? { ...target(request), outcome: outcome(reply.statusCode) } : {})
      }, 'request')
    }
    done()
  })
}, { name: 'request-log', fastify: '5.x', dependencies: ['errors', 'trace'] })
