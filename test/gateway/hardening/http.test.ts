// The gateway over real sockets, as slow and abusive clients meet it: every
// early error is a problem body that leaves the client able to go on, slow
// bodies are cut off in time and bounded in memory, and shutdown answers 503.

import { connect, type Socket } from 'node:net'
import http from 'node:http'
import t from 'tap'
import { withGateway } from '../../helpers/gateway'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

type Listening = { port: number }

async function listen (t: Parameters<typeof withGateway>[0], env: Record<string, string> = {}): Promise<Listening & { app: Awaited<ReturnType<typeof withGateway>>['app'] }> {
  const { app } = await withGateway(t, {}, { AEROSPIKE_READ_TOTAL_TIMEOUT: '20000', AEROSPIKE_WRITE_TOTAL_TIMEOUT: '20000', ...env })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as { port: number }).port }
}

interface RawAnswer {
  text: string
  closed: boolean
  reset: boolean
  ms: number
}

/** Opens a socket, writes `chunks` (with pauses between them), and collects the answer until close or `waitMs`. */
async function raw (port: number, chunks: Array<string | Buffer | number>, waitMs = 3000): Promise<RawAnswer> {
  const started = Date.now()
  const socket = connect(port, '127.0.0.1')
  let text = ''
  let reset = false
  socket.on('data', (d) => { text += d.toString('latin1') })
  socket.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'ECONNRESET') reset = true })
  let ms = 0
  const closed = new Promise<boolean>((resolve) => {
    socket.on('close', () => {
      ms = Date.now() - started
      resolve(true)
    })
    setTimeout(() => resolve(false), waitMs).unref()
  })
  await new Promise((resolve) => socket.once('connect', resolve))
  for (const c of chunks) {
    if (typeof c === 'number') await new Promise((resolve) => setTimeout(resolve, c))
    else if (!socket.destroyed) socket.write(c)
  }
  const wasClosed = await closed
  socket.destroy()
  return { text, closed: wasClosed, reset, ms: wasClosed ? ms : Date.now() - started }
}

function problemOf (text: string): Record<string, unknown> {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))
}

const PROBLEM = { type: String, title: String, status: Number, detail: String, code: Number, requestId: String, instance: String }

t.test('every early error is a problem body', async (t) => {
  const { port } = await listen(t)
  const base = `http://127.0.0.1:${port}`
  const badUrl = await fetch(`${base}/v1/kvs/test/s/%ZZ`)
  t.equal(badUrl.status, 400)
  t.match(await badUrl.json(), { ...PROBLEM, code: 4 })
  const unknown = await fetch(`${base}/nope`)
  t.equal(unknown.status, 404)
  t.match(await unknown.json(), { ...PROBLEM, code: 9404 })
  const notAllowed = await fetch(`${base}/v1/kvs/test/s/k`, { method: 'OPTIONS' })
  t.equal(notAllowed.status, 405)
  t.equal(notAllowed.headers.get('allow'), 'DELETE, GET, HEAD, PATCH, POST, PUT')
  t.match(await notAllowed.json(), { ...PROBLEM, code: 9405, title: 'Method not allowed' })
  const batchGet = await fetch(`${base}/v1/batch`)
  t.equal(batchGet.status, 405)
  t.equal(batchGet.headers.get('allow'), 'POST')
  const head = await raw(port, ['HEAD /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'])
  t.match(head.text, /^HTTP\/1\.1 404/)
  t.ok(head.text.endsWith('\r\n\r\n'), 'HEAD gets no body, even for an error')
  const bad = await raw(port, ['GARBAGE\r\n\r\n'])
  t.match(bad.text, /^HTTP\/1\.1 400 .*connection: close/s)
  t.match(problemOf(bad.text), { ...PROBLEM, code: 4 })
  t.ok(bad.closed && !bad.reset, 'closed cleanly')
})

t.test('431 on a keep-alive connection: Connection: close, closed cleanly, the next request works', async (t) => {
  const { port } = await listen(t)
  const answer = await raw(port, [`GET /health/live HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(64 * 1024)}\r\n\r\n`])
  t.match(answer.text, /^HTTP\/1\.1 431 .*connection: close/s)
  t.match(problemOf(answer.text), { ...PROBLEM, code: 9431, status: 431 })
  t.ok(answer.closed, 'closed')
  t.notOk(answer.reset, 'no ECONNRESET')
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const get = async (headers: Record<string, string>): Promise<number> => await new Promise((resolve, reject) => {
    http.get({ port, host: '127.0.0.1', path: '/health/live', agent, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    }).on('error', reject)
  })
  t.equal(await get({}), 200)
  t.equal(await get({ 'x-big': 'a'.repeat(64 * 1024) }), 431)
  t.equal(await get({}), 200, 'the client\'s next request does not fail')
})

t.test('x-request-id is kept only when short and plain', async (t) => {
  const { port } = await listen(t)
  const id = async (header?: string): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${port}/nope`, { headers: header === undefined ? {} : { 'x-request-id': header } })
    return (await res.json()).requestId
  }
  t.equal(await id('abc-123.x:y'), 'abc-123.x:y')
  t.match(await id('a'.repeat(5000)), /^[0-9a-f-]{36}$/)
  t.match(await id('a b<script>'), /^[0-9a-f-]{36}$/)
  t.match(await id(), /^[0-9a-f-]{36}$/)
})

t.test('slow bodies are cut off with 408 in time; other requests answer meanwhile', async (t) => {
  const { port } = await listen(t, { REQUEST_TIMEOUT: '1500', MAX_LARGE_BODIES: '4' })
  const head = 'PUT /v1/kvs/test/slow/k HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'
  const drip = Array.from({ length: 60 }, (_, i) => i % 2 === 0 ? '1\r\n \r\n' : 100)
  const slow = Array.from({ length: 10 }, async () => await raw(port, [head, ...drip], 8000))
  await new Promise((resolve) => setTimeout(resolve, 300))
  let cutOff = false
  void Promise.race(slow).then(() => { cutOff = true })
  const live = await fetch(`http://127.0.0.1:${port}/v1/kvs/test/slow/other`)
  t.equal(live.status, 404, 'a GET answers while the slow bodies are held')
  t.notOk(cutOff, 'before the slow bodies are cut off')
  const answers = await Promise.all(slow)
  const statuses = answers.map((a) => Number(/^HTTP\/1\.1 (\d+)/.exec(a.text)?.[1]))
  t.same([...new Set(statuses)].sort(), [408, 503], `the first 4 are timed out, the rest refused: ${statuses.join(',')}`)
  for (const a of answers) {
    t.ok(a.closed, 'the connection is closed')
    t.ok(a.ms < 1500 + 2500, `within the request timeout and the check interval: ${a.ms} ms`)
    t.match(problemOf(a.text), PROBLEM)
  }
  const timedOut = answers.find((a) => a.text.startsWith('HTTP/1.1 408'))
  t.match(problemOf(timedOut?.text ?? ''), { code: 9408, title: 'Request timeout' })
  const refused = answers.find((a) => a.text.startsWith('HTTP/1.1 503'))
  t.match(refused?.text, /retry-after: 1/i)
  t.match(problemOf(refused?.text ?? ''), { code: 9503, retryable: true, detail: /MAX_LARGE_BODIES/ })
  t.equal((await fetch(`http://127.0.0.1:${port}/v1/kvs/test/slow/k`)).status, 404, 'nothing was written')
})

t.test('memory held by bodies in flight is bounded by MAX_LARGE_BODIES', async (t) => {
  const { port } = await listen(t, { REQUEST_TIMEOUT: '20000', MAX_LARGE_BODIES: '4' })
  const size = 4 * 1024 * 1024 - 4096
  const chunk = Buffer.alloc(size - 1024, 'a')
  const head = `PUT /v1/kvs/test/mem/k HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`
  // Live memory after a full collection: what the gateway holds, not the
  // garbage of the refused bodies it read and dropped (which RSS counts for
  // as long as V8 has not collected it).
  const held = (): number => { gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers }
  const before = held()
  const sockets: Socket[] = []
  t.teardown(() => sockets.forEach((s) => s.destroy()))
  await Promise.all(Array.from({ length: 40 }, async () => await new Promise<void>((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(head)
      s.write(chunk, () => resolve())
    })
    s.on('error', () => resolve())
    s.resume()
    sockets.push(s)
  })))
  // Under load (CI runs three test files at once) the gateway may still be
  // reading refused bodies, to drop them, seconds in: the least over up to 5 s
  // is what it holds. The held ones stay held for REQUEST_TIMEOUT, 20 s.
  let grown = Infinity
  for (let i = 0; i < 20 && grown >= 64; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    grown = Math.min(grown, (held() - before) / 1024 / 1024)
  }
  t.ok(grown < 64, `40 bodies of nearly 4 MB held open hold ${grown.toFixed(0)} MB, under 64 MB (4 held, the others refused; all 40 would be 160 MB)`)
})

t.test('keep-alive timeout and connection bound', async (t) => {
  const { port } = await listen(t, { KEEP_ALIVE_TIMEOUT: '300', MAX_CONNECTIONS: '3' })
  const idle = await raw(port, ['GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n'], 3000)
  t.match(idle.text, /^HTTP\/1\.1 200/)
  t.ok(idle.closed && idle.ms < 2000, `an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT: ${idle.ms} ms`)
  const held = await Promise.all(Array.from({ length: 3 }, async () => await new Promise<Socket>((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s))
  })))
  t.teardown(() => held.forEach((s) => s.destroy()))
  const extra = await raw(port, ['GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n'], 2000)
  t.ok(extra.closed && extra.text === '', 'a connection past MAX_CONNECTIONS is closed at once')
})

t.test('shutdown: a request arriving on a kept-alive connection gets 503 with Retry-After', async (t) => {
  const { app, port } = await listen(t)
  const body = '{"a":1}'
  const answer = raw(port, [
    `PUT /v1/kvs/test/down/k HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 3)}`,
    400, body.slice(3), `GET /v1/kvs/test/down/k HTTP/1.1\r\nHost: x\r\n\r\n`
  ], 5000)
  await new Promise((resolve) => setTimeout(resolve, 200))
  const closing = app.close()
  const { text } = await answer
  await closing
  const [first, second] = text.split(/(?=HTTP\/1\.1 )/)
  t.match(first, /^HTTP\/1\.1 204/, 'the request in flight completes')
  t.match(second, /^HTTP\/1\.1 503 /)
  t.match(second, /\r\nretry-after: 1\r\n/i)
  t.match(second, /\r\nconnection: close\r\n/i)
  t.match(problemOf(second), { ...PROBLEM, code: 9503, retryable: true, detail: /shutting down/ })
})
