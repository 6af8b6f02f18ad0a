// BIT_* and HLL_* operations of the official gateway's v2 operate, with their
// policies and flags, through HTTP and the real client. The cases that go
// around client 6.7.1's defects (BIT_LSCAN sends RSCAN, no BIT_COUNT, no
// BIT_SET_INT) check the server's answer, not just that a request went out.

import t from 'tap'
import { withGateway } from '../helpers/gateway'
import { JSON_HEADERS } from '../helpers/operate'

type App = Awaited<ReturnType<typeof withGateway>>['app']

const hex = (h: string): { type: string, value: string } => ({ type: 'BYTE_ARRAY', value: Buffer.from(h, 'hex').toString('base64') })
const hexOf = (v: { value: string }): string => Buffer.from(v.value, 'base64').toString('hex')

async function operate (app: App, key: string, opsList: unknown[]): Promise<{ statusCode: number, body: any }> {
  const res = await app.inject({ method: 'POST', url: `/v1/operate/test/gx_bits/${key}`, payload: JSON.stringify({ opsList }), headers: JSON_HEADERS })
  return { statusCode: res.statusCode, body: res.json() }
}

async function blob (app: App, key: string, h: string): Promise<void> {
  await app.inject({ method: 'PUT', url: `/v1/kvs/test/gx_bits/${key}`, payload: JSON.stringify({ b: hex(h) }), headers: JSON_HEADERS })
}

t.test('bit operations: each changes the blob as the server does', async (t) => {
  const { app } = await withGateway(t)
  // [operation fields, blob before, blob after]
  const MODIFY: Array<[Record<string, unknown>, string, string]> = [
    [{ type: 'BIT_RESIZE', byteSize: 4 }, '0ff0', '0ff00000'],
    [{ type: 'BIT_RESIZE', byteSize: 3, resizeFlags: ['FROM_FRONT'] }, '0ff0', '000ff0'],
    [{ type: 'BIT_RESIZE', byteSize: 1, resizeFlags: 4 }, '0ff0', '0f'],
    [{ type: 'BIT_INSERT', byteOffset: 1, value: 'qg==' }, '0ff0', '0faaf0'],
    [{ type: 'BIT_REMOVE', byteOffset: 0, byteSize: 1 }, '0ff0', 'f0'],
    [{ type: 'BIT_SET', bitOffset: 4, bitSize: 8, value: 'qg==' }, '0ff0', '0aa0'],
    [{ type: 'BIT_OR', bitOffset: 0, bitSize: 8, value: hex('f0') }, '0ff0', 'fff0'],
    [{ type: 'BIT_XOR', bitOffset: 0, bitSize: 16, value: 'AP8=' }, '0ff0', '0f0f'],
    [{ type: 'BIT_AND', bitOffset: 0, bitSize: 16, value: 'PDw=' }, '0ff0', '0c30'],
    [{ type: 'BIT_NOT', bitOffset: 0, bitSize: 16 }, '0ff0', 'f00f'],
    [{ type: 'BIT_LSHIFT', bitOffset: 0, bitSize: 16, shift: 4 }, '0ff0', 'ff00'],
    [{ type: 'BIT_RSHIFT', bitOffset: 0, bitSize: 16, shift: 4 }, '0ff0', '00ff'],
    [{ type: 'BIT_ADD', bitOffset: 0, bitSize: 8, value: 1 }, '0ff0', '10f0'],
    [{ type: 'BIT_ADD', bitOffset: 8, bitSize: 8, value: 32, action: 'SATURATE' }, '0ff0', '0fff'],
    [{ type: 'BIT_ADD', bitOffset: 8, bitSize: 8, value: 32, action: 'WRAP' }, '0ff0', '0f10'],
    [{ type: 'BIT_ADD', bitOffset: 0, bitSize: 8, value: -1, signed: true, action: 'WRAP' }, '0ff0', '0ef0'],
    [{ type: 'BIT_SUBTRACT', bitOffset: 0, bitSize: 8, value: 15 }, '0ff0', '00f0'],
    [{ type: 'BIT_SUBTRACT', bitOffset: 0, bitSize: 8, value: 16, action: 'SATURATE' }, '0ff0', '00f0'],
    [{ type: 'BIT_SET_INT', bitOffset: 4, bitSize: 8, value: 0x5a }, '0ff0', '05a0'],
    [{ type: 'BIT_SET_INT', bitOffset: 0, bitSize: 16, value: 0x1234 }, '0000', '1234']
  ]
  for (const [op, before, after] of MODIFY) {
    await blob(app, 'm', before)
    const res = await operate(app, 'm', [{ ...op, binName: 'b' }, { type: 'READ', binName: 'b' }])
    t.equal(res.statusCode, 200, `${JSON.stringify(op)} (${JSON.stringify(res.body).slice(0, 160)})`)
    if (res.statusCode === 200) t.equal(hexOf(res.body.bins.b), after, JSON.stringify(op))
  }
})

t.test('bit reads answer under the bin name; LSCAN scans from the left', async (t) => {
  const { app } = await withGateway(t)
  await blob(app, 'r', '0ff0')
  const READS: Array<[Record<string, unknown>, unknown]> = [
    [{ type: 'BIT_GET', bitOffset: 4, bitSize: 8 }, hex('ff')],
    [{ type: 'BIT_COUNT', bitOffset: 0, bitSize: 16 }, 8],
    [{ type: 'BIT_COUNT', bitOffset: 0, bitSize: 6 }, 2],
    [{ type: 'BIT_LSCAN', bitOffset: 0, bitSize: 16, value: true }, 4],
    [{ type: 'BIT_LSCAN', bitOffset: 0, bitSize: 16, value: false }, 0],
    [{ type: 'BIT_RSCAN', bitOffset: 0, bitSize: 16, value: true }, 11],
    [{ type: 'BIT_RSCAN', bitOffset: 0, bitSize: 16, value: false }, 15],
    [{ type: 'BIT_GET_INT', bitOffset: 4, bitSize: 8 }, 255],
    [{ type: 'BIT_GET_INT', bitOffset: 4, bitSize: 8, signed: true }, -1]
  ]
  for (const [op, answer] of READS) {
    const res = await operate(app, 'r', [{ ...op, binName: 'b' }])
    t.equal(res.statusCode, 200, JSON.stringify(op))
    t.same(res.body.bins, { b: answer }, JSON.stringify(op))
  }
})

t.test('bit write flags, resize flags and overflow: the server\'s errors', async (t) => {
  const { app } = await withGateway(t)
  await blob(app, 'f', '0ff0')
  const code = async (op: Record<string, unknown>): Promise<number> => {
    const res = await operate(app, 'f', [{ binName: 'b', ...op }])
    return res.statusCode === 200 ? 0 : res.body.code
  }
  t.equal(await code({ type: 'BIT_ADD', bitOffset: 8, bitSize: 8, value: 32 }), 26, 'overflow with FAIL')
  t.equal(await code({ type: 'BIT_RESIZE', byteSize: 1, resizeFlags: ['GROW_ONLY'] }), 4, 'a GROW_ONLY shrink')
  t.equal(await code({ type: 'BIT_GET', bitOffset: 16, bitSize: 8 }), 26, 'a get past the end')
  t.equal(await code({ type: 'BIT_NOT', binName: 'nope', bitOffset: 0, bitSize: 8 }), 17, 'modify of a missing bin')
  t.equal(await code({ type: 'BIT_RESIZE', binName: 'nb', byteSize: 2, bitPolicy: { writeFlags: ['UPDATE_ONLY'] } }), 17, 'UPDATE_ONLY')
  t.equal(await code({ type: 'BIT_RESIZE', byteSize: 2, bitPolicy: { writeFlags: ['CREATE_ONLY'] } }), 6, 'CREATE_ONLY on an existing bin')
  t.equal(await code({ type: 'BIT_RESIZE', byteSize: 2, bitPolicy: { writeFlags: ['CREATE_ONLY', 'NO_FAIL'] } }), 0, 'NO_FAIL')
  t.equal(await code({ type: 'BIT_RESIZE', binName: 'nb', byteSize: 2, bitPolicy: { writeFlags: ['CREATE_ONLY'] } }), 0, 'CREATE_ONLY creates')
  const bad = await operate(app, 'f', [{ type: 'BIT_SET', binName: 'b', bitOffset: 0, bitSize: 8, value: 5 }])
  t.equal(bad.statusCode, 400)
  t.match(bad.body.detail, /^opsList\[0\]\.value: must be bytes/)
})

t.test('HyperLogLog operations, their flags, and an HLL read back writes back as the same HLL', async (t) => {
  const { app } = await withGateway(t)
  const init = await operate(app, 'h', [{ type: 'HLL_INIT', binName: 'h', indexBitCount: 10 }, { type: 'HLL_DESCRIBE', binName: 'h' }])
  t.same(init.body.bins, { h: [10, 0] })
  const add = await operate(app, 'h', [{ type: 'HLL_ADD', binName: 'h', values: ['a', 'b', 'c', 1, 2] }, { type: 'HLL_COUNT', binName: 'h' }])
  t.same(add.body.bins, { h: 5 })
  await operate(app, 'h2', [{ type: 'HLL_ADD', binName: 'h', values: ['c', 'd'], indexBitCount: 10 }])
  const other = (await app.inject({ url: '/v1/kvs/test/gx_bits/h2' })).json().bins.h
  t.equal(other.type, 'HLL', 'an HLL bin reads as {"type": "HLL", "value": base64}')
  const reads: Array<[string, unknown]> = [['HLL_UNION_COUNT', 6], ['HLL_INTERSECT_COUNT', 1], ['HLL_SIMILARITY', 1 / 6]]
  for (const [type, answer] of reads) {
    const res = await operate(app, 'h', [{ type, binName: 'h', values: [other] }])
    t.equal(res.statusCode, 200, type)
    if (typeof answer === 'number' && !Number.isInteger(answer)) t.ok(Math.abs(res.body.bins.h - answer) < 0.05, `${type}: ${res.body.bins.h}`)
    else t.same(res.body.bins, { h: answer }, type)
  }
  t.same((await operate(app, 'h', [{ type: 'HLL_INTERSECT_COUNT', binName: 'h', values: [other.value] }])).body.bins, { h: 1 }, 'HLL values as base64 text, as the official gateway takes them')
  const union = await operate(app, 'h', [{ type: 'HLL_UNION', binName: 'h', values: [other] }])
  t.equal(union.body.bins.h.type, 'HLL')
  // Write the HLL read from the gateway back, in a plain PUT: it stays an HLL.
  const back = await app.inject({ method: 'PUT', url: '/v1/kvs/test/gx_bits/h3', payload: JSON.stringify({ h: union.body.bins.h }), headers: JSON_HEADERS })
  t.equal(back.statusCode, 204)
  t.same((await operate(app, 'h3', [{ type: 'HLL_COUNT', binName: 'h' }])).body.bins, { h: 6 }, 'the copy is an HLL (not 12)')
  const mp = await app.inject({ url: '/v1/kvs/test/gx_bits/h3', headers: { accept: 'application/msgpack' } })
  t.ok(mp.rawPayload.includes(Buffer.from([0x12])), 'MessagePack: ext type 18')
  await operate(app, 'h', [{ type: 'HLL_SET_UNION', binName: 'h', values: [other] }])
  t.same((await operate(app, 'h', [{ type: 'HLL_SET_COUNT', binName: 'h' }])).body.bins, { h: 6 })
  t.same((await operate(app, 'h', [{ type: 'HLL_FOLD', binName: 'h', indexBitCount: 6 }, { type: 'HLL_DESCRIBE', binName: 'h' }])).body.bins, { h: [6, 0] })
  const code = async (op: Record<string, unknown>): Promise<number> => {
    const res = await operate(app, 'h', [{ binName: 'h', ...op }])
    return res.statusCode === 200 ? 0 : res.body.code
  }
  t.equal(await code({ type: 'HLL_INIT', indexBitCount: 8, hllPolicy: { writeFlags: ['CREATE_ONLY'] } }), 6, 'init CREATE_ONLY on an existing bin')
  t.equal(await code({ type: 'HLL_INIT', indexBitCount: 8, hllPolicy: { writeFlags: ['CREATE_ONLY', 'NO_FAIL'] } }), 0, 'NO_FAIL')
  t.equal(await code({ type: 'HLL_INIT', binName: 'nh', indexBitCount: 8, hllPolicy: { writeFlags: ['UPDATE_ONLY'] } }), 17, 'UPDATE_ONLY of a missing bin')
  t.equal(await code({ type: 'HLL_INIT', indexBitCount: 3 }), 4, 'index bits 3')
  t.equal(await code({ type: 'HLL_ADD', binName: 'nh2', values: ['x'] }), 26, 'add to a missing bin without index bits')
  t.equal(await code({ type: 'HLL_INIT', indexBitCount: 8, minHashBitCount: 4 }), 0, 'with min hash bits')
  t.same((await operate(app, 'h', [{ type: 'HLL_DESCRIBE', binName: 'h' }])).body.bins, { h: [8, 4] })
  t.equal(await code({ type: 'HLL_FOLD', indexBitCount: 6 }), 26, 'fold with min hash bits')
})
