import t from 'tap'
import Aerospike from 'aerospike'
import { withEmbedded, codeOf } from '../helpers/embedded'

const { Key, lists, operations: op, status } = Aerospike
const { returnType: rt, writeFlags: wf } = lists
type Context = InstanceType<typeof Aerospike.cdt.Context>

const ORDERED = new Aerospike.ListPolicy({ order: lists.order.ORDERED })

function policy (writeFlags: number, order = lists.order.UNORDERED): InstanceType<typeof Aerospike.ListPolicy> {
  return new Aerospike.ListPolicy({ order, writeFlags })
}

t.test('list operations through the real client', async (t) => {
  const { client } = await withEmbedded(t)
  let n = 0
  const key = (): InstanceType<typeof Key> => new Key('test', 'cdt-list', `k${n++}`)
  const MIXED = [5, 1, 4, 1, 3, 9, 'a', 2]

  async function withList (value: unknown[] = MIXED): Promise<InstanceType<typeof Key>> {
    const k = key()
    await client.put(k, { l: value })
    return k
  }

  async function run (k: InstanceType<typeof Key>, ...ops: unknown[]): Promise<Record<string, unknown>> {
    return (await client.operate(k, ops as Parameters<typeof client.operate>[1])).bins
  }

  async function bin (k: InstanceType<typeof Key>): Promise<unknown> {
    return (await client.get(k)).bins.l
  }

  t.test('append, appendItems, insert, insertItems return the new size', async (t) => {
    const k = await withList([1])
    t.same(await run(k, lists.append('l', 2)), { l: 2 })
    t.same(await run(k, lists.appendItems('l', [3, 4])), { l: 4 })
    t.same(await run(k, lists.insert('l', 1, 'x')), { l: 5 })
    t.same(await run(k, lists.insertItems('l', -1, ['y', 'z'])), { l: 7 })
    t.same(await bin(k), [1, 'x', 2, 3, 'y', 'z', 4])
    t.same(await run(k, lists.insert('l', 9, 'pad')), { l: 10 }, 'inserting past the end pads with nil')
    t.same(await bin(k), [1, 'x', 2, 3, 'y', 'z', 4, null, null, 'pad'])
  })

  t.test('operations create a missing bin; removes on a missing bin do nothing', async (t) => {
    const k = key()
    await client.put(k, { other: 1 })
    t.same(await run(k, lists.removeByIndex('l', 0, rt.VALUE)), {})
    t.same((await client.get(k)).bins, { other: 1 })
    t.same(await run(k, lists.append('l', 'first')), { l: 1 })
    t.same(await bin(k), ['first'])
    const fresh = key()
    t.same(await run(fresh, lists.appendItems('l', [3, 1, 2], ORDERED)), { l: 3 })
    t.same(await bin(fresh), [1, 2, 3], 'a list created ordered keeps its order')
    t.equal(await codeOf(client.operate(key(), [lists.sort('l', 0)])), status.ERR_BIN_INCOMPATIBLE_TYPE, 'sort needs a list')
  })

  t.test('get, getRange, size, and out of range', async (t) => {
    const k = await withList()
    t.same(await run(k, lists.get('l', -1)), { l: 2 })
    t.same(await run(k, lists.getRange('l', 2, 3)), { l: [4, 1, 3] })
    t.same(await run(k, lists.getRange('l', -3)), { l: [9, 'a', 2] })
    t.same(await run(k, lists.getRange('l', 20, 2)), { l: [] })
    t.same(await run(k, lists.size('l')), { l: 8 })
    t.equal(await codeOf(client.operate(k, [lists.get('l', 50)])), status.ERR_OP_NOT_APPLICABLE)
    t.equal(await codeOf(client.operate(k, [lists.get('l', -9)])), status.ERR_OP_NOT_APPLICABLE)
  })

  t.test('pop, popRange, remove, removeRange, trim, clear', async (t) => {
    const k = await withList()
    t.same(await run(k, lists.pop('l', 0)), { l: 5 })
    t.same(await run(k, lists.popRange('l', -2, 5)), { l: ['a', 2] })
    t.same(await run(k, lists.remove('l', 1)), { l: 1 })
    t.same(await run(k, lists.removeRange('l', 1, 2)), { l: 2 })
    t.same(await bin(k), [1, 9])
    const k2 = await withList()
    t.same(await run(k2, lists.trim('l', 2, 3)), { l: 5 })
    t.same(await bin(k2), [4, 1, 3])
    await run(k2, lists.clear('l'))
    t.same(await bin(k2), [])
  })

  t.test('set replaces, and pads past the end', async (t) => {
    const k = await withList([1, 2])
    t.same(await run(k, lists.set('l', -1, 'two')), {})
    t.same(await run(k, lists.set('l', 4, 'four')), {})
    t.same(await bin(k), [1, 'two', null, null, 'four'])
    t.equal(await codeOf(client.operate(k, [lists.set('l', -6, 0)])), status.ERR_OP_NOT_APPLICABLE)
  })

  t.test('increment ints and doubles, and refuses other values', async (t) => {
    const k = await withList([1, 2.5, 'x'])
    t.same(await run(k, lists.increment('l', 0, 10)), { l: 11 })
    t.same(await run(k, lists.increment('l', 1, 1.25)), { l: 3.75 })
    t.same(await run(k, lists.increment('l', 0, 2.9)), { l: 13 }, 'an int stays an int')
    t.same(await run(k, lists.increment('l', 4)), { l: 1 }, 'past the end: a new element, 1 by default')
    t.same(await bin(k), [13, 3.75, 'x', null, 1])
    t.equal(await codeOf(client.operate(k, [lists.increment('l', 2, 1)])), status.ERR_REQUEST_INVALID)
  })

  t.test('sort, with and without dropping duplicates', async (t) => {
    const k = await withList([3, 'b', 1, 3, [1], 'a', 1.5, true, null])
    await run(k, lists.sort('l', 0))
    t.same(await bin(k), [null, true, 1, 3, 3, 'a', 'b', [1], 1.5], 'nil < bool < int < string < list < double')
    await run(k, lists.sort('l', lists.sortFlags.DROP_DUPLICATES))
    t.same(await bin(k), [null, true, 1, 3, 'a', 'b', [1], 1.5])
    await run(k, lists.sort('l', 1))
    t.same(await bin(k), [1.5, [1], 'b', 'a', 3, 1, true, null], 'descending')
    t.equal(await codeOf(client.operate(k, [lists.sort('l', 3)])), status.ERR_REQUEST_INVALID, 'dropping duplicates needs ascending order')
  })

  t.test('ordered lists: setOrder sorts, appends keep the order, insert and set are refused', async (t) => {
    const k = await withList()
    await run(k, lists.setOrder('l', lists.order.ORDERED))
    t.same(await bin(k), [1, 1, 2, 3, 4, 5, 9, 'a'])
    t.same(await run(k, lists.append('l', 0)), { l: 9 })
    t.same(await run(k, lists.appendItems('l', [6, -1, 'b'])), { l: 12 })
    t.same(await bin(k), [-1, 0, 1, 1, 2, 3, 4, 5, 6, 9, 'a', 'b'])
    t.same(await run(k, lists.increment('l', 0, 100)), { l: 99 }, 'an incremented element moves to its rank')
    t.same(await bin(k), [0, 1, 1, 2, 3, 4, 5, 6, 9, 99, 'a', 'b'])
    t.equal(await codeOf(client.operate(k, [lists.insert('l', 0, 1)])), status.ERR_OP_NOT_APPLICABLE)
    t.equal(await codeOf(client.operate(k, [lists.set('l', 0, 1)])), status.ERR_OP_NOT_APPLICABLE)
    t.same(await run(k, lists.getByValue('l', 1, rt.INDEX)), { l: [1, 2] })
    t.same(await run(k, lists.getByRankRange('l', 1, 2, rt.VALUE)), { l: [1, 1] })
    await run(k, lists.setOrder('l', lists.order.UNORDERED))
    t.same(await run(k, lists.insert('l', 0, 'front')), { l: 13 })
  })

  t.test('write flags: add unique, no fail, partial, insert bounded', async (t) => {
    const k = await withList([1, 2])
    t.equal(await codeOf(client.operate(k, [lists.append('l', 2, policy(wf.ADD_UNIQUE))])), status.ERR_FAIL_ELEMENT_EXISTS)
    t.same(await run(k, lists.append('l', 2, policy(wf.ADD_UNIQUE | wf.NO_FAIL))), { l: 2 })
    t.equal(await codeOf(client.operate(k, [lists.appendItems('l', [3, 2], policy(wf.ADD_UNIQUE))])), status.ERR_FAIL_ELEMENT_EXISTS)
    t.same(await run(k, lists.appendItems('l', [3, 2], policy(wf.ADD_UNIQUE | wf.NO_FAIL))), { l: 2 }, 'no fail without partial adds nothing')
    t.same(await run(k, lists.appendItems('l', [3, 2, 3], policy(wf.ADD_UNIQUE | wf.NO_FAIL | wf.PARTIAL))), { l: 3 })
    t.same(await bin(k), [1, 2, 3])
    t.equal(await codeOf(client.operate(k, [lists.appendItems('l', [7, 7], policy(wf.ADD_UNIQUE))])), status.ERR_OP_NOT_APPLICABLE, 'duplicates among the new items')
    t.equal(await codeOf(client.operate(k, [lists.insert('l', 5, 0, policy(wf.INSERT_BOUNDED))])), status.ERR_OP_NOT_APPLICABLE)
    t.same(await run(k, lists.insert('l', 5, 0, policy(wf.INSERT_BOUNDED | wf.NO_FAIL))), { l: 3 })
    t.same(await run(k, lists.insert('l', 3, 0, policy(wf.INSERT_BOUNDED))), { l: 4 })
    t.equal(await codeOf(client.operate(k, [lists.set('l', 0, 3, policy(wf.ADD_UNIQUE))])), status.ERR_FAIL_ELEMENT_EXISTS)
    const o = await withList([1, 2])
    await run(o, lists.setOrder('l', lists.order.ORDERED))
    t.equal(await codeOf(client.operate(o, [lists.append('l', 1, policy(wf.ADD_UNIQUE, lists.order.ORDERED))])), status.ERR_FAIL_ELEMENT_EXISTS)
    t.same(await run(o, lists.appendItems('l', [0, 1, 5], policy(wf.ADD_UNIQUE | wf.NO_FAIL | wf.PARTIAL, lists.order.ORDERED))), { l: 4 })
    t.same(await bin(o), [0, 1, 2, 5])
  })

  t.test('get by index and index range, every return type', async (t) => {
    const k = await withList()
    t.same(await run(k, lists.getByIndex('l', 2, rt.VALUE)), { l: 4 })
    t.same(await run(k, lists.getByIndex('l', -1, rt.INDEX)), { l: 7 })
    t.same(await run(k, lists.getByIndex('l', 0, rt.REVERSE_INDEX)), { l: 7 })
    t.same(await run(k, lists.getByIndex('l', 0, rt.RANK)), { l: 5 })
    t.same(await run(k, lists.getByIndex('l', 0, rt.REVERSE_RANK)), { l: 2 })
    t.same(await run(k, lists.getByIndex('l', 0, rt.COUNT)), { l: 1 })
    t.same(await run(k, lists.getByIndex('l', 0, rt.EXISTS)), { l: true })
    t.same(await run(k, lists.getByIndex('l', 0, rt.NONE)), {})
    t.same(await run(k, lists.getByIndexRange('l', 1, 3, rt.VALUE)), { l: [1, 4, 1] })
    t.same(await run(k, lists.getByIndexRange('l', 1, 3, rt.RANK)), { l: [0, 4, 0] })
    t.same(await run(k, lists.getByIndexRange('l', -2, undefined, rt.REVERSE_INDEX)), { l: [0, 1] })
    t.same(await run(k, lists.getByIndexRange('l', 1, 6, rt.VALUE | rt.INVERTED)), { l: [5, 2] })
    t.same(await run(k, lists.getByIndexRange('l', 2, 10, rt.COUNT | rt.INVERTED)), { l: 2 })
    t.equal(await codeOf(client.operate(k, [lists.getByIndex('l', 0, rt.VALUE | rt.INVERTED)])), status.ERR_OP_NOT_APPLICABLE)
    t.equal(await codeOf(client.operate(k, [lists.getByIndex('l', 8, rt.VALUE)])), status.ERR_OP_NOT_APPLICABLE)
  })

  t.test('get by value, value list, value range and relative rank', async (t) => {
    const k = await withList()
    t.same(await run(k, lists.getByValue('l', 1, rt.INDEX)), { l: [1, 3] })
    t.same(await run(k, lists.getByValue('l', 1, rt.COUNT)), { l: 2 })
    t.same(await run(k, lists.getByValue('l', 7, rt.VALUE)), { l: [] })
    t.same(await run(k, lists.getByValue('l', 1, rt.VALUE | rt.INVERTED)), { l: [5, 4, 3, 9, 'a', 2] })
    t.same(await run(k, lists.getByValueList('l', [9, 1, 'z'], rt.VALUE)), { l: [1, 1, 9] })
    t.same(await run(k, lists.getByValueList('l', [9, 1], rt.RANK)), { l: [6, 0, 1] })
    t.same(await run(k, lists.getByValueList('l', [9, 1], rt.INDEX | rt.INVERTED)), { l: [0, 2, 4, 6, 7] })
    t.same(await run(k, lists.getByValueRange('l', 2, 5, rt.VALUE)), { l: [4, 3, 2] })
    t.same(await run(k, lists.getByValueRange('l', 4, null, rt.VALUE)), { l: [5, 4, 9, 'a'] }, 'no end: to the largest value')
    t.same(await run(k, lists.getByValueRange('l', 2, 5, rt.RANK)), { l: [2, 3, 4] })
    t.same(await run(k, lists.getByValueRelRankRange('l', 3, 1, 2, rt.VALUE)), { l: [4, 5] })
    t.same(await run(k, lists.getByValueRelRankRange('l', 3, -4, 4, rt.COUNT)), { l: 3 }, 'ranks below zero are clipped')
    t.same(await run(k, lists.getByValueRelRankRange('l', 3, -10, 4, rt.VALUE)), { l: [] })
  })

  t.test('a low rank range of an unordered list comes out as the server heap leaves it: highest rank first', async (t) => {
    const k = await withList([3, 1, 2, 0, 9])
    t.same(await run(k, lists.getByRankRange('l', 0, 3, rt.VALUE)), { l: [2, 1, 0] })
    t.same(await run(k, lists.getByRankRange('l', 2, 3, rt.VALUE)), { l: [2, 3, 9] })
  })

  t.test('get by rank and rank range', async (t) => {
    const k = await withList()
    t.same(await run(k, lists.getByRank('l', 0, rt.VALUE)), { l: 1 })
    t.same(await run(k, lists.getByRank('l', -1, rt.VALUE)), { l: 'a' })
    t.same(await run(k, lists.getByRank('l', -1, rt.INDEX)), { l: 6 })
    t.same(await run(k, lists.getByRankRange('l', -2, 2, rt.REVERSE_RANK)), { l: [0, 1] })
    t.same(await run(k, lists.getByRankRange('l', 5, 3, rt.VALUE)), { l: [5, 9, 'a'] })
    t.same(await run(k, lists.getByRankRange('l', 2, 4, rt.INDEX)), { l: [0, 2, 4, 7] })
    t.same(await run(k, lists.getByRankRange('l', 2, 4, rt.VALUE | rt.INVERTED)), { l: [1, 1, 9, 'a'] })
    t.equal(await codeOf(client.operate(k, [lists.getByRank('l', 8, rt.VALUE)])), status.ERR_OP_NOT_APPLICABLE)
  })

  t.test('remove by index, value, value list, range, rank, relative rank', async (t) => {
    let k = await withList()
    t.same(await run(k, lists.removeByIndex('l', 0, rt.VALUE)), { l: 5 })
    t.same(await run(k, lists.removeByValue('l', 1, rt.INDEX)), { l: [0, 2] })
    t.same(await bin(k), [4, 3, 9, 'a', 2])
    k = await withList()
    t.same(await run(k, lists.removeByValueList('l', ['a', 9], rt.COUNT)), { l: 2 })
    t.same(await run(k, lists.removeByValueRange('l', 1, 4, rt.VALUE)), { l: [1, 1, 3, 2] })
    t.same(await bin(k), [5, 4])
    k = await withList()
    t.same(await run(k, lists.removeByRank('l', -1, rt.VALUE)), { l: 'a' })
    t.same(await run(k, lists.removeByRankRange('l', 0, 2, rt.VALUE | rt.INVERTED)), { l: [5, 4, 3, 9, 2] })
    t.same(await bin(k), [1, 1])
    k = await withList()
    t.same(await run(k, lists.removeByValueRelRankRange('l', 4, 0, undefined, rt.COUNT)), { l: 4 })
    t.same(await bin(k), [1, 1, 3, 2])
    t.same(await run(k, lists.removeByIndexRange('l', 0, undefined, rt.NONE)), {})
    t.same(await bin(k), [])
  })

  t.test('mixed types order by type first: nil, bool, int, string, list, map, bytes, double', async (t) => {
    const k = await withList([2.5, Buffer.from('b'), { m: 1 }, [0], 'str', 7, -3, true, false, null])
    await run(k, lists.setOrder('l', lists.order.ORDERED))
    t.same(await bin(k), [null, false, true, -3, 7, 'str', [0], { m: 1 }, Buffer.from('b'), 2.5])
  })

  t.test('nested contexts: index, rank, value, and creating lists', async (t) => {
    const k = await withList([[3, 1], [2], [9, 8, 7]])
    t.same(await run(k, lists.append('l', 0).withContext((c: Context) => c.addListIndex(1))), { l: 2 })
    t.same(await run(k, lists.getByIndex('l', 0, rt.VALUE).withContext((c: Context) => c.addListRank(0))), { l: 2 })
    t.same(await run(k, lists.size('l').withContext((c: Context) => c.addListValue([9, 8, 7]))), { l: 3 })
    t.same(await bin(k), [[3, 1], [2, 0], [9, 8, 7]])
    t.same(await run(k, lists.append('l', 5).withContext((c: Context) => c.addListIndexCreate(4, lists.order.UNORDERED, true))), { l: 1 })
    t.same(await bin(k), [[3, 1], [2, 0], [9, 8, 7], null, [5]])
    t.equal(await codeOf(client.operate(k, [lists.append('l', 5).withContext((c: Context) => c.addListIndex(9))])), status.ERR_OP_NOT_APPLICABLE)
    t.equal(await codeOf(client.operate(k, [lists.size('l').withContext((c: Context) => c.addListIndex(0).addListIndex(0))])), status.ERR_BIN_INCOMPATIBLE_TYPE, 'the context ends on a scalar')
    t.equal(await codeOf(client.operate(k, [lists.size('l').withContext((c: Context) => c.addListIndex(0).addListIndex(0).addListIndex(0))])), status.ERR_OP_NOT_APPLICABLE, 'the context goes through a scalar')
    const fresh = key()
    await client.put(fresh, { other: 1 })
    t.same(await run(fresh, lists.append('l', 'x').withContext((c: Context) => c.addListIndexCreate(0, lists.order.ORDERED, false))), { l: 1 })
    t.same(await bin(fresh), [['x']], 'creating the bin itself')
  })

  t.test('an element of an ordered list moves to its new rank', async (t) => {
    const k = await withList([[1], [5], [9]])
    await run(k, lists.setOrder('l', lists.order.ORDERED))
    await run(k, lists.append('l', 0).withContext((c: Context) => c.addListIndex(0)))
    t.same(await bin(k), [[1, 0], [5], [9]])
    await run(k, lists.set('l', 0, 10).withContext((c: Context) => c.addListIndex(0)))
    t.same(await bin(k), [[5], [9], [10, 0]])
  })

  t.test('type errors: a list op on a map bin, a context into a scalar', async (t) => {
    const k = key()
    await client.put(k, { l: { a: 1 }, s: 'str' })
    t.equal(await codeOf(client.operate(k, [lists.append('l', 1)])), status.ERR_BIN_INCOMPATIBLE_TYPE)
    t.equal(await codeOf(client.operate(k, [lists.size('l')])), status.ERR_BIN_INCOMPATIBLE_TYPE)
    t.equal(await codeOf(client.operate(k, [lists.size('s').withContext((c: Context) => c.addListIndex(0))])), status.ERR_REQUEST_INVALID)
    t.equal(await codeOf(client.operate(k, [op.append('l', 'x')])), status.ERR_BIN_INCOMPATIBLE_TYPE)
  })

  t.test('a read of the bin returns the stored list; ordered lists carry their flag', async (t) => {
    const k = await withList([3, 2, 1])
    await run(k, lists.setOrder('l', lists.order.ORDERED))
    const r = await client.get(k)
    t.same(r.bins.l, [1, 2, 3])
  })

  t.test('10k elements stay quick', async (t) => {
    const big = Array.from({ length: 10000 }, (_, i) => (i * 7919) % 10007)
    const k = await withList(big)
    const started = Date.now()
    const sorted = big.slice().sort((a, b) => a - b)
    await run(k, lists.sort('l', 0))
    t.same(await bin(k), sorted)
    t.same(await run(k, lists.getByRankRange('l', -3, 3, rt.VALUE)), { l: sorted.slice(-3) })
    t.same(await run(k, lists.removeByValueRange('l', 100, 200, rt.COUNT)), { l: sorted.filter((v) => v >= 100 && v < 200).length })
    t.ok(Date.now() - started < 5000, 'well under five seconds')
  })
})
