// cdtJson writes lists and maps from the server's bytes straight to JSON. Where
// it answers, its text must be exactly what the value model writes for the
// decoded value; where it cannot be sure, it must not answer.

import t from 'tap'
import Aerospike, { Client } from 'aerospike'
import { cdtJson, decodeMsgpack, decodeRawCdt, encodeMsgpack, parseJson, readRecord, stringifyJson, toClientBins, type Value } from '../../src/values'
import { withEmbedded } from '../helpers/embedded'
import { Gen, label } from '../helpers/values'

const { Key } = Aerospike
const RAW = new Aerospike.ReadPolicy({ deserialize: false })
const h = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex')

/** What the value model writes for these bytes; undefined where it refuses them. */
function modelJson (bytes: Buffer): string | undefined {
  try {
    return stringifyJson(decodeRawCdt(bytes))
  } catch {
    return undefined
  }
}

t.test('cdtJson: the value model\'s text, for lists and maps it is sure of', async (t) => {
  const cases: Array<[string, string]> = [
    ['93 01 a2 03 61 c3', '[1,"a",true]'],
    ['93 c7 00 01 01 02', '[1,2]'],
    ['82 c7 00 01 c0 a2 03 61 01', '{"a":1}'],
    ['82 a2 03 61 cb 3f f0 00 00 00 00 00 00 a2 03 62 ca 3f c0 00 00', '{"a":1.0,"b":1.5}'],
    ['92 cb 80 00 00 00 00 00 00 00 cf ff ff ff ff ff ff ff ff', '[-0.0,18446744073709551615]'],
    ['92 d3 80 00 00 00 00 00 00 00 d0 80', '[-9223372036854775808,-128]'],
    ['93 c4 03 04 01 02 a1 03 a0', '[{"type":"BYTE_ARRAY","value":"AQI="},"",""]'],
    ['91 a4 03 22 5c 0a', '["\\"\\\\\\n"]'],
    ['91 a5 03 c3 a9 c3 a9', '["éé"]'],
    ['81 a2 03 61 81 a3 03 62 62 90', '{"a":{"bb":[]}}']
  ]
  for (const [hex, json] of cases) {
    t.equal(cdtJson(h(hex)), json, hex)
    t.equal(cdtJson(h(hex)), modelJson(h(hex)), `${hex}: as the model writes it`)
  }
})

t.test('cdtJson: leaves to the value model what it cannot be sure of', async (t) => {
  const unsure = [
    '', '01', 'a2 03 61', '92 01', '91 01 02', // not one list or map
    '92 01 d4 05 00', '92 01 c1', // an ext after the head, 0xc1
    '81 01 01', '81 c4 02 04 61 01', // keys that are no strings
    '81 a2 03 37 01', // "7": JavaScript would put it first
    '82 a2 03 61 01 a2 03 61 02', // a repeated key
    '82 a2 03 ff 01 a2 03 fe 02', // keys that differ in bytes, not in text (both U+FFFD)
    '81 a3 03 c3 a9 01', // a key beyond ASCII
    '81 a5 03 74 79 70 65 a2 03 78', // "type"
    '91 a3 17 7b 7d', // GeoJSON
    '91 cb 7f f8 00 00 00 00 00 00', // NaN
    '82 c7 00 01 01 a2 03 61 01', // a map's order marker with a value other than nil
    '91'.repeat(20) + '90' // deeper than it goes
  ]
  for (const hex of unsure) t.equal(cdtJson(h(hex)), undefined, hex)
})

t.test('cdtJson: maps of many keys, repeated or not', async (t) => {
  const entries = (keys: string[]): Buffer => Buffer.concat([h('de'), Buffer.from([0, keys.length]),
    ...keys.map((k, i) => Buffer.concat([Buffer.from([0xa0 | (k.length + 1), 3]), Buffer.from(k), Buffer.from([i])]))])
  const keys = Array.from({ length: 40 }, (_, i) => `k${i}`)
  t.equal(cdtJson(entries(keys)), modelJson(entries(keys)))
  t.match(cdtJson(entries(keys)), /^\{"k0":0,"k1":1,.*"k39":39\}$/)
  t.equal(cdtJson(entries([...keys, 'k7'])), undefined, 'a repeat among many')
})

t.test('cdtJson on what the server stores: random lists and maps through the real client (property)', async (t) => {
  const { client } = await withEmbedded(t)
  const seed = 4417
  const g = new Gen(seed)
  t.comment(`seed ${seed}`)
  let answered = 0
  let bins = 0
  const check = async (key: InstanceType<typeof Key>, what: string): Promise<void> => {
    const record = await client.get(key, RAW)
    for (const v of Object.values(record.bins)) {
      if (!Buffer.isBuffer(v)) continue
      bins++
      const json = cdtJson(v)
      if (json !== undefined) answered++
      if (json !== undefined) t.equal(json, modelJson(v), what)
    }
  }
  for (let i = 0; i < 150; i++) {
    const text = `{"l":[${Array.from({ length: g.int(6) }, () => g.jsonValue(1, false)).join(',')}],"m":${g.jsonValue(3, false).startsWith('{') ? g.jsonValue(3, false) : '{"k":1}'}}`
    let sent: Record<string, unknown>
    try {
      sent = toClientBins(parseJson(text))
    } catch {
      continue
    }
    const key = new Key('test', 'cdt-json', i)
    await client.put(key, sent as Parameters<Client['put']>[1])
    await check(key, label(text))
  }
  for (let i = 0; i < 150; i++) {
    const model = { l: [g.modelValue(1, false), g.modelValue(1, false)], m: g.modelValue(2, false) }
    const sent = decodeMsgpack(encodeMsgpack(model)) as Record<string, Value>
    const key = new Key('test', 'cdt-json-mp', i)
    await client.put(key, toClientBins(sent, { source: 'msgpack' }) as Parameters<Client['put']>[1])
    await check(key, `model record ${i}`)
  }
  t.ok(answered > bins / 3, `cdtJson wrote ${answered} of ${bins} lists and maps`)
})

t.test('readRecord with jsonText: the same JSON and the same MessagePack as without', async (t) => {
  const { client } = await withEmbedded(t)
  const key = new Key('test', 'cdt-json', 'r')
  await client.put(key, toClientBins(parseJson('{"l":[1.0,"a",{"b":[2,2.5]}],"m":{"x":{"type":"BYTE_ARRAY","value":"AQ=="}},"k":{"7":1,"a":2},"s":"v"}')) as Parameters<Client['put']>[1])
  const plain = await readRecord(client, key)
  const text = await readRecord(client, key, { jsonText: true })
  t.equal(stringifyJson(text.bins), stringifyJson(plain.bins))
  t.same(encodeMsgpack(text.bins), encodeMsgpack(plain.bins))
  t.match(stringifyJson(text.bins), /"l":\[1\.0,"a",\{"b":\[2,2\.5\]\}\]/)
})
