// One fixed run of HLL, bit and expression operations whose answers were
// recorded from a real Aerospike CE 7.2.0.17 server
// (test/fixtures/differential/hll-bits-exp.json, written by
// test/fixtures/differential/record.ts); the embedded server must answer the
// same, value for value.

import Aerospike from 'aerospike'

const { Key, hll, bitwise, exp } = Aerospike
type C = Awaited<ReturnType<typeof Aerospike.connect>>
// The typings call it _var; the module exports var.
const expVar = (exp as unknown as { var: (name: string) => ReturnType<typeof exp.int> }).var

/** Runs every check against one server and returns what it answered, in order. */
export async function differentialScenario (client: C): Promise<unknown[]> {
  const out: unknown[] = []
  const run = async (k: InstanceType<typeof Key>, ...ops: unknown[]): Promise<unknown> => {
    try { return (await client.operate(k, ops as Parameters<C['operate']>[1])).bins } catch (e) { return { err: (e as { code: number }).code } }
  }
  let n = 0
  // Each check starts from no record, whatever an earlier run left.
  const key = async (): Promise<InstanceType<typeof Key>> => {
    const k = new Key('test', 'ex_diff', `d${n++}`)
    await client.remove(k).catch(() => undefined)
    return k
  }
  for (const ib of [4, 8, 12, 16]) {
    for (const mh of [0, 6]) {
      for (const size of [1, 7, 100, 1000, 3000]) {
        const k = await key()
        const els = Array.from({ length: size }, (_, i) => (i % 3 === 0 ? i * 31 : `e${ib}-${size}-${i}`))
        out.push(['add', ib, mh, size, await run(k, hll.add('h', els, ib, mh))])
        out.push(['count', ib, mh, size, await run(k, hll.getCount('h'))])
        const k2 = await key()
        const els2 = Array.from({ length: size }, (_, i) => `e${ib}-${size}-${i + Math.floor(size / 2)}`)
        await run(k2, hll.add('h', els2, ib, mh))
        const other = ((await client.get(k2)).bins.h) as Buffer
        out.push(['union', ib, mh, size, await run(k, hll.getUnionCount('h', [other]))])
        out.push(['inter', ib, mh, size, await run(k, hll.getIntersectCount('h', [other]))])
        out.push(['sim', ib, mh, size, await run(k, hll.getSimilarity('h', [other]))])
        out.push(['refresh', ib, mh, size, await run(k, hll.refreshCount('h'))])
        out.push(['bytes', ib, mh, size, ((await client.get(k)).bins.h as Buffer).toString('hex').length])
        const u = (await run(k, hll.getUnion('h', [other]))) as { h: Buffer }
        out.push(['getunion', ib, mh, size, u.h?.toString('base64').slice(0, 200)])
      }
    }
  }
  const b = await key()
  await client.put(b, { b: Buffer.from([0x0f, 0xf0, 0x81, 0x3c]) })
  for (const [off, size] of [[0, 1], [3, 5], [7, 9], [-5, 5], [30, 2], [12, 20]]) {
    out.push(['bget', off, size, await run(b, bitwise.get('b', off, size))])
    out.push(['bgetint', off, size, await run(b, bitwise.getInt('b', off, Math.min(size, 64), true))])
    out.push(['brscan1', off, size, await run(b, bitwise.rscan('b', off, size, true))])
    out.push(['brscan0', off, size, await run(b, bitwise.rscan('b', off, size, false))])
  }
  out.push(['bset-partial', await run(b, bitwise.set('b', 28, 16, Buffer.from([0xff, 0x01])).withPolicy({ writeFlags: bitwise.writeFlags.PARTIAL })), (await client.get(b)).bins.b])
  out.push(['blshift', await run(b, bitwise.lshift('b', 3, 20, 5)), (await client.get(b)).bins.b])
  out.push(['brshift', await run(b, bitwise.rshift('b', 5, 17, 3)), (await client.get(b)).bins.b])
  out.push(['bsub', await run(b, bitwise.subtract('b', 4, 12, 5000, true).onOverflow(bitwise.overflow.SATURATE)), (await client.get(b)).bins.b])
  const e = await key()
  await client.put(e, { i: 10, s: 'abc', l: [3, 1, 2], m: { b: 1, a: 2 } })
  const ex = async (x: unknown): Promise<unknown> => run(e, exp.operations.read('r', x as Parameters<typeof exp.operations.read>[1], 0))
  out.push(['eq map', await ex(exp.eq(exp.binMap('m'), exp.map({ a: 2, b: 1 })))])
  out.push(['cmp list', await ex(exp.lt(exp.binList('l'), exp.list([3, 1, 3])))])
  out.push(['regex', await ex(exp.cmpRegex(0, 'a\\(b\\)c', exp.binStr('s')))])
  out.push(['regex bad', await ex(exp.cmpRegex(1, 'a(b', exp.binStr('s')))])
  out.push(['size', await ex(exp.recordSize())])
  out.push(['cond types', await ex(exp.cond(exp.eq(exp.binInt('i'), exp.int(1)), exp.int(1), exp.str('x')))])
  out.push(['let nested', await ex(exp.let(exp.def('a', exp.int(2)), exp.let(exp.def('b', exp.int(3)), exp.mul(expVar('a'), expVar('b')))))])
  out.push(['div float 0', await ex(exp.div(exp.float(1), exp.float(0)))])
  const texts = ['abc', 'a+c', 'A.C', 'x{2}y', 'xxy', 'a|b', 'line1\nline2', '(ab)', 'a\\b', 'tab\there', '']
  const patterns: Array<[number, string]> = [
    [0, 'a+c'], [1, 'a+c'], [0, 'a\\+c'], [0, '^a.c$'], [2, '^a.c$'], [1, 'x{2}y'], [0, 'x{2}y'], [0, 'x\\{2\\}y'],
    [1, 'a|b'], [0, 'a|b'], [0, 'a\\|b'], [1, '^line2'], [9, '^line2'], [1, 'line1.line2'], [9, 'line1.line2'],
    [1, '\\(ab\\)'], [0, '\\(ab\\)'], [1, '[[:upper:]]'], [1, '[^[:alnum:]]'], [1, '[]a]'], [1, '\\\\'],
    [0, '*a'], [1, '[[:space:]]'], [1, '^$'], [1, '\\bab'], [1, 'a{,2}']
  ]
  for (const text of texts) {
    const r = await key()
    await client.put(r, { s: text })
    const row: unknown[] = []
    for (const [flags, pattern] of patterns) {
      row.push(await run(r, exp.operations.read('r', exp.cmpRegex(flags, pattern, exp.binStr('s')), 0)))
    }
    out.push(['regex', text, row])
  }
  const g = await key()
  await client.put(g, { p: new Aerospike.GeoJSON({ type: 'Point', coordinates: [10, 10] }) })
  const regions = [
    { type: 'Polygon', coordinates: [[[0, 0], [20, 0], [20, 20], [0, 20], [0, 0]]] },
    { type: 'Polygon', coordinates: [[[0, 0], [20, 0], [20, 20], [0, 20], [0, 0]], [[5, 5], [15, 5], [15, 15], [5, 15], [5, 5]]] },
    { type: 'AeroCircle', coordinates: [[10.01, 10], 2000] },
    { type: 'AeroCircle', coordinates: [[10.05, 10], 2000] },
    { type: 'Point', coordinates: [10, 10] }
  ]
  for (const region of regions) {
    const geo = exp.geo(new Aerospike.GeoJSON(region))
    out.push(['geo', region.type, await run(g, exp.operations.read('r', exp.cmpGeo(exp.binGeo('p'), geo), 0)),
      await run(g, exp.operations.read('r', exp.cmpGeo(geo, exp.binGeo('p')), 0))])
  }
  return out
}

