// A table-driven check of POST /v1/operate: each case runs its opsList on a
// fresh record and compares the answer and the record afterwards as JSON
// text, so that 1.0, int64 and key order are compared exactly.

import { parseJson } from '../../src/values'
import { withGateway } from './gateway'
import { canon } from './values'

export const JSON_HEADERS = { 'content-type': 'application/json' }

export interface OperateCase {
  name: string
  /** One operation, or a JSON array of them. */
  ops: string
  /** The bins of the answer, as JSON text; or the error's status and code. */
  answer: string | { status: number, code: number }
  /** The record's bins afterwards, as JSON text (default: unchanged). */
  after?: string
  /** The record before, as a PUT /v1/kvs body (default: the table's). */
  before?: string
  /** The answer's lists hold values in no particular order (rank selections of an unordered list). */
  unordered?: boolean
}

interface Tap {
  test: (name: string, fn: (t: any) => Promise<void>) => unknown
}

const binsOf = (body: string): string => body.slice('{"bins":'.length, body.lastIndexOf(',"generation"'))

// The bins with every list sorted, for answers in no particular order.
const sorted = (text: string): unknown => Object.entries(parseJson(text) as Record<string, unknown>).map(([name, v]) =>
  [name, Array.isArray(v) ? v.map(canon).sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1) : canon(v)])

/** Runs each case on its own record of `set`, created from `before`. */
export function runOperateCases (tap: Tap, title: string, set: string, before: string, cases: readonly OperateCase[]): void {
  tap.test(title, async (t) => {
    const { app } = await withGateway(t)
    let n = 0
    for (const c of cases) {
      const url = `test/${set}/k${n++}`
      const start = c.before ?? before
      t.equal((await app.inject({ method: 'PUT', url: `/v1/kvs/${url}`, payload: start, headers: JSON_HEADERS })).statusCode, 204, `${c.name}: set up`)
      const res = await app.inject({ method: 'POST', url: `/v1/operate/${url}`, payload: `{"opsList":${c.ops.startsWith('[') ? c.ops : `[${c.ops}]`}}`, headers: JSON_HEADERS })
      if (typeof c.answer === 'string') {
        t.equal(res.statusCode, 200, c.name)
        if (c.unordered === true) t.same(sorted(binsOf(res.body)), sorted(c.answer), c.name)
        else t.equal(binsOf(res.body), c.answer, c.name)
      } else {
        t.equal(res.statusCode, c.answer.status, c.name)
        t.equal(res.json().code, c.answer.code, `${c.name}: code`)
      }
      t.equal(binsOf((await app.inject({ method: 'GET', url: `/v1/kvs/${url}` })).body), c.after ?? start, `${c.name}: the record after`)
    }
  })
}
