// Every shared schema, added to the instance once so that routes can refer
// to them by $id and the OpenAPI document lists them as components.

import type { FastifyInstance } from 'fastify'
import { ADMIN_SCHEMAS } from './admin'
import { BatchBody, BatchItem, BatchItemPolicy, BatchKey, BatchQuery, BatchRequest, BatchResult } from './batch'
import { ClusterInfo } from './cluster'
import { EXPRESSION_SCHEMAS } from './expressions'
import { HealthStatus } from './health'
import { OPERATE_SCHEMAS } from './operations'
import { ErrorCatalogue, Problem } from './problem'
import { Bins, CreateQuery, DeleteQuery, GetQuery, HeadQuery, RecordBody, RecordParams, RecordParamsNoSet, WriteQuery } from './records'
import { EXECUTE_SCHEMAS } from './execute'
import { INDEX_SCHEMAS } from './indexes'
import { SCAN_SCHEMAS } from './scan'

const SCHEMAS = [HealthStatus, ClusterInfo, Problem, ErrorCatalogue, RecordParams, RecordParamsNoSet, GetQuery, HeadQuery,
  CreateQuery, WriteQuery, DeleteQuery, RecordBody, Bins,
  BatchKey, BatchItemPolicy, BatchItem, BatchBody, BatchRequest, BatchQuery, BatchResult, ...OPERATE_SCHEMAS,
  ...SCAN_SCHEMAS, ...INDEX_SCHEMAS, ...EXECUTE_SCHEMAS, ...EXPRESSION_SCHEMAS, ...ADMIN_SCHEMAS]

export function addSchemas (app: FastifyInstance): void {
  for (const schema of SCHEMAS) app.addSchema(schema)
}
