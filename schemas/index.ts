// Every shared schema, added to the instance once so that routes can refer
// to them by $id and the OpenAPI document lists them as components.

import type { FastifyInstance } from 'fastify'
import { HealthStatus } from './health'

const SCHEMAS = [HealthStatus]

export function addSchemas (app: FastifyInstance): void {
  for (const schema of SCHEMAS) app.addSchema(schema)
}
