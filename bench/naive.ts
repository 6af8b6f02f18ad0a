// The gateway a user would write in twenty lines, the peer the bench measures
// the gateway against: Fastify's JSON body parser, client.get, client.put and
// batchRead with the client's defaults, JSON.stringify. Never shipped; run as a
// process of its own: `PORT=... AEROSPIKE_HOSTS=... node --require tsx/cjs bench/naive.ts`.

import Aerospike from 'aerospike'
import Fastify from 'fastify'

type Params = { ns: string, set: string, key: string }
type Item = { key: { namespace: string, setName: string, userKey: string } }

async function main (): Promise<void> {
  const client = await Aerospike.connect({ hosts: process.env.AEROSPIKE_HOSTS, log: { level: Aerospike.log.OFF } })
  const server = Fastify()
  const json = (body: unknown): string => JSON.stringify(body, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v)
  server.get<{ Params: Params }>('/v1/kvs/:ns/:set/:key', async (req, reply) => {
    const r = await client.get(new Aerospike.Key(req.params.ns, req.params.set, req.params.key))
    return await reply.type('application/json').send(json({ bins: r.bins, generation: r.gen, ttl: r.ttl }))
  })
  server.put<{ Params: Params, Body: Record<string, never> }>('/v1/kvs/:ns/:set/:key', async (req, reply) => {
    await client.put(new Aerospike.Key(req.params.ns, req.params.set, req.params.key), req.body)
    return await reply.code(204).send()
  })
  server.post<{ Body: Item[] }>('/v1/batch', async (req, reply) => {
    const rows = await client.batchRead(req.body.map((i) => ({ key: new Aerospike.Key(i.key.namespace, i.key.setName, i.key.userKey), readAllBins: true })))
    const batchRecords = rows.map((r, i) => ({ key: req.body[i].key, resultCode: r.status, record: r.record === undefined ? null : { bins: r.record.bins, generation: r.record.gen, ttl: r.record.ttl } }))
    return await reply.type('application/json').send(json({ batchRecords }))
  })
  server.setErrorHandler(async (err: { code?: number }, _req, reply) => await reply.code(err.code === 2 ? 404 : 500).send({ code: err.code }))
  await server.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
  process.once('SIGTERM', () => { void server.close().then(async () => await client.close()).then(() => process.exit(0)) })
}

main().catch((err: Error) => {
  process.stderr.write(`naive: ${err.message}\n`)
  process.exit(1)
})
