// What routes declare for the OpenAPI document beyond what Fastify checks:
// request bodies that handlers parse themselves (so that their errors name
// the field in the gateway's words), with examples that succeed as written,
// in both body formats; answers in both formats; enums whose errors list the
// allowed values; and the conditional headers a method honours.
//
// A route spreads `requestBody(...)` into its schema. Fastify ignores the
// `x-` key it adds, @fastify/swagger copies it into the operation, and
// `openapiTransformObject` makes it the operation's requestBody. A route that
// also wants Ajv to check the body keeps its own `body` as well.

import { Type } from 'typebox'
import type { TSchema, TUnsafe } from 'typebox'

export const JSON_MEDIA = 'application/json'
export const MSGPACK_MEDIA = 'application/msgpack'

/** A named example: its summary is what Swagger UI lists; the first one is the default. */
export interface Example {
  summary: string
  value: unknown
}

const BODY_KEY = 'x-aerogate-request-body'

declare module 'fastify' {
  interface FastifySchema {
    /** The request body of the OpenAPI document: spread `requestBody(...)` (schemas/openapi.ts). */
    [BODY_KEY]?: object
  }
}

const MSGPACK_NOTE = 'The same structure in MessagePack: bytes, integer map keys, NaN and the infinities travel natively.'

// 'Bins#', as routes name shared schemas, in the document's own form.
const componentRef = (schema: object): object => {
  const ref = (schema as { $ref?: unknown }).$ref
  return typeof ref === 'string' && ref.endsWith('#') ? { $ref: `#/components/schemas/${ref.slice(0, -1)}` } : schema
}

/**
 * Route schema fields documenting a JSON or MessagePack request body.
 * `schema` is `{ $ref: 'Id#' }` or an inline schema; `examples` are JSON
 * forms, each of which must succeed as written on an empty database (the
 * first is Swagger UI's default).
 */
export function requestBody (description: string, schema: object, examples: Record<string, Example>): { [BODY_KEY]: object } {
  const documented = componentRef(schema)
  return {
    [BODY_KEY]: {
      description,
      required: true,
      content: {
        [JSON_MEDIA]: { schema: documented, examples },
        [MSGPACK_MEDIA]: { schema: { ...documented, description: MSGPACK_NOTE } }
      }
    }
  }
}

/** The content of an answer in JSON and in MessagePack, chosen by Accept. */
export function valueContent (ref: string): Record<string, { schema: object }> {
  return {
    [JSON_MEDIA]: { schema: { $ref: ref } },
    [MSGPACK_MEDIA]: { schema: { $ref: ref } }
  }
}

/** An answer without a body (204, 304, HEAD): without `type: 'null'` the document would give it a JSON one. */
export function noBody (description: string, headers?: object): object {
  return { type: 'null', description, ...(headers === undefined ? {} : { headers }) }
}

/** A string enum: one `enum` keyword, so a wrong value is one error listing the values (see src/validation-errors.ts). */
export function enumOf<T extends string> (values: readonly T[], description?: string): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description === undefined ? {} : { description }) })
}

const IF_MATCH = Type.String({ description: 'Act only when the record\'s ETag is this one (`"<generation>"`), or, with `*`, when the record exists; otherwise 412' })
const IF_NONE_MATCH_WRITE = Type.String({ description: '`*`: act only when the record does not exist; otherwise 412' })
const IF_NONE_MATCH_READ = Type.String({ description: 'ETags or `*`: 304 Not Modified when the record\'s ETag is one of them (any ETag for `*`)' })

/** The conditional headers a method honours, as a Fastify `headers` schema. */
export function conditionalHeaders (kind: 'read' | 'write' | 'delete'): TSchema {
  return Type.Object({
    'if-match': Type.Optional(IF_MATCH),
    ...(kind === 'delete' ? {} : { 'if-none-match': Type.Optional(kind === 'read' ? IF_NONE_MATCH_READ : IF_NONE_MATCH_WRITE) })
  })
}

type Operations = Record<string, Record<string, unknown>>

/** The `transformObject` of @fastify/swagger: each `requestBody(...)` becomes its operation's requestBody, HEAD operations keep their own operationId. */
export function openapiTransformObject (document: { openapiObject: object } | { swaggerObject: object }): object {
  if (!('openapiObject' in document)) return document.swaggerObject
  const { paths = {} } = document.openapiObject as { paths?: Record<string, Operations> }
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      if (typeof operation !== 'object' || operation === null) continue
      // @fastify/swagger suffixes the operationId of a HEAD route that it
      // is told to show (`config: { swagger: { exposeHeadRoute: true } }`).
      if (typeof operation.operationId === 'string') operation.operationId = operation.operationId.replace(/-head$/, '')
      if (!(BODY_KEY in operation)) continue
      operation.requestBody = operation[BODY_KEY]
      delete operation[BODY_KEY]
    }
  }
  // Objects shared between operations (the same body on the paths with and
  // without a set) would be YAML anchors and aliases: give each its own copy.
  const copy = JSON.parse(JSON.stringify(document.openapiObject)) as { components?: { schemas?: Record<string, unknown> } }
  pruneSchemas(copy)
  return copy
}

const COMPONENT_REF = /"\$ref":"#\/components\/schemas\/([^"]+)"/g

// Shared schemas that the document inlines (querystrings and path
// parameters become parameter lists) are left out of its components.
function pruneSchemas (document: { components?: { schemas?: Record<string, unknown> } }): void {
  const schemas = document.components?.schemas
  if (schemas === undefined) return
  const { components, ...rest } = document
  const used = new Set<string>()
  const visit = (json: string): void => {
    for (const [, name] of json.matchAll(COMPONENT_REF)) {
      if (used.has(name) || schemas[name] === undefined) continue
      used.add(name)
      visit(JSON.stringify(schemas[name]))
    }
  }
  visit(JSON.stringify(rest))
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name]
}
