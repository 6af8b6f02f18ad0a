// The error catalogue, the one place that maps error codes to HTTP statuses,
// and the RFC 9457 problem body built from it. It covers every code of the
// Node client's status table, plus the few errors of the gateway itself that
// have no Aerospike code (9000 and up, where neither the server's one-byte
// result codes, the client's negative codes nor its 13xx UDF codes reach).
//
// Statuses follow principles rather than codes: bad input 400, missing 404,
// conflict with stored state 409, failed precondition 412, too large 413,
// overload 429 (one key or one user's quota) or 503 (a server's or the
// client's capacity), timeout 504, cluster unreachable 503, security 401
// (who you are) or 403 (what you may do), unsupported 501, any other server
// failure 502, a fault of the gateway 500. Only 429, 503 and 504 are
// transient, so only they are `retryable` and carry Retry-After.
//
// `error` is the exception class the Aerospike Python client (aerospike-py)
// raises for the code, so that clients can dispatch on one field.

import { AerospikeError, status } from 'aerospike'
import type { Problem } from '../schemas/problem'

export type ErrorClass =
  | 'AerospikeError'
  | 'ClientError'
  | 'ClusterError'
  | 'InvalidArgError'
  | 'AerospikeTimeoutError'
  | 'ServerError'
  | 'AerospikeIndexError' | 'IndexNotFound' | 'IndexFoundError'
  | 'QueryError' | 'QueryAbortedError'
  | 'AdminError'
  | 'UDFError'
  | 'RecordError' | 'RecordNotFound' | 'RecordExistsError' | 'RecordGenerationError' | 'RecordTooBig'
  | 'BinNameError' | 'BinExistsError' | 'BinNotFound' | 'BinTypeError' | 'FilteredOut'

export interface ErrorEntry {
  code: number
  constant: string
  error: ErrorClass
  title: string
  status: number
  /** The status instead when a conditional header (If-Match, If-None-Match) caused the code. */
  conditionalStatus?: number
  /** The class and status instead when the retries ran out on timeouts. */
  timeout?: { error: ErrorClass, status: number }
  retryable: boolean
  /** Where the entry is documented: GET /v1/errors lists it under this fragment. */
  type: string
}

/** An unknown route. */
export const ROUTE_NOT_FOUND = 9404
/** A known path, a method it does not have; the answer's Allow lists those it has. */
export const METHOD_NOT_ALLOWED = 9405
/** The request did not arrive in time (REQUEST_TIMEOUT). */
export const REQUEST_TIMEOUT = 9408
/**
 * The gateway is shutting down, holds as many request bodies as it may, or
 * sheds load (its event loop or memory is past a threshold).
 */
export const GATEWAY_UNAVAILABLE = 9503
/** An unexpected failure of the gateway; the log has it under the request id. */
export const INTERNAL_ERROR = 9500
/** No API key, or one the key file does not hold. */
export const UNAUTHENTICATED = 9401
/** Credential passthrough is on and the request has no usable HTTP Basic credentials. */
export const CREDENTIALS_REQUIRED = 9402
/** An API key without the scope the request needs. */
export const FORBIDDEN = 9403
/** More requests than the rate limit of the key or address allows. */
export const RATE_LIMITED = 9429

const TRANSIENT = new Set([429, 503, 504])
const RETRY_AFTER_SECONDS = '1'
const CONTENT_TYPE = 'application/problem+json; charset=utf-8'
const INTERNAL_DETAIL = 'The gateway failed to handle the request; its log has the details under the requestId.'

type Row = [code: number, constant: string, error: ErrorClass, status: number, title: string, extra?: Pick<ErrorEntry, 'conditionalStatus' | 'timeout'>]

const ROWS: Row[] = [
  // Client-side codes: the client itself, its connections, its transactions.
  [-20, 'AEROSPIKE_METRICS_CONFLICT', 'ClientError', 500, 'Metrics configuration conflict'],
  [-19, 'AEROSPIKE_TXN_ALREADY_ABORTED', 'ClientError', 409, 'Transaction already aborted'],
  [-18, 'AEROSPIKE_TXN_ALREADY_COMMITTED', 'ClientError', 409, 'Transaction already committed'],
  [-17, 'AEROSPIKE_TXN_FAILED', 'ClientError', 409, 'Transaction failed'],
  // The failures are the servers' answers for some keys, not the gateway's.
  [-16, 'AEROSPIKE_BATCH_FAILED', 'ClientError', 502, 'Batch keys failed'],
  [-15, 'AEROSPIKE_NO_RESPONSE', 'ClusterError', 503, 'No response from the cluster'],
  // The client stops using a node whose errors exceed the rate: a node is out.
  [-14, 'AEROSPIKE_MAX_ERROR_RATE', 'ClusterError', 503, 'Node error rate exceeded'],
  [-13, 'AEROSPIKE_USE_NORMAL_RETRY', 'ClientError', 500, 'Internal retry signal'],
  // Scans and queries give up with this once every retry failed; the client
  // lists each attempt's code, and the last one says what the cause was.
  [-12, 'AEROSPIKE_ERR_MAX_RETRIES_EXCEEDED', 'ClusterError', 503, 'Retries exhausted', { timeout: { error: 'AerospikeTimeoutError', status: 504 } }],
  [-11, 'AEROSPIKE_ERR_ASYNC_QUEUE_FULL', 'ClientError', 503, 'Client command queue full'],
  [-10, 'AEROSPIKE_ERR_CONNECTION', 'ClusterError', 503, 'Cluster connection failed'],
  [-9, 'AEROSPIKE_ERR_TLS_ERROR', 'ClusterError', 503, 'TLS connection failed'],
  [-8, 'AEROSPIKE_ERR_INVALID_NODE', 'ClusterError', 503, 'Cluster node unavailable'],
  [-7, 'AEROSPIKE_ERR_NO_MORE_CONNECTIONS', 'ClientError', 503, 'Connection pool exhausted'],
  [-6, 'AEROSPIKE_ERR_ASYNC_CONNECTION', 'ClusterError', 503, 'Cluster connection failed'],
  [-5, 'AEROSPIKE_ERR_CLIENT_ABORT', 'ClientError', 500, 'Aborted by the client'],
  [-4, 'AEROSPIKE_ERR_INVALID_HOST', 'ClusterError', 503, 'Cluster host not found'],
  [-3, 'AEROSPIKE_NO_MORE_RECORDS', 'ClientError', 500, 'No more records'],
  [-2, 'AEROSPIKE_ERR_PARAM', 'InvalidArgError', 400, 'Invalid parameter'],
  [-1, 'AEROSPIKE_ERR_CLIENT', 'ClientError', 500, 'Client error'],

  // Server codes.
  [1, 'AEROSPIKE_ERR_SERVER', 'ServerError', 502, 'Server error'],
  [2, 'AEROSPIKE_ERR_RECORD_NOT_FOUND', 'RecordNotFound', 404, 'Record not found', { conditionalStatus: 412 }],
  [3, 'AEROSPIKE_ERR_RECORD_GENERATION', 'RecordGenerationError', 409, 'Generation mismatch', { conditionalStatus: 412 }],
  [4, 'AEROSPIKE_ERR_REQUEST_INVALID', 'InvalidArgError', 400, 'Invalid request'],
  [5, 'AEROSPIKE_ERR_RECORD_EXISTS', 'RecordExistsError', 409, 'Record already exists', { conditionalStatus: 412 }],
  [6, 'AEROSPIKE_ERR_BIN_EXISTS', 'BinExistsError', 409, 'Bin already exists'],
  [7, 'AEROSPIKE_ERR_CLUSTER_CHANGE', 'ClusterError', 503, 'Cluster changing'],
  [8, 'AEROSPIKE_ERR_SERVER_FULL', 'ServerError', 503, 'Server full'],
  [9, 'AEROSPIKE_ERR_TIMEOUT', 'AerospikeTimeoutError', 504, 'Timeout'],
  // Not security: the server's configuration forbids the command.
  [10, 'AEROSPIKE_ERR_ALWAYS_FORBIDDEN', 'ServerError', 403, 'Forbidden by configuration'],
  [11, 'AEROSPIKE_ERR_CLUSTER', 'ClusterError', 503, 'Partition unavailable'],
  [12, 'AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE', 'BinTypeError', 409, 'Incompatible bin type'],
  [13, 'AEROSPIKE_ERR_RECORD_TOO_BIG', 'RecordTooBig', 413, 'Record too big'],
  [14, 'AEROSPIKE_ERR_RECORD_BUSY', 'RecordError', 429, 'Record busy'],
  [15, 'AEROSPIKE_ERR_SCAN_ABORTED', 'QueryError', 502, 'Scan aborted'],
  [16, 'AEROSPIKE_ERR_UNSUPPORTED_FEATURE', 'ServerError', 501, 'Unsupported feature'],
  [17, 'AEROSPIKE_ERR_BIN_NOT_FOUND', 'BinNotFound', 404, 'Bin not found'],
  [18, 'AEROSPIKE_ERR_DEVICE_OVERLOAD', 'ServerError', 503, 'Storage device overloaded'],
  [19, 'AEROSPIKE_ERR_RECORD_KEY_MISMATCH', 'RecordError', 409, 'Record key mismatch'],
  [20, 'AEROSPIKE_ERR_NAMESPACE_NOT_FOUND', 'ServerError', 404, 'Namespace not found'],
  [21, 'AEROSPIKE_ERR_BIN_NAME', 'BinNameError', 400, 'Invalid bin name'],
  [22, 'AEROSPIKE_ERR_FAIL_FORBIDDEN', 'ServerError', 403, 'Forbidden at this time'],
  [23, 'AEROSPIKE_ERR_FAIL_ELEMENT_NOT_FOUND', 'RecordError', 404, 'Element not found'],
  [24, 'AEROSPIKE_ERR_FAIL_ELEMENT_EXISTS', 'RecordError', 409, 'Element already exists'],
  [25, 'AEROSPIKE_ERR_ENTERPRISE_ONLY', 'ServerError', 501, 'Enterprise feature'],
  [26, 'AEROSPIKE_ERR_OP_NOT_APPLICABLE', 'RecordError', 409, 'Operation not applicable'],
  [27, 'AEROSPIKE_FILTERED_OUT', 'FilteredOut', 412, 'Filtered out'],
  [28, 'AEROSPIKE_LOST_CONFLICT', 'RecordError', 409, 'Lost conflict to XDR'],
  [32, 'AEROSPIKE_XDR_KEY_BUSY', 'RecordError', 429, 'Record busy shipping to XDR'],
  [50, 'AEROSPIKE_QUERY_END', 'QueryError', 502, 'Query ended'],
  // The cluster runs without the security the command needs.
  [51, 'AEROSPIKE_SECURITY_NOT_SUPPORTED', 'AdminError', 501, 'Security not supported'],
  [52, 'AEROSPIKE_SECURITY_NOT_ENABLED', 'AdminError', 501, 'Security not enabled'],
  [53, 'AEROSPIKE_SECURITY_SCHEME_NOT_SUPPORTED', 'AdminError', 501, 'Security scheme not supported'],
  [54, 'AEROSPIKE_INVALID_COMMAND', 'AdminError', 400, 'Invalid administration command'],
  [55, 'AEROSPIKE_INVALID_FIELD', 'AdminError', 400, 'Invalid administration field'],
  [56, 'AEROSPIKE_ILLEGAL_STATE', 'AdminError', 502, 'Security protocol not followed'],
  [60, 'AEROSPIKE_INVALID_USER', 'AdminError', 401, 'Invalid user'],
  // Creating what exists is a conflict with stored state, not a refusal.
  [61, 'AEROSPIKE_USER_ALREADY_EXISTS', 'AdminError', 409, 'User already exists'],
  [62, 'AEROSPIKE_INVALID_PASSWORD', 'AdminError', 401, 'Invalid password'],
  [63, 'AEROSPIKE_EXPIRED_PASSWORD', 'AdminError', 401, 'Password expired'],
  [64, 'AEROSPIKE_FORBIDDEN_PASSWORD', 'AdminError', 403, 'Password forbidden'],
  [65, 'AEROSPIKE_INVALID_CREDENTIAL', 'AdminError', 401, 'Invalid credential'],
  [66, 'AEROSPIKE_EXPIRED_SESSION', 'AdminError', 401, 'Session expired'],
  [70, 'AEROSPIKE_INVALID_ROLE', 'AdminError', 400, 'Invalid role'],
  [71, 'AEROSPIKE_ROLE_ALREADY_EXISTS', 'AdminError', 409, 'Role already exists'],
  [72, 'AEROSPIKE_INVALID_PRIVILEGE', 'AdminError', 400, 'Invalid privilege'],
  [73, 'AEROSPIKE_INVALID_WHITELIST', 'AdminError', 400, 'Invalid allowlist'],
  [74, 'AEROSPIKE_QUOTAS_NOT_ENABLED', 'AdminError', 501, 'Quotas not enabled'],
  [75, 'AEROSPIKE_INVALID_QUOTA', 'AdminError', 400, 'Invalid quota'],
  [80, 'AEROSPIKE_NOT_AUTHENTICATED', 'AdminError', 401, 'Not authenticated'],
  [81, 'AEROSPIKE_ROLE_VIOLATION', 'AdminError', 403, 'Role violation'],
  [82, 'AEROSPIKE_NOT_WHITELISTED', 'AdminError', 403, 'Address not allowed'],
  [83, 'AEROSPIKE_QUOTA_EXCEEDED', 'AdminError', 429, 'Quota exceeded'],
  [100, 'AEROSPIKE_ERR_UDF', 'UDFError', 502, 'UDF failed'],
  // Transactions: each is a conflict with the state of a transaction.
  [120, 'AEROSPIKE_MRT_BLOCKED', 'ServerError', 409, 'Record locked by another transaction'],
  [121, 'AEROSPIKE_MRT_VERSION_MISMATCH', 'ServerError', 409, 'Record changed outside the transaction'],
  [122, 'AEROSPIKE_MRT_EXPIRED', 'ServerError', 409, 'Transaction expired'],
  [123, 'AEROSPIKE_MRT_TOO_MANY_WRITES', 'ServerError', 409, 'Too many writes in the transaction'],
  [124, 'AEROSPIKE_MRT_COMMITTED', 'ServerError', 409, 'Transaction already committed'],
  [125, 'AEROSPIKE_MRT_ABORTED', 'ServerError', 409, 'Transaction already aborted'],
  [126, 'AEROSPIKE_MRT_ALREADY_LOCKED', 'ServerError', 409, 'Record already locked by the transaction'],
  [127, 'AEROSPIKE_MRT_MONITOR_EXISTS', 'ServerError', 409, 'Transaction already started'],
  [150, 'AEROSPIKE_ERR_BATCH_DISABLED', 'ServerError', 501, 'Batch disabled'],
  [151, 'AEROSPIKE_ERR_BATCH_MAX_REQUESTS_EXCEEDED', 'ServerError', 413, 'Batch too large'],
  [152, 'AEROSPIKE_ERR_BATCH_QUEUES_FULL', 'ServerError', 503, 'Batch queues full'],
  [160, 'AEROSPIKE_ERR_GEO_INVALID_GEOJSON', 'ServerError', 400, 'Invalid GeoJSON'],
  [200, 'AEROSPIKE_ERR_INDEX_FOUND', 'IndexFoundError', 409, 'Index already exists'],
  [201, 'AEROSPIKE_ERR_INDEX_NOT_FOUND', 'IndexNotFound', 404, 'Index not found'],
  [202, 'AEROSPIKE_ERR_INDEX_OOM', 'AerospikeIndexError', 503, 'Index out of memory'],
  // An index being built becomes readable: transient.
  [203, 'AEROSPIKE_ERR_INDEX_NOT_READABLE', 'AerospikeIndexError', 503, 'Index not readable'],
  [204, 'AEROSPIKE_ERR_INDEX', 'AerospikeIndexError', 502, 'Index error'],
  [205, 'AEROSPIKE_ERR_INDEX_NAME_MAXLEN', 'AerospikeIndexError', 400, 'Index name too long'],
  [206, 'AEROSPIKE_ERR_INDEX_MAXCOUNT', 'AerospikeIndexError', 409, 'Too many indexes'],
  [210, 'AEROSPIKE_ERR_QUERY_ABORTED', 'QueryAbortedError', 502, 'Query aborted'],
  [211, 'AEROSPIKE_ERR_QUERY_QUEUE_FULL', 'QueryError', 503, 'Query queue full'],
  [212, 'AEROSPIKE_ERR_QUERY_TIMEOUT', 'QueryError', 504, 'Query timeout'],
  [213, 'AEROSPIKE_ERR_QUERY', 'QueryError', 502, 'Query error'],
  [1301, 'AEROSPIKE_ERR_UDF_NOT_FOUND', 'UDFError', 404, 'UDF not found'],
  [1302, 'AEROSPIKE_ERR_LUA_FILE_NOT_FOUND', 'UDFError', 404, 'UDF file not found'],

  // The gateway's own. Bad input from the gateway's checks uses Aerospike's
  // 4 (request invalid), -2 (parameter) or 21 (bin name) instead.
  [ROUTE_NOT_FOUND, 'AEROGATE_ROUTE_NOT_FOUND', 'AerospikeError', 404, 'Route not found'],
  [METHOD_NOT_ALLOWED, 'AEROGATE_METHOD_NOT_ALLOWED', 'AerospikeError', 405, 'Method not allowed'],
  [9406, 'AEROGATE_NOT_ACCEPTABLE', 'AerospikeError', 406, 'Not acceptable'],
  [REQUEST_TIMEOUT, 'AEROGATE_REQUEST_TIMEOUT', 'AerospikeError', 408, 'Request timeout'],
  [9413, 'AEROGATE_CONTENT_TOO_LARGE', 'AerospikeError', 413, 'Request too large'],
  [9414, 'AEROGATE_URI_TOO_LONG', 'AerospikeError', 414, 'URI too long'],
  [9415, 'AEROGATE_UNSUPPORTED_MEDIA_TYPE', 'AerospikeError', 415, 'Unsupported media type'],
  [9431, 'AEROGATE_HEADERS_TOO_LARGE', 'AerospikeError', 431, 'Request headers too large'],
  [GATEWAY_UNAVAILABLE, 'AEROGATE_UNAVAILABLE', 'AerospikeError', 503, 'Gateway unavailable'],
  [INTERNAL_ERROR, 'AEROGATE_INTERNAL_ERROR', 'ClientError', 500, 'Gateway internal error'],
  [UNAUTHENTICATED, 'AEROGATE_UNAUTHENTICATED', 'AdminError', 401, 'API key missing or unknown'],
  [CREDENTIALS_REQUIRED, 'AEROGATE_CREDENTIALS_REQUIRED', 'AdminError', 401, 'Aerospike credentials missing'],
  [FORBIDDEN, 'AEROGATE_FORBIDDEN', 'AdminError', 403, 'API key out of scope'],
  [RATE_LIMITED, 'AEROGATE_RATE_LIMITED', 'ClientError', 429, 'Rate limit exceeded']
]

const ENTRIES = new Map<number, ErrorEntry>(ROWS.map(([code, constant, error, status, title, extra]) =>
  [code, { code, constant, error, title, status, ...extra, retryable: TRANSIENT.has(status), type: `/v1/errors#${code}` }]))

/** Every entry, by code. */
export const ERROR_CATALOGUE: readonly ErrorEntry[] = [...ENTRIES.values()]

/**
 * The entry of a code. A code newer than this table gets the generic server
 * error (502) when positive, the generic client error (500) otherwise.
 */
export function errorEntry (code: number): ErrorEntry {
  return ENTRIES.get(code) ?? (ENTRIES.get(code > 0 ? 1 : -1) as ErrorEntry)
}

/** An error found by the gateway itself, such as bad input, as an Aerospike code. */
export class GatewayError extends Error {
  override name = 'GatewayError'

  /**
   * @param code an Aerospike code (4, -2, 21...) or a gateway code
   * @param detail what is wrong, for the client
   * @param status an HTTP status instead of the code's, e.g. 413 or 415 for a body that is too large or not JSON
   */
  constructor (readonly code: number, detail: string, readonly status?: number) {
    super(detail)
  }
}

export interface ProblemContext {
  /** The request path. */
  instance: string
  requestId: string
  /** A conditional header (If-Match, If-None-Match) shaped the command. */
  conditional?: boolean
}

export interface ProblemResponse {
  status: number
  headers: Record<string, string>
  body: Problem
}

interface Classified {
  code: number
  detail: string
  inDoubt: boolean
  status?: number
  timedOut?: boolean
}

// The client ends the message with the code of each attempt, one a line.
function lastAttemptTimedOut (message: string): boolean {
  return message.split('sub-errors:')[1]?.match(/^-?\d+/gm)?.at(-1) === '9'
}

// Clients of the gateway need not know the cluster's topology, and a read
// coalesced into a batch read (src/read-coalescer.ts) has no single node: the
// client's messages lose node names ("BB91BC9E1D9FA27") and addresses
// ("127.0.0.1:3000", "[::1]:3000", "lastNode=...") wherever they are.
const NODE_DETAILS = [
  /\s*\blastNode=\S*/g,
  /\b[0-9A-F]{12,16}\b\s*/g,
  /\[[0-9A-Fa-f:.]*\](?::\d+)?\s*/g,
  /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\s*/g,
  /\b[\w.-]+\.[A-Za-z][\w-]*:\d+\s*/g,
  /\blocalhost:\d+\s*/g
]

/** A message of the client without node names and addresses. */
export function withoutNodes (message: string): string {
  let m = message
  for (const re of NODE_DETAILS) m = m.replace(re, '')
  return m.replace(/:\s*$/, '').replace(/\s+,/g, ',').trim()
}

// The client reports a batch sent to a cluster with no node as a server
// error (1); a single command gets -8 for the same state. Both are the
// cluster's unavailability.
const EMPTY_CLUSTER = /cluster is empty/i

/**
 * What of a client error may be logged or answered: code, message (without
 * nodes) and inDoubt. The error object itself carries the client, whose
 * config holds the password.
 */
export function clientErrorFields (err: InstanceType<typeof AerospikeError>): { code: number, message: string, inDoubt: boolean } {
  return { code: err.code as number, message: withoutNodes(err.message), inDoubt: err.inDoubt === true }
}

// The Node client's own text for a code ("May be returned by read, or write
// with policy Aerospike.policy.exists.UPDATE.") speaks of its API; the
// answer says the catalogue's title instead. The C client's messages, which
// say what happened ("Invalid namespace: nons"), stay.
// The per-attempt "sub-errors:" lines that follow a retried command's message
// are the client's bookkeeping, not news for the caller.
function detailOf (code: number, message: string): string {
  const text = message.split(/\s*sub-errors:/)[0].trim()
  return text === (status.getMessage as (code: number) => string)(code) ? errorEntry(code).title : text
}

/** An error as the log writes it. */
export interface LoggedError {
  [key: string]: unknown
  type: string
  message: string
  stack: string
}

// Marks what serializeError made: it is the logger's `err` serializer too, and
// a line that logs an error it already serialized must not lose it to a
// second pass ("[object Object]"). A symbol never reaches the log.
const SERIALIZED = Symbol('serialized error')

function serialized (fields: LoggedError): LoggedError {
  return Object.defineProperty(fields, SERIALIZED, { value: true })
}

/**
 * The log serializer of `err`: a client error by clientErrorFields, without
 * its stack (whose first line is the message with the nodes); any other by
 * name, message, stack and its HTTP and error codes. What it made already
 * passes unchanged.
 */
export function serializeError (err: unknown): LoggedError {
  if (typeof err === 'object' && err !== null && SERIALIZED in err) return err as unknown as LoggedError
  if (err instanceof AerospikeError) return serialized({ type: 'AerospikeError', stack: '', ...clientErrorFields(err) })
  if (err instanceof Error) {
    const { statusCode, code } = err as { statusCode?: unknown, code?: unknown }
    return serialized({ type: err.name, message: err.message, stack: err.stack ?? '', code, statusCode })
  }
  return serialized({ type: typeof err, message: String(err), stack: '' })
}

// A gateway status that has no Aerospike code gets the catalogue entry of its own.
const STATUS_CODES: Record<number, number> = { 405: 9405, 406: 9406, 408: 9408, 413: 9413, 414: 9414, 415: 9415, 431: 9431 }

function classify (err: unknown): Classified {
  if (err instanceof AerospikeError) {
    const fields = clientErrorFields(err)
    // The typings fold status.getMessage into the type of `code`.
    const code = fields.code === 1 && EMPTY_CLUSTER.test(fields.message) ? -8 : fields.code
    return { code, detail: detailOf(fields.code, fields.message), inDoubt: fields.inDoubt, timedOut: code === -12 && lastAttemptTimedOut(err.message) }
  }
  if (err instanceof GatewayError) {
    const code = err.code === 4 && err.status !== undefined ? STATUS_CODES[err.status] ?? err.code : err.code
    return { code, detail: err.message, inDoubt: false, status: err.status }
  }
  // Fastify's own client errors: schema validation (400, the message names
  // the field), a body that is too large (413), not JSON (415) or bad JSON
  // (400). Their messages carry nothing internal.
  const { statusCode, message } = (err ?? {}) as { statusCode?: unknown, message?: unknown }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { code: STATUS_CODES[statusCode] ?? 4, detail: String(message), inDoubt: false, status: statusCode }
  }
  return { code: INTERNAL_ERROR, detail: INTERNAL_DETAIL, inDoubt: false }
}

/** The response for any error: an RFC 9457 problem built from the catalogue. */
export function toProblem (err: unknown, context: ProblemContext): ProblemResponse {
  const { code, detail, inDoubt, status: override, timedOut = false } = classify(err)
  const entry = errorEntry(code)
  const variant = timedOut ? entry.timeout : undefined
  const status = override ?? (context.conditional === true ? entry.conditionalStatus : undefined) ?? variant?.status ?? entry.status
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE }
  if (TRANSIENT.has(status)) headers['retry-after'] = RETRY_AFTER_SECONDS
  const { requestId, ...rest } = problemFields(code, entry, status, detail, inDoubt, context.requestId, variant?.error)
  return { status, headers, body: { ...rest, instance: context.instance, requestId } }
}

/** The problem fields of one failed item of a batch: those of a whole error but `instance`. */
export type ItemProblem = Omit<Problem, 'instance'>

/** `where` names the item, e.g. "batchRecords[3]"; the detail adds the code's title. */
export function itemProblem (code: number, where: string, inDoubt: boolean, requestId: string): ItemProblem {
  const entry = errorEntry(code)
  return problemFields(code, entry, entry.status, `${where}: ${entry.title}`, inDoubt, requestId)
}

function problemFields (code: number, entry: ErrorEntry, status: number, detail: string, inDoubt: boolean, requestId: string,
  error: ErrorClass = entry.error): ItemProblem {
  return {
    type: entry.type,
    title: entry.title,
    status,
    detail,
    error,
    code,
    constant: entry.constant,
    inDoubt,
    retryable: TRANSIENT.has(status),
    requestId,
    message: detail,
    internalErrorCode: code
  }
}
