// POST /v1/operate: record (scalar) operations, preconditions, errors, the
// key-busy retry and atomicity, through HTTP against the embedded server.
// List and map operations are in operate-list.test.ts and operate-map.test.ts.

import t from 'tap'
import { loadConfig } from '../../src/config'
import type { FieldName } from '../../src/operations/fields'
import { OPERATION_SPECS } from '../../src/operations/specs'
import { encodeMsgpack } from '../../src/values'
import { withGateway } from '../helpers/gateway'
import { JSON_HEADERS } from '../helpers/operate'

type App = Awaited<ReturnType<typeof withGateway>>['app']

/** POSTs an opsList (given as JSON text, so that 1.0 stays a double) to a record of set "ops". */
async function operate (app: App, key: string, opsList: string, options: { query?: string, headers?: Record<string, string>, path?: string } = {}) {
  return await app.inject({
    method: 'POST',
    url: `${options.path ?? `/v1/operate/test/ops/${key}`}${options.query ?? ''}`,
    payload: `{"opsList":${opsList}}`,
    headers: { ...JSON_HEADERS, ...options.headers }
  })
}

t.test('record operations', async (t) => {
  const { app, embedded } = await withGateway(t)

  t.test('a counter: ADD then READ answers the new value, generation, ttl and the ETag', async (t) => {
    const res = await operate(app, 'c1', '[{"type":"ADD","binName":"n","incr":5},{"type":"READ","binName":"n"}]')
    t.equal(res.statusCode, 200)
    t.equal(res.headers.etag, '"1"')
    t.same(res.json(), { bins: { n: 5 }, generation: 1, ttl: -1 })
    const again = await operate(app, 'c1', '[{"type":"ADD","binName":"n","incr":-2},{"type":"GET","binName":"n"}]')
    t.same(again.json(), { bins: { n: 3 }, generation: 2, ttl: -1 })
    t.equal(again.headers.etag, '"2"')
    const dbl = await operate(app, 'c2', '[{"type":"ADD","binName":"d","incr":1.5},{"type":"ADD","binName":"d","incr":1.0},{"type":"READ","binName":"d"}]')
    t.equal(dbl.body, '{"bins":{"d":2.5},"generation":1,"ttl":-1}', 'a double counter, 1.0 added as a double')
  })

  t.test('PUT, APPEND, PREPEND; a PUT of null deletes the bin; writes alone answer no bins', async (t) => {
    const res = await operate(app, 'w1', '[{"type":"PUT","binName":"s","value":"b"},{"type":"APPEND","binName":"s","value":"c"},' +
      '{"type":"PREPEND","binName":"s","value":"a"},{"type":"PUT","binName":"x","value":1}]')
    t.same(res.json(), { bins: {}, generation: 1, ttl: -1 })
    const read = await operate(app, 'w1', '[{"type":"PUT","binName":"x","value":null},{"type":"GET"}]')
    t.same(read.json().bins, { s: 'abc' })
    const kvs = await app.inject({ method: 'GET', url: '/v1/kvs/test/ops/w1' })
    t.same(kvs.json().bins, { s: 'abc' }, 'the record endpoint sees the same')
  })

  t.test('values keep their types: int64, doubles, bytes, lists and maps, GeoJSON', async (t) => {
    const body = '{"i":9223372036854775807,"d":-0.0,"b":{"type":"BYTE_ARRAY","value":"AQID"},"l":[1.0,{"k":2.0}],"g":{"type":"Point","coordinates":[1.5,2.5]}}'
    t.equal((await app.inject({ method: 'PUT', url: '/v1/kvs/test/ops/v1', payload: body, headers: JSON_HEADERS })).statusCode, 204)
    const res = await operate(app, 'v1', '[{"type":"GET"}]')
    t.equal(res.statusCode, 200)
    t.equal(res.body, `{"bins":${body},"generation":1,"ttl":-1}`)
    const some = await operate(app, 'v1', '[{"type":"READ","binName":"l"},{"type":"READ","binName":"b"},{"type":"PUT","binName":"p","value":[2.0,{"type":"BYTE_ARRAY","value":"AA=="}]},{"type":"READ","binName":"p"}]')
    t.equal(some.body, '{"bins":{"l":[1.0,{"k":2.0}],"b":{"type":"BYTE_ARRAY","value":"AQID"},"p":[2.0,{"type":"BYTE_ARRAY","value":"AA=="}]},"generation":2,"ttl":-1}')
  })

  t.test('bytes that parse as a list read back as bytes: a second read tells them apart', async (t) => {
    // 0x92 0x01 0x02 is also the list [1, 2] as the server stores it.
    const bytes = '{"type":"BYTE_ARRAY","value":"kgEC"}'
    t.equal((await operate(app, 'b1', `[{"type":"PUT","binName":"b","value":${bytes}},{"type":"PUT","binName":"l","value":[1,2]}]`)).statusCode, 200)
    t.equal((await operate(app, 'b1', '[{"type":"READ","binName":"b"},{"type":"READ","binName":"l"}]')).body,
      `{"bins":{"b":${bytes},"l":[1,2]},"generation":1,"ttl":-1}`)
    t.equal((await operate(app, 'b1', '[{"type":"TOUCH"},{"type":"GET"}]')).body, `{"bins":{"b":${bytes},"l":[1,2]},"generation":2,"ttl":-1}`, 'read all, after a touch')
    // A write after the read may have changed the bin: the bytes decide.
    t.equal((await operate(app, 'b1', '[{"type":"READ","binName":"b"},{"type":"PUT","binName":"b","value":"s"}]')).body,
      '{"bins":{"b":[1,2]},"generation":3,"ttl":-1}', 'documented: such bytes read as the list they spell')
    // The operations were applied; a failed second read must not fail the request.
    await embedded.addFault({ resultCode: 9, match: { kind: 'read', set: 'ops' }, times: 1 })
    const unchecked = await operate(app, 'b1', `[{"type":"PUT","binName":"b","value":${bytes}},{"type":"READ","binName":"b"}]`)
    t.equal(unchecked.body, '{"bins":{"b":[1,2]},"generation":4,"ttl":-1}', 'the check read failed: the bytes decide')
  })

  t.test('several operations on one bin: the last one that answers is returned', async (t) => {
    const res = await operate(app, 's1', '[{"type":"ADD","binName":"n","incr":1},{"type":"READ","binName":"n"},{"type":"ADD","binName":"n","incr":10},{"type":"READ","binName":"n"}]')
    t.same(res.json().bins, { n: 11 })
  })

  t.test('GET_HEADER alone reads the header; TOUCH sets the ttl from expiration; DELETE answers generation 0 and no ETag', async (t) => {
    await operate(app, 'h1', '[{"type":"PUT","binName":"a","value":1}]')
    const head = await operate(app, 'h1', '[{"type":"GET_HEADER"}]')
    t.same(head.json(), { bins: {}, generation: 1, ttl: -1 })
    t.equal(head.headers.etag, '"1"')
    const touched = await operate(app, 'h1', '[{"type":"TOUCH"},{"type":"GET_HEADER"}]', { query: '?expiration=100' })
    t.equal(touched.json().generation, 2)
    t.ok(touched.json().ttl > 95 && touched.json().ttl <= 100, `ttl ${touched.json().ttl}`)
    const deleted = await operate(app, 'h1', '[{"type":"READ","binName":"a"},{"type":"DELETE"}]')
    t.equal(deleted.statusCode, 200)
    t.same(deleted.json().bins, { a: 1 })
    t.equal(deleted.json().generation, 0)
    t.equal(deleted.headers.etag, undefined)
    t.equal((await app.inject({ method: 'GET', url: '/v1/kvs/test/ops/h1' })).statusCode, 404)
    t.equal((await operate(app, 'h1', '[{"type":"GET_HEADER"}]')).statusCode, 404)
  })

  t.test('/v2 path, the set-less path, keytype and MessagePack both ways', async (t) => {
    const v2 = await operate(app, '', '[{"type":"ADD","binName":"n","incr":1},{"type":"READ","binName":"n"}]', { path: '/v2/operate/test/ops/k2' })
    t.same(v2.json().bins, { n: 1 })
    const noSet = await operate(app, '', '[{"type":"ADD","binName":"n","incr":2},{"type":"READ","binName":"n"}]', { path: '/v1/operate/test/k3' })
    t.same(noSet.json().bins, { n: 2 })
    t.same((await app.inject({ method: 'GET', url: '/v1/kvs/test/k3' })).json().bins, { n: 2 })
    const v2NoSet = await operate(app, '', '[{"type":"READ","binName":"n"}]', { path: '/v2/operate/test/k3' })
    t.same(v2NoSet.json().bins, { n: 2 })
    const intKey = await operate(app, '', '[{"type":"PUT","binName":"a","value":1}]', { path: '/v1/operate/test/ops/7', query: '?keytype=INTEGER' })
    t.equal(intKey.statusCode, 200)
    t.same((await app.inject({ method: 'GET', url: '/v1/kvs/test/ops/7?keytype=INTEGER' })).json().bins, { a: 1 })
    const mp = await app.inject({
      method: 'POST',
      url: '/v1/operate/test/ops/m1',
      payload: encodeMsgpack({ opsList: [{ type: 'PUT', binName: 'b', value: Buffer.from([1, 2]) }, { type: 'READ', binName: 'b' }] }),
      headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' }
    })
    t.equal(mp.statusCode, 200)
    t.equal(mp.headers['content-type'], 'application/msgpack')
    t.same(mp.rawPayload, encodeMsgpack({ bins: { b: Buffer.from([1, 2]) }, generation: 1, ttl: -1 }))
  })

  t.test('write policy parameters: recordExistsAction, generation, CREATE_ONLY', async (t) => {
    const missing = await operate(app, 'p1', '[{"type":"PUT","binName":"a","value":1}]', { query: '?recordExistsAction=UPDATE_ONLY' })
    t.equal(missing.statusCode, 404)
    t.equal((await operate(app, 'p1', '[{"type":"PUT","binName":"a","value":1}]', { query: '?recordExistsAction=CREATE_ONLY' })).statusCode, 200)
    const exists = await operate(app, 'p1', '[{"type":"PUT","binName":"a","value":2}]', { query: '?recordExistsAction=CREATE_ONLY' })
    t.equal(exists.statusCode, 409)
    t.equal(exists.json().code, 5)
    const stale = await operate(app, 'p1', '[{"type":"PUT","binName":"a","value":2}]', { query: '?generationPolicy=EXPECT_GEN_EQUAL&generation=9' })
    t.equal(stale.statusCode, 409)
    t.equal(stale.json().code, 3)
    t.equal((await operate(app, 'p1', '[{"type":"PUT","binName":"a","value":2}]', { query: '?generationPolicy=EXPECT_GEN_EQUAL&generation=1&totalTimeout=500&sendKey=true' })).statusCode, 200)
  })

  t.test('conditional headers: writes and reads alike answer 412 when they fail', async (t) => {
    await operate(app, 'i1', '[{"type":"PUT","binName":"a","value":1}]')
    const write = '[{"type":"ADD","binName":"a","incr":1}]'
    const read = '[{"type":"READ","binName":"a"}]'
    const cases: Array<[string, string, Record<string, string>, number, number | undefined]> = [
      ['write, stale If-Match', write, { 'if-match': '"7"' }, 412, 3],
      ['write, If-None-Match * on an existing record', write, { 'if-none-match': '*' }, 412, 5],
      ['write, If-Match * on an existing record', write, { 'if-match': '*' }, 200, undefined],
      ['read, stale If-Match', read, { 'if-match': '"7"' }, 412, 3],
      ['read, If-None-Match * on an existing record', read, { 'if-none-match': '*' }, 412, 5],
      ['read, current If-Match', read, { 'if-match': '"2"' }, 200, undefined],
      ['write, current If-Match', write, { 'if-match': '"2"' }, 200, undefined]
    ]
    for (const [name, ops, headers, status, code] of cases) {
      const res = await operate(app, 'i1', ops, { headers })
      t.equal(res.statusCode, status, name)
      if (code !== undefined) t.equal(res.json().code, code, `${name}: code`)
    }
    t.equal((await operate(app, 'i-missing', read, { headers: { 'if-match': '*' } })).statusCode, 412, 'read, If-Match * on a missing record')
    t.equal((await operate(app, 'i-missing', read, { headers: { 'if-match': '"1"' } })).statusCode, 412, 'read, If-Match on a missing record')
    t.equal((await operate(app, 'i-missing', read, { headers: { 'if-none-match': '*' } })).statusCode, 404, 'read, If-None-Match * on a missing record: the condition holds, the record is not there')
    t.equal((await operate(app, 'i-missing', write, { headers: { 'if-match': '*' } })).statusCode, 412, 'write, If-Match * on a missing record')
    t.equal((await operate(app, 'i-new', write, { headers: { 'if-none-match': '*' } })).statusCode, 200, 'write, If-None-Match * creates')
    t.equal((await operate(app, 'i1', read, { headers: { 'if-match': 'nope' } })).statusCode, 400)
  })

  t.test('server refusals map through the error table', async (t) => {
    await operate(app, 'e1', '[{"type":"PUT","binName":"s","value":"text"}]')
    const type = await operate(app, 'e1', '[{"type":"ADD","binName":"s","incr":1}]')
    t.equal(type.statusCode, 409)
    t.equal(type.json().code, 12)
    t.equal((await operate(app, 'e-missing', '[{"type":"READ","binName":"s"}]')).statusCode, 404)
    const ns = await operate(app, '', '[{"type":"READ","binName":"s"}]', { path: '/v1/operate/nope/ops/e1' })
    t.equal(ns.statusCode, 404)
    t.equal(ns.json().code, 20)
  })
})

t.test('bad operations are 400, naming the operation and the field; nothing is applied', async (t) => {
  const { app } = await withGateway(t)
  await operate(app, 'bad', '[{"type":"PUT","binName":"n","value":1}]')
  const cases: Array<[string, string, RegExp]> = [
    ['no opsList', '{}', /^opsList: must be a non-empty array/],
    ['empty opsList', '{"opsList":[]}', /^opsList: must be a non-empty array/],
    ['body not an object', '[1]', /an object with an "opsList"/],
    ['operation not an object', '{"opsList":[{"type":"GET_HEADER"},3]}', /^opsList\[1\]: an operation is an object/],
    ['unknown type', '{"opsList":[{"type":"ADD","binName":"n","incr":1},{"type":"LIST_FLY"}]}', /^opsList\[1\]\.type: unknown operation type "LIST_FLY"/],
    ['no type', '{"opsList":[{"binName":"n"}]}', /^opsList\[0\]\.type: unknown operation type undefined/],
    ['missing binName', '{"opsList":[{"type":"ADD","incr":1}]}', /^opsList\[0\]: ADD needs "binName"/],
    ['bin name too long', '{"opsList":[{"type":"ADD","binName":"abcdefghijklmnop","incr":1}]}', /^opsList\[0\]\.binName: a bin name is 1 to 15 bytes/],
    ['missing incr', '{"opsList":[{"type":"ADD","binName":"n"}]}', /^opsList\[0\]: ADD needs "incr"/],
    ['incr a string', '{"opsList":[{"type":"ADD","binName":"n","incr":"1"}]}', /^opsList\[0\]\.incr: must be an integer or a double, got "1"/],
    ['incr beyond 2^53', '{"opsList":[{"type":"ADD","binName":"n","incr":9007199254740993}]}', /^opsList\[0\]\.incr: this operation cannot carry an integer beyond/],
    ['PUT of an int64', '{"opsList":[{"type":"PUT","binName":"n","value":9007199254740993}]}', /^opsList\[0\]\.value: .*PUT \/v1\/kvs/],
    ['PUT without value', '{"opsList":[{"type":"PUT","binName":"n"}]}', /^opsList\[0\]: PUT needs "value"/],
    ['APPEND a number', '{"opsList":[{"type":"APPEND","binName":"s","value":1}]}', /^opsList\[0\]\.value: APPEND takes a string/],
    ['bad bytes', '{"opsList":[{"type":"PUT","binName":"b","value":{"type":"BYTE_ARRAY","value":"!"}}]}', /opsList\[0\]\.value.*base64/],
    ['two reads of every bin', '{"opsList":[{"type":"GET"},{"type":"READ"}]}', /^opsList\[1\]: a second READ without binName/],
    ['read all with a bin read', '{"opsList":[{"type":"GET"},{"type":"READ","binName":"n"}]}', /^opsList\[0\]: GET\/READ without binName .* READ \(opsList\[1\]\)/],
    ['read all with a list operation', '{"opsList":[{"type":"LIST_SIZE","binName":"l"},{"type":"GET"}]}', /^opsList\[1\]: .* LIST_SIZE \(opsList\[0\]\)/]
  ]
  for (const [name, body, detail] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/operate/test/ops/bad', payload: body, headers: JSON_HEADERS })
    t.equal(res.statusCode, 400, name)
    t.match(res.json(), { code: Number, detail, instance: '/v1/operate/test/ops/bad', requestId: String }, name)
  }
  t.same((await operate(app, 'bad', '[{"type":"READ","binName":"n"}]')).json().bins, { n: 1 }, 'the first operations of a bad opsList were not applied')
  t.equal((await app.inject({ method: 'POST', url: '/v1/operate/test/ops/bad', payload: 'x', headers: { 'content-type': 'text/plain' } })).statusCode, 415)
  t.equal((await app.inject({ method: 'POST', url: '/v1/operate/test/ops/bad', payload: '{"opsList":', headers: JSON_HEADERS })).statusCode, 400)
})

t.test('key busy (14): retried with backoff, then 429 with Retry-After; a refused write is not applied', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { KEY_BUSY_RETRIES: '3', KEY_BUSY_BACKOFF: '1' })
  const add = '[{"type":"ADD","binName":"n","incr":1},{"type":"READ","binName":"n"}]'
  await embedded.addFault({ resultCode: 14, match: { kind: 'write', set: 'ops' }, times: 3 })
  const retried = await operate(app, 'kb', add)
  t.equal(retried.statusCode, 200, 'three refusals, three retries')
  t.same(retried.json().bins, { n: 1 }, 'applied once')
  await embedded.addFault({ resultCode: 14, match: { kind: 'write', set: 'ops' }, times: 4 })
  const busy = await operate(app, 'kb', add)
  t.equal(busy.statusCode, 429)
  t.equal(busy.headers['retry-after'], '1')
  t.match(busy.json(), { code: 14, retryable: true, error: 'RecordError' })
  t.same((await operate(app, 'kb', '[{"type":"READ","binName":"n"}]')).json().bins, { n: 1 }, 'the refused ADD was not applied')
})

t.test('KEY_BUSY_RETRIES and KEY_BUSY_BACKOFF are bounded', async (t) => {
  t.same(loadConfig({}).keyBusy, { retries: 2, backoffMs: 5 })
  t.throws(() => loadConfig({ KEY_BUSY_RETRIES: '11' }), /KEY_BUSY_RETRIES must be an integer from 0 to 10/)
  t.throws(() => loadConfig({ KEY_BUSY_BACKOFF: '-1' }), /KEY_BUSY_BACKOFF must be an integer from 0 to 1000/)
})

t.test('KEY_BUSY_RETRIES=0 answers the first 14', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { KEY_BUSY_RETRIES: '0' })
  await embedded.addFault({ resultCode: 14, match: { kind: 'write' }, times: 1 })
  t.equal((await operate(app, 'kb0', '[{"type":"ADD","binName":"n","incr":1}]')).statusCode, 429)
  t.equal((await operate(app, 'kb0', '[{"type":"ADD","binName":"n","incr":1}]')).statusCode, 200)
})

t.test('atomicity: 100 concurrent increments each answer 200 or key busy, and the count is exact', async (t) => {
  const { app, embedded } = await withGateway(t, {}, { KEY_BUSY_RETRIES: '1', KEY_BUSY_BACKOFF: '1' })
  // Some writes are refused as a busy server would, to exercise both answers.
  await embedded.addFault({ resultCode: 14, match: { kind: 'write', set: 'ops' }, times: 30 })
  const answers = await Promise.all(Array.from({ length: 100 }, async () =>
    await operate(app, 'hot', '[{"type":"ADD","binName":"n","incr":1},{"type":"READ","binName":"n"}]')))
  const ok = answers.filter((r) => r.statusCode === 200)
  const busy = answers.filter((r) => r.statusCode === 429)
  t.equal(ok.length + busy.length, 100, 'only 200 or 429')
  t.ok(busy.every((r) => r.json().code === 14))
  const seen = ok.map((r) => r.json().bins.n as number).sort((a, b) => a - b)
  t.same(seen, Array.from({ length: ok.length }, (_, i) => i + 1), 'each increment saw its own new value')
  const final = await operate(app, 'hot', '[{"type":"READ","binName":"n"}]')
  t.equal(final.json().bins.n, ok.length)
  t.equal(final.json().generation, ok.length)
})

// A valid value of every field, and one of the wrong type where a field has a type.
const SAMPLES: Record<FieldName, { good: unknown, bad?: unknown }> = {
  binName: { good: 'b', bad: 7 },
  value: { good: 1 },
  values: { good: [1], bad: 1 },
  map: { good: { a: 1 }, bad: [1] },
  key: { good: 'a', bad: [1] },
  keys: { good: ['a'], bad: 'a' },
  valueBegin: { good: 1 },
  valueEnd: { good: 2 },
  keyBegin: { good: 'a', bad: { a: 1 } },
  keyEnd: { good: 'b', bad: true },
  index: { good: 0, bad: '0' },
  rank: { good: 0, bad: 2 ** 31 },
  count: { good: 1, bad: -1 },
  incr: { good: 1, bad: 'x' },
  inverted: { good: false, bad: 'no' },
  pad: { good: false, bad: 1 },
  listReturnType: { good: 'VALUE', bad: 'KEY' },
  mapReturnType: { good: 'VALUE', bad: 'value' },
  order: { good: 'ORDERED', bad: 'KEY_ORDERED' },
  listOrder: { good: 'UNORDERED', bad: 1 },
  mapOrder: { good: 'KEY_ORDERED', bad: 'ORDERED' },
  sortFlags: { good: ['DROP_DUPLICATES'], bad: ['NOPE'] },
  listPolicy: { good: { order: 'UNORDERED', writeFlags: ['DEFAULT'] }, bad: { writeFlags: 'NO_FAIL' } },
  mapPolicy: { good: { order: 'UNORDERED', writeFlags: ['NO_FAIL'] }, bad: { order: 'ORDERED' } },
  ctx: { good: [{ type: 'listIndex', index: 0 }], bad: [{ type: 'listIndex', index: 'x' }] },
  name: { good: 'r', bad: 'a name longer than 15 bytes' },
  exp: { good: 1, bad: { nope: 1 } },
  expReadFlags: { good: ['EVAL_NO_FAIL'], bad: ['ALLOW_DELETE'] },
  expWriteFlags: { good: ['ALLOW_DELETE'], bad: ['ALLOW_FOLD'] },
  bitOffset: { good: 0, bad: 'x' },
  bitSize: { good: 8, bad: -1 },
  byteOffset: { good: 0, bad: 1.5 },
  byteSize: { good: 1, bad: -1 },
  shift: { good: 1, bad: -1 },
  signed: { good: true, bad: 1 },
  resizeFlags: { good: ['GROW_ONLY'], bad: ['NOPE'] },
  action: { good: 'WRAP', bad: 'wrap' },
  bitPolicy: { good: { writeFlags: ['NO_FAIL'] }, bad: { writeFlags: ['ALLOW_FOLD'] } },
  indexBitCount: { good: 8, bad: 'x' },
  minHashBitCount: { good: 0, bad: 'x' },
  hllPolicy: { good: { writeFlags: ['ALLOW_FOLD'] }, bad: { order: 'x' } }
}

t.test('every operation type: each required field, and each field of the wrong type, is a 400 naming it', async (t) => {
  const { app } = await withGateway(t)
  const send = async (o: Record<string, unknown>) => await app.inject({
    method: 'POST', url: '/v1/operate/test/ops/f', payload: JSON.stringify({ opsList: [{ type: 'GET_HEADER' }, o] }), headers: JSON_HEADERS
  })
  for (const [type, spec] of OPERATION_SPECS) {
    const full: Record<string, unknown> = { type }
    for (const name of [...spec.required, ...spec.optional]) full[name] = SAMPLES[name].good
    if (type === 'APPEND' || type === 'PREPEND') full.value = 'x'
    if (['BIT_SET', 'BIT_OR', 'BIT_XOR', 'BIT_AND', 'BIT_INSERT'].includes(type)) full.value = 'AQ=='
    if (type === 'BIT_LSCAN' || type === 'BIT_RSCAN') full.value = true
    if (['HLL_SET_UNION', 'HLL_UNION', 'HLL_UNION_COUNT', 'HLL_INTERSECT_COUNT', 'HLL_SIMILARITY'].includes(type)) full.values = [{ type: 'HLL', value: 'AQ==' }]
    const ok = await send(full)
    // The gateway takes it: whatever the server says, it is not a 400 from the gateway's checks or the schema.
    t.notOk(ok.statusCode === 400 && /^(opsList|body)/.test(ok.json().detail as string), `${type}: with every field (${ok.statusCode} ${ok.body.slice(0, 120)})`)
    for (const name of spec.required) {
      const missing = { ...full, [name]: undefined }
      const res = await send(missing)
      t.equal(res.statusCode, 400, `${type} without ${name}`)
      t.match(res.json().detail, `opsList[1]: ${type} needs "${name}"`, `${type} without ${name}: detail`)
    }
    for (const name of [...spec.required, ...spec.optional]) {
      const bad = SAMPLES[name].bad
      if (bad === undefined) continue
      const res = await send({ ...full, [name]: bad })
      t.equal(res.statusCode, 400, `${type} with a bad ${name}`)
      t.match(res.json().detail, `opsList[1].${name}`, `${type} with a bad ${name}: detail names it`)
    }
  }
})
