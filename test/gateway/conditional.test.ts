// Conditional requests and per-method parameters on the record routes, and
// header reads in the forms a real server accepts (the embedded server
// refuses a read naming no bins with 4, as a real 7.2 server does).

import t from 'tap'
import { withGateway } from '../helpers/gateway'

const JSON_HEADERS = { 'content-type': 'application/json' }

t.test('record routes', async (t) => {
  const { app } = await withGateway(t)
  const url = (key: string, query = ''): string => `/v1/kvs/test/cond/${key}${query}`
  type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET' | 'HEAD'
  const send = async (method: Method, path: string, body?: string, headers: Record<string, string> = {}) =>
    await app.inject({ method, url: path, payload: body, headers: body === undefined ? headers : { ...JSON_HEADERS, ...headers } })

  t.equal((await send('PUT', url('a'), '{"x":1}')).statusCode, 204)

  t.test('GET with If-Match: 200 when it matches, 412 when not, 412 for a missing record', async (t) => {
    t.equal((await send('GET', url('a'), undefined, { 'if-match': '"1"' })).statusCode, 200)
    t.equal((await send('GET', url('a'), undefined, { 'if-match': '*' })).statusCode, 200)
    const stale = await send('GET', url('a'), undefined, { 'if-match': '"7"' })
    t.equal(stale.statusCode, 412)
    t.match(stale.json(), { status: 412, code: 3 })
    t.equal((await send('GET', url('none'), undefined, { 'if-match': '*' })).statusCode, 412)
    t.equal((await send('HEAD', url('a'), undefined, { 'if-match': '"7"' })).statusCode, 412)
  })

  t.test('GET with If-None-Match: * or a listed ETag is 304 without a body', async (t) => {
    for (const tag of ['*', '"1"', '"5", "1"', 'W/"1"']) {
      const res = await send('GET', url('a'), undefined, { 'if-none-match': tag })
      t.equal(res.statusCode, 304, tag)
      t.equal(res.body, '')
      t.equal(res.headers.etag, '"1"')
    }
    t.equal((await send('GET', url('a'), undefined, { 'if-none-match': '"2"' })).statusCode, 200)
    t.equal((await send('HEAD', url('a'), undefined, { 'if-none-match': '*' })).statusCode, 304)
    t.equal((await send('GET', url('none'), undefined, { 'if-none-match': '*' })).statusCode, 404)
  })

  t.test('a parameter the method does not honour is 400 naming it; unknown ones are ignored', async (t) => {
    const cases: Array<[Method, string, string?]> = [
      ['GET', '?generation=99&generationPolicy=EXPECT_GEN_EQUAL'],
      ['GET', '?expiration=10'],
      ['GET', '?recordExistsAction=UPDATE'],
      ['HEAD', '?recordBins=x'],
      ['DELETE', '?recordBins=x'],
      ['DELETE', '?expiration=10'],
      ['PUT', '?readModeAP=ALL', '{"x":1}'],
      ['POST', '?recordExistsAction=UPDATE', '{"x":1}']
    ]
    for (const [method, query, body] of cases) {
      const res = await send(method, url('a', query), body)
      t.equal(res.statusCode, 400, `${method} ${query}`)
      if (method !== 'HEAD') t.match(res.json().detail, new RegExp(`${method} does not take ${query.slice(1).split('=')[0]}`))
    }
    t.equal((await send('GET', url('a', '?cacheBuster=1'))).statusCode, 200)
    const res = await send('GET', url('a'))
    t.same(res.json().bins, { x: 1 }, 'the refused writes changed nothing')
  })

  t.test('POST never answers 201 for a record that existed', async (t) => {
    const res = await send('POST', url('a', '?recordExistsAction=UPDATE'), '{"y":2}')
    t.equal(res.statusCode, 400)
    t.match(res.json().detail, /PUT replaces and PATCH updates/)
    t.equal((await send('POST', url('a'), '{"y":2}')).statusCode, 409)
  })

  t.test('an enum error names the allowed values, once', async (t) => {
    const res = await send('PUT', url('a', '?recordExistsAction=upsert'), '{"x":1}')
    t.equal(res.statusCode, 400)
    t.equal(res.json().detail, 'querystring/recordExistsAction must be one of UPDATE, UPDATE_ONLY, REPLACE, REPLACE_ONLY, CREATE_ONLY')
  })

  t.test('a PATCH that deletes the last bin deletes the record: 204 without an ETag', async (t) => {
    t.equal((await send('PUT', url('b'), '{"x":1,"y":2}')).statusCode, 204)
    const res = await send('PATCH', url('b'), '{"x":null,"y":null}')
    t.equal(res.statusCode, 204)
    t.equal(res.headers.etag, undefined)
    t.equal((await send('GET', url('b'))).statusCode, 404)
    const big = await send('PUT', url('c'), '{"x":1}')
    t.equal(big.headers.etag, '"1"')
    const viaPut = await send('PATCH', url('c'), '{"x":null,"n":null,"b":9007199254740993}')
    t.equal(viaPut.headers.etag, '"2"', 'a bigint bin is written by put, then a header read')
  })

  t.test('header reads a real server accepts', async (t) => {
    const head = await send('HEAD', url('a'))
    t.equal(head.statusCode, 200)
    t.equal(head.headers.etag, '"1"')
    t.equal((await send('HEAD', url('none'))).statusCode, 404)
    const put = await send('PUT', url('big'), '{"n":9007199254740993}')
    t.equal(put.statusCode, 204)
    t.equal(put.headers.etag, '"1"')
    const header = await app.inject({ method: 'POST', url: '/v1/operate/test/cond/a', payload: { opsList: [{ type: 'GET_HEADER' }] } })
    t.equal(header.statusCode, 200)
    t.same(header.json(), { bins: {}, generation: 1, ttl: -1 })
    const missing = await app.inject({ method: 'POST', url: '/v1/operate/test/cond/none', payload: { opsList: [{ type: 'GET_HEADER' }] } })
    t.equal(missing.statusCode, 404)
    const batch = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      payload: [
        { type: 'READ', key: { namespace: 'test', setName: 'cond', userKey: 'a' } },
        { type: 'READ', key: { namespace: 'test', setName: 'cond', userKey: 'none' } }
      ]
    })
    t.equal(batch.statusCode, 200)
    t.match(batch.json().batchRecords, [{ resultCode: 0, record: { bins: {}, generation: 1 } }, { resultCode: 2, record: null }])
  })

  t.test('a batch WRITE of a bigint bin reads its generation with a header read', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: JSON_HEADERS,
      payload: '[{"type":"WRITE","key":{"namespace":"test","setName":"cond","userKey":"bw"},"bins":{"n":9007199254740993}}]'
    })
    t.equal(res.statusCode, 200)
    t.match(res.json().batchRecords, [{ resultCode: 0, record: { generation: 1 } }])
  })
})
