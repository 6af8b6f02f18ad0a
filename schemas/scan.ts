// Scans and queries: parameters, the query body with the official gateway's
// filters, and the page they answer with.

import { Type } from 'typebox'
import type { TSchema } from 'typebox'
import { COLLECTION_TYPES, FILTER_TYPES } from '../src/scan/filter'
import { serverName } from './limits'

const literals = (values: readonly string[], description?: string): TSchema =>
  Type.Unsafe<string>({ type: 'string', enum: values, ...(description === undefined ? {} : { description }) })
const ms = (description: string): TSchema => Type.Integer({ minimum: 0, description })
const namespace = serverName('Namespace', 31)
const set = serverName('Set', 63)
const begin = Type.Integer({ minimum: 0, maximum: 4095, description: 'First partition to read (0 to 4095)' })
const count = Type.Integer({ minimum: 1, maximum: 4096, description: 'Number of partitions to read from begin' })

// Each form of the paths declares exactly its own parameters: a generated
// client cannot fill a path parameter that its path does not have.
export const ScanParams = Type.Object({ namespace, set }, { $id: 'ScanParams' })
/** The paths without a set: the whole namespace. */
export const ScanParamsNoSet = Type.Object({ namespace }, { $id: 'ScanParamsNoSet' })
export const QueryRangeParams = Type.Object({ namespace, set, begin, count }, { $id: 'QueryRangeParams' })
export const QueryRangeParamsNoSet = Type.Object({ namespace, begin, count }, { $id: 'QueryRangeParamsNoSet' })

const readParams = {
  maxRecords: Type.Optional(Type.Integer({ minimum: 0, description: 'Page size (capped by SCAN_MAX_PAGE_SIZE, which is also the default); with Accept: application/x-ndjson, the most records streamed (default: all)' })),
  recordBins: Type.Optional(Type.Array(Type.String(), { description: 'Bins to read (repeatable); all when absent' })),
  includeBinData: Type.Optional(Type.Boolean({ description: 'false: keys, generations and ttls only' })),
  totalTimeout: Type.Optional(ms('Total timeout of each query command, ms (default SCAN_TOTAL_TIMEOUT, capped by MAX_TOTAL_TIMEOUT)')),
  socketTimeout: Type.Optional(ms('Socket timeout, ms (capped by MAX_SOCKET_TIMEOUT)')),
  maxRetries: Type.Optional(Type.Integer({ minimum: 0, description: 'Retries of each query command (capped by MAX_RETRIES)' })),
  sleepBetweenRetries: Type.Optional(ms('Sleep between retries, ms')),
  replica: Type.Optional(literals(['MASTER', 'MASTER_PROLES', 'SEQUENCE', 'PREFER_RACK'])),
  recordsPerSecond: Type.Optional(Type.Integer({ minimum: 0, description: 'Accepted for the official gateway\'s clients; the Node client cannot send it, so it has no effect' })),
  concurrentNodes: Type.Optional(Type.Boolean({ description: 'Accepted for the official gateway\'s clients; SCAN_CONCURRENCY decides' })),
  maxConcurrentNodes: Type.Optional(Type.Integer({ minimum: 0, description: 'Accepted for the official gateway\'s clients; SCAN_CONCURRENCY decides' })),
  filterexp: Type.Optional(Type.String({
    description: 'Filter expression, as on the record endpoints: the JSON form of the Expression schema as JSON text (URL-encoded), ' +
      'or base64 of packed expression bytes. The servers skip the records it rejects; a page token holds it.'
  }))
}

export const ScanQuery = Type.Object({
  ...readParams,
  from: Type.Optional(Type.String({ description: 'Page token: `pagination.nextToken` of the previous page' }))
}, { $id: 'ScanQuery', additionalProperties: false })

export const QueryQuery = Type.Object({
  ...readParams,
  failOnClusterChange: Type.Optional(Type.Boolean({ description: 'Fail the query when the cluster changes' })),
  shortQuery: Type.Optional(Type.Boolean({ description: 'Accepted for the official gateway\'s clients; no effect' })),
  getToken: Type.Optional(Type.Boolean({ description: 'Accepted for the official gateway\'s clients: the token is always given while records remain' })),
  indexName: Type.Optional(Type.String({ description: 'Accepted for the official gateway\'s clients; the bin of the filter selects the index' }))
}, { $id: 'QueryQuery', additionalProperties: false })

const lngLat = Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[longitude, latitude]' })
const common = {
  binName: Type.String({ description: 'The indexed bin' }),
  ctx: Type.Optional(Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true }),
    { description: 'Context of the indexed element inside a list or map bin, as in the operate endpoint' }))
}
const collectionType = Type.Optional(literals(COLLECTION_TYPES, 'What the index holds of a list or map bin (default DEFAULT: the bin itself)'))
const filter = (type: typeof FILTER_TYPES[number], description: string, fields: Record<string, TSchema>): TSchema =>
  Type.Object({ type: Type.Literal(type), ...common, ...fields }, { $id: `QueryFilter_${type}`, description })

export const QUERY_FILTERS = [
  filter('EQUALS_STRING', 'Records whose indexed string equals value', { value: Type.String() }),
  filter('EQUALS_LONG', 'Records whose indexed integer equals value', { value: Type.Integer() }),
  filter('RANGE', 'Records whose indexed integer is from begin to end, both included', { begin: Type.Integer(), end: Type.Integer(), collectionType }),
  filter('CONTAINS_STRING', 'Records whose list or map holds the string value', { value: Type.String(), collectionType }),
  filter('CONTAINS_LONG', 'Records whose list or map holds the integer value', { value: Type.Integer(), collectionType }),
  filter('GEO_WITHIN_REGION', 'Records whose indexed GeoJSON point lies in the polygon', {
    polygon: Type.Array(lngLat, { minItems: 4, description: 'A closed ring: the last point is the first' }), collectionType
  }),
  filter('GEO_WITHIN_RADIUS', 'Records whose indexed GeoJSON point lies within radius meters of a point', {
    circle: Type.Array(Type.Unknown(), { minItems: 2, maxItems: 2, description: '[[longitude, latitude], radius in meters]' }), collectionType
  }),
  filter('GEO_CONTAINS_POINT', 'Records whose indexed GeoJSON region contains the point', { point: lngLat, collectionType })
]

export const QueryFilter = Type.Union(QUERY_FILTERS.map((f) => Type.Unsafe({ $ref: `${(f as { $id: string }).$id}#` })),
  { $id: 'QueryFilter', description: 'A secondary-index filter: only on a bin with an index of the matching type' })

export const QueryBody = Type.Object({
  filter: Type.Optional(Type.Union([Type.Unsafe({ $ref: 'QueryFilter#' }), Type.Null()])),
  from: Type.Optional(Type.Union([Type.String({ description: 'Page token: `pagination.nextToken` of the previous page' }), Type.Null()]))
}, { $id: 'QueryBody', description: 'Without a filter, a query reads every record of the set (a scan)' })

export const ScanRecord = Type.Object({
  userKey: Type.Unknown({ description: 'The user key when the record stores it (written with sendKey), else null' }),
  digest: Type.String({ description: 'The record digest, base64url: GET /v1/kvs/...?keytype=DIGEST reads the record by it' }),
  generation: Type.Integer(),
  ttl: Type.Integer({ description: 'Seconds until expiry, -1 for never' }),
  bins: Type.Record(Type.String(), Type.Unknown())
}, { $id: 'ScanRecord' })

export const ScanPage = Type.Object({
  records: Type.Array(Type.Unsafe({ $ref: 'ScanRecord#' })),
  pagination: Type.Object({
    nextToken: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `from` for the next page; null when every record was read' }),
    totalRecords: Type.Integer({ description: 'Records in this page (in a stream\'s trailer: records streamed)' })
  })
}, { $id: 'ScanPage' })

export const SCAN_SCHEMAS = [ScanParams, ScanParamsNoSet, QueryRangeParams, QueryRangeParamsNoSet, ScanQuery, QueryQuery, ...QUERY_FILTERS, QueryFilter, QueryBody, ScanRecord, ScanPage]
