import t from 'tap'
import { buildGateway, unusedPort, withGateway } from '../helpers/gateway'

const JSON_HEADERS = { 'content-type': 'application/json' }

t.test('record endpoints against the embedded server', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { BODY_LIMIT: '65536', MAX_NESTING_DEPTH: '8' })
  const url = (key: string, query = ''): string => `/v1/kvs/test/people/${key}${query}`
  const send = async (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET' | 'HEAD', path: string, body?: string, headers: Record<string, string> = {}) =>
    await app.inject({ method, url: path, payload: body, headers: body === undefined ? headers : { ...JSON_HEADERS, ...headers } })

  t.test('POST creates (201, ETag), a second POST is 409 with the problem body', async (t) => {
    const created = await send('POST', url('p1'), '{"name":"Ann","age":41}')
    t.equal(created.statusCode, 201)
    t.equal(created.headers.etag, '"1"')
    const again = await send('POST', url('p1'), '{"name":"Bob"}')
    t.equal(again.statusCode, 409)
    t.match(again.headers['content-type'], /^application\/problem\+json/)
    t.match(again.json(), { status: 409, code: 5, error: 'RecordExistsError', constant: 'AEROSPIKE_ERR_RECORD_EXISTS', instance: '/v1/kvs/test/people/p1', internalErrorCode: 5 })
  })

  t.test('GET returns bins, generation, ttl and the ETag; If-None-Match gives 304', async (t) => {
    const res = await send('GET', url('p1'))
    t.equal(res.statusCode, 200)
    t.equal(res.headers.etag, '"1"')
    t.same(res.json(), { bins: { name: 'Ann', age: 41 }, generation: 1, ttl: -1 })
    t.equal((await send('GET', url('p1'), undefined, { 'if-none-match': '"1"' })).statusCode, 304)
    t.equal((await send('GET', url('p1'), undefined, { 'if-none-match': '"9"' })).statusCode, 200)
    const some = await send('GET', url('p1', '?recordBins=age&recordBins=nope'))
    t.same(some.json().bins, { age: 41 })
    t.equal((await send('GET', url('missing'))).statusCode, 404)
  })

  t.test('HEAD: 200 with the ETag, or 404', async (t) => {
    const res = await send('HEAD', url('p1'))
    t.equal(res.statusCode, 200)
    t.equal(res.headers.etag, '"1"')
    t.equal(res.body, '')
    t.equal((await send('HEAD', url('missing'))).statusCode, 404)
  })

  t.test('PUT replaces every bin; PATCH merges and a null deletes a bin', async (t) => {
    const put = await send('PUT', url('p2'), '{"a":1,"b":2}')
    t.equal(put.statusCode, 204)
    t.equal(put.headers.etag, '"1"')
    await send('PUT', url('p2'), '{"c":3}')
    t.same((await send('GET', url('p2'))).json().bins, { c: 3 })
    const patch = await send('PATCH', url('p2'), '{"d":4,"c":null}')
    t.equal(patch.statusCode, 204)
    t.equal(patch.headers.etag, '"3"')
    t.same((await send('GET', url('p2'))).json().bins, { d: 4 })
  })

  t.test('DELETE: 204, then 404', async (t) => {
    await send('PUT', url('p3'), '{"a":1}')
    t.equal((await send('DELETE', url('p3'))).statusCode, 204)
    const again = await send('DELETE', url('p3'))
    t.equal(again.statusCode, 404)
    t.equal(again.json().code, 2)
  })

  t.test('conditional requests: If-Match generation and *, If-None-Match *; failures are 412 with their code', async (t) => {
    await send('PUT', url('c1'), '{"v":1}')
    const stale = await send('PATCH', url('c1'), '{"v":2}', { 'if-match': '"7"' })
    t.equal(stale.statusCode, 412)
    t.equal(stale.json().code, 3)
    t.equal((await send('PATCH', url('c1'), '{"v":2}', { 'if-match': '"1"' })).statusCode, 204)
    const exists = await send('PUT', url('c1'), '{"v":3}', { 'if-none-match': '*' })
    t.equal(exists.statusCode, 412)
    t.equal(exists.json().code, 5)
    const missing = await send('PATCH', url('c-missing'), '{"v":1}', { 'if-match': '*' })
    t.equal(missing.statusCode, 412)
    t.equal(missing.json().code, 2)
    t.equal((await send('DELETE', url('c1'), undefined, { 'if-match': '"1"' })).statusCode, 412)
    t.equal((await send('DELETE', url('c1'), undefined, { 'if-match': '"2"' })).statusCode, 204)
    t.equal((await send('PATCH', url('c1'), '{"v":1}', { 'if-match': 'garbage' })).statusCode, 400)
  })

  t.test('query parameters: expiration, generation policy, recordExistsAction, invalid values are 400', async (t) => {
    await send('PUT', url('q1', '?expiration=100'), '{"v":1}')
    const ttl = (await send('GET', url('q1'))).json().ttl
    t.ok(ttl > 95 && ttl <= 100, `ttl ${ttl}`)
    t.equal((await send('PUT', url('q1', '?generationPolicy=EXPECT_GEN_EQUAL&generation=5'), '{"v":2}')).statusCode, 409)
    t.equal((await send('PUT', url('q1', '?generationPolicy=EXPECT_GEN_EQUAL&generation=1'), '{"v":2}')).statusCode, 204)
    t.equal((await send('PATCH', url('q-new', '?recordExistsAction=UPDATE_ONLY'), '{"v":1}')).statusCode, 404)
    t.equal((await send('POST', url('q1', '?recordExistsAction=UPDATE'), '{"w":1}')).statusCode, 201)
    for (const bad of ['?expiration=-3', '?totalTimeout=abc', '?replica=NOPE', '?keytype=FLOAT']) {
      const res = await send('GET', url('q1', bad))
      t.equal(res.statusCode, 400, bad)
      t.equal(res.json().code, 4, bad)
    }
    t.equal((await send('GET', url('q1', '?totalTimeout=500&maxRetries=1&replica=SEQUENCE&readModeAP=ALL'))).statusCode, 200)
  })

  t.test('key types and the set-less path', async (t) => {
    t.equal((await send('PUT', url('42', '?keytype=INTEGER'), '{"v":"int"}')).statusCode, 204)
    t.same((await send('GET', url('42', '?keytype=INTEGER'))).json().bins, { v: 'int' })
    t.equal((await send('GET', url('42'))).statusCode, 404, 'the string "42" is another key')
    t.equal((await send('PUT', url('AQID', '?keytype=BYTES'), '{"v":"bytes"}')).statusCode, 204)
    t.same((await send('GET', url('AQID', '?keytype=BYTES'))).json().bins, { v: 'bytes' })
    t.equal((await send('GET', url('x', '?keytype=INTEGER'))).statusCode, 400)
    t.equal((await send('GET', url('99999999999999999999', '?keytype=INTEGER'))).statusCode, 400)
    t.equal((await send('GET', url('AAAA', '?keytype=DIGEST'))).statusCode, 400, 'a digest is 20 bytes')
    t.equal((await send('PUT', '/v1/kvs/test/noset', '{"v":1}')).statusCode, 204)
    t.same((await send('GET', '/v1/kvs/test/noset')).json().bins, { v: 1 })
  })

  t.test('values round-trip losslessly through JSON', async (t) => {
    const body = '{"i":9007199254740993,"neg":-9223372036854775808,"d":2.5,"s":"héllo ✓","e":"","t":true,' +
      '"b":{"type":"BYTE_ARRAY","value":"AQID"},"l":[1,1.5,"x",[true]],"m":{"k":{"n":1}},' +
      '"g":{"type":"Point","coordinates":[1.5,2.5]}}'
    t.equal((await send('PUT', url('v1'), body)).statusCode, 204)
    const got = await send('GET', url('v1'))
    t.equal(got.statusCode, 200)
    t.match(got.body, /"i":9007199254740993/)
    t.match(got.body, /"neg":-9223372036854775808/)
    const bins = got.json().bins
    t.same(bins.b, { type: 'BYTE_ARRAY', value: 'AQID' })
    t.same(bins.g, { type: 'Point', coordinates: [1.5, 2.5] })
    t.same(bins.l, [1, 1.5, 'x', [true]])
    t.same(bins.m, { k: { n: 1 } })
    const binsText = got.body.slice('{"bins":'.length, got.body.lastIndexOf(',"generation"'))
    t.equal((await send('PUT', url('v2'), binsText)).statusCode, 204, 'what GET returns can be sent back')
    t.equal((await send('GET', url('v2'))).body.replace('"generation":1', '"generation":2'), got.body.replace(/"generation":\d+/, '"generation":2'), 'and reads back the same')
    t.equal((await send('PUT', url('v3'), '{"i":9223372036854775808}')).statusCode, 400, 'outside int64')
  })

  t.test('bad input is a 4xx with the problem body, never a 500 or a partial write', async (t) => {
    const cases: Array<[string, string | undefined, Record<string, string>, number, number]> = [
      ['malformed JSON', '{"a":', {}, 400, 4],
      ['not an object', '[1,2]', {}, 400, 4],
      ['no bins', '{}', {}, 400, 4],
      ['bin name over 15 bytes', '{"abcdefghijklmnop":1}', {}, 400, 21],
      ['__proto__', '{"__proto__":{"x":1}}', {}, 400, 4],
      ['bad base64', '{"b":{"type":"BYTE_ARRAY","value":"!!"}}', {}, 400, 4],
      ['too deep', `{"a":${'['.repeat(9)}${']'.repeat(9)}}`, {}, 400, 4],
      ['unsupported media type', 'a=1', { 'content-type': 'text/plain' }, 415, 9415],
      ['body over the limit', `{"a":"${'x'.repeat(70000)}"}`, {}, 413, 9413]
    ]
    for (const [name, body, headers, status, code] of cases) {
      const res = await send('PUT', url('bad'), body, headers)
      t.equal(res.statusCode, status, name)
      t.equal(res.json().code, code, `${name}: code`)
      t.match(res.json(), { type: String, title: String, detail: String, requestId: String }, `${name}: problem body`)
    }
    t.equal((await send('GET', url('bad'))).statusCode, 404, 'nothing was written')
  })

  t.test('request ids: taken from x-request-id and echoed in error bodies', async (t) => {
    const res = await send('GET', url('missing'), undefined, { 'x-request-id': 'abc-123' })
    t.equal(res.json().requestId, 'abc-123')
  })

  t.test('server-side failures map to their status', async (t) => {
    await send('PUT', url('f1'), '{"v":1}')
    const busy = await embedded.addFault({ resultCode: 14, match: { kind: 'write' }, times: 1 })
    const r14 = await send('PATCH', url('f1'), '{"v":2}')
    t.equal(r14.statusCode, 429)
    t.ok(r14.headers['retry-after'] !== undefined)
    t.equal(r14.json().retryable, true)
    await embedded.removeFault(busy)
    await embedded.addFault({ resultCode: 18, match: { kind: 'read' }, times: 1 })
    t.equal((await send('GET', url('f1'))).statusCode, 503)
    await embedded.addFault({ delayMs: 400, match: { kind: 'read' }, times: 1 })
    const slow = await send('GET', url('f1', '?totalTimeout=100&maxRetries=0'))
    t.equal(slow.statusCode, 504)
    t.equal(slow.json().error, 'AerospikeTimeoutError')
  })
})

t.test('data requests while the cluster is unreachable get 503 with the ClusterError body', async (t) => {
  const port = await unusedPort()
  const app = await buildGateway(t, `127.0.0.1:${port}`)
  const res = await app.inject({ method: 'GET', url: '/v1/kvs/test/s/k' })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { error: 'ClusterError', retryable: true })
  t.ok(res.headers['retry-after'] !== undefined)
})

t.test('nesting within MAX_NESTING_DEPTH is accepted', async (t) => {
  const { app } = await withGateway(t, {}, { MAX_NESTING_DEPTH: '8' })
  const res = await app.inject({ method: 'PUT', url: '/v1/kvs/test/n/k', payload: `{"a":${'['.repeat(7)}1${']'.repeat(7)}}`, headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 204)
})
