import t from 'tap'
import { Writable } from 'node:stream'
import Aerospike from 'aerospike'
import Fastify from 'fastify'
import { startEmbeddedServer } from '../../src/embedded/index'
import { CREDENTIALS_REQUIRED, ERROR_CATALOGUE, FORBIDDEN, GatewayError, INTERNAL_ERROR, RATE_LIMITED, ROUTE_NOT_FOUND, UNAUTHENTICATED, errorEntry, toProblem } from '../../src/errors'
import errorsPlugin from '../../src/plugins/errors'
import { addSchemas } from '../../schemas/index'
import { options } from '../../src/app'
import { clientError } from '../../src/coalescing'
import { loadConfig } from '../../src/config'
import { withGateway } from '../helpers/gateway'
import { TEST_CLIENT_POLICIES } from '../helpers/embedded'

const { Key, status: statusTable } = Aerospike

const CLASSES = new Set([
  'AerospikeError', 'ClientError', 'ClusterError', 'InvalidArgError', 'AerospikeTimeoutError', 'ServerError',
  'AerospikeIndexError', 'IndexNotFound', 'IndexFoundError', 'QueryError', 'QueryAbortedError', 'AdminError', 'UDFError',
  'RecordError', 'RecordNotFound', 'RecordExistsError', 'RecordGenerationError', 'RecordTooBig',
  'BinNameError', 'BinExistsError', 'BinNotFound', 'BinTypeError', 'FilteredOut'
])
const TRANSIENT = [429, 503, 504]
const context = { instance: '/v1/kvs/test/demo/k', requestId: 'req-7' }

/** What a promise rejects with; fails the test when it resolves. */
async function rejection (p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

t.test('every code of the client status table has a catalogue entry', async (t) => {
  const namesOf = new Map<number, string[]>()
  for (const [name, code] of Object.entries(statusTable)) {
    if (typeof code !== 'number' || name.startsWith('AEROSPIKE_') || code === 0) continue
    namesOf.set(code, [...(namesOf.get(code) ?? []), `AEROSPIKE_${name}`])
  }
  t.ok(namesOf.size >= 99, `${namesOf.size} codes`)
  for (const [code, names] of namesOf) {
    const entry = ERROR_CATALOGUE.find((e) => e.code === code)
    if (entry === undefined) {
      t.fail(`no entry for ${code} ${names.join('/')}`)
      continue
    }
    t.ok(entry.title.length > 0, `${code} has a title`)
    t.ok(CLASSES.has(entry.error), `${code} has a class of the hierarchy: ${entry.error}`)
    t.ok(Number.isInteger(entry.status) && entry.status >= 400 && entry.status <= 599, `${code} has an error status`)
    t.ok(names.includes(entry.constant), `${code} is ${names.join(' or ')}, not ${entry.constant}`)
    t.equal(entry.retryable, TRANSIENT.includes(entry.status), `${code} is retryable exactly when transient`)
    t.equal(entry.type, `/v1/errors#${code}`)
  }
  const gatewayCodes = ERROR_CATALOGUE.filter((e) => !namesOf.has(e.code)).map((e) => e.code)
  t.same(gatewayCodes, [ROUTE_NOT_FOUND, 9405, 9406, 9408, 9413, 9414, 9415, 9431, 9503, INTERNAL_ERROR, UNAUTHENTICATED, CREDENTIALS_REQUIRED, FORBIDDEN, RATE_LIMITED], 'only the gateway entries are not Aerospike codes')
  for (const status of [405, 406, 408, 413, 414, 415, 431]) {
    t.match(ERROR_CATALOGUE.find((e) => e.code === 9000 + status), { status, type: `/v1/errors#${9000 + status}` }, `${status} has an entry of its own`)
  }
  t.equal(new Set(ERROR_CATALOGUE.map((e) => e.code)).size, ERROR_CATALOGUE.length, 'codes are unique')
})

t.test('the principles of the issue, code by code', async (t) => {
  const expected: Record<number, number[]> = {
    400: [4, 21, -2, 54, 55],
    404: [2, 17, 20, 201],
    409: [3, 5, 6, 12, 200],
    412: [27],
    413: [13],
    429: [14, 83],
    503: [18, 8, 152, -7, -11, -10, -8, -4, 11, 7],
    504: [9],
    501: [16, 25],
    502: [1]
  }
  for (const [status, codes] of Object.entries(expected)) {
    for (const code of codes) t.equal(errorEntry(code).status, Number(status), `${code} is ${status}`)
  }
  for (const code of [60, 62, 63, 64, 65, 80, 81, 10, 22]) t.ok([401, 403].includes(errorEntry(code).status), `${code} is 401 or 403`)
  for (const code of [2, 3, 5]) t.equal(errorEntry(code).conditionalStatus, 412, `${code} is 412 when conditional`)
  t.equal(errorEntry(-2).error, 'InvalidArgError')
  t.equal(errorEntry(4).error, 'InvalidArgError')
  for (const e of ERROR_CATALOGUE) {
    if (e.error === 'ClusterError') t.equal(e.status, 503, `${e.code}, a cluster error, is 503`)
    if (e.error === 'AerospikeTimeoutError') t.equal(e.status, 504, `${e.code}, a timeout, is 504`)
  }
})

t.test('unknown codes fall back to the generic server or client error, keeping the code', async (t) => {
  const server = toProblem(Object.assign(new Aerospike.AerospikeError('new server code'), { code: 29 }), context)
  t.match(server, { status: 502, body: { code: 29, internalErrorCode: 29, error: 'ServerError', type: '/v1/errors#1' } })
  const client = toProblem(Object.assign(new Aerospike.AerospikeError('new client code'), { code: -99 }), context)
  t.match(client, { status: 500, body: { code: -99, error: 'ClientError', type: '/v1/errors#-1' } })
})

t.test('the catalogue route', async (t) => {
  const { app } = await withGateway(t)
  const res = await app.inject({ method: 'GET', url: '/v1/errors' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = res.json() as Array<Record<string, unknown>>
  t.same(body, ERROR_CATALOGUE)
  t.same(body.find((e) => e.code === 2), {
    code: 2,
    constant: 'AEROSPIKE_ERR_RECORD_NOT_FOUND',
    error: 'RecordNotFound',
    title: 'Record not found',
    status: 404,
    conditionalStatus: 412,
    retryable: false,
    type: '/v1/errors#2'
  })
})

t.test('an unknown route is a problem, not a record not found', async (t) => {
  const { app } = await withGateway(t)
  const res = await app.inject({ method: 'GET', url: '/v1/nothing/here?x=1', headers: { 'x-request-id': 'abc-123' } })
  t.equal(res.statusCode, 404)
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.equal(res.headers['retry-after'], undefined)
  t.same(res.json(), {
    type: `/v1/errors#${ROUTE_NOT_FOUND}`,
    title: 'Route not found',
    status: 404,
    detail: 'No route for GET /v1/nothing/here',
    instance: '/v1/nothing/here',
    error: 'AerospikeError',
    code: ROUTE_NOT_FOUND,
    constant: 'AEROGATE_ROUTE_NOT_FOUND',
    inDoubt: false,
    retryable: false,
    requestId: 'abc-123',
    message: 'No route for GET /v1/nothing/here',
    internalErrorCode: ROUTE_NOT_FOUND
  })
})

t.test('real client errors against the embedded server', async (t) => {
  const { app, embedded } = await withGateway(t)
  const client = app.aerospike.client
  if (client === undefined) throw new Error('the gateway is not connected')
  let n = 0
  const key = (): InstanceType<typeof Key> => new Key('test', 'errors', `k${n++}`)
  t.afterEach(() => embedded.clearFaults())

  t.test('a missing record: 404 RecordNotFound, the whole body', async (t) => {
    const err = await rejection(client.get(key())) as Error
    t.match(err.message, /^127\.0\.0\.1:\d+ Record does not exist/, 'the client names the node')
    const problem = toProblem(err, context)
    // The Node client's own words for the code speak of its API: the answer has the catalogue's.
    const detail = 'Record not found'
    t.equal(problem.status, 404)
    t.same(problem.headers, { 'content-type': 'application/problem+json; charset=utf-8' })
    t.same(problem.body, {
      type: '/v1/errors#2',
      title: 'Record not found',
      status: 404,
      detail,
      instance: context.instance,
      error: 'RecordNotFound',
      code: 2,
      constant: 'AEROSPIKE_ERR_RECORD_NOT_FOUND',
      inDoubt: false,
      retryable: false,
      requestId: context.requestId,
      message: detail,
      internalErrorCode: 2
    })
    t.notMatch(detail, /127\.0\.0\.1/, 'the body does not')
    t.notMatch(JSON.stringify(problem.body), /\n\s+at /, 'no stack')
  })

  t.test('generation mismatch and record exists: 409, or 412 when a conditional header caused them', async (t) => {
    const k = key()
    await client.put(k, { a: 1 })
    const gen = await rejection(client.put(k, { a: 2 }, { gen: 7 }, new Aerospike.WritePolicy({ gen: Aerospike.policy.gen.EQ })))
    t.match(toProblem(gen, context), { status: 409, body: { code: 3, error: 'RecordGenerationError' } })
    t.match(toProblem(gen, { ...context, conditional: true }), { status: 412, body: { code: 3, error: 'RecordGenerationError', status: 412 } })
    const exists = await rejection(client.put(k, { a: 2 }, {}, new Aerospike.WritePolicy({ exists: Aerospike.policy.exists.CREATE })))
    t.match(toProblem(exists, context), { status: 409, body: { code: 5, error: 'RecordExistsError' } })
    t.match(toProblem(exists, { ...context, conditional: true }), { status: 412 })
    const missing = await rejection(client.get(key()))
    t.match(toProblem(missing, { ...context, conditional: true }), { status: 412, body: { code: 2, error: 'RecordNotFound' } })
  })

  t.test('a record over the write block: 413 RecordTooBig', async (t) => {
    const err = await rejection(client.put(key(), { big: Buffer.alloc(1024 * 1024 + 1) }))
    t.match(toProblem(err, context), { status: 413, body: { code: 13, error: 'RecordTooBig', retryable: false } })
  })

  t.test('a bad key from the client itself: 400 InvalidArgError', async (t) => {
    const err = await rejection(client.get({ ns: 'test' } as unknown as InstanceType<typeof Key>))
    t.match(toProblem(err, context), { status: 400, body: { code: -2, error: 'InvalidArgError', constant: 'AEROSPIKE_ERR_PARAM' } })
  })

  t.test('server codes from fault hooks', async (t) => {
    const cases: Array<[number, number, string, boolean]> = [
      [14, 429, 'RecordError', true],
      [18, 503, 'ServerError', true],
      [8, 503, 'ServerError', true],
      [83, 429, 'AdminError', true],
      [152, 503, 'ServerError', true],
      [11, 503, 'ClusterError', true],
      [7, 503, 'ClusterError', true],
      [12, 409, 'BinTypeError', false],
      [16, 501, 'ServerError', false],
      [25, 501, 'ServerError', false],
      [27, 412, 'FilteredOut', false],
      [80, 401, 'AdminError', false],
      [81, 403, 'AdminError', false],
      [1, 502, 'ServerError', false],
      [100, 502, 'UDFError', false],
      [201, 404, 'IndexNotFound', false],
      [210, 502, 'QueryAbortedError', false]
    ]
    for (const [code, status, error, retryable] of cases) {
      await embedded.addFault({ resultCode: code, match: { kind: 'write' }, times: 1 })
      const err = await rejection(client.put(key(), { a: 1 })) as { code: number }
      t.equal(err.code, code, `the server answered ${code}`)
      const problem = toProblem(err, context)
      t.match(problem, { status, body: { code, error, status, retryable, internalErrorCode: code } }, `${code}`)
      t.equal(problem.headers['retry-after'], retryable ? '1' : undefined, `${code}: Retry-After only when retryable`)
    }
  })

  t.test('a timeout: 504 AerospikeTimeoutError with Retry-After; inDoubt from the client', async (t) => {
    await embedded.addFault({ delayMs: 300 })
    const quick = { totalTimeout: 50, socketTimeout: 50, maxRetries: 0 }
    const read = await rejection(client.get(key(), new Aerospike.ReadPolicy(quick)))
    const problem = toProblem(read, context)
    t.match(problem, { status: 504, headers: { 'retry-after': '1' }, body: { code: 9, error: 'AerospikeTimeoutError', retryable: true, inDoubt: false } })
    const write = await rejection(client.put(key(), { a: 1 }, {}, new Aerospike.WritePolicy(quick)))
    t.match(toProblem(write, context), { status: 504, body: { code: 9, inDoubt: true } }, 'a write sent before the timeout may have been applied')
  })

  t.test('a stopped server: 503 ClusterError with Retry-After', async (t) => {
    await embedded.stop()
    t.teardown(() => embedded.start())
    const err = await rejection(client.get(key()))
    t.match(toProblem(err, context), { status: 503, headers: { 'retry-after': '1' }, body: { error: 'ClusterError', retryable: true } })
  })
})

t.test('retries exhausted: 504 when the last attempt timed out, else 503', async (t) => {
  // What the client gives for a scan or query whose every retry failed.
  const exhausted = (lastAttempt: number): Error => Object.assign(new Aerospike.AerospikeError(
    `Max retries exceeded: 2\nsub-errors:\n-6 Max retries limit reached.\n9 AEROSPIKE_ERR_TIMEOUT\n${lastAttempt} AEROSPIKE_ERR_CONNECTION`), { code: -12 })
  t.match(toProblem(exhausted(9), context), { status: 504, body: { code: -12, error: 'AerospikeTimeoutError', retryable: true } })
  t.match(toProblem(exhausted(-10), context), { status: 503, body: { code: -12, error: 'ClusterError', retryable: true } })
  t.equal(toProblem(exhausted(9), context).body.detail, 'Max retries exceeded: 2', 'the per-attempt lines stay out of the detail')
})

t.test('the gateway own errors', async (t) => {
  t.match(toProblem(new GatewayError(4, 'bins must be an object'), context),
    { status: 400, body: { code: 4, error: 'InvalidArgError', detail: 'bins must be an object', message: 'bins must be an object' } })
  t.match(toProblem(new GatewayError(21, 'bin name "abcdefghijklmnop" is over 15 bytes'), context), { status: 400, body: { error: 'BinNameError' } })
  t.match(toProblem(new GatewayError(-10, 'not connected to the cluster yet'), context),
    { status: 503, headers: { 'retry-after': '1' }, body: { error: 'ClusterError', retryable: true } })
  t.match(toProblem(new GatewayError(4, 'the body is too large', 413), context), { status: 413, body: { code: 9413, status: 413, title: 'Request too large', retryable: false } })
  const fault = toProblem(new TypeError('secret internals at /work/main/src/x.ts'), context)
  t.match(fault, { status: 500, body: { code: INTERNAL_ERROR, error: 'ClientError', constant: 'AEROGATE_INTERNAL_ERROR' } })
  t.notMatch(JSON.stringify(fault.body), /secret|\.ts/, 'nothing of the error reaches the client')
  t.equal(toProblem(undefined, context).status, 500, 'even a throw of nothing')
})

t.test('through the plugin: Fastify errors, conditional requests, logging', async (t) => {
  const lines: Array<{ level: number, msg: string, err?: { stack?: string } }> = []
  const problems = (): typeof lines => lines.filter((l) => l.level >= 40)
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()))
      done()
    }
  })
  const app = Fastify({ logger: { level: 'info', stream }, bodyLimit: 64 })
  addSchemas(app)
  await app.register(errorsPlugin)
  const embedded = await startEmbeddedServer({ port: 0 })
  const client = await Aerospike.connect({ hosts: embedded.address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(async () => {
    await app.close()
    await client.close()
    await embedded.close()
  })
  app.post('/things', {
    schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } }
  }, async () => ({ ok: true }))
  app.put('/conditional', async (request) => {
    request.conditional = true
    return await client.get(new Key('test', 'errors', 'never-written'))
  })
  app.get('/boom', async () => {
    throw new Error('internal detail')
  })
  await app.ready()

  const post = async (payload: string, contentType = 'application/json'): Promise<{ statusCode: number, headers: Record<string, unknown>, body: Record<string, unknown> }> => {
    const res = await app.inject({ method: 'POST', url: '/things?debug=1', payload, headers: { 'content-type': contentType } })
    return { statusCode: res.statusCode, headers: res.headers, body: res.json() }
  }

  const invalid = await post('{"name": {"first": "x"}}')
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(invalid.body, { code: 4, error: 'InvalidArgError', instance: '/things', detail: /body\/name/ })
  t.match((await post('{}')).body, { status: 400, code: 4, detail: /name/ })
  t.match((await post('{"name": "x"')).body, { status: 400, code: 4, error: 'InvalidArgError' }, 'invalid JSON')
  t.match((await post('')).body, { status: 400, code: 4 }, 'empty JSON body')
  t.match((await post(JSON.stringify({ name: 'x'.repeat(100) }))).body, { status: 413, code: 9413, retryable: false }, 'body over the limit')
  t.match((await post('<name>x</name>', 'application/xml')).body, { status: 415, code: 9415, title: 'Unsupported media type' }, 'not JSON')

  const conditional = await app.inject({ method: 'PUT', url: '/conditional' })
  t.equal(conditional.statusCode, 412)
  t.match(conditional.json(), { code: 2, error: 'RecordNotFound', status: 412 })
  t.equal(problems().length, 0, '4xx are not logged, beyond the request log line')

  const boom = await app.inject({ method: 'GET', url: '/boom' })
  t.equal(boom.statusCode, 500)
  t.notMatch(boom.body, /internal detail|at /)
  t.equal(problems().length, 1)
  t.equal(problems()[0].level, 50, 'a 5xx is logged at error level')
  t.match(problems()[0].err?.stack, /internal detail\n\s+at /, 'with the stack')
})

t.test('a 5xx log line keeps its error with the logger the server builds (its err serializer)', async (t) => {
  const lines: Array<{ level: number, err?: { type?: string, message?: string, stack?: string, code?: number } }> = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()))
      done()
    }
  })
  const app = Fastify(options(loadConfig({}), { level: 'info', stream }))
  addSchemas(app)
  await app.register(errorsPlugin)
  app.get('/boom', async () => { throw new Error('internal detail') })
  app.get('/cluster', async () => { throw clientError(-6, { message: 'Failed to connect' }) })
  await app.ready()
  t.teardown(() => app.close())
  t.equal((await app.inject({ url: '/boom' })).statusCode, 500)
  t.equal((await app.inject({ url: '/cluster' })).statusCode, 503)
  const errors = lines.filter((l) => l.level === 50)
  t.equal(errors.length, 2)
  t.match(errors[0].err, { type: 'Error', message: 'internal detail', stack: /internal detail\n\s+at / })
  t.match(errors[1].err, { type: 'AerospikeError', message: 'Failed to connect', code: -6 })
})
