import t from 'tap'
import Aerospike from 'aerospike'
import { withEmbedded, codeOf } from '../helpers/embedded'
import { name, raw, Raw } from '../helpers/raw-exp'

const { Key, bitwise, status } = Aerospike
const expOps = Aerospike.exp.operations
const { writeFlags: wf, resizeFlags: rf, overflow } = bitwise
const BLOB = 6
const CALL_BITS = 1
const MODIFY_LOCAL = 0x40

t.test('bit operations through the real client', async (t) => {
  const { client } = await withEmbedded(t)
  let n = 0
  const key = (): InstanceType<typeof Key> => new Key('test', 'ex_bits', `k${n++}`)

  async function withBlob (bytes: number[]): Promise<InstanceType<typeof Key>> {
    const k = key()
    await client.put(k, { b: Buffer.from(bytes), i: 5 })
    return k
  }

  async function blob (k: InstanceType<typeof Key>): Promise<string> {
    return ((await client.get(k)).bins.b as Buffer).toString('hex')
  }

  async function run (k: InstanceType<typeof Key>, ...ops: unknown[]): Promise<Record<string, unknown>> {
    return (await client.operate(k, ops as Parameters<typeof client.operate>[1])).bins
  }

  // Opcodes the client cannot send (count, set_int, a true lscan) go through
  // an expression call on the bin.
  async function readVia (k: InstanceType<typeof Key>, opArgs: Raw[]): Promise<unknown> {
    return (await run(k, expOps.read('r', raw([127, 2, CALL_BITS, opArgs, [81, BLOB, name('b')]]), 0))).r
  }

  t.test('resize grows and shrinks, from either end, with its flags', async (t) => {
    const k = await withBlob([0x01, 0x02])
    await run(k, bitwise.resize('b', 4))
    t.equal(await blob(k), '01020000')
    await run(k, bitwise.resize('b', 3, rf.FROM_FRONT))
    t.equal(await blob(k), '020000')
    t.equal(await codeOf(run(k, bitwise.resize('b', 1, rf.GROW_ONLY))), status.ERR_REQUEST_INVALID)
    await run(k, bitwise.resize('b', 1, rf.GROW_ONLY).withPolicy({ writeFlags: wf.NO_FAIL }))
    t.equal(await blob(k), '020000', 'NO_FAIL makes the refused shrink a no-op')
    await run(k, bitwise.resize('n', 2))
    t.equal(((await client.get(k)).bins.n as Buffer).toString('hex'), '0000', 'resize creates a missing bin')
    t.equal(await codeOf(run(k, bitwise.resize('b', 8).withPolicy({ writeFlags: wf.CREATE_ONLY }))), status.ERR_BIN_EXISTS)
    t.equal(await codeOf(run(k, bitwise.resize('x', 8).withPolicy({ writeFlags: wf.UPDATE_ONLY }))), status.ERR_BIN_NOT_FOUND)
  })

  t.test('insert and remove bytes', async (t) => {
    const k = await withBlob([0x01, 0x02, 0x03])
    await run(k, bitwise.insert('b', 1, Buffer.from([0xaa, 0xbb])))
    t.equal(await blob(k), '01aabb0203')
    await run(k, bitwise.remove('b', 0, 2))
    t.equal(await blob(k), 'bb0203')
    t.equal(await codeOf(run(k, bitwise.remove('b', 2, 5))), status.ERR_REQUEST_INVALID, 'past the end without PARTIAL')
    await run(k, bitwise.remove('b', 2, 5).withPolicy({ writeFlags: wf.PARTIAL }))
    t.equal(await blob(k), 'bb02')
  })

  t.test('set, or, xor, and, not at bit offsets that straddle bytes', async (t) => {
    const k = await withBlob([0x00, 0x00, 0xff])
    await run(k, bitwise.set('b', 4, 8, Buffer.from([0xab])))
    t.equal(await blob(k), '0ab0ff')
    await run(k, bitwise.or('b', 0, 4, Buffer.from([0xf0])))
    t.equal(await blob(k), 'fab0ff')
    await run(k, bitwise.xor('b', 8, 8, Buffer.from([0xff])))
    t.equal(await blob(k), 'fa4fff')
    await run(k, bitwise.and('b', 16, 4, Buffer.from([0x00])))
    t.equal(await blob(k), 'fa4f0f')
    await run(k, bitwise.not('b', -4, 4))
    t.equal(await blob(k), 'fa4f00', 'a negative offset counts from the end')
    t.equal(await codeOf(run(k, bitwise.set('b', 20, 8, Buffer.from([0xff])))), status.ERR_OP_NOT_APPLICABLE)
    await run(k, bitwise.set('b', 20, 8, Buffer.from([0xff])).withPolicy({ writeFlags: wf.PARTIAL }))
    t.equal(await blob(k), 'fa4f0f', 'PARTIAL applies up to the end')
    t.equal(await codeOf(run(k, bitwise.not('x', 0, 1))), status.ERR_BIN_NOT_FOUND)
    t.equal(await codeOf(run(k, bitwise.not('i', 0, 1))), status.ERR_BIN_INCOMPATIBLE_TYPE)
  })

  t.test('shifts stay inside their range', async (t) => {
    const k = await withBlob([0x81, 0xff])
    await run(k, bitwise.lshift('b', 0, 8, 1))
    t.equal(await blob(k), '02ff')
    await run(k, bitwise.rshift('b', 8, 8, 3))
    t.equal(await blob(k), '021f')
    await run(k, bitwise.lshift('b', 4, 8, 20))
    t.equal(await blob(k), '000f', 'a shift past the range clears it')
  })

  t.test('add and subtract with overflow actions', async (t) => {
    const k = await withBlob([0xfe, 0x00])
    await run(k, bitwise.add('b', 0, 8, 1, false))
    t.equal(await blob(k), 'ff00')
    t.equal(await codeOf(run(k, bitwise.add('b', 0, 8, 1, false))), status.ERR_OP_NOT_APPLICABLE, 'overflow FAIL')
    await run(k, bitwise.add('b', 0, 8, 1, false).onOverflow(overflow.WRAP))
    t.equal(await blob(k), '0000')
    await run(k, bitwise.subtract('b', 0, 8, 1, false).onOverflow(overflow.SATURATE))
    t.equal(await blob(k), '0000', 'unsigned underflow saturates at 0')
    await run(k, bitwise.add('b', 4, 8, 0x7f, true))
    t.equal(await blob(k), '07f0')
    t.equal(await codeOf(run(k, bitwise.add('b', 4, 8, 1, true))), status.ERR_OP_NOT_APPLICABLE, 'signed overflow')
    await run(k, bitwise.add('b', 4, 8, 1, true).onOverflow(overflow.SATURATE))
    t.equal(await blob(k), '07f0', 'signed saturate at the maximum')
    await run(k, bitwise.subtract('b', 0, 16, 0x87f0, true).onOverflow(overflow.SATURATE))
    t.equal(await blob(k), '7fff', 'subtracting a negative saturates at the maximum')
  })

  t.test('reads: get, getInt, scans and count', async (t) => {
    const k = await withBlob([0x0f, 0xf0, 0x81])
    t.same(await run(k, bitwise.get('b', 4, 8)), { b: Buffer.from([0xff]) })
    t.same(await run(k, bitwise.get('b', 2, 3)), { b: Buffer.from([0x20]) })
    t.same(await run(k, bitwise.getInt('b', 4, 8, true)), { b: -1 })
    t.same(await run(k, bitwise.getInt('b', 12, 12, false)), { b: 0x081 })
    t.same(await run(k, bitwise.rscan('b', 0, 16, true)), { b: 11 })
    t.same(await run(k, bitwise.rscan('b', 6, 2, false)), { b: -3 }, 'the server scans back into the first byte')
    t.equal(await codeOf(run(k, bitwise.get('b', 20, 8))), status.ERR_OP_NOT_APPLICABLE, 'past the end')
    t.equal(await readVia(k, [52, 0, 24, true]), 4, 'lscan')
    t.equal(await readVia(k, [52, 8, 4, false]), -1, 'lscan not found')
    t.equal(await readVia(k, [51, 0, 24]), 10, 'count')
    t.equal(await readVia(k, [51, 3, 10]), 8, 'count within bytes')
  })

  t.test('set_int through an expression write', async (t) => {
    const k = await withBlob([0x00, 0x00])
    const setInt = raw([127, BLOB, CALL_BITS | MODIFY_LOCAL, [12, 4, 8, 0x1ab], [81, BLOB, name('b')]])
    await run(k, expOps.write('b', setInt, 0))
    t.equal(await blob(k), '0ab0', 'the value is cut to the size')
  })
})
