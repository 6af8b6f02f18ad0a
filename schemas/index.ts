// Every shared schema, added to the instance once so that routes can refer
// to them by $id and the OpenAPI document lists them as components.

import type { FastifyInstance } from 'fastify'
import { ClusterInfo } from './cluster'
import { HealthStatus } from './health'
import { OPERATE_SCHEMAS } from './operations'
import { ErrorCatalogue, Problem } from './problem'
import { RecordBody, RecordParams, RecordQuery } from './records'

const SCHEMAS = [HealthStatus, ClusterInfo, Problem, ErrorCatalogue, RecordParams, RecordQuery, RecordBody, ...OPERATE_SCHEMAS]

export function addSchemas (app: FastifyInstance): void {
  for (const schema of SCHEMAS) app.addSchema(schema)
}
