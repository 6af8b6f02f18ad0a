// POST /v1/operate with map operations: every type and return type,
// policies, contexts, orders and value types, through HTTP against the
// embedded server. Each case runs on a fresh record holding
// m = {"a": 3, "b": 1, "c": 2, "d": 5} (key-ordered, as the client writes
// every map) unless it says otherwise.

import t from 'tap'
import { encodeMsgpack } from '../../src/values'
import { withGateway } from '../helpers/gateway'
import { JSON_HEADERS, runOperateCases } from '../helpers/operate'
import type { OperateCase } from '../helpers/operate'

const op = (type: string, fields: string): string => `{"type":"${type}","binName":"m"${fields === '' ? '' : `,${fields}`}}`

// MAP_GET_BY_KEY of "b" (value 1, the smallest) under every return type.
const BY_KEY: Array<[string, string]> = [
  ['NONE', '{"m":null}'], ['INDEX', '{"m":1}'], ['REVERSE_INDEX', '{"m":2}'], ['RANK', '{"m":0}'], ['REVERSE_RANK', '{"m":3}'],
  ['COUNT', '{"m":1}'], ['KEY', '{"m":"b"}'], ['VALUE', '{"m":1}'], ['KEY_VALUE', '{"m":{"b":1}}'], ['EXISTS', '{"m":true}'],
  ['UNORDERED_MAP', '{"m":{"b":1}}'], ['ORDERED_MAP', '{"m":{"b":1}}']
]
// MAP_GET_BY_INDEX_RANGE of index 1, count 2 ("b": 1 and "c": 2).
const BY_INDEX_RANGE: Array<[string, string]> = [
  ['NONE', '{"m":null}'], ['INDEX', '{"m":[1,2]}'], ['REVERSE_INDEX', '{"m":[1,2]}'], ['RANK', '{"m":[0,1]}'], ['REVERSE_RANK', '{"m":[3,2]}'],
  ['COUNT', '{"m":2}'], ['KEY', '{"m":["b","c"]}'], ['VALUE', '{"m":[1,2]}'], ['KEY_VALUE', '{"m":{"b":1,"c":2}}'], ['EXISTS', '{"m":true}'],
  ['UNORDERED_MAP', '{"m":{"b":1,"c":2}}'], ['ORDERED_MAP', '{"m":{"b":1,"c":2}}']
]

const CASES: OperateCase[] = [
  // Reads.
  { name: 'MAP_SIZE', ops: op('MAP_SIZE', ''), answer: '{"m":4}' },
  ...BY_KEY.map(([rt, answer]) => ({ name: `MAP_GET_BY_KEY ${rt}`, ops: op('MAP_GET_BY_KEY', `"key":"b","mapReturnType":"${rt}"`), answer })),
  { name: 'MAP_GET_BY_KEY of a missing key', ops: op('MAP_GET_BY_KEY', '"key":"zz","mapReturnType":"VALUE"'), answer: '{"m":null}' },
  { name: 'MAP_GET_BY_KEY inverted: the server refuses a single inverted selection', ops: op('MAP_GET_BY_KEY', '"key":"b","mapReturnType":"VALUE","inverted":true'), answer: { status: 409, code: 26 } },
  ...BY_INDEX_RANGE.map(([rt, answer]) => ({ name: `MAP_GET_BY_INDEX_RANGE ${rt}`, ops: op('MAP_GET_BY_INDEX_RANGE', `"index":1,"count":2,"mapReturnType":"${rt}"`), answer })),
  { name: 'MAP_GET_BY_KEY_LIST', ops: op('MAP_GET_BY_KEY_LIST', '"keys":["a","c","zz"],"mapReturnType":"KEY_VALUE"'), answer: '{"m":{"a":3,"c":2}}' },
  { name: 'MAP_GET_BY_KEY_LIST inverted', ops: op('MAP_GET_BY_KEY_LIST', '"keys":["a","c"],"mapReturnType":"KEY","inverted":true'), answer: '{"m":["b","d"]}' },
  { name: 'MAP_GET_BY_KEY_RANGE', ops: op('MAP_GET_BY_KEY_RANGE', '"keyBegin":"b","keyEnd":"d","mapReturnType":"KEY"'), answer: '{"m":["b","c"]}' },
  { name: 'MAP_GET_BY_KEY_RANGE, no end', ops: op('MAP_GET_BY_KEY_RANGE', '"keyBegin":"b","mapReturnType":"KEY"'), answer: '{"m":["b","c","d"]}' },
  { name: 'MAP_GET_BY_KEY_RANGE, no begin', ops: op('MAP_GET_BY_KEY_RANGE', '"keyEnd":"b","mapReturnType":"VALUE"'), answer: '{"m":[3]}' },
  { name: 'MAP_GET_BY_KEY_RELATIVE_INDEX_RANGE', ops: op('MAP_GET_BY_KEY_RELATIVE_INDEX_RANGE', '"value":"b","index":1,"count":2,"mapReturnType":"KEY"'), answer: '{"m":["c","d"]}' },
  { name: 'MAP_GET_BY_KEY_RELATIVE_INDEX_RANGE, no count', ops: op('MAP_GET_BY_KEY_RELATIVE_INDEX_RANGE', '"value":"bb","index":0,"mapReturnType":"KEY"'), answer: '{"m":["c","d"]}' },
  { name: 'MAP_GET_BY_VALUE', ops: op('MAP_GET_BY_VALUE', '"value":2,"mapReturnType":"KEY"'), answer: '{"m":["c"]}' },
  { name: 'MAP_GET_BY_VALUE_LIST', ops: op('MAP_GET_BY_VALUE_LIST', '"values":[2,5],"mapReturnType":"KEY"'), answer: '{"m":["c","d"]}' },
  { name: 'MAP_GET_BY_VALUE_RANGE', ops: op('MAP_GET_BY_VALUE_RANGE', '"valueBegin":2,"valueEnd":5,"mapReturnType":"KEY"'), answer: '{"m":["a","c"]}', unordered: true },
  { name: 'MAP_GET_BY_VALUE_RELATIVE_RANK_RANGE', ops: op('MAP_GET_BY_VALUE_RELATIVE_RANK_RANGE', '"value":2,"rank":1,"mapReturnType":"KEY"'), answer: '{"m":["a","d"]}', unordered: true },
  { name: 'MAP_GET_BY_INDEX', ops: op('MAP_GET_BY_INDEX', '"index":-1,"mapReturnType":"KEY_VALUE"'), answer: '{"m":{"d":5}}' },
  { name: 'MAP_GET_BY_RANK', ops: op('MAP_GET_BY_RANK', '"rank":0,"mapReturnType":"KEY"'), answer: '{"m":"b"}' },
  { name: 'MAP_GET_BY_RANK_RANGE', ops: op('MAP_GET_BY_RANK_RANGE', '"rank":0,"count":2,"mapReturnType":"VALUE"'), answer: '{"m":[1,2]}', unordered: true },
  { name: 'MAP_GET_BY_RANK_RANGE inverted', ops: op('MAP_GET_BY_RANK_RANGE', '"rank":0,"count":2,"mapReturnType":"VALUE","inverted":true'), answer: '{"m":[3,5]}', unordered: true },

  // Removals.
  { name: 'MAP_REMOVE_BY_KEY', ops: op('MAP_REMOVE_BY_KEY', '"key":"a","mapReturnType":"VALUE"'), answer: '{"m":3}', after: '{"m":{"b":1,"c":2,"d":5}}' },
  { name: 'MAP_REMOVE_BY_KEY_LIST', ops: op('MAP_REMOVE_BY_KEY_LIST', '"keys":["a","b"],"mapReturnType":"COUNT"'), answer: '{"m":2}', after: '{"m":{"c":2,"d":5}}' },
  { name: 'MAP_REMOVE_BY_KEY_RANGE', ops: op('MAP_REMOVE_BY_KEY_RANGE', '"keyBegin":"b","keyEnd":"d","mapReturnType":"KEY_VALUE"'), answer: '{"m":{"b":1,"c":2}}', after: '{"m":{"a":3,"d":5}}' },
  { name: 'MAP_REMOVE_BY_KEY_RELATIVE_INDEX_RANGE', ops: op('MAP_REMOVE_BY_KEY_RELATIVE_INDEX_RANGE', '"value":"b","index":0,"count":1,"mapReturnType":"KEY"'), answer: '{"m":["b"]}', after: '{"m":{"a":3,"c":2,"d":5}}' },
  { name: 'MAP_REMOVE_BY_VALUE', ops: op('MAP_REMOVE_BY_VALUE', '"value":2,"mapReturnType":"KEY"'), answer: '{"m":["c"]}', after: '{"m":{"a":3,"b":1,"d":5}}' },
  { name: 'MAP_REMOVE_BY_VALUE_LIST', ops: op('MAP_REMOVE_BY_VALUE_LIST', '"values":[1,2],"mapReturnType":"NONE"'), answer: '{"m":null}', after: '{"m":{"a":3,"d":5}}' },
  { name: 'MAP_REMOVE_BY_VALUE_RANGE', ops: op('MAP_REMOVE_BY_VALUE_RANGE', '"valueBegin":3,"mapReturnType":"KEY"'), answer: '{"m":["a","d"]}', after: '{"m":{"b":1,"c":2}}', unordered: true },
  { name: 'MAP_REMOVE_BY_VALUE_RELATIVE_RANK_RANGE', ops: op('MAP_REMOVE_BY_VALUE_RELATIVE_RANK_RANGE', '"value":2,"rank":-1,"count":2,"mapReturnType":"KEY"'), answer: '{"m":["b","c"]}', after: '{"m":{"a":3,"d":5}}', unordered: true },
  { name: 'MAP_REMOVE_BY_INDEX', ops: op('MAP_REMOVE_BY_INDEX', '"index":0,"mapReturnType":"KEY"'), answer: '{"m":"a"}', after: '{"m":{"b":1,"c":2,"d":5}}' },
  { name: 'MAP_REMOVE_BY_INDEX_RANGE, no count', ops: op('MAP_REMOVE_BY_INDEX_RANGE', '"index":2,"mapReturnType":"KEY"'), answer: '{"m":["c","d"]}', after: '{"m":{"a":3,"b":1}}' },
  { name: 'MAP_REMOVE_BY_RANK', ops: op('MAP_REMOVE_BY_RANK', '"rank":-1,"mapReturnType":"KEY"'), answer: '{"m":"d"}', after: '{"m":{"a":3,"b":1,"c":2}}' },
  { name: 'MAP_REMOVE_BY_RANK_RANGE', ops: op('MAP_REMOVE_BY_RANK_RANGE', '"rank":0,"count":2,"mapReturnType":"KEY"'), answer: '{"m":["b","c"]}', after: '{"m":{"a":3,"d":5}}', unordered: true },
  { name: 'MAP_CLEAR', ops: op('MAP_CLEAR', ''), answer: '{"m":null}', after: '{"m":{}}' },

  // Writes and their policies.
  { name: 'MAP_PUT answers the new size', ops: op('MAP_PUT', '"key":"e","value":9'), answer: '{"m":5}', after: '{"m":{"a":3,"b":1,"c":2,"d":5,"e":9}}' },
  { name: 'MAP_PUT CREATE_ONLY of a present key', ops: op('MAP_PUT', '"key":"a","value":9,"mapPolicy":{"writeFlags":["CREATE_ONLY"]}'), answer: { status: 409, code: 24 } },
  { name: 'MAP_PUT CREATE_ONLY, NO_FAIL', ops: op('MAP_PUT', '"key":"a","value":9,"mapPolicy":{"writeFlags":["CREATE_ONLY","NO_FAIL"]}'), answer: '{"m":4}' },
  { name: 'MAP_PUT UPDATE_ONLY of a missing key', ops: op('MAP_PUT', '"key":"z","value":9,"mapPolicy":{"writeFlags":["UPDATE_ONLY"]}'), answer: { status: 404, code: 23 } },
  { name: 'MAP_PUT_ITEMS CREATE_ONLY, NO_FAIL, PARTIAL', ops: op('MAP_PUT_ITEMS', '"map":{"a":0,"z":26},"mapPolicy":{"writeFlags":["CREATE_ONLY","NO_FAIL","PARTIAL"]}'), answer: '{"m":5}', after: '{"m":{"a":3,"b":1,"c":2,"d":5,"z":26}}' },
  { name: 'MAP_INCREMENT', ops: op('MAP_INCREMENT', '"key":"a","incr":10'), answer: '{"m":13}', after: '{"m":{"a":13,"b":1,"c":2,"d":5}}' },
  { name: 'MAP_INCREMENT creates the entry', ops: op('MAP_INCREMENT', '"key":"n","incr":2.5'), answer: '{"m":2.5}', after: '{"m":{"a":3,"b":1,"c":2,"d":5,"n":2.5}}' },
  { name: 'MAP_INCREMENT of a string', ops: op('MAP_INCREMENT', '"key":"s","incr":1'), before: '{"m":{"s":"x"}}', answer: { status: 400, code: 4 } },
  { name: 'MAP_CREATE KEY_ORDERED', ops: `[${op('MAP_CREATE', '"mapOrder":"KEY_ORDERED"').replace('"m"', '"n"')},${op('MAP_PUT_ITEMS', '"map":{"b":1,"a":2}').replace('"m"', '"n"')},${op('MAP_GET_BY_INDEX', '"index":0,"mapReturnType":"KEY"').replace('"m"', '"n"')}]`, before: '{"x":1}', answer: '{"n":"a"}', after: '{"x":1,"n":{"a":2,"b":1}}' },
  { name: 'MAP_SET_POLICY KEY_VALUE_ORDERED', ops: `[${op('MAP_SET_POLICY', '"mapPolicy":{"order":"KEY_VALUE_ORDERED"}')},${op('MAP_GET_BY_VALUE_RANGE', '"valueBegin":2,"mapReturnType":"KEY"')}]`, answer: '{"m":["a","c","d"]}' },
  { name: 'MAP_PUT with a policy order creates an ordered map', ops: op('MAP_PUT_ITEMS', '"map":{"b":1,"a":2},"mapPolicy":{"order":"KEY_ORDERED"}'), before: '{"x":1}', answer: '{"m":2}', after: '{"x":1,"m":{"a":2,"b":1}}' },
  { name: 'MAP_PUT to a string bin', ops: op('MAP_PUT', '"key":"k","value":1'), before: '{"m":"text"}', answer: { status: 409, code: 12 } },

  // Nested maps and lists.
  { name: 'ctx mapKey', ops: op('MAP_PUT', '"key":"x","value":1,"ctx":[{"type":"mapKey","key":"a"}]'), before: '{"m":{"a":{"y":1}}}', answer: '{"m":2}', after: '{"m":{"a":{"x":1,"y":1}}}' },
  { name: 'ctx mapKeyCreate', ops: op('MAP_PUT', '"key":"x","value":1,"ctx":[{"type":"mapKeyCreate","key":"b","order":"KEY_ORDERED"}]'), before: '{"m":{"a":{"y":1}}}', answer: '{"m":1}', after: '{"m":{"a":{"y":1},"b":{"x":1}}}' },
  { name: 'ctx mapIndex', ops: op('MAP_SIZE', '"ctx":[{"type":"mapIndex","index":-1}]'), before: '{"m":{"a":{"y":1},"b":{"p":1,"q":2}}}', answer: '{"m":2}' },
  { name: 'ctx mapRank', ops: op('MAP_GET_BY_KEY', '"key":"y","mapReturnType":"VALUE","ctx":[{"type":"mapRank","rank":0}]'), before: '{"m":{"a":{"y":1},"b":{"y":2,"z":0}}}', answer: '{"m":1}' },
  { name: 'ctx mapValue', ops: op('MAP_SIZE', '"ctx":[{"type":"mapValue","value":{"p":1,"q":2}}]'), before: '{"m":{"a":{"y":1},"b":{"p":1,"q":2}}}', answer: '{"m":2}' },
  { name: 'a list in a map in a list', ops: op('LIST_APPEND', '"value":1.0,"ctx":[{"type":"listIndex","index":0},{"type":"mapKey","key":"games"}]'), before: '{"m":[{"games":[2.5]}]}', answer: '{"m":2}', after: '{"m":[{"games":[2.5,1.0]}]}' },
  { name: 'ctx into a missing key', ops: op('MAP_SIZE', '"ctx":[{"type":"mapKey","key":"nope"}]'), before: '{"m":{"a":{}}}', answer: { status: 409, code: 26 } },

  // Value types.
  { name: 'bytes keys and values, doubles and int64 in a map answer', ops: `[${op('MAP_PUT_ITEMS', '"map":{"k":1.0,"b":{"type":"BYTE_ARRAY","value":"AQ=="},"i":-9223372036854775808}')},${op('MAP_GET_BY_INDEX_RANGE', '"index":0,"mapReturnType":"KEY_VALUE"')}]`, before: '{"x":1}', answer: '{"m":{"b":{"type":"BYTE_ARRAY","value":"AQ=="},"i":-9223372036854775808,"k":1.0}}', after: '{"x":1,"m":{"b":{"type":"BYTE_ARRAY","value":"AQ=="},"i":-9223372036854775808,"k":1.0}}' },
  { name: 'a map value answered alone', ops: op('MAP_GET_BY_KEY', '"key":"a","mapReturnType":"VALUE"'), before: '{"m":{"a":{"x":[1.0]}}}', answer: '{"m":{"x":[1.0]}}' },
  { name: 'documented: a whole double answered alone reads as an integer, as a top-level bin does', ops: op('MAP_GET_BY_KEY', '"key":"a","mapReturnType":"VALUE"'), before: '{"m":{"a":2.0}}', answer: '{"m":2}' }
]

runOperateCases(t, 'map operations', 'maps', '{"m":{"a":3,"b":1,"c":2,"d":5}}', CASES)

t.test('maps with integer and bytes keys: MessagePack both ways; JSON answers 406', async (t) => {
  const { app } = await withGateway(t)
  const msgpack = { 'content-type': 'application/msgpack', accept: 'application/msgpack' }
  const ops = { opsList: [
    { type: 'MAP_PUT_ITEMS', binName: 'm', map: new Map<unknown, unknown>([[2, 'two'], [1, 'one'], [Buffer.from([7]), 'seven']]) },
    { type: 'MAP_GET_BY_KEY_RANGE', binName: 'm', keyBegin: 1, keyEnd: 3, mapReturnType: 'KEY_VALUE' }
  ] }
  const res = await app.inject({ method: 'POST', url: '/v1/operate/test/maps/mp', payload: encodeMsgpack(ops), headers: msgpack })
  t.equal(res.statusCode, 200)
  t.same(res.rawPayload, encodeMsgpack({ bins: { m: new Map([[1, 'one'], [2, 'two']]) }, generation: 1, ttl: -1 }))
  const key = await app.inject({ method: 'POST', url: '/v1/operate/test/maps/mp', payload: encodeMsgpack({ opsList: [{ type: 'MAP_GET_BY_KEY', binName: 'm', key: Buffer.from([7]), mapReturnType: 'VALUE' }] }), headers: msgpack })
  t.same(key.rawPayload, encodeMsgpack({ bins: { m: 'seven' }, generation: 1, ttl: -1 }))
  const json = await app.inject({ method: 'POST', url: '/v1/operate/test/maps/mp', payload: '{"opsList":[{"type":"MAP_GET_BY_INDEX_RANGE","binName":"m","index":0,"mapReturnType":"KEY_VALUE"}]}', headers: JSON_HEADERS })
  t.equal(json.statusCode, 406)
  t.match(json.json().detail, /integer has no JSON form/)
  const bytesKey = await app.inject({
    method: 'POST',
    url: '/v1/operate/test/maps/mp',
    payload: '{"opsList":[{"type":"MAP_PUT","binName":"b","key":{"type":"BYTE_ARRAY","value":"kgEC"},"value":1},{"type":"MAP_GET_BY_INDEX","binName":"b","index":0,"mapReturnType":"KEY"}]}',
    headers: JSON_HEADERS
  })
  t.same(bytesKey.json().bins, { b: { type: 'BYTE_ARRAY', value: 'kgEC' } }, 'a bytes key answered alone stays bytes, even when it spells a list')
})

t.test('one result per bin: with a map operation every operation answers, and a later ADD hides a READ (documented)', async (t) => {
  const { app } = await withGateway(t)
  await app.inject({ method: 'PUT', url: '/v1/kvs/test/maps/r', payload: '{"n":1,"m":{"a":1}}', headers: JSON_HEADERS })
  const hidden = await app.inject({
    method: 'POST',
    url: '/v1/operate/test/maps/r',
    payload: '{"opsList":[{"type":"READ","binName":"n"},{"type":"ADD","binName":"n","incr":1},{"type":"MAP_SIZE","binName":"m"}]}',
    headers: JSON_HEADERS
  })
  t.equal(hidden.body, '{"bins":{"n":null,"m":1},"generation":2,"ttl":-1}')
  const without = await app.inject({
    method: 'POST',
    url: '/v1/operate/test/maps/r',
    payload: '{"opsList":[{"type":"READ","binName":"n"},{"type":"ADD","binName":"n","incr":1},{"type":"LIST_SIZE","binName":"l"}]}',
    headers: JSON_HEADERS
  })
  t.equal(without.statusCode, 200)
  t.same(without.json().bins, { n: 2 }, 'without a map operation, the ADD answers nothing and the READ stays')
  const last = await app.inject({
    method: 'POST',
    url: '/v1/operate/test/maps/r',
    payload: '{"opsList":[{"type":"MAP_PUT","binName":"m","key":"b","value":2},{"type":"MAP_SIZE","binName":"m"},{"type":"MAP_GET_BY_KEY","binName":"m","key":"b","mapReturnType":"VALUE"}]}',
    headers: JSON_HEADERS
  })
  t.equal(last.body, '{"bins":{"m":2},"generation":4,"ttl":-1}', 'the last of three answers for m')
})

t.test('the README example: a counter, a list and a map in one request', async (t) => {
  const { app } = await withGateway(t)
  const res = await app.inject({
    method: 'POST',
    url: '/v1/operate/test/people/ann',
    payload: '{"opsList": [{"type": "ADD", "binName": "visits", "incr": 1}, {"type": "READ", "binName": "visits"}, ' +
      '{"type": "LIST_APPEND", "binName": "tags", "value": "vip"}, {"type": "MAP_INCREMENT", "binName": "scores", "key": "chess", "incr": 10}]}',
    headers: JSON_HEADERS
  })
  t.equal(res.body, '{"bins":{"visits":1,"tags":1,"scores":10},"generation":1,"ttl":-1}')
  t.equal(res.headers.etag, '"1"')
  t.same((await app.inject({ method: 'GET', url: '/v1/kvs/test/people/ann' })).json().bins, { visits: 1, tags: ['vip'], scores: { chess: 10 } })
})
