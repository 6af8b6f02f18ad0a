import t from 'tap'
import Aerospike from 'aerospike'
import { withEmbedded, codeOf } from '../helpers/embedded'

const { Key, operations: op, status } = Aerospike

t.test('every particle type round-trips through the real client', async (t) => {
  const { client } = await withEmbedded(t)
  let n = 0
  const roundTrip = async (bins: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const key = new Key('test', 'types', n++)
    await client.put(key, bins as Parameters<typeof client.put>[1])
    return (await client.get(key)).bins as Record<string, unknown>
  }

  t.test('int64 limits and small integers', async (t) => {
    const bins = {
      max: BigInt('9223372036854775807'),
      min: BigInt('-9223372036854775808'),
      beyondDouble: BigInt('9007199254740993'),
      zero: 0,
      neg: -1,
      small: 42
    }
    t.same(await roundTrip(bins), bins)
  })

  t.test('doubles, including ones that look integral, stay doubles', async (t) => {
    const key = new Key('test', 'types', 'double')
    await client.put(key, { d: new Aerospike.Double(1.0), e: 2.5, tiny: 5e-324, big: 1.7976931348623157e308, negz: -0.5 })
    const r = await client.get(key)
    t.same(r.bins, { d: 1, e: 2.5, tiny: 5e-324, big: 1.7976931348623157e308, negz: -0.5 })
    t.equal(await codeOf(client.operate(key, [op.incr('d', 1)])), status.ERR_BIN_INCOMPATIBLE_TYPE, 'an integer increment of a double bin is refused: it was stored as a double')
    const inc = await client.operate(key, [op.incr('d', new Aerospike.Double(0.5)), op.read('d')])
    t.equal(inc.bins.d, 1.5)
  })

  t.test('strings: unicode, empty, long', async (t) => {
    const bins = { u: 'héllo ✓ 𝄞 日本', e: '', long: 'x'.repeat(100_000) }
    t.same(await roundTrip(bins), bins)
  })

  t.test('blobs: empty, binary, large', async (t) => {
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const large = Buffer.alloc(900 * 1024, 0xab)
    const r = await roundTrip({ empty: Buffer.alloc(0), binary, large })
    t.ok(Buffer.isBuffer(r.binary) && (r.binary as Buffer).equals(binary))
    t.ok(Buffer.isBuffer(r.large) && (r.large as Buffer).equals(large))
    t.equal((r.empty as Buffer).length, 0)
  })

  t.test('booleans', async (t) => {
    t.same(await roundTrip({ yes: true, no: false }), { yes: true, no: false })
  })

  t.test('nested lists and maps', async (t) => {
    const bins = {
      l: [1, -2, 2.5, 'x', Buffer.from([1]), true, [1, [2, [3, []]]], { a: 1, b: { c: [null] } }, null],
      m: { k: 'v', n: -7, nested: { deeper: { deepest: [1, 'two', { three: 3 }] } }, empty: {}, list: [] },
      emptyList: [],
      emptyMap: {}
    }
    t.same(await roundTrip(bins), bins)
  })

  t.test('GeoJSON', async (t) => {
    const point = new Aerospike.GeoJSON({ type: 'Point', coordinates: [103.913, 1.308] })
    const polygon = new Aerospike.GeoJSON({ type: 'Polygon', coordinates: [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]] })
    const r = await roundTrip({ point, polygon })
    t.same(JSON.parse(String(r.point)), { type: 'Point', coordinates: [103.913, 1.308] })
    t.same(JSON.parse(String(r.polygon)), { type: 'Polygon', coordinates: [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]] })
    const bad = await codeOf(client.put(new Key('test', 'types', 'badgeo'), { g: new Aerospike.GeoJSON('{"type":"Nope"}') }))
    t.equal(bad, 160, 'invalid GeoJSON is refused like the server does')
  })

  t.test('bin names: 15 bytes is the limit (21 beyond, checked by the client first)', async (t) => {
    const name15 = 'b'.repeat(15)
    t.same(await roundTrip({ [name15]: 1 }), { [name15]: 1 })
    const code = await codeOf(client.put(new Key('test', 'types', 'longname'), { ['b'.repeat(16)]: 1 }))
    t.ok(code === status.ERR_BIN_NAME || code === status.ERR_PARAM, `refused (${String(code)})`)
  })
})
