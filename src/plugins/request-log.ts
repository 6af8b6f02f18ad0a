// One log line per request, written when the response is done: method,
// route, status, duration and, for errors, the Aerospike result code.
// Fastify's own two lines per request are turned off in the app options.

import fp from 'fastify-plugin'

export default fp(async (app) => {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({
      method: request.method,
      route: request.routeOptions.url,
      url: request.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      code: request.resultCode
    }, 'request')
  })
}, { name: 'request-log', fastify: '5.x', dependencies: ['errors'] })
