import t from 'tap'
import { startEmbeddedServer } from '../../src/embedded/index'
import { buildGateway, unusedPort, withGateway } from '../helpers/gateway'

t.test('live and ready against the embedded server', async (t) => {
  const { app } = await withGateway(t)
  const live = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200)
  t.same(live.json(), { status: 'ok' })
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready' })
})

t.test('an unreachable cluster: the gateway starts, live but not ready', async (t) => {
  const port = await unusedPort()
  const app = await buildGateway(t, `127.0.0.1:${port}`)
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200)
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.equal(ready.headers['retry-after'], '1')
  t.same(ready.json(), { status: 'connecting' })
})

t.test('the gateway connects once the cluster comes up', async (t) => {
  const embedded = await startEmbeddedServer({ port: 0 })
  t.teardown(() => embedded.close())
  await embedded.stop()
  const app = await buildGateway(t, embedded.address)
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 503)
  await embedded.start()
  let status = 0
  for (let i = 0; i < 60 && status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    status = (await app.inject({ method: 'GET', url: '/health/ready' })).statusCode
  }
  t.equal(status, 200, 'ready after the retry with backoff connects')
})
