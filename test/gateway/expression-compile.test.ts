// The JSON expression form against the client's own `exp` builders: random
// expressions of every family, each built twice (the JSON form compiled by the
// gateway; the same expression built directly with Aerospike.exp) must give
// the same entries. No server needed. Plus the errors, each naming its node.

import Aerospike from 'aerospike'
import t from 'tap'
import { compileExpression, toClientExpression } from '../../src/expressions'

const e = Aerospike.exp
const OPTIONS = { source: 'json' as const, maxDepth: 32 }
const LRT = Aerospike.lists.returnType
const MRT = Aerospike.maps.returnType

// The client 6.7.1's builders that nest their operands (pow, mod, abs...)
// are flattened here by hand: the layout the C client documents.
const flat = (x: unknown): any => (x as unknown[]).flat()

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random (seed: number): () => number {
  let a = seed
  return () => {
    a |= 0; a = a + 0x6D2B79F5 | 0
    let r = Math.imul(a ^ a >>> 15, 1 | a)
    r = r + Math.imul(r ^ r >>> 7, 61 | r) ^ r
    return ((r ^ r >>> 14) >>> 0) / 4294967296
  }
}

type Pair = [json: unknown, direct: any]
type Gen = (depth: number) => Pair

function generators (rnd: () => number): { bool: Gen, int: Gen, float: Gen, str: Gen } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]
  const name = (): string => pick(['a', 'b', 'age', 'n', 'score'])
  const leafInt = (): Pair => pick<() => Pair>([
    () => { const v = Math.floor(rnd() * 2000) - 1000; return [v, e.int(v)] },
    () => { const n = name(); return [{ bin: n, type: 'int' }, e.binInt(n)] },
    () => [{ ttl: [] }, e.ttl()],
    () => [{ voidTime: [] }, e.voidTime()],
    () => [{ lastUpdate: [] }, e.lastUpdate()],
    () => [{ sinceUpdate: [] }, e.sinceUpdate()],
    () => [{ recordSize: [] }, e.recordSize()],
    () => [{ deviceSize: [] }, e.deviceSize()],
    () => { const n = name(); return [{ binType: n }, e.binType(n)] },
    () => [{ key: 'int' }, e.keyInt()],
    () => { const d = 1 + Math.floor(rnd() * 9); return [{ digestModulo: d }, [{ ...e.digestModulo()[0], count: 2 }, ...e.int(d)]] },
    () => [{ listSize: { bin: 'l' } }, e.lists.size(e.binList('l'))],
    () => [{ mapSize: { bin: 'm' } }, e.maps.size(e.binMap('m'))],
    () => [{ listGetByIndex: { bin: 'l', index: 0, valueType: 'int', returnType: 'VALUE' } }, e.lists.getByIndex(e.binList('l'), e.int(0), e.type.INT, LRT.VALUE)],
    () => [{ mapGetByKey: { bin: 'm', key: 'k', valueType: 'int', returnType: 'VALUE' } }, e.maps.getByKey(e.binMap('m'), e.str('k'), e.type.INT, MRT.VALUE)],
    () => [{ listGetByValueRange: { bin: 'l', begin: 1, end: 5, returnType: 'COUNT' } }, e.lists.getByValueRange(e.binList('l'), e.int(1), e.int(5), LRT.COUNT)],
    () => [{ mapGetByKeyRange: { bin: 'm', begin: 'a', returnType: 'COUNT' } }, e.maps.getByKeyRange(e.binMap('m'), e.inf(), e.str('a'), MRT.COUNT)],
    () => [{ bitCount: { bin: 'f', bitOffset: 0, bitSize: 8 } }, e.bit.count(e.binBlob('f'), e.int(8), e.int(0))],
    () => [{ bitGetInt: { bin: 'f', bitOffset: 4, bitSize: 4, signed: true } }, e.bit.getInt(e.binBlob('f'), true, e.int(4), e.int(4))],
    () => [{ bitLscan: { bin: 'f', bitOffset: 0, bitSize: 16, value: true } }, e.bit.lScan(e.binBlob('f'), e.bool(true), e.int(16), e.int(0))],
    () => [{ hllCount: { bin: 'h' } }, e.hll.getCount(e.binHll('h'))],
    () => [{ var: 'x' }, (e as any).var('x')]
  ])()
  const leafFloat = (): Pair => pick<() => Pair>([
    () => { const v = Math.floor(rnd() * 1000) + 0.25; return [v, e.float(v)] },
    () => { const n = name(); return [{ bin: n, type: 'float' }, e.binFloat(n)] },
    () => [{ hllSimilarity: { bin: 'h', values: [] } }, e.hll.getSimilarity(e.binHll('h'), e.list([]))]
  ])()
  const str: Gen = () => pick<() => Pair>([
    () => { const v = pick(['x', 'active', 'é', '']); return [v, e.str(v)] },
    () => { const n = name(); return [{ bin: n, type: 'str' }, e.binStr(n)] },
    () => [{ setName: [] }, e.setName()],
    () => [{ key: 'str' }, e.keyStr()]
  ])()
  const int: Gen = (d) => d <= 0 ? leafInt() : pick<() => Pair>([
    leafInt,
    () => { const [a, x] = int(d - 1); const [b, y] = int(d - 1); const op = pick(['+', '-', '*', '/', 'min', 'max'] as const); return [{ [op]: [a, b] }, ({ '+': e.add, '-': e.sub, '*': e.mul, '/': e.div, min: e.min, max: e.max } as any)[op](x, y)] },
    () => { const [a, x] = int(d - 1); const [b, y] = int(d - 1); return [{ mod: [a, b] }, flat(e.mod(x, y))] },
    () => { const [a, x] = int(d - 1); return [{ abs: a }, flat(e.abs(x))] },
    () => { const [a, x] = float(d - 1); return [{ toInt: [a] }, flat(e.toInt(x))] },
    () => { const [a, x] = int(d - 1); const [b, y] = int(d - 1); const op = pick(['intAnd', 'intOr', 'intXor'] as const); return [{ [op]: [a, b] }, (e as any)[op](x, y)] },
    () => { const [a, x] = int(d - 1); return [{ intNot: [a] }, flat(e.intNot(x))] },
    () => { const [a, x] = int(d - 1); const [b, y] = int(d - 1); const op = pick(['intLshift', 'intRshift', 'intArshift'] as const); return [{ [op]: [a, b] }, flat((e as any)[op](x, y))] },
    () => { const [a, x] = int(d - 1); return [{ intCount: a }, flat(e.intCount(x))] },
    () => { const [a, x] = int(d - 1); const [b, y] = bool(d - 1); return [{ intLscan: [a, b] }, flat(e.intLscan(x, y))] },
    () => { const [c, x] = bool(d - 1); const [a, y] = int(d - 1); const [b, z] = int(d - 1); return [{ cond: [c, a, b] }, e.cond(x, y, z)] },
    () => { const [a, x] = int(d - 1); const [b, y] = int(d - 1); return [{ let: { x: a }, in: { '+': [{ var: 'x' }, b] } }, e.let(e.def('x', x), e.add((e as any).var('x'), y))] }
  ])()
  const float: Gen = (d) => d <= 0 ? leafFloat() : pick<() => Pair>([
    leafFloat,
    () => { const [a, x] = float(d - 1); const [b, y] = float(d - 1); return [{ pow: [a, b] }, flat(e.pow(x, y))] },
    () => { const [a, x] = float(d - 1); const [b, y] = float(d - 1); return [{ log: [a, b] }, flat(e.log(x, y))] },
    () => { const [a, x] = float(d - 1); return [{ floor: a }, flat(e.floor(x))] },
    () => { const [a, x] = float(d - 1); return [{ ceil: [a] }, flat(e.ceil(x))] },
    () => { const [a, x] = int(d - 1); return [{ toFloat: a }, flat(e.toFloat(x))] },
    () => { const [a, x] = float(d - 1); const [b, y] = float(d - 1); return [{ '+': [a, b] }, e.add(x, y)] }
  ])()
  const cmp = (d: number, g: Gen): Pair => {
    const [a, x] = g(d - 1)
    const [b, y] = g(d - 1)
    const op = pick(['==', '!=', '>', '>=', '<', '<='] as const)
    const direct = ({ '==': e.eq, '!=': e.ne, '>': e.gt, '>=': e.ge, '<': e.lt, '<=': e.le } as any)[op](x, y)
    return [{ [op]: [a, b] }, direct]
  }
  const bool: Gen = (d) => d <= 0
    ? pick<() => Pair>([
      () => { const v = rnd() < 0.5; return [v, e.bool(v)] },
      () => [{ keyExists: [] }, e.keyExist()],
      () => { const n = name(); return [{ binExists: n }, e.binExists(n)] },
      () => { const n = name(); return [{ bin: n, type: 'bool' }, e.binBool(n)] }
    ])()
    : pick<() => Pair>([
      () => cmp(d, int),
      () => cmp(d, float),
      () => cmp(d, str),
      () => { const ps = [bool(d - 1), bool(d - 1), bool(d - 1)]; const op = pick(['and', 'or'] as const); return [{ [op]: ps.map((p) => p[0]) }, e[op](...ps.map((p) => p[1]))] },
      () => { const [a, x] = bool(d - 1); return [{ not: a }, e.not(x)] },
      () => { const [a, x] = bool(d - 1); const [b, y] = bool(d - 1); return [{ xor: [a, b] }, e.exclusive(x, y)] },
      () => { const [a, x] = str(d - 1); return [{ regex: [a, '^a.*'], flags: ['ICASE'] }, e.cmpRegex(Aerospike.regex.ICASE, '^a.*', x)] }
    ])()
  return { bool, int, float, str }
}

t.test('property: the JSON form compiles to what the client\'s exp builders build', async (t) => {
  for (let seed = 1; seed <= 400; seed++) {
    const g = generators(random(seed))
    const [json, direct] = g.bool(1 + (seed % 4))
    const compiled = compileExpression(JSON.parse(JSON.stringify(json)), 'filterexp', OPTIONS)
    if (JSON.stringify(compiled.exp) !== JSON.stringify(direct)) {
      t.fail(`seed ${seed}: ${JSON.stringify(json)}`, { found: compiled.exp, wanted: direct })
      return
    }
    t.equal(compiled.type, 'bool')
  }
})

t.test('the issue\'s example, with a bin typed from its comparison', async (t) => {
  const json = { and: [{ '>': [{ bin: 'age', type: 'int' }, 18] }, { '==': [{ bin: 'status' }, 'active'] }] }
  t.same(toClientExpression(json, 'f', OPTIONS), e.and(e.gt(e.binInt('age'), e.int(18)), e.eq(e.binStr('status'), e.str('active'))))
  t.same(toClientExpression(JSON.stringify(json), 'f', OPTIONS), e.and(e.gt(e.binInt('age'), e.int(18)), e.eq(e.binStr('status'), e.str('active'))), 'JSON text, as in a query parameter')
  t.same(toClientExpression({ '>': [{ '+': [{ bin: 'a' }, 1.5] }, { bin: 'b' }] }, 'f', OPTIONS), e.gt(e.add(e.binFloat('a'), e.float(1.5)), e.binFloat('b')), 'through arithmetic')
  t.same(toClientExpression({ '==': [{ bin: 'tags' }, ['a', 1]] }, 'f', OPTIONS), e.eq(e.binList('tags'), e.list(['a', 1])), 'a list literal')
  t.same(toClientExpression({ '==': [{ bin: 'raw' }, { type: 'BYTE_ARRAY', value: 'AQI=' }] }, 'f', OPTIONS), e.eq(e.binBlob('raw'), e.bytes(Buffer.from([1, 2]), 2)), 'bytes')
})

t.test('the workarounds of client 6.7.1\'s expression defects', async (t) => {
  t.ok((e.pow(e.float(2), e.float(3)) as unknown as unknown[]).some((x) => Array.isArray(x)), 'sanity: the client nests its operands')
  const pow = toClientExpression({ pow: [2.5, 3.5] }, 'f', OPTIONS) as unknown as any[]
  t.equal(pow.length, 3, 'pow: operands flattened')
  t.ok(pow.every((x) => !Array.isArray(x)))
  t.equal(pow[0].count, 3)
  const mod = toClientExpression({ digestModulo: 3 }, 'f', OPTIONS) as unknown as any[]
  t.same(mod, [{ op: (e.digestModulo() as any)[0].op, count: 2 }, ...e.int(3)], 'digestModulo carries its divisor')
})

t.test('base64 expression bytes are checked before the client sees them', async (t) => {
  const packed = Buffer.from([0x93, 0x01, 0x81, 0xa1, 0x61, 0x02, 0xc3]) // [1, {"a": 2}, true]
  t.equal(toClientExpression(packed.toString('base64'), 'f', OPTIONS), packed.toString('base64'))
  t.equal(toClientExpression(packed.toString('base64url'), 'f', OPTIONS), packed.toString('base64'), 'URL-safe, unpadded: standard padded to the client')
  for (const [bytes, why] of [
    [Buffer.from([0x93, 0x01]), 'truncated'],
    [Buffer.from([0xc1]), 'starts no'],
    [Buffer.from([0x01, 0x02]), 'after the expression'],
    [Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), 'truncated'],
    [Buffer.from(Array(70).fill(0x91).concat([0x01])), 'nested deeper']
  ] as const) {
    t.throws(() => toClientExpression(bytes.toString('base64'), 'filterexp', OPTIONS), { statusCode: 400, message: new RegExp(`^filterexp: .*${why}`) }, why)
  }
  t.throws(() => toClientExpression('not base64!', 'filterexp', OPTIONS), { message: /^filterexp: neither a JSON expression nor base64/ })
  t.throws(() => toClientExpression(Buffer.from('age > 18 and x = 1').toString('base64url'), 'filterexp', OPTIONS), { message: /^filterexp: base64 of text: the official gateway's text filters/ })
  t.throws(() => toClientExpression('', 'filterexp', OPTIONS), { message: /^filterexp: neither/ })
})

t.test('errors name the offending node', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [{ and: [{ '>': [{ bin: 'age' }, { bin: 'x' }] }] }, /^filterexp\.and\[0\]\[">"\]\[0\]: a bin without "type"/],
    [{ and: [{ '>': [{ bin: 'age', type: 'int' }, 'x'] }] }, /^filterexp\.and\[0\]\[">"\]\[1\]: is str but the other operands are int/],
    [{ or: [true, { nope: 1 }] }, /^filterexp\.or\[1\]: unknown operator "nope"/],
    [{ not: [1] }, /^filterexp\.not\[0\]: must be bool, got int/],
    [{ '==': [1] }, /^filterexp\["=="\]: takes 2 operands, got 1/],
    [{ cond: [true, 1, 'a'] }, /^filterexp\.cond\[2\]: is str/],
    [{ cond: [true, 1] }, /^filterexp\.cond: takes 3 or more|^filterexp\.cond: takes at least 3/],
    [{ '+': [1, 1.5] }, /^filterexp\["\+"\]\[1\]: is float but the other operands are int; convert with toInt or toFloat/],
    [{ bin: 'a', type: 'thing' }, /^filterexp\.type: must be one of int/],
    [{ bin: 'a'.repeat(16), type: 'int' }, /^filterexp\.bin/],
    [{ let: { x: 1 } }, /^filterexp: "let" needs "in"/],
    [{ var: '1x' }, /^filterexp\.var: a variable name/],
    [{ listGetByIndex: { bin: 'l', index: 0, returnType: 'VALUE' } }, /^filterexp\.listGetByIndex: listGetByIndex with returnType VALUE needs "valueType"/],
    [{ listGetByIndex: { bin: 'l', index: 'x', returnType: 'COUNT' } }, /^filterexp\.listGetByIndex\.index: must be int, got str/],
    [{ mapGetByKey: { bin: 'm', key: 'k', returnType: 'NOPE' } }, /^filterexp\.mapGetByKey\.returnType: must be one of/],
    [{ listSize: { bin: 'l', ctx: [{ type: 'listIndex', index: 'x' }] } }, /^filterexp\.listSize\.ctx\[0\]\.index/],
    [{ bitCount: { bin: 'f', bitOffset: 0 } }, /^filterexp\.bitCount: bitCount needs "bitSize"/],
    [{ hllUnion: { bin: 'h', values: 1 } }, /^filterexp\.hllUnion\.values: a list of HLL values/],
    [{ digestModulo: 0 }, /^filterexp\.digestModulo\[0\]: the divisor/],
    [{ ttl: [1] }, /^filterexp\.ttl: takes no operands/],
    [{ regex: [{ bin: 's' }, 'a'], flags: ['NOPE'] }, /^filterexp\.flags\[0\]: must be one of/],
    [{ '>': [1, 2], '<': [1, 2] }, /^filterexp: one operator per node/]
  ]
  for (const [json, message] of cases) {
    t.throws(() => toClientExpression(json, 'filterexp', OPTIONS), { statusCode: 400, message }, JSON.stringify(json))
  }
})
