import t from 'tap'
import Aerospike, { Client } from 'aerospike'
import Fastify, { FastifyInstance } from 'fastify'
import content, { negotiate } from '../../src/plugins/content'
import {
  decodeMsgpack, decodeRawCdt, DoubleValue, encodeMsgpack, fromClientBins, looksLikeRawCdt, parseJson,
  readRecord, stringifyJson, toClientBins, toClientValue, Value, ValueError
} from '../../src/values'
import { GatewayError, toProblem } from '../../src/errors'
import { withEmbedded } from '../helpers/embedded'
import { canon, canonBins, errorOf, expectedTopLevel, Gen, label } from '../helpers/values'

const { Key, GeoJSON } = Aerospike


// ---------------------------------------------------------------------------
// parseJson

t.test('parseJson: integers are exact int64', async (t) => {
  t.equal(parseJson('0'), 0)
  t.ok(Object.is(parseJson('-0'), 0), '-0 is the integer 0')
  t.equal(parseJson('9007199254740991'), 9007199254740991)
  t.equal(parseJson('-9007199254740991'), -9007199254740991)
  t.equal(parseJson('9007199254740992'), 9007199254740992n, 'beyond the safe range: bigint')
  t.equal(parseJson('9007199254740993'), 9007199254740993n)
  t.equal(parseJson('9223372036854775807'), 9223372036854775807n)
  t.equal(parseJson('-9223372036854775808'), -9223372036854775808n)
  t.equal(parseJson('000000000000000001'.replace(/^0+/, '')), 1)
  for (const text of ['9223372036854775808', '-9223372036854775809', '{"bins":{"a":{"b":[0,1,99999999999999999999]}}}']) {
    const e = errorOf(() => parseJson(text))
    t.equal(e.statusCode, 400)
    t.equal(e.code, 4)
    t.match(e.message, /outside the 64-bit range/)
  }
  t.match(errorOf(() => parseJson('{"bins":{"a":{"b":[0,1,99999999999999999999]}}}')).message, 'bins.a.b[2]', 'the error names the path')
})

t.test('parseJson: a fraction or an exponent makes a double', async (t) => {
  t.same(parseJson('1.0'), new DoubleValue(1))
  t.ok(parseJson('1.0') instanceof DoubleValue)
  t.same(parseJson('1e3'), new DoubleValue(1000))
  t.same(parseJson('1E+2'), new DoubleValue(100))
  t.equal(parseJson('2.5'), 2.5, 'a non-integral double stays a number')
  t.equal(parseJson('-1.5e-7'), -1.5e-7)
  t.equal(parseJson('5e-324'), 5e-324)
  const negz = parseJson('-0.0') as DoubleValue
  t.ok(negz instanceof DoubleValue && Object.is(negz.value, -0), '-0.0 keeps its sign')
  t.same(parseJson('1e-400'), new DoubleValue(0), 'underflow rounds to 0.0')
  t.same(parseJson('1.7976931348623157e308'), new DoubleValue(1.7976931348623157e308))
  t.match(errorOf(() => parseJson('[1e400]')).message, /\[0\]: number 1e400 is outside the range of a double/)
})

t.test('parseJson: strings, literals, whitespace', async (t) => {
  t.equal(parseJson('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud834\\udd1e"'), 'a"b\\c/d\b\f\n\r\té𝄞')
  t.equal(parseJson(`"${'x'.repeat(100)}\\n"`), 'x'.repeat(100) + '\n', 'an escape after a long plain run')
  t.equal(parseJson('"héllo 日本 😀"'), 'héllo 日本 😀')
  t.same(parseJson(' \t\r\n{ "a" : [ true , false , null ] } \n'), { a: [true, false, null] })
  t.same(parseJson('\ufeff{"a":1}'), { a: 1 }, 'a byte order mark is skipped')
  t.same(parseJson('"\\ud800"'), '\ud800', 'a lone surrogate escape parses (toClientBins refuses it)')
  t.same(parseJson('[]'), [])
  t.same(parseJson('{}'), {})
})

t.test('parseJson: malformed JSON is a 400 ValueError, never anything else', async (t) => {
  const bad = ['', '   ', '{', '}', '[', '[1,]', '[,1]', '{"a":}', '{"a" 1}', '{a:1}', "{'a':1}", '{"a":1,}', '{"a":1}x',
    '[1 2]', 'tru', 'nul', 'True', 'NaN', 'Infinity', '-', '+1', '01', '1.', '.5', '1e', '1e+', '0x10', '"abc', '"a\\x"',
    '"a\\u12"', '"\u0001"', '"\n"', '\u00a0{}', '{"a":1}}', '[]]', '/* */{}', '{"a":1 "b":2}', '"\\', '[', '{"a"']
  for (const text of bad) {
    const e = errorOf(() => parseJson(text))
    t.equal(e.statusCode, 400, label(text))
    t.equal(e.code, 4)
    t.match(e.message, /^invalid JSON/)
  }
  t.match(errorOf(() => parseJson('{"bins": {"a": [1, 2, }]}}')).message, /at position 22 \(in bins\.a\[2\]\)/)
})

t.test('parseJson: nesting is limited', async (t) => {
  const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n)
  t.ok(Array.isArray(parseJson(nest(32))))
  t.match(errorOf(() => parseJson(nest(33))).message, /nested deeper than 32 levels/)
  t.match(errorOf(() => parseJson('{"a":' + nest(3) + '}', { maxDepth: 3 })).message, /^invalid JSON at a\[0\]\[0\]: nested deeper than 3 levels/)
  const e = errorOf(() => parseJson(nest(100000)))
  t.equal(e.statusCode, 400, 'a very deep document is refused, not a stack overflow')
})

t.test('parseJson: no prototype pollution', async (t) => {
  t.match(errorOf(() => parseJson('{"__proto__": {"polluted": true}}')).message, /"__proto__" is not allowed/)
  t.match(errorOf(() => parseJson('{"a": [{"__proto__": 1}]}')).message, /a\[0\]\.__proto__/)
  t.match(errorOf(() => parseJson('{"constructor": {"prototype": {"polluted": true}}}')).message, /"constructor" holding "prototype"/)
  t.same(parseJson('{"constructor": 1, "prototype": 2}'), { constructor: 1, prototype: 2 }, 'harmless keys are kept')
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

t.test('parseJson agrees with JSON.parse where JSON.parse is exact (property)', async (t) => {
  const g = new Gen(0xc0ffee)
  const value = (depth: number): unknown => {
    switch (g.int(depth > 3 ? 5 : 7)) {
      case 0: return g.int(2 ** 31) - 2 ** 30
      case 1: return (g.r() - 0.5) * 10 ** g.int(10) + 0.5 // never integral
      case 2: return g.stringValue()
      case 3: return g.r() < 0.5
      case 4: return null
      case 5: return Array.from({ length: g.int(4) }, () => value(depth + 1))
      default: return Object.fromEntries(Array.from({ length: g.int(4) }, () => [g.stringValue(), value(depth + 1)]))
    }
  }
  for (let i = 0; i < 500; i++) {
    const v = value(0)
    const text = JSON.stringify(v, null, i % 3 === 0 ? 2 : undefined)
    t.same(parseJson(text), JSON.parse(text), label(text))
  }
})

// ---------------------------------------------------------------------------
// stringifyJson

t.test('stringifyJson: plain values take JSON.stringify, and write exactly what the model writer writes', async (t) => {
  let seed = 7
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
  const plain = (depth: number): unknown => {
    const r = rnd()
    if (depth > 3 || r < 0.5) {
      const leaves = ['s\u2028"\\x', '\ud800', '', 0, -0, 2.5, -1e-7, 1e21, 123456789012, true, false, null, 'type']
      return leaves[Math.floor(rnd() * leaves.length)]
    }
    if (r < 0.75) return Array.from({ length: Math.floor(rnd() * 4) }, () => plain(depth + 1))
    const obj: Record<string, unknown> = {}
    for (let i = 0; i < rnd() * 4; i++) obj[['a', 'type', '__proto__', 'é', '0'][Math.floor(rnd() * 5)]] = plain(depth + 1)
    return obj
  }
  for (let i = 0; i < 500; i++) {
    const v = plain(0)
    let slow: string | undefined
    try {
      // A DoubleValue beside it sends the whole through the model writer.
      slow = stringifyJson([v, new DoubleValue(1)]).slice(1, -',1.0]'.length)
    } catch {}
    let fast: string | undefined
    try {
      fast = stringifyJson(v)
    } catch {}
    t.equal(fast, slow, JSON.stringify(v))
  }
})

t.test('stringifyJson: integers exact, doubles with a fraction', async (t) => {
  t.equal(stringifyJson({ a: 9007199254740993n, b: -9223372036854775808n, c: 42, d: -0 }), '{"a":9007199254740993,"b":-9223372036854775808,"c":42,"d":0}')
  t.equal(stringifyJson([new DoubleValue(1), new DoubleValue(-0), new DoubleValue(1e21), new DoubleValue(100), 2.5, 5e-324, new DoubleValue(1e300)]),
    '[1.0,-0.0,1e+21,100.0,2.5,5e-324,1e+300]')
  t.equal(stringifyJson(new Aerospike.Double(3)), '3.0', "the client's Double too")
  for (const d of [NaN, Infinity, -Infinity]) {
    const e = errorOf(() => stringifyJson({ bins: { x: [new DoubleValue(d)] } }))
    t.equal(e.statusCode, 406)
    t.match(e.message, /bins\.x\[0\].*application\/msgpack/)
    t.equal(stringifyJson([d], { strict: false }), '[null]')
  }
})

t.test('stringifyJson: bytes, GeoJSON, maps', async (t) => {
  t.equal(stringifyJson({ b: Buffer.from([1, 2, 3]), e: Buffer.alloc(0) }), '{"b":{"type":"BYTE_ARRAY","value":"AQID"},"e":{"type":"BYTE_ARRAY","value":""}}')
  t.equal(stringifyJson(new GeoJSON('{"type": "Point", "coordinates": [1.0, 2]}')), '{"type": "Point", "coordinates": [1.0, 2]}', 'GeoJSON text as stored')
  t.equal(errorOf(() => stringifyJson(new GeoJSON('not json'))).statusCode, 406)
  t.equal(stringifyJson(new GeoJSON('not json'), { strict: false }), '"not json"')
  t.equal(stringifyJson(new Map([['a', 1], ['__proto__', 2]])), '{"a":1,"__proto__":2}')
  const e = errorOf(() => stringifyJson({ bins: { m: new Map<unknown, unknown>([[1, 'one']]) } }))
  t.equal(e.statusCode, 406)
  t.match(e.message, /bins\.m: a map key of type integer has no JSON form; ask for application\/msgpack/)
  t.equal(stringifyJson(new Map<unknown, unknown>([[1, 'one'], [Buffer.from([7]), 'b']]), { strict: false }), '{"1":"one","Bw==":"b"}')
  t.equal(errorOf(() => stringifyJson({ type: 'BYTE_ARRAY', value: 'AQID' })).statusCode, 406, 'a map that would read back as bytes')
  t.equal(errorOf(() => stringifyJson({ m: { type: 'Point', coordinates: [1, 2] } })).statusCode, 406, 'a map that would read back as GeoJSON')
  t.equal(stringifyJson({ type: 'Point' }), '{"type":"Point"}', 'no coordinates: a plain map')
  t.equal(stringifyJson({ a: undefined, b: [undefined], c: new Date(0) }), '{"b":[null],"c":"1970-01-01T00:00:00.000Z"}')
  t.equal(stringifyJson('\u2028"\\'), JSON.stringify('\u2028"\\'))
})

t.test('JSON text -> value -> JSON text -> value keeps values and types (property)', async (t) => {
  const g = new Gen(1234)
  for (let i = 0; i < 400; i++) {
    const text = g.jsonValue(0, false)
    const v = toClientValue(parseJson(text))
    t.same(canon(toClientValue(parseJson(stringifyJson(v)))), canon(v), label(text))
  }
})

// ---------------------------------------------------------------------------
// MessagePack

t.test('msgpack: encodings', async (t) => {
  const hex = (v: unknown): string => encodeMsgpack(v).toString('hex')
  t.equal(hex(new DoubleValue(1)), 'cb3ff0000000000000', '1.0 is a float64')
  t.equal(hex(1), '01')
  t.equal(hex(2.5), 'cb4004000000000000')
  t.equal(hex(-1), 'ff')
  t.equal(hex(-33), 'd0df')
  t.equal(hex(200), 'ccc8')
  t.equal(hex(70000), 'ce00011170')
  t.equal(hex(-70000), 'd2fffeee90')
  t.equal(hex(2 ** 40), 'cf0000010000000000')
  t.equal(hex(9223372036854775807n), 'cf7fffffffffffffff')
  t.equal(hex(-9223372036854775808n), 'd38000000000000000')
  t.equal(hex(5n), '05')
  t.equal(hex(Buffer.from([1, 2])), 'c4020102')
  t.equal(hex('é'), 'a2c3a9')
  t.equal(hex(new GeoJSON('{}')), 'd5177b7d', 'GeoJSON is ext 23 with its text')
  t.equal(hex(new Map<unknown, unknown>([[1, true]])), '8101c3')
  t.equal(hex({ a: null, skip: undefined }), '81a161c0')
  t.equal(hex('x'.repeat(40)).slice(0, 4), 'd928')
  t.equal(hex(Array(20).fill(0)).slice(0, 6), 'dc0014')
  t.equal(hex(Array(70000).fill(0)).slice(0, 10), 'dd00011170')
  t.equal(hex('x'.repeat(300)).slice(0, 6), 'da012c')
  t.equal(hex('x'.repeat(70000)).slice(0, 10), 'db00011170')
  t.equal(hex(Buffer.alloc(300)).slice(0, 6), 'c5012c')
  t.equal(hex(Buffer.alloc(70000)).slice(0, 10), 'c600011170')
  t.equal(hex(new Uint8Array([1])), 'c40101')
  t.equal(hex(new GeoJSON('{"type":"Point","coordinates":[1,2]}')).slice(0, 8), 'c724177b')
  t.equal(hex(new GeoJSON('x'.repeat(300))).slice(0, 8), 'c8012c17')
  t.equal(hex(new GeoJSON('x'.repeat(70000))).slice(0, 12), 'c90001117017')
  t.equal(hex(new Map(Array.from({ length: 20 }, (_, i) => [i, i]))).slice(0, 6), 'de0014')
  t.equal(hex({ when: new Date(0), f: () => 1 }), hex({ when: '1970-01-01T00:00:00.000Z' }), 'toJSON is used; functions are skipped')
  t.equal(hex([undefined]), '91c0')
  t.equal(hex(-(2 ** 40)), 'd3ffffff0000000000')
  t.equal(hex(new Aerospike.Double(2)), 'cb4000000000000000')
  t.throws(() => encodeMsgpack([2n ** 64n]), { name: 'Error', message: /\[0\]: integer 18446744073709551616 is outside the 64-bit range/ },
    'an integer beyond 64 bits in a response is a bug (500), not bad input')
})

t.test('msgpack: decode keeps types', async (t) => {
  const d = decodeMsgpack(Buffer.from('85a161cb3ff0000000000000a162ca3fc00000a163cf0020000000000001a164c40101a165d5177b7d', 'hex')) as Record<string, unknown>
  t.same(d.a, new DoubleValue(1))
  t.equal(d.b, 1.5, 'float32')
  t.equal(d.c, 9007199254740993n)
  t.same(d.d, Buffer.from([1]))
  t.ok(d.e instanceof GeoJSON && String(d.e) === '{}')
  const m = decodeMsgpack(encodeMsgpack(new Map<unknown, unknown>([['s', 1], [2, 'two'], [Buffer.from([3]), 3]])))
  t.ok(m instanceof Map)
  t.same([...(m as Map<unknown, unknown>).keys()], ['s', 2, Buffer.from([3])])
  t.same(decodeMsgpack(encodeMsgpack({ nested: [{ x: new DoubleValue(NaN) }] })), { nested: [{ x: new DoubleValue(NaN) }] })
})

t.test('msgpack: bad bodies are 400 ValueErrors', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /the body is empty/],
    ['92 01', /a list of 2 items in 1 bytes/],
    ['92 01 a5 61', /unexpected end of data/],
    ['01 02', /unexpected data after the value/],
    ['c1', /0xc1/],
    ['a2 c3 28', /not valid UTF-8/],
    ['d4 05 00', /unsupported ext type 5/],
    ['cf ff ff ff ff ff ff ff ff', /outside the 64-bit range/],
    ['dd ff ff ff ff 01', /a list of 4294967295 items/],
    ['df ff ff ff ff 01', /a map of 4294967295 entries/],
    ['db ff ff ff ff', /unexpected end of data/],
    ['81 a9 5f 5f 70 72 6f 74 6f 5f 5f 01', /"__proto__" is not allowed/],
    ['81 a1 61 92 01 c1', /at byte 5 \(in a\[1\]\)/]
  ]
  for (const [h, re] of cases) {
    const e = errorOf(() => decodeMsgpack(Buffer.from(h.replace(/ /g, ''), 'hex')))
    t.equal(e.statusCode, 400, h)
    t.match(e.message, re, h)
  }
  t.match(errorOf(() => decodeMsgpack(Buffer.from('91'.repeat(40) + '90', 'hex'))).message, /nested deeper than 32 levels/)
})

t.test('msgpack: encode then decode is the identity on the model (property)', async (t) => {
  const g = new Gen(99)
  for (let i = 0; i < 300; i++) {
    const v = g.modelValue(0, false)
    t.same(canon(decodeMsgpack(encodeMsgpack(v))), canon(v))
  }
})

// ---------------------------------------------------------------------------
// toClientBins

t.test('toClientBins: converts for client.put', async (t) => {
  const bins = toClientBins(parseJson(`{
    "i": 1, "big": 9007199254740993, "d": 1.0, "nz": -0.0, "f": 2.5, "s": "x", "t": true, "gone": null,
    "b": {"type": "BYTE_ARRAY", "value": "AQID"},
    "g": {"type": "Point", "coordinates": [103.913, 1.0]},
    "l": [1.0, null, {"type": "BYTE_ARRAY", "value": ""}, {"k": [2.0]}]
  }`))
  t.equal(bins.i, 1)
  t.equal(bins.big, 9007199254740993n)
  t.ok(bins.d instanceof Aerospike.Double && (bins.d as InstanceType<typeof Aerospike.Double>).Double === 1)
  t.ok(bins.nz instanceof Aerospike.Double && Object.is((bins.nz as InstanceType<typeof Aerospike.Double>).Double, -0))
  t.equal(bins.f, 2.5)
  t.equal(bins.gone, null, 'null at the top level deletes the bin')
  t.same(bins.b, Buffer.from([1, 2, 3]))
  t.ok(bins.g instanceof GeoJSON)
  t.equal(String(bins.g), '{"type":"Point","coordinates":[103.913,1.0]}')
  const l = bins.l as unknown[]
  t.ok(l[0] instanceof Aerospike.Double)
  t.equal(l[1], null, 'null inside a list is nil')
  t.same(l[2], Buffer.alloc(0))
  t.ok(((l[3] as Record<string, unknown[]>).k[0]) instanceof Aerospike.Double)
})

t.test('toClientBins: msgpack bodies carry types natively', async (t) => {
  const body = decodeMsgpack(encodeMsgpack({
    m: new Map<unknown, unknown>([[1, 'one'], [Buffer.from([2]), 'two'], ['s', 3]]),
    obj: { type: 'BYTE_ARRAY', value: 'AQID' },
    g: new GeoJSON('{"type":"Point","coordinates":[1,2]}'),
    b: Buffer.from([9])
  }))
  const bins = toClientBins(body, { source: 'msgpack' })
  t.ok(bins.m instanceof Map)
  t.same(bins.obj, { type: 'BYTE_ARRAY', value: 'AQID' }, 'a map, not bytes, in MessagePack')
  t.ok(bins.g instanceof GeoJSON)
  t.same(bins.b, Buffer.from([9]))
  t.same(toClientBins({ m: new Map([['a', 1]]) }, { source: 'msgpack' }).m, { a: 1 }, 'string keys only: a plain object')
})

t.test('toClientBins: bad bins are ValueErrors naming the path', async (t) => {
  const cases: Array<[unknown, number, RegExp]> = [
    [{}, 4, /at least one bin/],
    [[], 4, /must be an object/],
    [null, 4, /must be an object/],
    ['x', 4, /must be an object/],
    [{ ['é'.repeat(8)]: 1 }, 21, /1 to 15 bytes, this one is 16/],
    [{ '': 1 }, 21, /1 to 15 bytes/],
    [{ ['x'.repeat(15)]: 'a\u0000b' }, 4, /U\+0000/],
    [{ a: { b: ['\ud800'] } }, 4, /bins\.a\.b\[0\]: a string with a lone surrogate/],
    [{ a: { 'k\u0000': 1 } }, 4, /U\+0000/],
    [{ a: { type: 'BYTE_ARRAY', value: 'not base64!' } }, 4, /bins\.a: a BYTE_ARRAY value must be base64/],
    [{ a: { type: 'BYTE_ARRAY', value: 'QQ=' } }, 4, /base64/],
    [{ a: { type: 'BYTE_ARRAY', value: 'AQID', extra: 1 } }, 4, /BYTE_ARRAY is/],
    [{ a: [{ type: 'BYTE_ARRAY', value: 12 }] }, 4, /bins\.a\[0\]/],
    [{ a: { type: 'Point', coordinates: 'x' } }, 4, /coordinates array/],
    [{ a: 2n ** 63n }, 4, /outside the 64-bit range/],
    [{ a: 2 ** 60 }, 4, /not exact/],
    [{ a: new GeoJSON('{"type":"Nope"}') }, 4, /GeoJSON must be/],
    [{ a: new Map<unknown, unknown>([[new DoubleValue(1), 1]]) }, 4, /map key must be an integer, a string or bytes, not double/],
    [{ a: new Map<unknown, unknown>([[true, 1]]) }, 4, /not boolean/],
    [{ a: new Map<unknown, unknown>([[null, 1]]) }, 4, /not nil/],
    [{ a: new Map<unknown, unknown>([[[1], 1]]) }, 4, /not list/],
    [{ a: new Date() }, 4, /unsupported value/],
    [{ a: undefined }, 4, /unsupported value/],
    [{ a: JSON.parse('{"__proto__": 1}') }, 4, /__proto__/],
    [JSON.parse('{"__proto__": 1}'), 4, /__proto__/],
    [new Map<unknown, unknown>([[1, 1]]), 21, /bin names are strings/]
  ]
  for (const [bins, code, re] of cases) {
    const e = errorOf(() => toClientBins(bins))
    t.equal(e.code, code, re.source)
    t.equal(e.statusCode, 400)
    t.match(e.message, re)
  }
  const nest = (n: number): unknown => n === 0 ? 1 : [nest(n - 1)]
  t.ok(toClientBins({ a: nest(32) }))
  t.match(errorOf(() => toClientBins({ a: nest(33) })).message, /nested deeper than 32 levels/)
  t.match(errorOf(() => toClientBins({ a: nest(5) }, { maxDepth: 4 })).message, /bins\.a\[0\]\[0\]\[0\]\[0\]: nested deeper/)
  t.match(errorOf(() => toClientValue([1, 2n ** 64n], { path: 'operand' })).message, /operand\[1\]/)
})

t.test('ValueErrors are GatewayErrors: the problem keeps their code and status', async (t) => {
  const context = { instance: '/v1/kvs/test/k', requestId: 'r1' }
  const binName = errorOf(() => toClientBins({ ['x'.repeat(16)]: 1 }))
  t.ok(binName instanceof GatewayError)
  const p21 = toProblem(binName, context)
  t.equal(p21.status, 400)
  t.equal(p21.body.code, 21)
  t.equal(p21.body.error, 'BinNameError')
  const p4 = toProblem(errorOf(() => parseJson('{')), context)
  t.equal(p4.status, 400)
  t.equal(p4.body.code, 4)
  const p406 = toProblem(errorOf(() => stringifyJson(new Map([[1, 1]]))), context)
  t.equal(p406.status, 406)
  t.equal(p406.body.code, 9406, "406 has its own catalogue entry")
})

// ---------------------------------------------------------------------------
// Against the embedded server, through the real client

t.test('what the client reads back, and what the gateway recovers', async (t) => {
  const { client } = await withEmbedded(t)
  const key = new Key('test', 'values', 'table')
  await client.put(key, {
    intd: new Aerospike.Double(1),
    negz: toClientValue(new DoubleValue(-0)) as number,
    bigd: new Aerospike.Double(1e20),
    nan: NaN,
    f: 2.5,
    big: 9007199254740993n,
    s: 'plain',
    geostr: '{"type":"Point","coordinates":[1,2]}',
    geo: new GeoJSON({ type: 'Point', coordinates: [1, 2] }),
    yes: true,
    blob: Buffer.from([1, 2, 3]),
    cdtblob: Buffer.from([0x92, 0x01, 0x02]),
    l: [new Aerospike.Double(2), 'x', Buffer.from([9]), new GeoJSON({ type: 'Point', coordinates: [3, 4] }), -0.5, null, false],
    m: new Map<unknown, unknown>([[1, 'one'], [Buffer.from([7]), 'seven'], ['k', new Aerospike.Double(3)]]),
    pm: JSON.parse('{"__proto__": {"x": 1}, "a": 2}')
  } as Parameters<Client['put']>[1])

  const cooked = (await client.get(key)).bins as Record<string, unknown>
  t.equal(cooked.intd, 1, 'the client reads a double 1.0 as the number 1')
  t.equal(typeof cooked.geo, 'string', 'the client reads GeoJSON as a string')
  t.same((cooked.l as unknown[])[0], 2, 'and 2.0 in a list as 2')
  t.same(Object.keys(cooked.m as object).sort(), ['\u0007', '1', 'k'], 'and map keys as strings')
  t.same(Object.keys(cooked.pm as object), ['a'], 'and loses a __proto__ key')

  const raw = (await client.get(key, new Aerospike.ReadPolicy({ deserialize: false }))).bins as Record<string, unknown>
  t.ok(Buffer.isBuffer(raw.l) && Buffer.isBuffer(raw.m) && Buffer.isBuffer(raw.blob), 'with deserialize: false lists, maps and blobs are all Buffers')
  t.equal(looksLikeRawCdt(raw.l), true)
  t.equal(looksLikeRawCdt(raw.blob), false)
  t.equal(looksLikeRawCdt(raw.cdtblob), true, 'a blob can look like a list')

  const { bins, reads } = await readRecord(client, key)
  t.equal(reads, 2, 'lists and maps, and a blob that parses as a list, take one read of their types')
  t.same(canon(bins.intd), ['int', '1'], 'a double 1.0 bin: lost, reads as the integer 1')
  t.same(canon(bins.negz), ['double', '-0'])
  t.same(canon(bins.bigd), ['double', '100000000000000000000'])
  t.same(canon(bins.nan), ['double', 'NaN'])
  t.same(canon(bins.f), ['double', '2.5'])
  t.same(canon(bins.big), ['int', '9007199254740993'])
  t.same(canon(bins.s), ['str', 'plain'])
  t.ok(bins.geo instanceof GeoJSON, 'a GeoJSON bin: recovered from its text')
  t.ok(bins.geostr instanceof GeoJSON, 'a string bin holding GeoJSON text: misread as GeoJSON')
  t.equal(bins.yes, true)
  t.same(bins.blob, Buffer.from([1, 2, 3]))
  t.same(bins.cdtblob, Buffer.from([0x92, 0x01, 0x02]), 'the type read tells a list-like blob from a list')
  t.same(canon(bins.l), canon([new DoubleValue(2), 'x', Buffer.from([9]), new GeoJSON('{"type":"Point","coordinates":[3,4]}'), -0.5, null, false]))
  t.same(canon(bins.m), canon(new Map<unknown, unknown>([[1, 'one'], [Buffer.from([7]), 'seven'], ['k', new DoubleValue(3)]])))
  t.same(Object.keys(bins.pm as object).sort(), ['__proto__', 'a'], 'a __proto__ key is kept as an own key')
  t.equal(Object.getPrototypeOf(bins.pm), Object.prototype)

  const quick = await readRecord(client, key, { exact: false })
  t.equal(quick.reads, 1)
  t.same(quick.bins.cdtblob, [1, 2], 'one read: a list-like blob is misread as a list')

  t.same(canon(fromClientBins(cooked).l), canon([2, 'x', Buffer.from([9]), new GeoJSON('{"type":"Point","coordinates":[3,4]}'), -0.5, null, false]),
    'from a deserialized read: GeoJSON in a list recovered from its text, 2.0 lost')
  t.same(canon(fromClientBins(raw, true).cdtblob), canon([1, 2]))
  t.same(canon(fromClientBins(raw, ['l']).m), canon(raw.m), 'bins not named stay bytes')
  t.same(canon(fromClientBins(cooked, false, { detectGeoJSON: false }).geo), ['str', '{"type":"Point","coordinates":[1,2]}'])

  const selected = await readRecord(client, key, { bins: ['blob', 'f'] })
  t.same(Object.keys(selected.bins).sort(), ['blob', 'f'])
  t.equal(selected.reads, 1)

  const op = await client.operate(key, [Aerospike.operations.read('l')], new Aerospike.OperatePolicy({ deserialize: false }))
  t.ok(Array.isArray(op.bins.l), 'operate ignores deserialize: false')
})

t.test('decodeRawCdt: order markers, particle types, bad input', async (t) => {
  const h = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex')
  t.same(decodeRawCdt(h('93 c7 00 01 01 02')), [1, 2], 'an ordered list: the ext is its flags')
  t.same(decodeRawCdt(h('82 c7 00 01 c0 a2 03 61 01')), { a: 1 }, 'a key-ordered map: the ext and nil pair is its flags')
  t.same(decodeRawCdt(h('82 a2 03 61 01 a2 03 62 02')), { a: 1, b: 2 }, 'an unordered map has none')
  t.same(decodeRawCdt(h('93 a2 07 01 c4 02 04 02 a0')), [Buffer.from([1]), Buffer.from([2]), ''], 'other blob flavours are bytes; bin headers too')
  t.same(decodeRawCdt(h('91 ca 3f c0 00 00')), [1.5])
  t.same(canon(decodeRawCdt(h('91 ca 3f 80 00 00'))), canon([new DoubleValue(1)]), 'a float32 1.0 is a double')
  // The last three: an order marker whose own length is cut short.
  for (const bad of ['', '01', 'a2 03 61', '92 01', '91 01 02', '91 d4 05 00 01', '81 01', '91 c8 00', '91 c9 00 01', '92 c7']) {
    t.throws(() => decodeRawCdt(h(bad)), ValueError, bad)
  }
})

t.test('readRecord: retries when the record changes between its reads', async (t) => {
  const list = Buffer.from('9101', 'hex')
  let gets = 0
  const fake = {
    get: async () => ({ bins: { l: list }, gen: ++gets, ttl: 0 }),
    operate: async () => ({ bins: { l: 20 }, gen: 2, ttl: 0 })
  } as unknown as Client
  const r = await readRecord(fake, new Key('test', 'x', 1))
  t.equal(r.reads, 4, 'the first pair disagreed on the generation, the second agreed')
  t.same(r.bins.l, [1])
  let removed = 0
  const gone = {
    get: async () => ({ bins: { l: list }, gen: 1, ttl: 0 }),
    operate: async () => { removed++; throw Object.assign(new Error('not found'), { code: 2 }) }
  } as unknown as Client
  await t.rejects(readRecord(gone, new Key('test', 'x', 1)), { code: 2 })
  t.equal(removed, 3, 'up to 3 attempts')
})

t.test('round trip through the real client: JSON bodies of random values (property)', async (t) => {
  const { client } = await withEmbedded(t)
  const seed = 20240611
  const g = new Gen(seed)
  t.comment(`seed ${seed}`)
  for (let i = 0; i < 120; i++) {
    const text = g.jsonBins()
    const sent = toClientBins(parseJson(text))
    const key = new Key('test', 'roundtrip', i)
    await client.put(key, sent as Parameters<Client['put']>[1])
    const { bins } = await readRecord(client, key)
    const back = toClientBins(parseJson(stringifyJson(bins)))
    const expected = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, expectedTopLevel(v)]))
    t.same(canonBins(back), expected, label(text))
    // And what came back is safe to send back: it stores the same again.
    await client.put(key, back as Parameters<Client['put']>[1])
    const again = await readRecord(client, key)
    t.same(canonBins(again.bins), canonBins(bins), `again: ${label(text)}`)
  }
})

t.test('round trip through the real client: MessagePack bodies of random values (property)', async (t) => {
  const { client } = await withEmbedded(t)
  const seed = 777
  const g = new Gen(seed)
  t.comment(`seed ${seed}`)
  for (let i = 0; i < 120; i++) {
    const model: Record<string, unknown> = {}
    for (let n = g.int(5) + 1; n > 0; n--) model[g.pick(['a', 'b', 'c', 'd', 'e', 'f'])] = g.modelValue(0, true)
    const sent = decodeMsgpack(encodeMsgpack(model)) as Record<string, Value>
    const key = new Key('test', 'roundtrip-mp', i)
    await client.put(key, toClientBins(sent, { source: 'msgpack' }) as Parameters<Client['put']>[1])
    const { bins } = await readRecord(client, key)
    const back = decodeMsgpack(encodeMsgpack(bins)) as Record<string, Value>
    const expected = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, expectedTopLevel(v)]))
    t.same(canonBins(back), expected, `record ${i}`)
  }
})

// ---------------------------------------------------------------------------
// The content plugin

async function echoApp (t: { teardown: (fn: () => unknown) => void }, opts: { bodyLimit?: number } = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...opts })
  await app.register(content, { maxDepth: 8 })
  app.post('/echo', async (request, reply) => reply.sendValue(toClientValue(request.body, { source: request.bodyFormat ?? 'json' })))
  app.post('/bins', async (request, reply) => {
    const bins = toClientBins(request.body, { source: request.bodyFormat ?? 'json' })
    return reply.sendValue({ bins, format: request.bodyFormat })
  })
  app.get('/value', async (_request, reply) => reply.sendValue({ m: new Map<unknown, unknown>([[1, 'one']]) }))
  await app.ready()
  t.teardown(() => app.close())
  return app
}

t.test('content: JSON in and out, exactly', async (t) => {
  const app = await echoApp(t)
  const body = '{"a":9007199254740993,"b":1.0,"c":-0.0,"d":[2.5,1e+21],"e":{"type":"BYTE_ARRAY","value":"AQID"}}'
  const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: body })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(res.headers.vary, 'Accept')
  t.equal(res.body, body)
  const charset = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json; charset=utf-8' }, payload: '{"x":1}' })
  t.equal(charset.body, '{"x":1}')
  const bins = await app.inject({ method: 'POST', url: '/bins', payload: { a: { type: 'BYTE_ARRAY', value: 'AQID' } } })
  t.equal(bins.body, '{"bins":{"a":{"type":"BYTE_ARRAY","value":"AQID"}},"format":"json"}')
})

t.test('content: MessagePack in and out, chosen by Content-Type and Accept', async (t) => {
  const app = await echoApp(t)
  const payload = encodeMsgpack({ m: new Map<unknown, unknown>([[1, 'one']]), d: new DoubleValue(1), b: Buffer.from([1]) })
  const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' }, payload })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/msgpack')
  t.same(res.rawPayload, payload)
  const json = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-msgpack' }, payload })
  t.equal(json.statusCode, 406, 'JSON cannot carry an integer map key')
  t.match(json.json().message, /at m: a map key of type integer has no JSON form; ask for application\/msgpack/)
  const bins = await app.inject({ method: 'POST', url: '/bins', headers: { 'content-type': 'application/msgpack' }, payload: encodeMsgpack({ a: { type: 'BYTE_ARRAY', value: 'x' } }) })
  t.equal(bins.statusCode, 406, 'a map in MessagePack, but it would read back as bytes from JSON')
  const binsMp = await app.inject({ method: 'POST', url: '/bins', headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' }, payload: encodeMsgpack({ a: { type: 'BYTE_ARRAY', value: 'x' } }) })
  t.equal(binsMp.statusCode, 200)
  t.same(decodeMsgpack(binsMp.rawPayload), { bins: { a: { type: 'BYTE_ARRAY', value: 'x' } }, format: 'msgpack' })
  const mp = await app.inject({ method: 'GET', url: '/value', headers: { accept: 'application/json;q=0.5, application/msgpack' } })
  t.equal(mp.headers['content-type'], 'application/msgpack')
})

t.test('content: Accept negotiation', async (t) => {
  t.equal(negotiate(undefined), 'json')
  t.equal(negotiate(''), 'json')
  t.equal(negotiate('*/*'), 'json')
  t.equal(negotiate('application/*'), 'json')
  t.equal(negotiate('application/json'), 'json')
  t.equal(negotiate('application/msgpack'), 'msgpack')
  t.equal(negotiate('application/vnd.msgpack'), 'msgpack')
  t.equal(negotiate('application/msgpack, */*'), 'msgpack', 'named beats a wildcard')
  t.equal(negotiate('application/json;q=0.5, application/msgpack;q=0.9'), 'msgpack')
  t.equal(negotiate('application/json, application/msgpack'), 'json')
  t.equal(negotiate('application/msgpack;q=0, */*'), 'json')
  t.equal(negotiate('text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8'), 'json')
  t.equal(negotiate('text/html'), undefined)
  t.equal(negotiate('application/json;q=0'), undefined)
  t.equal(negotiate('garbage'), 'json')
  const app = await echoApp(t)
  const res = await app.inject({ method: 'POST', url: '/echo', headers: { accept: 'text/csv' }, payload: { a: 1 } })
  t.equal(res.statusCode, 406)
})

t.test('content: bad bodies are 400, unknown media types 415, big ones 413', async (t) => {
  const app = await echoApp(t, { bodyLimit: 1000 })
  const post = async (payload: string | Buffer, contentType = 'application/json'): Promise<{ statusCode: number, body: string, json: () => Record<string, unknown> }> =>
    await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': contentType }, payload })
  for (const body of ['{', '{"a":1}x', '', '{"__proto__":{"polluted":1}}', '[[[[[[[[[[1]]]]]]]]]]', '{"a":99999999999999999999}', "{'a':1}"]) {
    const res = await post(body)
    t.equal(res.statusCode, 400, label(body))
    t.match(res.json().message, /invalid JSON/)
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined)
  const badUtf8 = await post(Buffer.from([0x22, 0xc3, 0x28, 0x22]))
  t.equal(badUtf8.statusCode, 400)
  t.match(badUtf8.json().message, /UTF-8/)
  t.equal((await post(Buffer.from('c1', 'hex'), 'application/msgpack')).statusCode, 400)
  t.equal((await post(Buffer.alloc(0), 'application/msgpack')).statusCode, 400)
  for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/jsonx']) {
    const res = await post('{"a":1}', type)
    t.equal(res.statusCode, 415, type)
    t.equal(res.json().code, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
  }
  const big = await post(JSON.stringify({ a: 'x'.repeat(2000) }))
  t.equal(big.statusCode, 413)
  t.equal(big.json().code, 'FST_ERR_CTP_BODY_TOO_LARGE')
  const bins = await app.inject({ method: 'POST', url: '/bins', payload: { ['x'.repeat(16)]: 1 } })
  t.equal(bins.statusCode, 400)
  t.match(bins.json().message, /1 to 15 bytes/)
  const notObject = await app.inject({ method: 'POST', url: '/bins', payload: '[1]', headers: { 'content-type': 'application/json' } })
  t.equal(notObject.statusCode, 400)
})
