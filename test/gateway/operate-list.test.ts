// POST /v1/operate with list operations: every type and return type,
// policies, contexts and value types, through HTTP against the embedded
// server. Each case runs on a fresh record holding l = [5, 1, 4, 2, 3]
// unless it says otherwise, and checks the answer and the list after it.

import t from 'tap'
import { withGateway } from '../helpers/gateway'
import { JSON_HEADERS, runOperateCases } from '../helpers/operate'
import type { OperateCase } from '../helpers/operate'

const op = (type: string, fields: string): string => `{"type":"${type}","binName":"l"${fields === '' ? '' : `,${fields}`}}`

// LIST_GET_BY_INDEX of index 0 (the 5, the largest) under every return type.
const BY_INDEX: Array<[string, string]> = [
  ['NONE', '{}'], ['INDEX', '{"l":0}'], ['REVERSE_INDEX', '{"l":4}'], ['RANK', '{"l":4}'], ['REVERSE_RANK', '{"l":0}'],
  ['COUNT', '{"l":1}'], ['VALUE', '{"l":5}'], ['EXISTS', '{"l":true}']
]
// LIST_GET_BY_INDEX_RANGE of index 1, count 2 (the 1 and the 4).
const BY_INDEX_RANGE: Array<[string, string]> = [
  ['NONE', '{}'], ['INDEX', '{"l":[1,2]}'], ['REVERSE_INDEX', '{"l":[2,3]}'], ['RANK', '{"l":[0,3]}'], ['REVERSE_RANK', '{"l":[4,1]}'],
  ['COUNT', '{"l":2}'], ['VALUE', '{"l":[1,4]}'], ['EXISTS', '{"l":true}']
]

const CASES: OperateCase[] = [
  // Reads.
  { name: 'LIST_SIZE', ops: op('LIST_SIZE', ''), answer: '{"l":5}' },
  { name: 'LIST_GET', ops: op('LIST_GET', '"index":1'), answer: '{"l":1}' },
  { name: 'LIST_GET from the end', ops: op('LIST_GET', '"index":-1'), answer: '{"l":3}' },
  { name: 'LIST_GET out of bounds', ops: op('LIST_GET', '"index":9'), answer: { status: 409, code: 26 } },
  { name: 'LIST_GET_RANGE', ops: op('LIST_GET_RANGE', '"index":1,"count":2'), answer: '{"l":[1,4]}' },
  { name: 'LIST_GET_RANGE to the end', ops: op('LIST_GET_RANGE', '"index":3'), answer: '{"l":[2,3]}' },
  ...BY_INDEX.map(([rt, answer]) => ({ name: `LIST_GET_BY_INDEX ${rt}`, ops: op('LIST_GET_BY_INDEX', `"index":0,"listReturnType":"${rt}"`), answer })),
  { name: 'LIST_GET_BY_INDEX inverted: the server refuses a single inverted selection', ops: op('LIST_GET_BY_INDEX', '"index":0,"listReturnType":"VALUE","inverted":true'), answer: { status: 409, code: 26 } },
  ...BY_INDEX_RANGE.map(([rt, answer]) => ({ name: `LIST_GET_BY_INDEX_RANGE ${rt}`, ops: op('LIST_GET_BY_INDEX_RANGE', `"index":1,"count":2,"listReturnType":"${rt}"`), answer })),
  { name: 'LIST_GET_BY_INDEX_RANGE inverted', ops: op('LIST_GET_BY_INDEX_RANGE', '"index":1,"count":2,"listReturnType":"VALUE","inverted":true'), answer: '{"l":[5,2,3]}' },
  { name: 'LIST_GET_BY_RANK', ops: op('LIST_GET_BY_RANK', '"rank":0,"listReturnType":"VALUE"'), answer: '{"l":1}' },
  { name: 'LIST_GET_BY_RANK of the largest', ops: op('LIST_GET_BY_RANK', '"rank":-1,"listReturnType":"INDEX"'), answer: '{"l":0}' },
  { name: 'LIST_GET_BY_RANK_RANGE', ops: op('LIST_GET_BY_RANK_RANGE', '"rank":0,"count":2,"listReturnType":"VALUE"'), answer: '{"l":[1,2]}', unordered: true },
  { name: 'LIST_GET_BY_RANK_RANGE to the end', ops: op('LIST_GET_BY_RANK_RANGE', '"rank":3,"listReturnType":"INDEX"'), answer: '{"l":[0,2]}', unordered: true },
  { name: 'LIST_GET_BY_VALUE', ops: op('LIST_GET_BY_VALUE', '"value":4,"listReturnType":"INDEX"'), answer: '{"l":[2]}' },
  { name: 'LIST_GET_BY_VALUE, no such value', ops: op('LIST_GET_BY_VALUE', '"value":9,"listReturnType":"EXISTS"'), answer: '{"l":false}' },
  { name: 'LIST_GET_BY_VALUE_LIST', ops: op('LIST_GET_BY_VALUE_LIST', '"values":[4,5,9],"listReturnType":"VALUE"'), answer: '{"l":[5,4]}' },
  { name: 'LIST_GET_BY_VALUE_RANGE', ops: op('LIST_GET_BY_VALUE_RANGE', '"valueBegin":2,"valueEnd":4,"listReturnType":"VALUE"'), answer: '{"l":[2,3]}' },
  { name: 'LIST_GET_BY_VALUE_RANGE, no end', ops: op('LIST_GET_BY_VALUE_RANGE', '"valueBegin":3,"listReturnType":"VALUE"'), answer: '{"l":[5,4,3]}' },
  { name: 'LIST_GET_BY_VALUE_RANGE, no begin', ops: op('LIST_GET_BY_VALUE_RANGE', '"valueEnd":3,"valueBegin":null,"listReturnType":"COUNT"'), answer: '{"l":2}' },
  { name: 'LIST_GET_BY_VALUE_RELATIVE_RANK_RANGE', ops: op('LIST_GET_BY_VALUE_RELATIVE_RANK_RANGE', '"value":3,"rank":1,"count":2,"listReturnType":"VALUE"'), answer: '{"l":[4,5]}', unordered: true },
  { name: 'LIST_GET_BY_VALUE_RELATIVE_RANK_RANGE, no count', ops: op('LIST_GET_BY_VALUE_RELATIVE_RANK_RANGE', '"value":3,"rank":-1,"listReturnType":"VALUE"'), answer: '{"l":[2,3,4,5]}', unordered: true },

  // Removals, with their return types.
  { name: 'LIST_REMOVE_BY_INDEX', ops: op('LIST_REMOVE_BY_INDEX', '"index":0,"listReturnType":"VALUE"'), answer: '{"l":5}', after: '{"l":[1,4,2,3]}' },
  { name: 'LIST_REMOVE_BY_INDEX_RANGE', ops: op('LIST_REMOVE_BY_INDEX_RANGE', '"index":1,"count":2,"listReturnType":"COUNT"'), answer: '{"l":2}', after: '{"l":[5,2,3]}' },
  { name: 'LIST_REMOVE_BY_RANK', ops: op('LIST_REMOVE_BY_RANK', '"rank":0,"listReturnType":"NONE"'), answer: '{}', after: '{"l":[5,4,2,3]}' },
  { name: 'LIST_REMOVE_BY_RANK_RANGE inverted', ops: op('LIST_REMOVE_BY_RANK_RANGE', '"rank":0,"count":2,"listReturnType":"VALUE","inverted":true'), answer: '{"l":[5,4,3]}', after: '{"l":[1,2]}', unordered: true },
  { name: 'LIST_REMOVE_BY_VALUE', ops: op('LIST_REMOVE_BY_VALUE', '"value":4,"listReturnType":"INDEX"'), answer: '{"l":[2]}', after: '{"l":[5,1,2,3]}' },
  { name: 'LIST_REMOVE_BY_VALUE_LIST', ops: op('LIST_REMOVE_BY_VALUE_LIST', '"values":[4,5],"listReturnType":"VALUE"'), answer: '{"l":[5,4]}', after: '{"l":[1,2,3]}' },
  { name: 'LIST_REMOVE_BY_VALUE_RANGE', ops: op('LIST_REMOVE_BY_VALUE_RANGE', '"valueBegin":2,"valueEnd":4,"listReturnType":"VALUE"'), answer: '{"l":[2,3]}', after: '{"l":[5,1,4]}' },
  { name: 'LIST_REMOVE_BY_VALUE_RELATIVE_RANK_RANGE', ops: op('LIST_REMOVE_BY_VALUE_RELATIVE_RANK_RANGE', '"value":3,"rank":0,"count":1,"listReturnType":"VALUE"'), answer: '{"l":[3]}', after: '{"l":[5,1,4,2]}' },
  { name: 'LIST_POP', ops: op('LIST_POP', '"index":-1'), answer: '{"l":3}', after: '{"l":[5,1,4,2]}' },
  { name: 'LIST_POP_RANGE', ops: op('LIST_POP_RANGE', '"index":1,"count":2'), answer: '{"l":[1,4]}', after: '{"l":[5,2,3]}' },
  { name: 'LIST_POP_RANGE to the end', ops: op('LIST_POP_RANGE', '"index":3'), answer: '{"l":[2,3]}', after: '{"l":[5,1,4]}' },
  { name: 'LIST_REMOVE', ops: op('LIST_REMOVE', '"index":1'), answer: '{"l":1}', after: '{"l":[5,4,2,3]}' },
  { name: 'LIST_REMOVE_RANGE', ops: op('LIST_REMOVE_RANGE', '"index":1,"count":3'), answer: '{"l":3}', after: '{"l":[5,3]}' },
  { name: 'LIST_REMOVE_RANGE to the end', ops: op('LIST_REMOVE_RANGE', '"index":1'), answer: '{"l":4}', after: '{"l":[5]}' },
  { name: 'LIST_TRIM', ops: op('LIST_TRIM', '"index":1,"count":2'), answer: '{"l":3}', after: '{"l":[1,4]}' },
  { name: 'LIST_CLEAR', ops: op('LIST_CLEAR', ''), answer: '{}', after: '{"l":[]}' },

  // Writes and their policies.
  { name: 'LIST_APPEND answers the new size', ops: op('LIST_APPEND', '"value":6'), answer: '{"l":6}', after: '{"l":[5,1,4,2,3,6]}' },
  { name: 'LIST_APPEND ADD_UNIQUE of a present value', ops: op('LIST_APPEND', '"value":5,"listPolicy":{"writeFlags":["ADD_UNIQUE"]}'), answer: { status: 409, code: 24 } },
  { name: 'LIST_APPEND ADD_UNIQUE, NO_FAIL', ops: op('LIST_APPEND', '"value":5,"listPolicy":{"writeFlags":["ADD_UNIQUE","NO_FAIL"]}'), answer: '{"l":5}' },
  { name: 'LIST_APPEND_ITEMS ADD_UNIQUE, NO_FAIL, PARTIAL', ops: op('LIST_APPEND_ITEMS', '"values":[5,7],"listPolicy":{"writeFlags":["ADD_UNIQUE","NO_FAIL","PARTIAL"]}'), answer: '{"l":6}', after: '{"l":[5,1,4,2,3,7]}' },
  { name: 'LIST_APPEND with an ORDERED policy creates an ordered list', ops: `[${op('LIST_APPEND', '"value":3,"listPolicy":{"order":"ORDERED"}')},${op('LIST_APPEND', '"value":1,"listPolicy":{"order":"ORDERED","writeFlags":null}')}]`, before: '{"x":1}', answer: '{"l":2}', after: '{"x":1,"l":[1,3]}' },
  { name: 'LIST_INSERT', ops: op('LIST_INSERT', '"index":1,"value":9'), answer: '{"l":6}', after: '{"l":[5,9,1,4,2,3]}' },
  { name: 'LIST_INSERT past the end pads with nils', ops: op('LIST_INSERT', '"index":7,"value":9'), answer: '{"l":8}', after: '{"l":[5,1,4,2,3,null,null,9]}' },
  { name: 'LIST_INSERT INSERT_BOUNDED past the end', ops: op('LIST_INSERT', '"index":7,"value":9,"listPolicy":{"writeFlags":["INSERT_BOUNDED"]}'), answer: { status: 409, code: 26 } },
  { name: 'LIST_INSERT_ITEMS', ops: op('LIST_INSERT_ITEMS', '"index":0,"values":[8,9]'), answer: '{"l":7}', after: '{"l":[8,9,5,1,4,2,3]}' },
  { name: 'LIST_SET answers nothing', ops: op('LIST_SET', '"index":0,"value":"x"'), answer: '{}', after: '{"l":["x",1,4,2,3]}' },
  { name: 'LIST_INCREMENT', ops: op('LIST_INCREMENT', '"index":0,"incr":10'), answer: '{"l":15}', after: '{"l":[15,1,4,2,3]}' },
  { name: 'LIST_INCREMENT of a double by 1.0', ops: op('LIST_INCREMENT', '"index":0,"incr":1.0'), before: '{"l":[1.5]}', answer: '{"l":2.5}', after: '{"l":[2.5]}' },
  { name: 'LIST_INCREMENT of a string', ops: op('LIST_INCREMENT', '"index":0,"incr":1'), before: '{"l":["a"]}', answer: { status: 400, code: 4 } },
  { name: 'LIST_SORT', ops: op('LIST_SORT', ''), answer: '{}', after: '{"l":[1,2,3,4,5]}' },
  { name: 'LIST_SORT DROP_DUPLICATES', ops: op('LIST_SORT', '"sortFlags":["DROP_DUPLICATES"]'), before: '{"l":[3,1,3,2]}', answer: '{}', after: '{"l":[1,2,3]}' },
  { name: 'LIST_SET_ORDER ORDERED keeps the list sorted', ops: `[${op('LIST_SET_ORDER', '"listOrder":"ORDERED"')},${op('LIST_APPEND', '"value":0')}]`, answer: '{"l":6}', after: '{"l":[0,1,2,3,4,5]}' },
  { name: 'LIST_CREATE ORDERED', ops: `[${op('LIST_CREATE', '"order":"ORDERED"')},${op('LIST_APPEND_ITEMS', '"values":[3,1,2]')}]`, before: '{"x":1}', answer: '{"l":3}', after: '{"x":1,"l":[1,2,3]}' },
  { name: 'LIST_APPEND to a string bin', ops: op('LIST_APPEND', '"value":1'), before: '{"l":"text"}', answer: { status: 409, code: 12 } },

  // Nested lists.
  { name: 'ctx listIndex', ops: op('LIST_APPEND', '"value":7,"ctx":[{"type":"listIndex","index":1}]'), before: '{"l":[[1],[2,3]]}', answer: '{"l":3}', after: '{"l":[[1],[2,3,7]]}' },
  { name: 'ctx two levels deep', ops: op('LIST_GET', '"index":-1,"ctx":[{"type":"listIndex","index":0},{"type":"listIndex","index":1}]'), before: '{"l":[[0,[8,9]]]}', answer: '{"l":9}' },
  { name: 'ctx listIndexCreate with pad', ops: op('LIST_APPEND', '"value":7,"ctx":[{"type":"listIndexCreate","index":3,"pad":true}]'), before: '{"l":[[1],[2,3]]}', answer: '{"l":1}', after: '{"l":[[1],[2,3],null,[7]]}' },
  // The order of listIndexCreate is the order of the list it looks into, when that one has to be created.
  { name: 'ctx listIndexCreate creates a missing bin as an unordered list', ops: `[${op('LIST_APPEND', '"value":1,"ctx":[{"type":"listIndexCreate","index":0}]')},${op('LIST_APPEND', '"value":[0]')}]`, before: '{"x":1}', answer: '{"l":2}', after: '{"x":1,"l":[[1],[0]]}' },
  { name: 'ctx listIndexCreate creates a missing bin as an ORDERED list', ops: `[${op('LIST_APPEND', '"value":1,"ctx":[{"type":"listIndexCreate","index":0,"order":"ORDERED"}]')},${op('LIST_APPEND', '"value":[0]')}]`, before: '{"x":1}', answer: '{"l":2}', after: '{"x":1,"l":[[0],[1]]}' },
  { name: 'ctx listRank', ops: op('LIST_GET_BY_INDEX', '"index":0,"listReturnType":"VALUE","ctx":[{"type":"listRank","rank":-1}]'), before: '{"l":[[1],[2,3]]}', answer: '{"l":2}' },
  { name: 'ctx listValue', ops: op('LIST_SIZE', '"ctx":[{"type":"listValue","value":[2,3]}]'), before: '{"l":[[1],[2,3]]}', answer: '{"l":2}' },
  { name: 'ctx into a missing element', ops: op('LIST_SIZE', '"ctx":[{"type":"listIndex","index":5}]'), before: '{"l":[[1]]}', answer: { status: 409, code: 26 } },

  // Value types in operands and results.
  { name: 'doubles, int64 and bytes stay exact', ops: `[${op('LIST_APPEND_ITEMS', '"values":[1.0,-0.0,9223372036854775807,{"type":"BYTE_ARRAY","value":"AQI="}]')},${op('LIST_GET_RANGE', '"index":0')}]`, before: '{"x":1}', answer: '{"l":[1.0,-0.0,9223372036854775807,{"type":"BYTE_ARRAY","value":"AQI="}]}', after: '{"x":1,"l":[1.0,-0.0,9223372036854775807,{"type":"BYTE_ARRAY","value":"AQI="}]}' },
  { name: 'a nested list element answered alone', ops: op('LIST_GET', '"index":0'), before: '{"l":[[1.0,{"k":2}],"x"]}', answer: '{"l":[1.0,{"k":2}]}' },
  { name: 'a bytes element answered alone', ops: op('LIST_GET', '"index":0'), before: '{"l":[{"type":"BYTE_ARRAY","value":"/wA="}]}', answer: '{"l":{"type":"BYTE_ARRAY","value":"/wA="}}' },
  { name: 'documented: a bytes element that spells a list reads as that list', ops: op('LIST_GET', '"index":0'), before: '{"l":[{"type":"BYTE_ARRAY","value":"kgEC"}]}', answer: '{"l":[1,2]}' },
  { name: 'GeoJSON and string elements', ops: op('LIST_GET_RANGE', '"index":0'), before: '{"l":["s",{"type":"Point","coordinates":[1.5,2.5]}]}', answer: '{"l":["s",{"type":"Point","coordinates":[1.5,2.5]}]}' }
]

runOperateCases(t, 'list operations', 'lists', '{"l":[5,1,4,2,3]}', CASES)

t.test('a failing operation applies none of the request', async (t) => {
  const { app } = await withGateway(t)
  await app.inject({ method: 'PUT', url: '/v1/kvs/test/lists/a', payload: '{"n":1,"s":"text"}', headers: JSON_HEADERS })
  const res = await app.inject({
    method: 'POST',
    url: '/v1/operate/test/lists/a',
    payload: '{"opsList":[{"type":"ADD","binName":"n","incr":1},{"type":"LIST_APPEND","binName":"n2","value":1},{"type":"LIST_APPEND","binName":"s","value":1}]}',
    headers: JSON_HEADERS
  })
  t.equal(res.statusCode, 409)
  t.same((await app.inject({ method: 'GET', url: '/v1/kvs/test/lists/a' })).json(), { bins: { n: 1, s: 'text' }, generation: 1, ttl: -1 })
})
