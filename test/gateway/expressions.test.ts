// Filter expressions through HTTP and the real client: every family of the
// JSON form true and false, a false filter on each single-record command
// (412, code 27, FilteredOut), per-row 27 in a batch, base64 expression
// bytes, and EXP_READ / EXP_WRITE in operate and batch.

import t from 'tap'
import { withGateway } from '../helpers/gateway'
import { JSON_HEADERS } from '../helpers/operate'

type App = Awaited<ReturnType<typeof withGateway>>['app']

/** JSON text is taken as it is, so that 2.0 stays a double and int64 stays exact. */
const text = (exp: unknown): string => typeof exp === 'string' ? exp : JSON.stringify(exp)
const q = (exp: unknown): string => `filterexp=${encodeURIComponent(text(exp))}`
const b64 = (bytes: number[]): string => encodeURIComponent(Buffer.from(bytes).toString('base64'))

async function put (app: App, key: string, body: string): Promise<void> {
  const res = await app.inject({ method: 'PUT', url: `/v1/kvs/test/gx_exp/${key}`, payload: body, headers: JSON_HEADERS })
  if (res.statusCode !== 204) throw new Error(`PUT ${key}: ${res.statusCode} ${res.body}`)
}

async function operate (app: App, key: string, opsList: unknown[], query = ''): Promise<{ statusCode: number, body: any }> {
  const res = await app.inject({ method: 'POST', url: `/v1/operate/test/gx_exp/${key}?${query}`, payload: JSON.stringify({ opsList }), headers: JSON_HEADERS })
  return { statusCode: res.statusCode, body: res.json() }
}

const RECORD = JSON.stringify({
  age: 30,
  status: 'active',
  score: 2.5,
  ok: true,
  raw: { type: 'BYTE_ARRAY', value: Buffer.from([0x0f, 0xf0]).toString('base64') },
  tags: ['a', 'b', 'c'],
  prefs: { color: 'red', size: 3 },
  loc: { type: 'Point', coordinates: [1, 2] }
})

t.test('filter expressions, family by family: true reads the record, false is 412 FilteredOut', async (t) => {
  const { app } = await withGateway(t)
  await put(app, 'f1', RECORD)
  await operate(app, 'f1', [{ type: 'HLL_ADD', binName: 'h', values: ['x', 'y', 'z'], indexBitCount: 8 }])
  const TRUE: Array<[string, unknown]> = [
    ['comparison int', { '>': [{ bin: 'age', type: 'int' }, 18] }],
    ['comparison str, untyped bin', { '==': [{ bin: 'status' }, 'active'] }],
    ['comparison float', { '<': [{ bin: 'score' }, 3.5] }],
    ['all comparisons', { and: [{ '>=': [{ bin: 'age' }, 30] }, { '<=': [{ bin: 'age' }, 30] }, { '!=': [{ bin: 'age' }, 31] }, { eq: [{ bin: 'age' }, 30] }] }],
    ['logic', { or: [false, { not: { xor: [true, true] } }] }],
    ['bool bin', { bin: 'ok', type: 'bool' }],
    ['blob bin', { '==': [{ bin: 'raw' }, { type: 'BYTE_ARRAY', value: Buffer.from([0x0f, 0xf0]).toString('base64') }] }],
    ['list bin', { '==': [{ bin: 'tags' }, ['a', 'b', 'c']] }],
    ['map bin', { '==': [{ bin: 'prefs' }, { value: { color: 'red', size: 3 } }] }],
    ['geo', { geo: [{ bin: 'loc', type: 'geo' }, { type: 'AeroCircle', coordinates: [[1, 2], 1000] }] }],
    ['binExists, binType', { and: [{ binExists: 'age' }, { not: { binExists: 'nope' } }, { '==': [{ binType: 'tags' }, 20] }] }],
    ['ttl: never expires', { '==': [{ ttl: [] }, -1] }],
    ['voidTime', { '==': [{ voidTime: [] }, -1] }],
    ['lastUpdate, sinceUpdate', '{"and": [{">": [{"lastUpdate": []}, 1600000000000000000]}, {">=": [{"sinceUpdate": []}, 0]}]}'],
    ['setName', { '==': [{ setName: [] }, 'gx_exp'] }],
    ['recordSize', { '>': [{ recordSize: [] }, 10] }],
    ['keyExists: the key is not stored', { not: { keyExists: [] } }],
    ['digestModulo', { '<': [{ digestModulo: 3 }, 3] }],
    ['arithmetic', { '==': [{ '+': [{ '*': [{ bin: 'age' }, 2] }, { '-': [10, 4] }, { '/': [9, 3] }] }, 69] }],
    ['pow, log, floor, ceil, abs', '{"and": [{"==": [{"pow": [2.5, 2.0]}, 6.25]}, {"==": [{"floor": 2.7}, 2.0]}, {"==": [{"ceil": 2.2}, 3.0]}, {"==": [{"abs": -4}, 4]}, {"==": [{"log": [8.0, 2.0]}, 3.0]}]}'],
    ['mod, toInt, toFloat, min, max', '{"and": [{"==": [{"mod": [-17, 5]}, -2]}, {"==": [{"toInt": -2.7}, -2]}, {"==": [{"toFloat": {"bin": "age"}}, 30.0]}, {"==": [{"min": [3, 1, 2]}, 1]}, {"==": [{"max": [3, 1, 2]}, 3]}]}'],
    ['integer bits', { and: [{ '==': [{ intAnd: [12, 10] }, 8] }, { '==': [{ intOr: [12, 10] }, 14] }, { '==': [{ intXor: [12, 10] }, 6] }, { '==': [{ intNot: 0 }, -1] }, { '==': [{ intLshift: [1, 4] }, 16] }, { '==': [{ intRshift: [16, 4] }, 1] }, { '==': [{ intArshift: [-16, 2] }, -4] }, { '==': [{ intCount: 7 }, 3] }, { '==': [{ intLscan: [1, true] }, 63] }, { '==': [{ intRscan: [1, true] }, 63] }] }],
    ['cond', { '==': [{ cond: [{ '>': [{ bin: 'age' }, 40] }, 'old', { '>': [{ bin: 'age' }, 20] }, 'adult', 'young'] }, 'adult'] }],
    ['let / var', { let: { a: { bin: 'age', type: 'int' }, b: { '*': [{ var: 'a' }, 2] } }, in: { '==': [{ var: 'b' }, 60] } }],
    ['regex', { regex: [{ bin: 'status' }, '^ACT'], flags: ['ICASE'] }],
    ['list reads', { and: [{ '==': [{ listSize: { bin: 'tags' } }, 3] }, { '==': [{ listGetByIndex: { bin: 'tags', index: -1, valueType: 'str', returnType: 'VALUE' } }, 'c'] }, { '==': [{ listGetByValue: { bin: 'tags', value: 'b', returnType: 'COUNT' } }, 1] }, { '==': [{ listGetByRankRange: { bin: 'tags', rank: 1, returnType: 'VALUE' } }, ['b', 'c']] }] }],
    ['map reads', { and: [{ '==': [{ mapSize: { bin: 'prefs' } }, 2] }, { '==': [{ mapGetByKey: { bin: 'prefs', key: 'size', valueType: 'int', returnType: 'VALUE' } }, 3] }, { '==': [{ mapGetByKeyRange: { bin: 'prefs', begin: 'a', end: 'd', returnType: 'COUNT' } }, 1] }] }],
    ['bit reads', { and: [{ '==': [{ bitCount: { bin: 'raw', bitOffset: 0, bitSize: 16 } }, 8] }, { '==': [{ bitLscan: { bin: 'raw', bitOffset: 0, bitSize: 16, value: true } }, 4] }, { '==': [{ bitRscan: { bin: 'raw', bitOffset: 0, bitSize: 16, value: true } }, 11] }, { '==': [{ bitGetInt: { bin: 'raw', bitOffset: 4, bitSize: 8 } }, 255] }] }],
    ['hll reads', { and: [{ '==': [{ hllCount: { bin: 'h' } }, 3] }, { '==': [{ hllDescribe: { bin: 'h' } }, [8, 0]] }, { '==': [{ hllMayContain: { bin: 'h', values: ['x'] } }, 1] }] }]
  ]
  for (const [name, exp] of TRUE) {
    const yes = await app.inject({ url: `/v1/kvs/test/gx_exp/f1?${q(exp)}` })
    t.equal(yes.statusCode, 200, `${name}: true (${yes.body.slice(0, 200)})`)
    const no = await app.inject({ url: `/v1/kvs/test/gx_exp/f1?${q(`{"not": ${text(exp)}}`)}` })
    t.equal(no.statusCode, 412, `${name}: false`)
    t.match(no.json(), { code: 27, error: 'FilteredOut', status: 412 }, `${name}: false is FilteredOut`)
  }
})

t.test('a false filter on every single-record command: 412 with code 27, and nothing written', async (t) => {
  const { app } = await withGateway(t)
  await put(app, 'c1', '{"n": 1}')
  const no = q({ '==': [{ bin: 'n' }, 2] })
  const yes = q({ '==': [{ bin: 'n' }, 1] })
  for (const [method, payload] of [['HEAD', undefined], ['GET', undefined], ['PUT', '{"n": 9}'], ['PATCH', '{"n": 9}'], ['DELETE', undefined]] as const) {
    const res = await app.inject({ method, url: `/v1/kvs/test/gx_exp/c1?${no}`, payload, headers: payload === undefined ? {} : JSON_HEADERS })
    t.equal(res.statusCode, 412, `${method}: 412`)
    if (method !== 'HEAD') t.match(res.json(), { code: 27, error: 'FilteredOut' }, method)
  }
  t.same((await app.inject({ url: '/v1/kvs/test/gx_exp/c1' })).json().bins, { n: 1 }, 'unchanged')
  const op = await operate(app, 'c1', [{ type: 'ADD', binName: 'n', incr: 1 }], no)
  t.equal(op.statusCode, 412)
  t.equal(op.body.code, 27)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/kvs/test/gx_exp/c1?${yes}`, payload: '{"n": 5}', headers: JSON_HEADERS })).statusCode, 204, 'a true filter writes')
  t.same((await operate(app, 'c1', [{ type: 'READ', binName: 'n' }], q({ '==': [{ bin: 'n' }, 5] }))).body.bins, { n: 5 })
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/kvs/test/gx_exp/c1?${q({ '==': [{ bin: 'n' }, 5] })}` })).statusCode, 204)
  t.equal((await app.inject({ url: `/v1/kvs/test/gx_exp/c1?${no}` })).statusCode, 404, 'a missing record is 404 first')
})

t.test('base64 expression bytes, as the official gateway takes them', async (t) => {
  const { app } = await withGateway(t)
  await put(app, 'b1', '{"n": 1}')
  t.equal((await app.inject({ url: `/v1/kvs/test/gx_exp/b1?filterexp=${b64([0xc3])}` })).statusCode, 200, 'true')
  const no = await app.inject({ url: `/v1/kvs/test/gx_exp/b1?filterexp=${b64([0xc2])}` })
  t.equal(no.statusCode, 412, 'false')
  t.equal(no.json().code, 27)
  // [CMP_EQ, [BIN, INT, "n"], 1]: the server's own wire format, URL-safe base64.
  const eq = Buffer.from([0x93, 0x01, 0x93, 0x51, 0x02, 0xa1, 0x6e, 0x01]).toString('base64url')
  t.equal((await app.inject({ url: `/v1/kvs/test/gx_exp/b1?filterexp=${eq}` })).statusCode, 200, 'n == 1')
  const bad = await app.inject({ url: `/v1/kvs/test/gx_exp/b1?filterexp=${b64([0x93, 0x01])}` })
  t.equal(bad.statusCode, 400, 'truncated bytes never reach the client')
  t.match(bad.json().detail, /^filterexp: base64 text that is not packed expression bytes/)
  const notBool = await app.inject({ url: `/v1/kvs/test/gx_exp/b1?filterexp=${b64([0x05])}` })
  t.equal(notBool.statusCode, 400, 'a filter that is not boolean: the server\'s 4')
  t.equal(notBool.json().code, 4)
  const json400 = await app.inject({ url: `/v1/kvs/test/gx_exp/b1?${q({ and: [{ '>': [{ bin: 'n' }, { bin: 'm' }] }] })}` })
  t.equal(json400.statusCode, 400)
  t.match(json400.json().detail, /^filterexp\.and\[0\]\[">"\]\[0\]: a bin without "type"/)
})

t.test('batch: the filterexp parameter filters every row, an item\'s filterExp its own', async (t) => {
  const { app } = await withGateway(t)
  for (let i = 0; i < 4; i++) await put(app, `r${i}`, JSON.stringify({ i }))
  const key = (i: number): unknown => ({ namespace: 'test', setName: 'gx_exp', userKey: `r${i}` })
  const items = [
    { type: 'READ', key: key(0), readAllBins: true },
    { type: 'READ', key: key(1), readAllBins: true },
    { type: 'READ', key: key(2), readAllBins: true, policy: { filterExp: { '==': [{ bin: 'i' }, 2] } } },
    { type: 'WRITE', key: key(3), bins: { w: 1 }, policy: { filterExp: { '==': [{ bin: 'i' }, 0] } } },
    { type: 'DELETE', key: key(1), policy: { filterExp: JSON.stringify({ '==': [{ bin: 'i' }, 7] }) } }
  ]
  const res = await app.inject({ method: 'POST', url: `/v1/batch?${q({ '>=': [{ bin: 'i' }, 1] })}`, payload: items })
  t.equal(res.statusCode, 200)
  const rows = res.json().batchRecords as Array<{ resultCode: number, record: { bins: unknown } | null, error?: { error: string } }>
  t.same(rows.map((r) => r.resultCode), [27, 0, 0, 27, 27])
  t.equal(rows[0].error?.error, 'FilteredOut')
  t.same(rows[1].record?.bins, { i: 1 })
  t.same(rows[2].record?.bins, { i: 2 }, 'the item\'s filter replaces the batch\'s')
  const bad = await app.inject({ method: 'POST', url: '/v1/batch', payload: [{ ...items[0], policy: { filterExp: { or: [{ nope: 1 }] } } }] })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().detail, /^batchRecords\[0\]\.policy\.filterExp\.or\[0\]: unknown operator "nope"/)
})

t.test('EXP_READ and EXP_WRITE: several results on one bin under distinct names', async (t) => {
  const { app } = await withGateway(t)
  await put(app, 'e1', '{"n": 1, "s": "x"}')
  const res = await operate(app, 'e1', [
    { type: 'ADD', binName: 'n', incr: 1 },
    { type: 'EXP_READ', name: 'after1', exp: { bin: 'n', type: 'int' } },
    { type: 'ADD', binName: 'n', incr: 10 },
    { type: 'EXP_READ', name: 'after2', exp: { bin: 'n', type: 'int' } },
    { type: 'EXP_READ', name: 'twice', exp: { '*': [{ bin: 'n', type: 'int' }, 2] } },
    { type: 'EXP_WRITE', binName: 'm', exp: { '+': [{ bin: 'n', type: 'int' }, 100] } },
    { type: 'READ', binName: 'n' }
  ])
  t.equal(res.statusCode, 200, JSON.stringify(res.body))
  // With expression operations every operation answers; EXP_WRITE answers null.
  t.same(res.body.bins, { after1: 2, after2: 12, twice: 24, m: null, n: 12 })
  t.same((await app.inject({ url: '/v1/kvs/test/gx_exp/e1' })).json().bins, { n: 12, s: 'x', m: 112 })
  const create = await operate(app, 'e1', [{ type: 'EXP_WRITE', binName: 'm', exp: 1, expWriteFlags: ['CREATE_ONLY'] }])
  t.equal(create.statusCode, 409, 'CREATE_ONLY on an existing bin')
  t.equal(create.body.code, 6)
  const update = await operate(app, 'e1', [{ type: 'EXP_WRITE', binName: 'zz', exp: 1, expWriteFlags: ['UPDATE_ONLY'] }])
  t.equal(update.body.code, 17, 'UPDATE_ONLY on a missing bin')
  t.equal((await operate(app, 'e1', [{ type: 'EXP_WRITE', binName: 'zz', exp: 1, expWriteFlags: ['UPDATE_ONLY', 'POLICY_NO_FAIL'] }])).statusCode, 200, 'POLICY_NO_FAIL')
  const fail = await operate(app, 'e1', [{ type: 'EXP_READ', name: 'v', exp: { '+': [{ bin: 'nope', type: 'int' }, 1] } }])
  t.equal(fail.body.code, 26, 'a missing bin fails the evaluation')
  const noFail = await operate(app, 'e1', [{ type: 'EXP_READ', name: 'v', exp: { '+': [{ bin: 'nope', type: 'int' }, 1] }, expReadFlags: ['EVAL_NO_FAIL'] }])
  t.same(noFail.body.bins, { v: null }, 'EVAL_NO_FAIL answers null')
  t.equal((await operate(app, 'e1', [{ type: 'EXP_WRITE', binName: 'm', exp: null }])).body.code, 26, 'nil without ALLOW_DELETE')
  t.equal((await operate(app, 'e1', [{ type: 'EXP_WRITE', binName: 'm', exp: null, expWriteFlags: ['ALLOW_DELETE'] }])).statusCode, 200)
  t.notOk('m' in (await app.inject({ url: '/v1/kvs/test/gx_exp/e1' })).json().bins, 'ALLOW_DELETE deleted the bin')
  const b64read = await operate(app, 'e1', [{ type: 'EXP_READ', name: 'v', exp: Buffer.from([0x93, 0x51, 0x02, 0xa1, 0x6e]).toString('base64') }])
  t.same(b64read.body.bins, { v: 12 }, 'an expression as base64 bytes')
  const bad = await operate(app, 'e1', [{ type: 'EXP_READ', name: 'v', exp: { and: [1] } }])
  t.equal(bad.statusCode, 400)
  t.match(bad.body.detail, /^opsList\[0\]\.exp\.and\[0\]: must be bool, got int/)
  const batch = await app.inject({
    method: 'POST',
    url: '/v1/batch',
    payload: [
      { type: 'READ', key: { namespace: 'test', setName: 'gx_exp', userKey: 'e1' }, opsList: [{ type: 'EXP_READ', name: 'half', exp: { '/': [{ bin: 'n', type: 'int' }, 2] } }] },
      { type: 'WRITE', key: { namespace: 'test', setName: 'gx_exp', userKey: 'e1' }, opsList: [{ type: 'EXP_WRITE', binName: 'k', exp: { bin: 's', type: 'str' } }, { type: 'EXP_READ', name: 'k2', exp: { bin: 's', type: 'str' } }] }
    ]
  })
  const rows = batch.json().batchRecords
  t.same(rows.map((r: { resultCode: number }) => r.resultCode), [0, 0])
  t.same(rows[0].record.bins, { half: 6 })
  t.same(rows[1].record.bins, { k2: 'x' })
})
