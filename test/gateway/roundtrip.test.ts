import t from 'tap'
import { parseJson } from '../../src/values'
import { withGateway } from '../helpers/gateway'
import { canon, expectedTopLevel, Gen, label } from '../helpers/values'

// Random bins of every type, written over HTTP as JSON, read back over HTTP,
// written back unchanged, and read again: both reads must carry the same
// values with the same types as what was sent (a whole-valued double in a
// top-level bin reads back as an integer: the client's documented limit).
t.test('lossless round-trip through HTTP (property, seeded)', async (t) => {
  const { app } = await withGateway(t)
  const gen = new Gen(20261121)
  const headers = { 'content-type': 'application/json' }
  for (let i = 0; i < 150; i++) {
    const text = gen.jsonBins()
    const sent = parseJson(text) as Record<string, unknown>
    const want = Object.fromEntries(Object.entries(sent).filter(([, v]) => v !== null).map(([k, v]) => [k, expectedTopLevel(v)]))
    const put = await app.inject({ method: 'PUT', url: `/v1/kvs/test/rt/k${i}`, payload: text, headers })
    if (Object.keys(want).length === 0) {
      t.equal(put.statusCode, 400, `${i}: only nulls is no record (${label(text)})`)
      continue
    }
    t.equal(put.statusCode, 204, `${i}: stored ${label(text)}`)
    const first = await app.inject({ method: 'GET', url: `/v1/kvs/test/rt/k${i}` })
    const bins = (parseJson(first.body) as { bins: Record<string, unknown> }).bins
    t.same(Object.fromEntries(Object.entries(bins).map(([k, v]) => [k, canon(v)])), want, `${i}: read back with its types`)
    const binsText = first.body.slice('{"bins":'.length, first.body.lastIndexOf(',"generation"'))
    t.equal((await app.inject({ method: 'PUT', url: `/v1/kvs/test/rt/k${i}`, payload: binsText, headers })).statusCode, 204, `${i}: sent back`)
    const second = await app.inject({ method: 'GET', url: `/v1/kvs/test/rt/k${i}` })
    t.equal(second.body.replace(/"generation":\d+/, ''), first.body.replace(/"generation":\d+/, ''), `${i}: stores the same again`)
  }
})
