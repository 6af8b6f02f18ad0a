// One log line per request, written when the response is done: method,
// route, status, duration and, for errors, the Aerospike result code.
// Fastify's own two lines per request are turned off in the app options.

import fp from 'fastify-plugin'

export default fp(async (app) => {
  // Below info (LOG_LEVEL=warn, or no logger) the line is not even built.
  const enabled = (app.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.('info') === true
  app.addHook('onResponse', (request, reply, done) => {
    if (enabled) {
      request.log.info({
        method: request.method,
        route: request.routeOptions.url,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        code: request.resultCode
      }, 'request')
    }
    done()
  })
}, { name: 'request-log', fastify: '5.x', dependencies: ['errors'] })
