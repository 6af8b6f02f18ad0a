// The text of a schema validation error (400). Fastify's own formatter
// joins Ajv's messages, and Ajv's message for a wrong enum value does not
// say which values are allowed ("must be equal to one of the allowed
// values"): this one names them.

import type { FastifySchemaValidationError } from 'fastify/types/schema'

export function schemaErrorFormatter (errors: FastifySchemaValidationError[], dataVar: string): Error {
  const texts = new Set<string>()
  for (const e of errors) {
    const allowed = e.keyword === 'enum' ? (e.params as { allowedValues?: unknown[] }).allowedValues : undefined
    const message = allowed === undefined ? e.message ?? 'is invalid' : `must be one of ${allowed.map(String).join(', ')}`
    texts.add(`${dataVar}${e.instancePath} ${message}`)
  }
  return new Error([...texts].join(', '))
}
