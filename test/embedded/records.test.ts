import t from 'tap'
import Aerospike from 'aerospike'
import { withEmbedded, codeOf } from '../helpers/embedded'

const { Key, operations: op, policy, status } = Aerospike

t.test('records through the real client', async (t) => {
  const { client } = await withEmbedded(t)
  let n = 0
  const key = (): InstanceType<typeof Key> => new Key('test', 'rec', `k${n++}`)

  t.test('put then get returns every bin, generation 1 and never-expire', async (t) => {
    const k = key()
    await client.put(k, { a: 1, s: 'x' })
    const r = await client.get(k)
    t.same(r.bins, { a: 1, s: 'x' })
    t.equal(r.gen, 1)
    t.equal(r.ttl, -1)
  })

  t.test('select returns only the named bins that exist', async (t) => {
    const k = key()
    await client.put(k, { a: 1, b: 2, c: 3 })
    const r = await client.select(k, ['a', 'c', 'missing'])
    t.same(r.bins, { a: 1, c: 3 })
  })

  t.test('exists and head', async (t) => {
    const k = key()
    t.equal(await client.exists(k), false)
    await client.put(k, { a: 1 })
    t.equal(await client.exists(k), true)
    const h = await client.get(k, new Aerospike.ReadPolicy({}))
    t.equal(h.gen, 1)
  })

  t.test('missing records give 2 on get, remove, touch and update-only', async (t) => {
    const k = key()
    t.equal(await codeOf(client.get(k)), status.ERR_RECORD_NOT_FOUND)
    t.equal(await codeOf(client.remove(k)), status.ERR_RECORD_NOT_FOUND)
    t.equal(await codeOf(client.operate(k, [op.touch(10)])), status.ERR_RECORD_NOT_FOUND)
    t.equal(await codeOf(client.put(k, { a: 1 }, {}, new Aerospike.WritePolicy({ exists: policy.exists.UPDATE }))), status.ERR_RECORD_NOT_FOUND)
    t.equal(await codeOf(client.put(k, { a: 1 }, {}, new Aerospike.WritePolicy({ exists: policy.exists.REPLACE }))), status.ERR_RECORD_NOT_FOUND)
  })

  t.test('exists policies', async (t) => {
    const k = key()
    const create = new Aerospike.WritePolicy({ exists: policy.exists.CREATE })
    await client.put(k, { a: 1, b: 2 }, {}, create)
    t.equal(await codeOf(client.put(k, { a: 9 }, {}, create)), status.ERR_RECORD_EXISTS)
    await client.put(k, { c: 3 }, {}, new Aerospike.WritePolicy({ exists: policy.exists.UPDATE }))
    t.same((await client.get(k)).bins, { a: 1, b: 2, c: 3 }, 'update merges bins')
    await client.put(k, { d: 4 }, {}, new Aerospike.WritePolicy({ exists: policy.exists.REPLACE }))
    t.same((await client.get(k)).bins, { d: 4 }, 'replace drops the other bins')
    await client.put(k, { e: 5 }, {}, new Aerospike.WritePolicy({ exists: policy.exists.CREATE_OR_REPLACE }))
    const r = await client.get(k)
    t.same(r.bins, { e: 5 })
    t.equal(r.gen, 4)
  })

  t.test('generation checks: equal and greater', async (t) => {
    const k = key()
    await client.put(k, { a: 1 })
    await client.put(k, { a: 2 })
    const eq = new Aerospike.WritePolicy({ gen: policy.gen.EQ })
    t.equal(await codeOf(client.put(k, { a: 3 }, { gen: 1 }, eq)), status.ERR_RECORD_GENERATION)
    await client.put(k, { a: 3 }, { gen: 2 }, eq)
    t.equal((await client.get(k)).gen, 3)
    const gt = new Aerospike.WritePolicy({ gen: policy.gen.GT })
    t.equal(await codeOf(client.put(k, { a: 4 }, { gen: 3 }, gt)), status.ERR_RECORD_GENERATION)
    await client.put(k, { a: 4 }, { gen: 10 }, gt)
    t.equal((await client.get(k)).bins.a, 4)
    const removeEq = new Aerospike.RemovePolicy({ gen: policy.gen.EQ, generation: 1 })
    t.equal(await codeOf(client.remove(k, removeEq)), status.ERR_RECORD_GENERATION)
    await client.remove(k, new Aerospike.RemovePolicy({ gen: policy.gen.EQ, generation: 4 }))
    t.equal(await client.exists(k), false)
  })

  t.test('a durable delete is enterprise only (25), as on Community Edition', async (t) => {
    const k = key()
    await client.put(k, { a: 1 })
    t.equal(await codeOf(client.remove(k, new Aerospike.RemovePolicy({ durableDelete: true }))), status.ERR_ENTERPRISE_ONLY)
    t.equal(await client.exists(k), true)
  })

  t.test('TTL: seconds, never expire, do not update, and real expiry', async (t) => {
    const k = key()
    await client.put(k, { a: 1 }, { ttl: 100 })
    const r1 = await client.get(k)
    t.ok(r1.ttl > 95 && r1.ttl <= 100, `ttl ${r1.ttl} near 100`)
    await client.put(k, { a: 2 }, { ttl: Aerospike.ttl.DONT_UPDATE })
    const r2 = await client.get(k)
    t.ok(r2.ttl > 95 && r2.ttl <= 100, 'do-not-update keeps the ttl')
    await client.put(k, { a: 3 }, { ttl: Aerospike.ttl.NEVER_EXPIRE })
    t.equal((await client.get(k)).ttl, -1)
    await client.operate(k, [op.touch(50)])
    const r3 = await client.get(k)
    t.ok(r3.ttl > 45 && r3.ttl <= 50, 'touch sets a new ttl')
    t.equal(r3.gen, 4, 'touch bumps the generation')

    const short = key()
    await client.put(short, { a: 1 }, { ttl: 1 })
    t.equal(await client.exists(short), true)
    await new Promise((resolve) => setTimeout(resolve, 2100))
    t.equal(await client.exists(short), false, 'expired after its ttl')
    t.equal(await codeOf(client.get(short)), status.ERR_RECORD_NOT_FOUND)
  })

  t.test('sendKey: the key travels with writes and reads and is accepted', async (t) => {
    const k = new Key('test', 'rec', 'with-key')
    const send = { key: policy.key.SEND }
    await client.put(k, { a: 1 }, {}, new Aerospike.WritePolicy(send))
    await client.put(k, { b: 2 }, {}, new Aerospike.WritePolicy(send))
    const r = await client.get(k, new Aerospike.ReadPolicy(send))
    t.same(r.bins, { a: 1, b: 2 })
    t.equal(r.gen, 2)
  })

  t.test('operate: incr, append, prepend, read, write, touch, delete', async (t) => {
    const k = key()
    const r1 = await client.operate(k, [op.incr('n', 5), op.append('s', 'b'), op.prepend('s', 'a'), op.read('n'), op.read('s')])
    t.same(r1.bins, { n: 5, s: 'ab' })
    t.equal(r1.gen, 1)
    const r2 = await client.operate(k, [op.incr('n', -7), op.read('n'), op.write('w', 'x'), op.read('w')])
    t.same(r2.bins, { n: -2, w: 'x' })
    const r3 = await client.operate(k, [op.incr('d', 1.25), op.incr('d', 1.25), op.read('d')])
    t.same(r3.bins, { d: 2.5 })
    t.equal(await codeOf(client.operate(k, [op.incr('s', 1)])), status.ERR_BIN_INCOMPATIBLE_TYPE)
    t.equal(await codeOf(client.operate(k, [op.incr('d', 1)])), status.ERR_BIN_INCOMPATIBLE_TYPE)
    t.equal(await codeOf(client.operate(k, [op.append('n', 'x')])), status.ERR_BIN_INCOMPATIBLE_TYPE)
    const before = await client.get(k)
    t.same(before.bins, { n: -2, s: 'ab', w: 'x', d: 2.5 }, 'failed operates changed nothing')
    const touched = await client.operate(k, [op.touch(30)])
    t.equal(touched.gen, before.gen + 1)
    await client.operate(k, [op.delete()])
    t.equal(await client.exists(k), false)
    t.equal(await codeOf(client.operate(key(), [op.write('a', 1), op.delete()])), status.ERR_RECORD_NOT_FOUND)
  })

  t.test('writing null deletes a bin; deleting the last bin deletes the record', async (t) => {
    const k = key()
    await client.put(k, { a: 1, b: 2 })
    await client.put(k, { a: null })
    t.same((await client.get(k)).bins, { b: 2 })
    await client.put(k, { b: null })
    t.equal(await client.exists(k), false)
  })

  t.test('integer wraps like the server on overflow', async (t) => {
    const k = key()
    await client.put(k, { n: BigInt('9223372036854775807') })
    const r = await client.operate(k, [op.incr('n', 1), op.read('n')])
    t.equal(r.bins.n, BigInt('-9223372036854775808'))
  })

  t.test('error codes', async (t) => {
    t.equal(await codeOf(client.put(new Key('test', 'rec', 'big'), { b: Buffer.alloc(1024 * 1024 + 16, 1) })), status.ERR_RECORD_TOO_BIG)
    t.equal(await codeOf(client.put(new Key('nope', 'rec', 'x'), { a: 1 })), status.ERR_NAMESPACE_NOT_FOUND)
    t.equal(await codeOf(client.put(key(), { a: 1 }, { ttl: 3600 * 24 * 365 * 11 })), status.ERR_REQUEST_INVALID)
    const k = key()
    await client.put(k, { a: 1 })
    t.equal(await codeOf(client.put(new Key('test', 'other', k.key), { a: 1 })), 'resolved', 'other set, other digest')
  })
})
