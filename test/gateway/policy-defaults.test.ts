// The AEROSPIKE_READ_* and AEROSPIKE_WRITE_* settings are the defaults of
// every command, including those that carry a policy of their own (all of
// them do: reads ask for raw lists and maps). A server that answers late
// shows which timeout applied.

import t from 'tap'
import { withGateway } from '../helpers/gateway'

const SLOW = { AEROSPIKE_READ_TOTAL_TIMEOUT: '150', AEROSPIKE_READ_MAX_RETRIES: '0', AEROSPIKE_WRITE_TOTAL_TIMEOUT: '150' }

t.test('configured timeouts apply to GET, HEAD, batch and writes', async (t) => {
  const { app, embedded } = await withGateway(t, {}, SLOW)
  t.equal((await app.inject({ method: 'PUT', url: '/v1/kvs/test/p/a', payload: { a: 1 } })).statusCode, 204)
  await embedded.addFault({ delayMs: 600 })
  const cases = [
    { method: 'GET', url: '/v1/kvs/test/p/a' },
    { method: 'HEAD', url: '/v1/kvs/test/p/a' },
    { method: 'PATCH', url: '/v1/kvs/test/p/a', payload: { b: 1 } },
    { method: 'DELETE', url: '/v1/kvs/test/p/a' },
    { method: 'POST', url: '/v1/batch', payload: [{ type: 'READ', key: { namespace: 'test', setName: 'p', userKey: 'a' }, readAllBins: true }] }
  ] as const
  for (const c of cases) {
    const started = Date.now()
    const res = await app.inject(c)
    t.equal(res.statusCode, 504, `${c.method} ${c.url} timed out by the configured default`)
    t.ok(Date.now() - started < 550, `${c.method}: before the server answered`)
  }
  await embedded.clearFaults()
  t.equal((await app.inject({ method: 'PUT', url: '/v1/kvs/test/p/b', payload: { a: 1 } })).statusCode, 204)
  await embedded.addFault({ delayMs: 300 })
  const res = await app.inject({ url: '/v1/kvs/test/p/b?totalTimeout=2000' })
  t.equal(res.statusCode, 200, 'a per-request totalTimeout overrides the default')
})
