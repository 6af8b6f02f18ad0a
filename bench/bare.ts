// The HTTP ceiling: a bare Fastify route on the gateway's GET path that sends
// back a constant body, the gateway's own answer for one record. Run as a
// process of its own, as the gateway is: `PORT=... BARE_BODY=... node --require tsx/cjs bench/bare.ts`.

import Fastify from 'fastify'

const body = process.env.BARE_BODY ?? '{}'
const server = Fastify()
server.get('/v1/kvs/:namespace/:set/:key', async (_request, reply) => await reply.type('application/json; charset=utf-8').send(body))
server.listen({ host: '127.0.0.1', port: Number(process.env.PORT) }).catch((err: Error) => {
  process.stderr.write(`bare: ${err.message}\n`)
  process.exit(1)
})
process.once('SIGTERM', () => { void server.close().then(() => process.exit(0)) })
