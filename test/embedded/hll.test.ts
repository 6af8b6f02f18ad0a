import t from 'tap'
import Aerospike from 'aerospike'
import { withEmbedded, codeOf } from '../helpers/embedded'

const { Key, hll, status } = Aerospike
const wf = hll.writeFlags

function words (prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`)
}

t.test('HyperLogLog operations through the real client', async (t) => {
  const { client } = await withEmbedded(t)
  let n = 0
  const key = (): InstanceType<typeof Key> => new Key('test', 'ex_hll', `k${n++}`)

  async function run (k: InstanceType<typeof Key>, ...ops: unknown[]): Promise<Record<string, unknown>> {
    return (await client.operate(k, ops as Parameters<typeof client.operate>[1])).bins
  }

  async function sketchOf (items: string[], indexBits: number, minhashBits = 0): Promise<Buffer> {
    const k = key()
    await run(k, hll.add('h', items, indexBits, minhashBits))
    return (await client.get(k)).bins.h as Buffer
  }

  t.test('init lays out the registers; describe tells the shape', async (t) => {
    const k = key()
    await run(k, hll.init('h', 10))
    const h = (await client.get(k)).bins.h as Buffer
    t.equal(h.length, 11 + 1024 * 6 / 8, 'an 11-byte header, then 6-bit registers')
    t.same([...h.subarray(0, 3)], [0, 10, 0])
    t.same(await run(k, hll.describe('h')), { h: [10, 0] })
    await run(k, hll.init('h', 8, 4))
    t.equal(((await client.get(k)).bins.h as Buffer).length, 11 + 256 * 10 / 8, 'minhash bits widen each register')
    t.same(await run(k, hll.describe('h')), { h: [8, 4] })
    t.equal(await codeOf(run(k, hll.init('h', 3))), status.ERR_REQUEST_INVALID, 'index bits below 4')
    t.equal(await codeOf(run(k, hll.init('h', 10, 52))), status.ERR_REQUEST_INVALID, 'minhash bits above 51')
    t.equal(await codeOf(run(k, hll.init('h', 10).withPolicy({ writeFlags: wf.CREATE_ONLY }))), status.ERR_BIN_EXISTS)
    await run(k, hll.init('h', 10).withPolicy({ writeFlags: wf.CREATE_ONLY | wf.NO_FAIL }))
    t.same(await run(k, hll.describe('h')), { h: [8, 4] }, 'NO_FAIL leaves it')
    t.equal(await codeOf(run(key(), hll.init('h', 10).withPolicy({ writeFlags: wf.UPDATE_ONLY }))), status.ERR_BIN_NOT_FOUND)
  })

  t.test('add counts the registers it raised; counts track the distinct elements', async (t) => {
    const k = key()
    const added = (await run(k, hll.add('h', words('a', 200), 12))).h as number
    t.ok(added > 190 && added <= 200, `a fresh sketch takes nearly every element (${added})`)
    t.same(await run(k, hll.add('h', words('a', 200))), { h: 0 }, 'the same elements again raise nothing')
    for (const size of [10, 1000, 5000]) {
      const s = key()
      await run(s, hll.add('h', words(`s${size}-`, size), 14))
      const count = (await run(s, hll.getCount('h'))).h as number
      t.ok(Math.abs(count - size) <= size * 0.03 + 1, `${size} distinct elements count as ${count}`)
    }
    t.equal(await codeOf(run(key(), hll.add('h', ['x']))), status.ERR_OP_NOT_APPLICABLE, 'a missing bin needs index bits')
    t.equal(await codeOf(run(k, hll.add('h', ['x'], 12).withPolicy({ writeFlags: wf.CREATE_ONLY }))), status.ERR_BIN_EXISTS)
  })

  t.test('refreshCount caches the count in the header', async (t) => {
    const k = key()
    await run(k, hll.add('h', words('r', 50), 10))
    const { h: count } = await run(k, hll.refreshCount('h'))
    const h = (await client.get(k)).bins.h as Buffer
    t.equal(Number(h.readBigUInt64LE(3)), count, 'the little-endian cache holds it')
    t.same(await run(k, hll.getCount('h')), { h: count })
    await run(k, hll.add('h', words('more', 10)))
    t.equal(((await client.get(k)).bins.h as Buffer).readBigUInt64LE(3), 0n, 'a raised register clears it')
  })

  t.test('fold halves the registers; not with minhash bits, not upward', async (t) => {
    const k = key()
    await run(k, hll.add('h', words('f', 300), 12))
    const before = (await run(k, hll.getCount('h'))).h as number
    await run(k, hll.fold('h', 8))
    t.same(await run(k, hll.describe('h')), { h: [8, 0] })
    const after = (await run(k, hll.getCount('h'))).h as number
    t.ok(Math.abs(after - before) < 40, `the count survives folding (${before} then ${after})`)
    t.equal(await codeOf(run(k, hll.fold('h', 10))), status.ERR_OP_NOT_APPLICABLE)
    const m = key()
    await run(m, hll.init('h', 10, 4))
    t.equal(await codeOf(run(m, hll.fold('h', 8))), status.ERR_OP_NOT_APPLICABLE)
  })

  t.test('unions, intersections and similarity', async (t) => {
    const a = await sketchOf([...words('common', 500), ...words('onlyA', 500)], 12)
    const b = await sketchOf([...words('common', 500), ...words('onlyB', 500)], 12)
    const k = key()
    await client.put(k, { x: 1 })
    await run(k, hll.setUnion('h', [a, b]))
    const union = (await run(k, hll.getCount('h'))).h as number
    t.ok(Math.abs(union - 1500) < 75, `setUnion counts the union (${union})`)
    const c = key()
    await run(c, hll.add('h', words('common', 500), 12))
    t.ok(Math.abs(((await run(c, hll.getUnionCount('h', [a, b]))).h as number) - 1500) < 75)
    const inter = (await run(c, hll.getIntersectCount('h', [a]))).h as number
    t.ok(Math.abs(inter - 500) < 100, `intersection without minhash (${inter})`)
    const sim = (await run(c, hll.getSimilarity('h', [a]))).h as number
    t.ok(sim > 0.35 && sim < 0.65, `similarity (${sim})`)
    const got = (await run(c, hll.getUnion('h', [a]))).h as Buffer
    t.same([...got.subarray(0, 3)], [0, 12, 0], 'getUnion answers an HLL')
    t.equal(await codeOf(run(c, hll.setUnion('h', [await sketchOf(['z'], 10)]))), status.ERR_OP_NOT_APPLICABLE,
      'a smaller sketch does not fit without ALLOW_FOLD')
    await run(c, hll.setUnion('h', [await sketchOf(['z'], 10)]).withPolicy({ writeFlags: wf.ALLOW_FOLD }))
    t.same(await run(c, hll.describe('h')), { h: [10, 0] }, 'ALLOW_FOLD folds to the smaller')
  })

  t.test('minhash sketches estimate intersections from the minhash bits', async (t) => {
    const a = await sketchOf([...words('m', 400), ...words('ma', 400)], 10, 8)
    const k = key()
    await run(k, hll.add('h', [...words('m', 400), ...words('mb', 400)], 10, 8))
    const inter = (await run(k, hll.getIntersectCount('h', [a]))).h as number
    t.ok(Math.abs(inter - 400) < 100, `intersection with minhash (${inter})`)
    const sim = (await run(k, hll.getSimilarity('h', [a]))).h as number
    t.ok(sim > 0.2 && sim < 0.45, `similarity with minhash (${sim})`)
  })

  t.test('type errors and what the client reads back', async (t) => {
    const k = key()
    await client.put(k, { i: 1, b: Buffer.from([1, 2]) })
    t.equal(await codeOf(run(k, hll.getCount('i'))), status.ERR_BIN_INCOMPATIBLE_TYPE)
    t.equal(await codeOf(run(k, hll.add('i', ['x'], 10))), status.ERR_BIN_INCOMPATIBLE_TYPE)
    t.same(await run(k, hll.getCount('missing')), { missing: null }, 'a read of a missing bin answers nil')
    await run(k, hll.add('h', ['a', 'b'], 10))
    const h = (await client.get(k)).bins.h as Buffer
    await client.put(k, { copy: h })
    t.equal(await codeOf(run(k, hll.getCount('copy'))), status.ERR_BIN_INCOMPATIBLE_TYPE,
      'the client reads an HLL as a Buffer, and writes it back as a blob')
  })
})
