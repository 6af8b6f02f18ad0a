// Filter and operation expressions from requests: the gateway's JSON form
// (compile.ts), or packed expression bytes in base64 as the official gateway
// takes them (bytes.ts). Either becomes what the client takes as an
// expression: its own builders' entries, or checked base64.

import { parseJson } from '../values'
import { expressionFromBase64 } from './bytes'
import { compileExpression } from './compile'
import type { ClientExp, CompileOptions } from './types'

export { OPERATORS, compileExpression, flatParams, digestModulo } from './compile'
export { EXP_TYPES, type ClientExp, type CompileOptions, type ExpType } from './types'

/** What the client's policies (filterExpression) and expression operations take. */
export type ClientExpression = ClientExp | string

/**
 * An expression from a request. A string is JSON text when it starts with
 * "{" or "[" (URL-encoded in a query parameter), else base64 of the packed
 * expression; any other JSON value is the JSON form itself.
 */
export function toClientExpression (input: unknown, path: string, options: CompileOptions): ClientExpression {
  if (typeof input === 'string') {
    const text = input.trim()
    if (text.startsWith('{') || text.startsWith('[')) return compileExpression(parseJson(text, { maxDepth: options.maxDepth }), path, options).exp
    return expressionFromBase64(text, path)
  }
  return compileExpression(input, path, options).exp
}

/**
 * The `filterExpression` field of a client policy from a request's
 * `filterexp` (query parameter or policy field), for any command: records,
 * operate, batch, scans and queries. Undefined when there is none.
 */
export function filterPolicyField (filterexp: unknown, path: string, options: CompileOptions): { filterExpression?: ClientExpression } {
  if (filterexp === undefined || filterexp === null || filterexp === '') return {}
  return { filterExpression: toClientExpression(filterexp, path, options) }
}
