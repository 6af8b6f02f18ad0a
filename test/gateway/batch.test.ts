// POST /v1/batch through HTTP against the embedded server: every item gets
// its own result code, bad items reject the request before anything is sent,
// and only a failure of the batch itself fails the request.

import Aerospike from 'aerospike'
import t from 'tap'
import { decodeMsgpack, encodeMsgpack, parseJson, stringifyJson } from '../../src/values'
import { withGateway } from '../helpers/gateway'
import { TEST_CLIENT_POLICIES } from '../helpers/embedded'

type Row = {
  key: Record<string, unknown>
  resultCode: number
  resultCodeString: string
  inDoubt: boolean
  record: { bins: Record<string, unknown>, generation: number, ttl: number } | null
  error?: Record<string, unknown>
}

const key = (userKey: unknown, setName = 'b'): Record<string, unknown> => ({ namespace: 'test', setName, userKey })
const read = (userKey: unknown, extra: object = { readAllBins: true }): object => ({ type: 'READ', key: key(userKey), ...extra })

async function batch (app: Awaited<ReturnType<typeof withGateway>>['app'], payload: unknown, query = ''): Promise<{ status: number, rows: Row[], body: Record<string, unknown> }> {
  const res = await app.inject({ method: 'POST', url: `/v1/batch${query}`, payload: payload as object })
  const body = parseJson(res.body) as Record<string, unknown>
  return { status: res.statusCode, rows: (body.batchRecords ?? []) as Row[], body }
}

// The digest the client computes for a key, from a read through it.
async function digestOf (address: string, userKey: string | number): Promise<Buffer> {
  const client = await Aerospike.connect({ hosts: address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  try {
    return (await client.get(new Aerospike.Key('test', 'b', userKey))).key.digest as Buffer
  } finally {
    await client.close()
  }
}

async function put (app: Awaited<ReturnType<typeof withGateway>>['app'], userKey: string, bins: object): Promise<void> {
  const res = await app.inject({ method: 'PUT', url: `/v1/kvs/test/b/${userKey}`, payload: bins })
  if (res.statusCode !== 204) throw new Error(`PUT ${userKey}: ${res.statusCode} ${res.body}`)
}

t.test('reads: found, missing, selected bins and header only, in request order', async (t) => {
  const { app } = await withGateway(t)
  await put(app, 'r1', { a: 1, b: 'x', c: [1, 2] })
  await put(app, 'r2', { a: 2 })
  const { status, rows } = await batch(app, [
    read('r1'),
    read('missing'),
    read('r1', { binNames: ['b', 'c'] }),
    read('r2', {}),
    read('r2')
  ])
  t.equal(status, 200)
  t.same(rows.map((r) => r.resultCode), [0, 2, 0, 0, 0])
  t.same(rows[0].record?.bins, { a: 1, b: 'x', c: [1, 2] })
  t.equal(rows[0].record?.generation, 1)
  t.equal(rows[0].record?.ttl, -1)
  t.same(rows[0].key, key('r1'), 'the key is echoed')
  t.equal(rows[1].record, null, 'a missing record is null, not a failure')
  t.equal(rows[1].resultCodeString, 'Record not found')
  t.equal(rows[1].error?.error, 'RecordNotFound')
  t.equal(rows[1].error?.status, 404)
  t.equal(rows[1].error?.detail, 'batchRecords[1]: Record not found')
  t.notOk('instance' in (rows[1].error ?? {}), 'an item error has no instance')
  t.same(rows[2].record?.bins, { b: 'x', c: [1, 2] })
  t.same(rows[3].record?.bins, {}, 'neither readAllBins nor binNames: the header only')
  t.equal(rows[3].record?.generation, 1)
  t.same(rows[4].record?.bins, { a: 2 })
})

t.test('writes: create-only conflicts and generation checks in one batch', async (t) => {
  const { app } = await withGateway(t)
  await put(app, 'w1', { n: 1 })
  await put(app, 'w2', { n: 1 })
  await put(app, 'w2', { n: 2 })
  const { status, rows } = await batch(app, [
    { type: 'WRITE', key: key('w1'), bins: { n: 10 }, policy: { recordExistsAction: 'CREATE_ONLY' } },
    { type: 'WRITE', key: key('new'), bins: { n: 1 }, policy: { recordExistsAction: 'CREATE_ONLY' } },
    { type: 'WRITE', key: key('w2'), bins: { m: 1 }, policy: { generationPolicy: 'EXPECT_GEN_EQUAL', generation: 1 } },
    { type: 'WRITE', key: key('w1'), bins: { m: 1 }, policy: { generationPolicy: 'EXPECT_GEN_EQUAL', generation: 1 } },
    { type: 'WRITE', key: key('absent'), opsList: [{ type: 'PUT', binName: 'n', value: 1 }], policy: { recordExistsAction: 'UPDATE_ONLY' } },
    { type: 'WRITE', key: key('w2'), opsList: [{ type: 'ADD', binName: 'n', incr: 5 }, { type: 'READ', binName: 'n' }, { type: 'PUT', binName: 'o', value: 1 }] }
  ])
  t.equal(status, 200)
  t.same(rows.map((r) => r.resultCode), [5, 0, 3, 0, 2, 0])
  t.equal(rows[0].error?.error, 'RecordExistsError')
  t.equal(rows[0].error?.status, 409)
  t.equal(rows[2].error?.error, 'RecordGenerationError')
  t.equal(rows[3].record?.generation, 2, 'the generation matched: written, and the new generation comes back')
  t.same(rows[5].record?.bins, { n: 7 }, 'read operations of a write return their values')
  t.same(rows[1].record?.bins, {}, 'a write of bins answers no bins')
  t.same(rows[3].record?.bins, {}, 'nor does a write alone')
  const w1 = parseJson((await app.inject({ url: '/v1/kvs/test/b/w1' })).body) as { bins: object }
  t.same(w1.bins, { n: 1, m: 1 }, 'the create-only write left the record alone; the checked one merged')
  const w2 = parseJson((await app.inject({ url: '/v1/kvs/test/b/w2' })).body) as { bins: object }
  t.same(w2.bins, { n: 7, o: 1 }, 'the failed generation check wrote nothing')
  t.equal((await app.inject({ url: '/v1/kvs/test/b/absent' })).statusCode, 404)
})

t.test('deletes: existing and missing, with a generation check', async (t) => {
  const { app } = await withGateway(t)
  await put(app, 'd1', { a: 1 })
  await put(app, 'd2', { a: 1 })
  const { rows } = await batch(app, [
    { type: 'DELETE', key: key('d1') },
    { type: 'DELETE', key: key('nothing') },
    { type: 'DELETE', key: key('d2'), policy: { generationPolicy: 'EXPECT_GEN_EQUAL', generation: 9 } }
  ])
  t.same(rows.map((r) => r.resultCode), [0, 2, 3])
  t.equal(rows[0].record, null)
  t.equal((await app.inject({ url: '/v1/kvs/test/b/d1' })).statusCode, 404)
  t.equal((await app.inject({ url: '/v1/kvs/test/b/d2' })).statusCode, 200)
})

t.test('a batch of 100 mixed items: each has its own result code', async (t) => {
  const { app } = await withGateway(t)
  for (let i = 0; i < 50; i += 2) await put(app, `m${i}`, { i })
  const items: object[] = []
  const expected: number[] = []
  for (let i = 0; i < 100; i++) {
    const exists = i < 50 && i % 2 === 0
    switch (i % 4) {
      case 0: items.push(read(`m${i}`)); expected.push(exists ? 0 : 2); break
      case 1: items.push({ type: 'WRITE', key: key(`m${i}`), bins: { i } }); expected.push(0); break
      case 2: items.push({ type: 'WRITE', key: key(`m${i}`), bins: { i }, policy: { recordExistsAction: 'CREATE_ONLY' } }); expected.push(exists ? 5 : 0); break
      default: items.push({ type: 'DELETE', key: key(`m${i}`) }); expected.push(2)
    }
  }
  const { status, rows } = await batch(app, { batchRecords: items })
  t.equal(status, 200)
  t.equal(rows.length, 100)
  t.same(rows.map((r) => r.resultCode), expected)
  t.same(rows.map((r) => r.key.userKey), items.map((_, i) => `m${i}`), 'results in request order')
  t.same(rows[4].record?.bins, { i: 4 })
})

t.test('5,000 items: every result, streamed in order', async (t) => {
  const { app } = await withGateway(t)
  const writes = Array.from({ length: 5000 }, (_, i) => ({ type: 'WRITE', key: key(i), bins: { i, s: `v${i}` } }))
  const w = await batch(app, writes)
  t.equal(w.status, 200)
  t.equal(w.rows.filter((r) => r.resultCode === 0).length, 5000)
  const res = await app.inject({ method: 'POST', url: '/v1/batch', payload: writes.map((it) => ({ ...it, type: 'READ', bins: undefined, readAllBins: true })) })
  t.equal(res.statusCode, 200)
  t.ok(res.body.length > 64 * 1024, 'larger than one chunk')
  const rows = (parseJson(res.body) as { batchRecords: Row[] }).batchRecords
  t.equal(rows.length, 5000)
  t.ok(rows.every((r, i) => r.resultCode === 0 && r.key.userKey === i && r.record?.bins.s === `v${i}`), 'each row is its own record')
})

t.test('the JSON answer is the model writer\'s text, with plain and typed rows mixed across runs', async (t) => {
  const { app } = await withGateway(t)
  // Plain bins; a double 1.0 (an integer at the top level, as the client reads it), bytes, a list; a bin named "type".
  const bins = (i: number): string => [
    `{"i":${i},"s":"v${i}"}`, `{"d":1.0,"b":{"type":"BYTE_ARRAY","value":"AQI="},"l":[1,2.5]}`, '{"type":"x","n":1}'
  ][i % 3]
  const writes = Array.from({ length: 200 }, (_, i) => `{"type":"WRITE","key":{"namespace":"test","setName":"b","userKey":${i}},"bins":${bins(i)}}`)
  t.equal((await app.inject({ method: 'POST', url: '/v1/batch', payload: `[${writes.join(',')}]`, headers: { 'content-type': 'application/json' } })).statusCode, 200)
  const reads = Array.from({ length: 230 }, (_, i) => read(i < 100 ? i : i < 130 ? `missing-${i}` : i - 30))
  const headers = { 'x-request-id': 'same-for-both' }
  const json = await app.inject({ method: 'POST', url: '/v1/batch', payload: reads, headers })
  const msgpack = await app.inject({ method: 'POST', url: '/v1/batch', payload: reads, headers: { ...headers, accept: 'application/msgpack' } })
  t.equal(json.statusCode, 200)
  t.equal(json.body, stringifyJson(decodeMsgpack(msgpack.rawPayload)))
  t.ok(json.body.includes('"bins":{"d":1,"b":{"type":"BYTE_ARRAY","value":"AQI="},"l":[1,2.5]}'), 'bytes and a list among plain rows')
  t.ok(json.body.includes('"bins":{"type":"x","n":1}'), 'a bin named "type"')
})

t.test('per-item policies: expiration, sendKey, durableDelete, read modes', async (t) => {
  const { app, embedded } = await withGateway(t)
  const { rows } = await batch(app, [
    { type: 'WRITE', key: key('p1'), bins: { a: 1 }, policy: { expiration: 1000, sendKey: true, commitLevel: 'COMMIT_MASTER' } },
    { type: 'WRITE', key: key('p2'), bins: { a: 1 }, policy: { expiration: -1 } },
    { type: 'DELETE', key: key('p2'), policy: { durableDelete: true } },
    read('p1', { readAllBins: true, policy: { readModeAP: 'ALL' } })
  ])
  t.same(rows.map((r) => r.resultCode), [0, 0, 25, 0])
  t.ok((rows[0].record?.ttl ?? 0) > 990 && (rows[0].record?.ttl ?? 0) <= 1000, 'the expiration set the ttl')
  t.equal(rows[1].record?.ttl, -1)
  t.equal(rows[2].error?.error, 'ServerError', 'a durable delete on Community Edition is 25, for that item only')
  t.equal(rows[2].error?.status, 501)
  const client = await Aerospike.connect({ hosts: embedded.address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(() => client.close())
  const stored = await client.get(new Aerospike.Key('test', 'b', 'p1'))
  t.equal(stored.key.key, 'p1', 'sendKey stored the key')
})

t.test('values are carried exactly, JSON and MessagePack', async (t) => {
  const { app } = await withGateway(t)
  const json = { 'content-type': 'application/json' }
  const write = '[{"type":"WRITE","key":{"namespace":"test","setName":"b","userKey":"v1"},' +
    '"bins":{"big":9007199254740993,"d":1.0,"l":[1.0,-9223372036854775808,{"type":"BYTE_ARRAY","value":"AAEC"}],"m":{"x":2.5}}}]'
  const written = await app.inject({ method: 'POST', url: '/v1/batch', payload: write, headers: json })
  const rows = (parseJson(written.body) as { batchRecords: Row[] }).batchRecords
  t.same(rows.map((r) => r.resultCode), [0])
  t.equal(rows[0].record?.generation, 1, 'a top-level int64 goes alone, through put, and still reports its generation')
  const res = await app.inject({ method: 'POST', url: '/v1/batch', payload: [read('v1')] })
  t.equal(res.statusCode, 200)
  t.match(res.body, '"big":9007199254740993')
  t.match(res.body, '"l":[1.0,-9223372036854775808,{"type":"BYTE_ARRAY","value":"AAEC"}]')
  t.match(res.body, '"m":{"x":2.5}')

  const mp = await app.inject({
    method: 'POST',
    url: '/v1/batch',
    payload: encodeMsgpack([{ type: 'WRITE', key: { namespace: 'test', setName: 'b', userKey: Buffer.from([1, 2, 3]) }, bins: { m: new Map([[1, 'one']]) } },
      { type: 'READ', key: { namespace: 'test', setName: 'b', userKey: Buffer.from([1, 2, 3]) }, readAllBins: true }]),
    headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' }
  })
  t.equal(mp.statusCode, 200)
  t.equal(mp.headers['content-type'], 'application/msgpack')
  const decoded = decodeMsgpack(mp.rawPayload) as { batchRecords: Array<{ resultCode: number, record: { bins: { m: Map<number, string> } } }> }
  t.same(decoded.batchRecords.map((r) => r.resultCode), [0, 0])
  t.equal(decoded.batchRecords[1].record.bins.m.get(1), 'one', 'an integer map key, by bytes key')
  const asJson = await app.inject({ method: 'POST', url: '/v1/batch', payload: [{ type: 'READ', key: { namespace: 'test', setName: 'b', userKey: 'AQID', keytype: 'BYTES' }, readAllBins: true }] })
  t.equal(asJson.statusCode, 406, 'JSON cannot carry an integer map key')
})

t.test('keys: integer, bytes, digest', async (t) => {
  const { app, embedded } = await withGateway(t)
  await app.inject({ method: 'PUT', url: '/v1/kvs/test/b/42?keytype=INTEGER', payload: { a: 1 } })
  const digest = (await digestOf(embedded.address, 42)).toString('base64')
  const { rows } = await batch(app, [
    read(42),
    read('42', { readAllBins: true }),
    { type: 'READ', key: { ...key('42'), keytype: 'INTEGER' }, readAllBins: true },
    { type: 'READ', key: { ...key(digest), keytype: 'DIGEST' }, readAllBins: true }
  ])
  t.same(rows.map((r) => r.resultCode), [0, 2, 0, 0], 'a string "42" is another key than the integer 42')
})

t.test('limits: empty, too many, the wrapped form', async (t) => {
  const { app } = await withGateway(t, {}, { MAX_BATCH_ITEMS: '3' })
  const empty = await batch(app, [])
  t.equal(empty.status, 400)
  t.match(empty.body.detail, /empty/)
  const many = await batch(app, { batchRecords: [read('a'), read('b'), read('c'), read('d')] })
  t.equal(many.status, 413)
  t.match(many.body.detail, 'the limit is 3 (MAX_BATCH_ITEMS)')
  t.equal(many.body.code, 9413)
  const ok = await batch(app, { batchRecords: [read('a'), read('b'), read('c')] })
  t.equal(ok.status, 200)
  t.equal(ok.rows.length, 3)
  const notArray = await batch(app, { items: [] })
  t.equal(notArray.status, 400)
})

t.test('a malformed item rejects the whole request, naming it, before anything is written', async (t) => {
  const { app } = await withGateway(t)
  const good = { type: 'WRITE', key: key('untouched'), bins: { a: 1 } }
  const cases: Array<[string, object, RegExp]> = [
    ['unknown type', { type: 'UPSERT', key: key('x') }, /body\/1\/type/],
    ['no key', { type: 'READ' }, /body\/1 must have required property 'key'/],
    ['no namespace', { type: 'READ', key: { userKey: 'x' } }, /body\/1\/key must have required property 'namespace'/],
    ['bad userKey', { type: 'READ', key: key(true) }, /batchRecords\[1\]\.key: userKey must be/],
    ['float key', { type: 'READ', key: key(1.5) }, /batchRecords\[1\]\.key: userKey must be an integer/],
    ['bad keytype', { type: 'READ', key: { ...key('x'), keytype: 'UUID' } }, /body\/1\/key\/keytype/],
    ['bad digest', { type: 'READ', key: { ...key('AAAA'), keytype: 'DIGEST' } }, /batchRecords\[1\]\.key: a digest is 20 bytes/],
    ['long bin name', { type: 'WRITE', key: key('x'), bins: { abcdefghijklmnopq: 1 } }, /batchRecords\[1\]\.bins\.abcdefghijklmnopq: a bin name is 1 to 15 bytes/],
    ['long bin to read', { type: 'READ', key: key('x'), binNames: ['abcdefghijklmnopq'] }, /batchRecords\[1\]\.binNames\[0\]: a bin name/],
    ['write without bins', { type: 'WRITE', key: key('x') }, /batchRecords\[1\]: a WRITE item takes opsList or bins/],
    ['read with bins', { type: 'READ', key: key('x'), bins: { a: 1 } }, /batchRecords\[1\]\.bins/],
    ['read with two selections', { type: 'READ', key: key('x'), readAllBins: true, binNames: ['a'] }, /takes one of readAllBins, binNames and opsList/],
    ['write op in a read', { type: 'READ', key: key('x'), opsList: [{ type: 'PUT', binName: 'a', value: 1 }] }, /read operations only/],
    ['unknown op', { type: 'WRITE', key: key('x'), opsList: [{ type: 'READ', binName: 'a' }, { type: 'FROB', binName: 'a' }] }, /batchRecords\[1\]\.opsList\[1\]\.type: unknown operation type "FROB"/],
    ['malformed filter expression', { type: 'READ', key: key('x'), policy: { filterExp: 'kwE=' } }, /policy.filterExp: base64 text that is not packed expression bytes/],
    ['policy of another type', { type: 'READ', key: key('x'), policy: { expiration: 5 } }, /policy\.expiration: does not apply to a READ item/],
    ['bad policy value', { type: 'WRITE', key: key('x'), bins: { a: 1 }, policy: { recordExistsAction: 'SOMETIMES' } }, /body\/1\/policy\/recordExistsAction/],
    ['delete with bins', { type: 'DELETE', key: key('x'), bins: { a: 1 } }, /batchRecords\[1\]\.bins: a DELETE item takes a key and a policy only/],
    ['not an object', 'READ' as unknown as object, /body\/1 must be object/]
  ]
  for (const [name, item, detail] of cases) {
    const { status, body } = await batch(app, [good, item])
    t.equal(status, 400, name)
    t.match(body.detail, detail, name)
    t.equal(body.error, name.includes('bin name') || name.includes('bin to read') ? 'BinNameError' : 'InvalidArgError', `${name}: class`)
  }
  t.equal((await app.inject({ url: '/v1/kvs/test/b/untouched' })).statusCode, 404, 'the good item before them was never sent')
})

t.test('an item failing on the server fails alone', async (t) => {
  const { app, embedded } = await withGateway(t)
  await put(app, 'f1', { a: 1 })
  await put(app, 'f2', { a: 2 })
  const digest = (await digestOf(embedded.address, 'f2')).toString('hex')
  await embedded.addFault({ match: { inBatch: true, digest }, resultCode: 14 })
  const { status, rows } = await batch(app, [read('f1'), read('f2')])
  t.equal(status, 200)
  t.same(rows.map((r) => r.resultCode), [0, 14])
  t.equal(rows[1].error?.status, 429)
  t.equal(rows[1].error?.retryable, true)
})

t.test('a failure of the whole batch is one error body', async (t) => {
  const { app, embedded } = await withGateway(t)
  await put(app, 's1', { a: 1 })
  await embedded.stop()
  const res = await app.inject({ method: 'POST', url: '/v1/batch?totalTimeout=500&maxRetries=0', payload: [read('s1'), read('s2')] })
  t.ok(res.statusCode === 503 || res.statusCode === 504, `cluster unreachable or timed out: ${res.statusCode}`)
  const body = parseJson(res.body) as Record<string, unknown>
  t.equal(body.retryable, true)
  t.equal(res.headers['retry-after'], '1')
  t.notOk('batchRecords' in body)
  await embedded.start()
})

t.test('batch-level query parameters', async (t) => {
  const { app } = await withGateway(t)
  await put(app, 'q1', { a: 1 })
  const ok = await batch(app, [read('q1')], '?totalTimeout=2000&socketTimeout=1000&maxRetries=1&allowInline=false&allowInlineSSD=true&respondAllKeys=true&replica=MASTER&readModeAP=ONE')
  t.equal(ok.status, 200)
  t.same(ok.rows.map((r) => r.resultCode), [0])
  const bad = await batch(app, [read('q1')], '?totalTimeout=soon')
  t.equal(bad.status, 400)
  t.match(bad.body.detail, /totalTimeout/)
})

t.test('a READ whose record changes before its type check is read again alone', async (t) => {
  const { app, embedded } = await withGateway(t)
  await put(app, 'c1', { l: [1], b: 'x' })
  await put(app, 'c2', { l: [2] })
  // The batch runs at once but its answer is held; a write lands meanwhile,
  // so the check read that tells lists from blobs finds a newer generation.
  // (Two items: the client sends a batch of one as a single read.)
  await embedded.addFault({ match: { kind: 'batch' }, delayMs: 400, times: 1 })
  const pending = batch(app, [read('c1'), read('c2')])
  await new Promise((resolve) => setTimeout(resolve, 150))
  await put(app, 'c1', { l: [1, 2.5], b: 'y' })
  const { status, rows } = await pending
  t.equal(status, 200)
  t.same(rows[0].record?.bins, { l: [1, 2.5], b: 'y' }, 'the answer is the newer record, whole')
  t.equal(rows[0].record?.generation, 2)
  t.same(rows[1].record?.bins, { l: [2] }, 'the unchanged one keeps its batch answer')
})
