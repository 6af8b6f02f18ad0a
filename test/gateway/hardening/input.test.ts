// Hostile input never reaches another record and is never a 500: strings
// the client would alter (NUL, lone surrogates) in every place a string goes
// to the client as a C string, empty values, numbers that would wrap, and
// keys of every size up to MAX_KEY_BYTES on every route.

import t from 'tap'
import { withGateway } from '../../helpers/gateway'

const JSON_HEADERS = { 'content-type': 'application/json' }
// Generous client timeouts: these tests are about answers, not speed, and CI machines are loaded.
const PATIENT = { AEROSPIKE_READ_TOTAL_TIMEOUT: '20000', AEROSPIKE_WRITE_TOTAL_TIMEOUT: '20000' }

t.test('a NUL byte or a lone surrogate never aliases another record', async (t) => {
  const { app } = await withGateway(t, {}, PATIENT)
  const send = async (method: string, url: string, payload?: unknown) =>
    await app.inject({ method: method as 'GET', url, payload: payload as string, headers: payload === undefined ? {} : JSON_HEADERS })
  t.equal((await send('PUT', '/v1/kvs/test/s/victim', { a: 1 })).statusCode, 204)
  t.equal((await send('PUT', '/v1/kvs/test/victim', { a: 1 })).statusCode, 204)

  const bad = [
    ['key', '/v1/kvs/test/s/victim%00x'],
    ['key', '/v1/kvs/test/victim%00x'],
    ['set', '/v1/kvs/test/s%00x/victim'],
    ['namespace', '/v1/kvs/test%00x/s/victim'],
    ['namespace', '/v1/kvs/test%00x/victim']
  ]
  for (const [field, url] of bad) {
    for (const method of ['PUT', 'POST', 'PATCH', 'DELETE', 'GET']) {
      const res = await send(method, url, ['GET', 'DELETE'].includes(method) ? undefined : { a: 2 })
      t.equal(res.statusCode, 400, `${method} ${url}`)
      t.match(res.json(), { code: 4, detail: new RegExp(`^${field} must not contain U\\+0000`) }, `${method} ${url} names ${field}`)
    }
    const op = await send('POST', url.replace('/v1/kvs/', '/v1/operate/'), { opsList: [{ type: 'PUT', binName: 'a', value: 3 }] })
    t.match(op.json(), { status: 400, code: 4, detail: new RegExp(`^${field}`) }, `operate ${url}`)
  }
  t.match((await send('GET', '/v1/kvs/test/s/victim?recordBins=a%00b')).json(), { status: 400, detail: /recordBins\[0\]/ })

  const item = (key: Record<string, unknown>, type = 'WRITE') => ({ type, key: { namespace: 'test', setName: 's', userKey: 'victim', ...key }, ...(type === 'WRITE' ? { bins: { a: 4 } } : {}) })
  const batchCases: Array<[string, unknown]> = [
    ['userKey', item({ userKey: 'victim\u0000x' })],
    ['userKey', item({ userKey: 'victim\ud800' })],
    ['setName', item({ setName: 's\u0000x' })],
    ['namespace', item({ namespace: 'test\u0000x' })],
    ['userKey', item({ userKey: 'victim\u0000x' }, 'DELETE')],
    ['binNames', { ...item({}, 'READ'), binNames: ['a\u0000b'] }],
    ['opsList', { ...item({}, 'WRITE'), bins: undefined, opsList: [{ type: 'PUT', binName: 'a\u0000b', value: 1 }] }],
    ['opsList', { ...item({}, 'WRITE'), bins: undefined, opsList: [{ type: 'MAP_PUT', binName: 'm', key: 'k\u0000x', value: 1, ctx: [{ type: 'mapKey', key: 'c\u0000d' }] }] }]
  ]
  for (const [field, it] of batchCases) {
    const res = await send('POST', '/v1/batch', [it])
    t.equal(res.statusCode, 400, `batch ${field}: ${JSON.stringify(it)}`)
    t.match(res.json(), { code: Number, detail: new RegExp(`batchRecords\\[0\\]\\.${field === 'namespace' || field === 'userKey' || field === 'setName' ? `key: ${field}` : field}`) }, `batch names ${field}`)
  }
  t.match((await send('POST', '/v1/operate/test/s/victim', { opsList: [{ type: 'PUT', binName: 'a', value: 'x\u0000y' }] })).json(), { status: 400 })
  t.same((await send('GET', '/v1/kvs/test/s/victim')).json().bins, { a: 1 }, 'the record named in the attacks is untouched')
  t.same((await send('GET', '/v1/kvs/test/victim')).json().bins, { a: 1 })
})

t.test('empty values: valid or 400, the same rule on every route, never a 500', async (t) => {
  const { app } = await withGateway(t, {}, PATIENT)
  const send = async (method: string, url: string, payload?: unknown) =>
    await app.inject({ method: method as 'GET', url, payload: payload as string, headers: payload === undefined ? {} : JSON_HEADERS })
  t.match((await send('GET', '/v1/kvs/test/s/=?keytype=BYTES')).json(), { status: 400, detail: 'key must not be empty' })
  t.match((await send('PUT', '/v1/kvs/test/s/', { a: 1 })).json(), { status: 400, detail: 'key must not be empty' })
  t.match((await send('GET', '/v1/kvs/test//k')).json(), { status: 400, detail: /set/ })
  const batch = async (key: Record<string, unknown>) => await send('POST', '/v1/batch', [{ type: 'WRITE', key: { namespace: 'test', ...key }, bins: { e: 1 } }])
  t.equal((await batch({ setName: null, userKey: 'nullset' })).statusCode, 200, 'setName null: no set')
  t.equal((await batch({ userKey: 'nullset2' })).statusCode, 200, 'no setName: no set')
  t.same((await send('GET', '/v1/kvs/test/nullset')).json().bins, { e: 1 }, 'written in no set, as the path form reads it')
  t.match((await batch({ setName: '', userKey: 'k' })).json(), { status: 400, detail: /setName must be 1 to 63 bytes/ })
  t.match((await batch({ setName: 's', userKey: '' })).json(), { status: 400, detail: /userKey must not be empty/ })
  t.match((await batch({ setName: 's', userKey: '', keytype: 'BYTES' })).json(), { status: 400, detail: /userKey must not be empty/ })
  t.match((await batch({ setName: 's', userKey: { type: 'BYTE_ARRAY', value: '' } })).json(), { status: 400, detail: /userKey must not be empty/ })
  t.match((await batch({ namespace: '', setName: 's', userKey: 'k' })).json(), { status: 400 })
})

t.test('numbers are range-checked, the same bounds on every route and in the batch schema', async (t) => {
  const { app } = await withGateway(t, {}, PATIENT)
  const send = async (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    await app.inject({ method: method as 'GET', url, payload: payload as string, headers: payload === undefined ? headers : { ...JSON_HEADERS, ...headers } })
  for (const [param, value] of [['expiration', '4294967297'], ['expiration', '4294967296'], ['expiration', '-3'], ['generation', '65536'],
    ['totalTimeout', '4294967296'], ['socketTimeout', '-1'], ['maxRetries', '1000000'], ['sleepBetweenRetries', '99999999999']]) {
    const q = `?${param}=${value}${param === 'generation' ? '&generationPolicy=EXPECT_GEN_EQUAL' : ''}`
    for (const url of [`/v1/kvs/test/n/wrap${q}`, `/v1/operate/test/n/wrap${q}`]) {
      const res = await send(url.includes('operate') ? 'POST' : 'PUT', url, url.includes('operate') ? { opsList: [{ type: 'TOUCH' }] } : { a: 1 })
      t.equal(res.statusCode, 400, url)
      t.match(res.json().detail, new RegExp(param), url)
    }
  }
  t.equal((await send('GET', '/v1/kvs/test/n/wrap')).statusCode, 404, 'nothing was written')
  t.equal((await send('PUT', '/v1/kvs/test/n/wrap?expiration=31536000', { a: 1 })).statusCode, 204, 'a year')
  t.match((await send('PUT', '/v1/kvs/test/n/wrap?expiration=2147483647', { a: 1 })).json(), { status: 400, code: 4 }, 'past the server\'s max-ttl: its own refusal')
  const item = (policy: Record<string, unknown>) => [{ type: 'WRITE', key: { namespace: 'test', setName: 'n', userKey: 'bw' }, bins: { a: 1 }, policy }]
  for (const policy of [{ expiration: 4294967296 }, { expiration: 2147483648 }, { generationPolicy: 'EXPECT_GEN_EQUAL', generation: 65536 }]) {
    t.equal((await send('POST', '/v1/batch', item(policy))).statusCode, 400, JSON.stringify(policy))
  }
  t.equal((await send('POST', '/v1/batch?totalTimeout=4294967296', item({}))).statusCode, 400)
  t.equal((await send('PATCH', '/v1/kvs/test/n/wrap', { a: 2 }, { 'if-match': '"65537"' })).statusCode, 400, 'an ETag past 16 bits is not one of ours')
  t.equal((await send('GET', '/v1/kvs/test/n/wrap')).json().generation, 1, 'and wraps onto no generation')
})

t.test('keys of every size up to MAX_KEY_BYTES work on every route; past it a problem body', async (t) => {
  const { app } = await withGateway(t, {}, { ...PATIENT, MAX_KEY_BYTES: '2000' })
  const send = async (method: string, url: string, payload?: unknown) =>
    await app.inject({ method: method as 'GET', url, payload: payload as string, headers: payload === undefined ? {} : JSON_HEADERS })
  const key = 'é'.repeat(1000) // 2000 bytes, 6000 characters percent-encoded
  const path = `/v1/kvs/test/big/${encodeURIComponent(key)}`
  t.equal((await send('PUT', path, { a: 1 })).statusCode, 204)
  t.same((await send('GET', path)).json().bins, { a: 1 })
  t.equal((await send('POST', path.replace('/kvs/', '/operate/'), { opsList: [{ type: 'READ', binName: 'a' }] })).statusCode, 200)
  const rows = (await send('POST', '/v1/batch', [{ type: 'READ', key: { namespace: 'test', setName: 'big', userKey: key }, readAllBins: true }])).json().batchRecords
  t.same(rows[0].record.bins, { a: 1 }, 'batch reads what the path wrote')
  const bytes = Buffer.alloc(2000, 7)
  const byteArray = { type: 'BYTE_ARRAY', value: bytes.toString('base64') }
  t.equal((await send('POST', '/v1/batch', [{ type: 'WRITE', key: { namespace: 'test', setName: 'big', userKey: byteArray }, bins: { b: 2 } }])).statusCode, 200)
  t.same((await send('GET', `/v1/kvs/test/big/${bytes.toString('base64url')}?keytype=BYTES`)).json().bins, { b: 2 }, 'a BYTE_ARRAY key is a bytes key')

  const over = `${key}x`
  const long = await send('GET', `/v1/kvs/test/big/${encodeURIComponent(over)}`)
  t.equal(long.statusCode, 414)
  t.match(long.json(), { code: 9414, title: 'URI too long', detail: /2001 bytes; the largest key is 2000 bytes \(MAX_KEY_BYTES\)/ })
  const veryLong = await send('GET', `/v1/kvs/test/big/${'%C3%A9'.repeat(3000)}`)
  t.equal(veryLong.statusCode, 414, 'past the longest path parameter')
  t.match(veryLong.json(), { code: 9414, type: '/v1/errors#9414', requestId: String })
  const batchOver = await send('POST', '/v1/batch', [{ type: 'READ', key: { namespace: 'test', setName: 'big', userKey: over } }])
  t.match(batchOver.json(), { status: 400, detail: /batchRecords\[0\]\.key: userKey is 2001 bytes/ })
  const bytesOver = await send('POST', '/v1/batch', [{ type: 'READ', key: { namespace: 'test', setName: 'big', userKey: { type: 'BYTE_ARRAY', value: Buffer.alloc(2001).toString('base64') } } }])
  t.equal(bytesOver.statusCode, 400)
})

t.test('names that travel in info commands or as C strings: no newline, NUL or separator gets through', async (t) => {
  const { app } = await withGateway(t, {}, PATIENT)
  const send = async (method: string, url: string, payload?: unknown) =>
    await app.inject({ method: method as 'GET', url, payload: payload as string, headers: payload === undefined ? {} : JSON_HEADERS })
  t.equal((await send('PUT', '/v1/kvs/test/names/k', { a: 1 })).statusCode, 204)
  const long = 'i'.repeat(64)
  const cases: Array<[string, string, unknown?]> = [
    ['GET', '/v1/index/test/x%0Atruncate-namespace:namespace=test'],
    ['GET', `/v1/index/test/${long}`],
    ['DELETE', '/v1/index/test/x%3Bindexname=y'],
    ['GET', '/v1/index?namespace=test%0Abuild'],
    ['GET', '/v1/index/test%00x'],
    ['DELETE', '/v1/truncate/test/names%0Atruncate-namespace:namespace=test'],
    ['DELETE', '/v1/truncate/test/names%3Blut=1'],
    ['GET', '/v1/scan/test%00x/names'],
    ['GET', '/v1/scan/test/names%00x'],
    ['POST', '/v1/query/test/names%0A', {}],
    ['POST', '/v1/execute/scan/test/names%00x', { opsList: [{ type: 'PUT', binName: 'a', value: 2 }] }],
    ['POST', '/v1/index', { namespace: 'test', set: 'names', bin: 'a', name: 'n\nbuild', type: 'NUMERIC' }],
    ['POST', '/v1/index', { namespace: 'test', set: 'names', bin: 'a', name: long, type: 'NUMERIC' }]
  ]
  for (const [method, url, body] of cases) {
    const res = await send(method, url, body)
    t.equal(res.statusCode, 400, `${method} ${url} ${JSON.stringify(body) ?? ''}`)
    t.match(res.json(), { code: 4 }, `${method} ${url}: a parameter error`)
  }
  t.same((await send('GET', '/v1/kvs/test/names/k')).json().bins, { a: 1 }, 'nothing was truncated or written')
})
