import t from 'tap'
import { withGateway } from '../helpers/gateway'

// The client's command queue is process-wide and set up by the first gateway
// of a process, so this file builds only this one. Coalescing would turn the
// 60 GETs into one batch read, so it is off here.
t.test('beyond the pool, commands queue; beyond the queue, 503 with Retry-After', async (t) => {
  const { app, embedded } = await withGateway(t, {}, {
    AEROSPIKE_MAX_CONNS_PER_NODE: '5',
    AEROSPIKE_MAX_COMMANDS_IN_PROCESS: '5',
    AEROSPIKE_MAX_COMMANDS_IN_QUEUE: '10',
    AEROSPIKE_READ_TOTAL_TIMEOUT: '5000',
    COALESCE_GETS: 'false'
  })
  await app.inject({ method: 'PUT', url: '/v1/kvs/test/q/k', payload: '{"v":1}', headers: { 'content-type': 'application/json' } })
  await embedded.addFault({ delayMs: 100, match: { kind: 'read' } })
  const answers = await Promise.all(Array.from({ length: 60 }, async () => await app.inject({ method: 'GET', url: '/v1/kvs/test/q/k' })))
  const ok = answers.filter((r) => r.statusCode === 200)
  const full = answers.filter((r) => r.statusCode === 503)
  t.equal(ok.length + full.length, 60, 'every answer is 200 or 503')
  t.ok(ok.length >= 15, `pool and queue served ${ok.length}, more than the 5 in process: the queue held the rest`)
  t.ok(full.length > 0, `${full.length} beyond the queue were refused`)
  t.match(full[0].json(), { code: -11, error: 'ClientError', status: 503, retryable: true })
  t.ok(full[0].headers['retry-after'] !== undefined)
})
