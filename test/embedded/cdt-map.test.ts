import t from 'tap'
import Aerospike from 'aerospike'
import { withEmbedded, codeOf } from '../helpers/embedded'

const { Key, maps, lists, status } = Aerospike
const { returnType: rt, writeFlags: wf, order } = maps
type Context = InstanceType<typeof Aerospike.cdt.Context>

function policy (writeFlags: number, mapOrder = order.UNORDERED): InstanceType<typeof Aerospike.MapPolicy> {
  return new Aerospike.MapPolicy({ order: mapOrder, writeFlags })
}

t.test('map operations through the real client', async (t) => {
  const { client } = await withEmbedded(t)
  let n = 0
  const key = (): InstanceType<typeof Key> => new Key('test', 'cdt-map', `k${n++}`)
  const LETTERS = { a: 1, b: 2, c: 3, d: 4, x: 'str' }

  async function withMap (value: Record<string, unknown> = LETTERS): Promise<InstanceType<typeof Key>> {
    const k = key()
    await client.put(k, { m: value })
    return k
  }

  async function run (k: InstanceType<typeof Key>, ...ops: unknown[]): Promise<Record<string, unknown>> {
    return (await client.operate(k, ops as Parameters<typeof client.operate>[1])).bins
  }

  async function bin (k: InstanceType<typeof Key>): Promise<unknown> {
    return (await client.get(k)).bins.m
  }

  t.test('put, putItems, increment, decrement return the size or the new number', async (t) => {
    const k = await withMap()
    t.same(await run(k, maps.put('m', 'z', 26)), { m: 6 })
    t.same(await run(k, maps.put('m', 'a', 10)), { m: 6 }, 'an existing key is overwritten')
    t.same(await run(k, maps.putItems('m', { e: 5, b: 20 })), { m: 7 })
    t.same(await run(k, maps.increment('m', 'a', 5)), { m: 15 })
    t.same(await run(k, maps.decrement('m', 'c', 1)), { m: 2 })
    t.same(await run(k, maps.increment('m', 'f', 1.5)), { m: 1.5 }, 'a missing key starts from zero')
    t.same(await bin(k), { a: 15, b: 20, c: 2, d: 4, e: 5, f: 1.5, x: 'str', z: 26 })
    t.equal(await codeOf(client.operate(k, [maps.increment('m', 'x', 1)])), status.ERR_REQUEST_INVALID)
  })

  t.test('write flags: create only, update only, no fail, partial', async (t) => {
    const k = await withMap()
    t.equal(await codeOf(client.operate(k, [maps.put('m', 'a', 0, policy(wf.CREATE_ONLY))])), status.ERR_FAIL_ELEMENT_EXISTS)
    t.equal(await codeOf(client.operate(k, [maps.put('m', 'q', 0, policy(wf.UPDATE_ONLY))])), status.ERR_FAIL_ELEMENT_NOT_FOUND)
    t.same(await run(k, maps.put('m', 'a', 0, policy(wf.CREATE_ONLY | wf.NO_FAIL))), { m: 5 })
    t.same(await run(k, maps.putItems('m', { a: 0, q: 9 }, policy(wf.CREATE_ONLY | wf.NO_FAIL))), { m: 5 }, 'no fail without partial writes nothing')
    t.same(await run(k, maps.putItems('m', { a: 0, q: 9 }, policy(wf.CREATE_ONLY | wf.NO_FAIL | wf.PARTIAL))), { m: 6 })
    t.same(await run(k, maps.putItems('m', { a: 7, r: 9 }, policy(wf.UPDATE_ONLY | wf.NO_FAIL | wf.PARTIAL))), { m: 6 })
    t.same(await bin(k), { a: 7, b: 2, c: 3, d: 4, q: 9, x: 'str' })
  })

  t.test('missing bins: puts create the map, removes do nothing, size needs a map', async (t) => {
    const k = key()
    await client.put(k, { other: 1 })
    t.same(await run(k, maps.removeByKey('m', 'a', rt.VALUE)), { m: null }, 'map ops ask for a result per op')
    t.same(await run(k, maps.put('m', 'b', 1, policy(0, order.KEY_ORDERED))), { m: 1 })
    t.same(await run(k, maps.put('m', 'a', 2)), { m: 2 })
    t.same(await bin(k), { a: 2, b: 1 })
    await client.put(k, { l: [1] })
    t.equal(await codeOf(client.operate(k, [maps.size('l')])), status.ERR_BIN_INCOMPATIBLE_TYPE)
    t.equal(await codeOf(client.operate(k, [maps.put('l', 'a', 1)])), status.ERR_BIN_INCOMPATIBLE_TYPE)
  })

  t.test('get by key, key list, key range and relative index', async (t) => {
    const k = await withMap()
    t.same(await run(k, maps.getByKey('m', 'c', rt.VALUE)), { m: 3 })
    t.same(await run(k, maps.getByKey('m', 'c', rt.INDEX)), { m: 2 })
    t.same(await run(k, maps.getByKey('m', 'c', rt.REVERSE_RANK)), { m: 2 })
    t.same(await run(k, maps.getByKey('m', 'c', rt.KEY_VALUE)), { m: ['c', 3] })
    t.same(await run(k, maps.getByKey('m', 'zz', rt.VALUE)), { m: null })
    t.same(await run(k, maps.getByKey('m', 'zz', rt.EXISTS)), { m: false })
    t.same(await run(k, maps.getByKeyList('m', ['d', 'a', 'no'], rt.KEY)), { m: ['a', 'd'] })
    t.same(await run(k, maps.getByKeyList('m', ['d', 'a'], rt.INDEX)), { m: [3, 0] })
    t.same(await run(k, maps.getByKeyList('m', ['d', 'a'], rt.COUNT | rt.INVERTED)), { m: 3 })
    t.same(await run(k, maps.getByKeyRange('m', 'b', 'd', rt.KEY)), { m: ['b', 'c'] })
    t.same(await run(k, maps.getByKeyRange('m', 'c', null, rt.VALUE)), { m: [3, 4, 'str'] })
    t.same(await run(k, maps.getByKeyRange('m', 'b', 'd', rt.KEY | rt.INVERTED)), { m: ['a', 'd', 'x'] })
    t.same(await run(k, maps.getByKeyRelIndexRange('m', 'b', 1, 2, rt.KEY)), { m: ['c', 'd'] })
    t.same(await run(k, maps.getByKeyRelIndexRange('m', 'bb', -1, undefined, rt.COUNT)), { m: 4 })
  })

  t.test('get by index and rank', async (t) => {
    const k = await withMap({ a: 30, b: 10, c: 20, d: 10 })
    t.same(await run(k, maps.getByIndex('m', -1, rt.KEY)), { m: 'd' })
    t.same(await run(k, maps.getByIndex('m', 0, rt.RANK)), { m: 3 })
    t.same(await run(k, maps.getByIndexRange('m', 1, 2, rt.VALUE)), { m: [10, 20] })
    t.same(await run(k, maps.getByIndexRange('m', 1, 2, rt.KEY | rt.INVERTED)), { m: ['a', 'd'] })
    t.same(await run(k, maps.getByIndexRange('m', 1, undefined, rt.RANK)), { m: [0, 2, 1] })
    t.same(await run(k, maps.getByRank('m', 0, rt.KEY)), { m: 'b' })
    t.same(await run(k, maps.getByRank('m', -1, rt.KEY_VALUE)), { m: ['a', 30] })
    t.same(await run(k, maps.getByRankRange('m', 0, 3, rt.KEY)), { m: ['b', 'd', 'c'] }, 'rank order, ties in stored order')
    t.same(await run(k, maps.getByRankRange('m', 1, 2, rt.INDEX)), { m: [3, 2] })
    t.same(await run(k, maps.getByRankRange('m', 2, undefined, rt.KEY | rt.INVERTED)), { m: ['b', 'd'] })
    t.equal(await codeOf(client.operate(k, [maps.getByIndex('m', 4, rt.KEY)])), status.ERR_OP_NOT_APPLICABLE)
    t.equal(await codeOf(client.operate(k, [maps.getByRank('m', 0, rt.KEY | rt.INVERTED)])), status.ERR_OP_NOT_APPLICABLE)
  })

  t.test('get by value, value list, value range and relative rank', async (t) => {
    const k = await withMap({ a: 30, b: 10, c: 20, d: 10 })
    t.same(await run(k, maps.getByValue('m', 10, rt.KEY)), { m: ['b', 'd'] })
    t.same(await run(k, maps.getByValue('m', 10, rt.RANK)), { m: [0, 1] })
    t.same(await run(k, maps.getByValue('m', 10, rt.KEY | rt.INVERTED)), { m: ['a', 'c'] })
    t.same(await run(k, maps.getByValueList('m', [30, 10], rt.KEY)), { m: ['a', 'b', 'd'] })
    t.same(await run(k, maps.getByValueList('m', [30, 10], rt.RANK)), { m: [3, 0, 1] })
    t.same(await run(k, maps.getByValueRange('m', 15, 31, rt.KEY)), { m: ['a', 'c'] })
    t.same(await run(k, maps.getByValueRange('m', 15, 31, rt.COUNT)), { m: 2 })
    t.same(await run(k, maps.getByValueRelRankRange('m', 20, -1, 2, rt.VALUE)), { m: [10, 20] })
    t.same(await run(k, maps.getByValue('m', 99, rt.INDEX)), { m: [] })
  })

  t.test('result maps: key-value pairs, unordered and ordered maps', async (t) => {
    const k = await withMap()
    t.same(await run(k, maps.getByIndexRange('m', 1, 2, rt.KEY_VALUE)), { m: ['b', 2, 'c', 3] })
    t.same(await run(k, maps.getByIndexRange('m', 1, 2, rt.UNORDERED_MAP)), { m: { b: 2, c: 3 } })
    t.same(await run(k, maps.getByIndexRange('m', 1, 2, rt.ORDERED_MAP)), { m: { b: 2, c: 3 } })
  })

  t.test('remove by key, index, value, rank and ranges', async (t) => {
    let k = await withMap()
    t.same(await run(k, maps.removeByKey('m', 'a', rt.VALUE)), { m: 1 })
    t.same(await run(k, maps.removeByKeyList('m', ['b', 'zz'], rt.COUNT)), { m: 1 })
    t.same(await run(k, maps.removeByKeyRange('m', 'c', 'd', rt.KEY)), { m: ['c'] })
    t.same(await bin(k), { d: 4, x: 'str' })
    k = await withMap()
    t.same(await run(k, maps.removeByValue('m', 3, rt.KEY)), { m: ['c'] })
    t.same(await run(k, maps.removeByValueRange('m', 1, 3, rt.KEY)), { m: ['a', 'b'] })
    t.same(await run(k, maps.removeByIndex('m', 0, rt.KEY)), { m: 'd' })
    t.same(await bin(k), { x: 'str' })
    k = await withMap()
    t.same(await run(k, maps.removeByRank('m', 0, rt.KEY)), { m: 'a' })
    t.same(await run(k, maps.removeByRankRange('m', 0, 2, rt.KEY | rt.INVERTED)), { m: ['d', 'x'] })
    t.same(await bin(k), { b: 2, c: 3 })
    t.same(await run(k, maps.removeByValueRelRankRange('m', 2, 1, undefined, rt.VALUE)), { m: [3] })
    t.same(await run(k, maps.removeByKeyRelIndexRange('m', 'a', 0, undefined, rt.NONE)), { m: null })
    t.same(await bin(k), {})
  })

  t.test('clear, size, and setPolicy', async (t) => {
    const k = await withMap()
    t.same(await run(k, maps.size('m')), { m: 5 })
    await run(k, maps.setPolicy('m', policy(0, order.KEY_VALUE_ORDERED)))
    t.same(await bin(k), LETTERS)
    await run(k, maps.clear('m'))
    t.same(await bin(k), {})
    t.same(await run(k, maps.size('m')), { m: 0 })
  })

  t.test('unordered maps: stored sorted by key; new keys keep that order while it holds', async (t) => {
    const k = key()
    await client.put(k, { m: new Map<unknown, unknown>([['c', 3], ['a', 1], [2, 'two']]) })
    t.same(await run(k, maps.getByIndexRange('m', 0, undefined, rt.KEY)), { m: [2, 'a', 'c'] }, 'integers sort before strings')
    t.same(await run(k, maps.put('m', 'b', 2)), { m: 4 })
    t.same(await run(k, maps.getByIndex('m', 2, rt.KEY)), { m: 'b' })
    t.same(await run(k, maps.getByKey('m', 'b', rt.INDEX)), { m: 2 })
  })

  t.test('nested contexts: map key, index, rank, value, and creating maps', async (t) => {
    const k = await withMap({ inner: { z: 0 }, list: [{ deep: 1 }] })
    t.same(await run(k, maps.put('m', 'k', 1).withContext((c: Context) => c.addMapKey('inner'))), { m: 2 })
    t.same(await run(k, maps.getByKey('m', 'deep', rt.VALUE).withContext((c: Context) => c.addMapKey('list').addListIndex(0))), { m: 1 })
    t.same(await run(k, maps.size('m').withContext((c: Context) => c.addMapIndex(0))), { m: 2 })
    t.same(await run(k, maps.size('m').withContext((c: Context) => c.addMapValue({ k: 1, z: 0 }))), { m: 2 })
    t.same(await run(k, maps.put('m', 'n', 1).withContext((c: Context) => c.addMapKeyCreate('new', order.KEY_ORDERED))), { m: 1 })
    t.same(await bin(k), { inner: { k: 1, z: 0 }, list: [{ deep: 1 }], new: { n: 1 } })
    t.equal(await codeOf(client.operate(k, [maps.put('m', 'n', 1).withContext((c: Context) => c.addMapKey('missing'))])), status.ERR_OP_NOT_APPLICABLE)
    t.equal(await codeOf(client.operate(k, [maps.size('m').withContext((c: Context) => c.addMapKeyCreate('missing', order.KEY_ORDERED))])), status.ERR_OP_NOT_APPLICABLE, 'reads never create')
    t.equal(await codeOf(client.operate(k, [lists.size('m').withContext((c: Context) => c.addMapKey('inner'))])), status.ERR_BIN_INCOMPATIBLE_TYPE)
    const fresh = key()
    await client.put(fresh, { other: 1 })
    t.same(await run(fresh, lists.append('m', 'v').withContext((c: Context) => c.addMapKeyCreate('a', order.KEY_ORDERED).addListIndexCreate(0, lists.order.UNORDERED, false))), { m: 1 })
    t.same(await bin(fresh), { a: [['v']] }, 'the whole path is created')
  })
})
