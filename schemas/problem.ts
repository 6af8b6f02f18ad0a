// The error body of every route (RFC 9457), and the error catalogue its
// `type` points into. Routes document their errors with { $ref: 'Problem#' }.

import { Type, type Static } from 'typebox'

const code = Type.Integer({ description: 'Aerospike result code, or a gateway code (9000 and up) for errors that have none' })
const error = Type.String({ description: "Exception class in the Aerospike Python client's hierarchy, e.g. `RecordNotFound`, `AerospikeTimeoutError`" })
const retryable = Type.Boolean({ description: 'Transient (timeout, cluster, overload): the same request may succeed later; the response has Retry-After' })

export const Problem = Type.Object({
  type: Type.String({ description: 'URI reference of the catalogue entry, `/v1/errors#<code>`' }),
  title: Type.String({ description: 'Short summary of the entry; the same for every occurrence' }),
  status: Type.Integer({ description: 'HTTP status of this response' }),
  detail: Type.String({ description: 'What happened in this request' }),
  instance: Type.String({ description: 'Path of the request' }),
  error,
  code,
  constant: Type.String({ description: 'Name of the code, e.g. `AEROSPIKE_ERR_RECORD_NOT_FOUND`' }),
  inDoubt: Type.Boolean({ description: 'A write may have been applied even though it failed' }),
  retryable,
  requestId: Type.String({ description: 'Id of the request in the gateway log: the X-Request-Id the client sent, or one the gateway made' }),
  message: Type.String({ description: 'Same as `detail`, for clients of the official Aerospike REST gateway' }),
  internalErrorCode: Type.Integer({ description: 'Same as `code`, for clients of the official Aerospike REST gateway' })
}, { $id: 'Problem', additionalProperties: false, description: 'An error, as application/problem+json (RFC 9457)' })

export type Problem = Static<typeof Problem>

export const ErrorCatalogue = Type.Array(Type.Object({
  code,
  constant: Type.String(),
  error,
  title: Type.String(),
  status: Type.Integer({ description: 'HTTP status of the error' }),
  conditionalStatus: Type.Optional(Type.Integer({ description: 'HTTP status when a conditional header (If-Match, If-None-Match) caused the error' })),
  timeout: Type.Optional(Type.Object({
    error,
    status: Type.Integer()
  }, { additionalProperties: false, description: 'Class and HTTP status when the retries ran out on timeouts' })),
  retryable,
  type: Type.String({ description: 'The `type` of problems with this code' })
}, { additionalProperties: false }), { $id: 'ErrorCatalogue', description: 'Every error the gateway answers with, by code' })
