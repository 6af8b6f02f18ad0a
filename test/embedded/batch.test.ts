import t from 'tap'
import Aerospike from 'aerospike'
import { withEmbedded } from '../helpers/embedded'

const { Key, operations: op, policy, status, batchType } = Aerospike

t.test('batches through the real client', async (t) => {
  const { client } = await withEmbedded(t)
  const k = (id: string | number): InstanceType<typeof Key> => new Key('test', 'b', id)
  await client.put(k('a'), { x: 1, y: 2 })
  await client.put(k('b'), { x: 10, y: 20 })

  t.test('batchRead: all bins, selected bins, missing keys, each its own status', async (t) => {
    const res = await client.batchRead([
      { key: k('a'), readAllBins: true },
      { key: k('missing'), readAllBins: true },
      { key: k('b'), bins: ['y'] },
      { key: k('a'), readAllBins: false },
      { key: new Key('test', 'other-set', 'a'), readAllBins: true }
    ])
    t.same(res.map((r) => r.status), [status.OK, status.ERR_RECORD_NOT_FOUND, status.OK, status.OK, status.ERR_RECORD_NOT_FOUND])
    t.same(res[0].record.bins, { x: 1, y: 2 })
    t.same(res[2].record.bins, { y: 20 })
    t.equal(res[0].record.gen, 1)
  })

  t.test('batchGet, batchExists, batchSelect', async (t) => {
    const got = await client.batchGet([k('a'), k('nope'), k('b')])
    t.same(got.map((r) => r.status), [0, 2, 0])
    t.same(got[2].record.bins, { x: 10, y: 20 })
    const ex = await client.batchExists([k('a'), k('nope')])
    t.same(ex.map((r) => r.status), [0, 2])
    const sel = await client.batchSelect([k('a'), k('b')], ['x'])
    // The typings omit `record` on batchSelect results; the client returns it.
    t.same(sel.map((r) => (r as unknown as { record: { bins: unknown } }).record.bins), [{ x: 1 }, { x: 10 }])
  })

  t.test('batchWrite: mixed writes, create-only conflicts, generation mismatch, deletes', async (t) => {
    await client.put(k('w1'), { n: 1 })
    const res = await client.batchWrite([
      { type: batchType.BATCH_WRITE, key: k('w-new'), ops: [op.write('n', 1), op.incr('n', 2), op.read('n')] },
      { type: batchType.BATCH_WRITE, key: k('w1'), ops: [op.write('n', 5)], policy: new Aerospike.BatchWritePolicy({ exists: policy.exists.CREATE }) },
      { type: batchType.BATCH_WRITE, key: k('w1'), ops: [op.write('n', 6)], policy: new Aerospike.BatchWritePolicy({ gen: policy.gen.EQ }) },
      { type: batchType.BATCH_REMOVE, key: k('never-there') },
      { type: batchType.BATCH_READ, key: k('w1'), readAllBins: true },
      { type: batchType.BATCH_REMOVE, key: k('b') }
    ] as Parameters<typeof client.batchWrite>[0])
    t.same(res.map((r) => r.status), [status.OK, status.ERR_RECORD_EXISTS, status.ERR_RECORD_GENERATION, status.ERR_RECORD_NOT_FOUND, status.OK, status.OK])
    t.same(res[0].record.bins.n, 3)
    t.same(res[4].record.bins, { n: 1 }, 'failed rows changed nothing')
    t.equal(await client.exists(k('b')), false)
  })

  t.test('batchRemove', async (t) => {
    await client.put(k('r1'), { a: 1 })
    const res = await client.batchRemove([k('r1'), k('r-missing')])
    t.same(res.map((r) => r.status), [0, 2])
    t.equal(await client.exists(k('r1')), false)
  })

  t.test('5,000 keys in one batch, half of them missing', async (t) => {
    const keys = Array.from({ length: 5000 }, (_, i) => k(`many-${i}`))
    const even = keys.filter((_, i) => i % 2 === 0)
    // Within the client's default pool of 100 connections per node.
    for (let i = 0; i < even.length; i += 100) {
      await Promise.all(even.slice(i, i + 100).map((key, j) => client.put(key, { i: i + j })))
    }
    const res = await client.batchRead(keys.map((key) => ({ key, readAllBins: true })))
    t.equal(res.length, 5000)
    t.ok(res.every((r, i) => r.status === (i % 2 === 0 ? 0 : 2)), 'even keys found, odd keys missing')
    t.same(res[4998].record.bins, { i: 2499 })
  })
})
