import { Type } from 'typebox'
import { LIMITS } from './limits'

const literals = <T extends string>(values: readonly T[], description?: string): ReturnType<typeof Type.Union> =>
  Type.Union(values.map((v) => Type.Literal(v)), description === undefined ? {} : { description })

export const BatchKey = Type.Object({
  namespace: Type.String({ minLength: 1, maxLength: 31 }),
  setName: Type.Optional(Type.Unsafe<string | null>({
    // One type list, not a union: Fastify's validator would coerce "" and null into each other across a union's branches.
    type: ['string', 'null'],
    maxLength: 63,
    description: 'Absent or null for records in no set'
  })),
  userKey: Type.Unknown({ description: 'A string, an integer, {"type": "BYTE_ARRAY", "value": "<base64>"}, or (keytype BYTES, DIGEST) base64 text; MessagePack bodies may give bytes. At most MAX_KEY_BYTES.' }),
  keytype: Type.Optional(literals(['STRING', 'INTEGER', 'BYTES', 'DIGEST'], 'How to read userKey; by default its JSON type decides'))
}, { $id: 'BatchKey' })

const generation = {
  generationPolicy: Type.Optional(literals(['NONE', 'EXPECT_GEN_EQUAL', 'EXPECT_GEN_GT'])),
  generation: Type.Optional(Type.Integer({ minimum: LIMITS.generation[0], maximum: LIMITS.generation[1], description: 'Expected generation for generationPolicy' }))
}
const commitLevel = Type.Optional(literals(['COMMIT_ALL', 'COMMIT_MASTER']))
const durableDelete = Type.Optional(Type.Boolean({ description: 'Leave a tombstone (Enterprise Edition; Community answers 25)' }))
const sendKey = Type.Optional(Type.Boolean({ description: 'Store the key with the record' }))

export const BatchItemPolicy = Type.Object({
  readModeAP: Type.Optional(literals(['ONE', 'ALL'])),
  readModeSC: Type.Optional(literals(['SESSION', 'LINEARIZE', 'ALLOW_REPLICA', 'ALLOW_UNAVAILABLE'])),
  recordExistsAction: Type.Optional(literals(['UPDATE', 'UPDATE_ONLY', 'REPLACE', 'REPLACE_ONLY', 'CREATE_ONLY'], 'WRITE only; default UPDATE')),
  ...generation,
  expiration: Type.Optional(Type.Integer({ minimum: LIMITS.expiration[0], maximum: LIMITS.expiration[1], description: 'WRITE only: TTL in seconds; -1 never expire, -2 keep, 0 the namespace default' })),
  commitLevel,
  durableDelete,
  sendKey
}, { $id: 'BatchItemPolicy', description: 'Per-item policy: readMode* for READ; the write fields for WRITE; generation, commitLevel, durableDelete, sendKey for DELETE' })

export const BatchItem = Type.Object({
  type: literals(['READ', 'WRITE', 'DELETE']),
  key: Type.Ref('BatchKey#'),
  readAllBins: Type.Optional(Type.Boolean({ description: 'READ: every bin' })),
  binNames: Type.Optional(Type.Array(Type.String(), { description: 'READ: these bins; with neither this nor readAllBins nor opsList, the header only' })),
  opsList: Type.Optional(Type.Array(Type.Object({ type: Type.String() }), { description: 'READ (read operations) or WRITE: operations in the v2 format of /v1/operate' })),
  bins: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'WRITE: bins to write, as in PATCH /v1/kvs (null deletes a bin); instead of opsList' })),
  policy: Type.Optional(Type.Ref('BatchItemPolicy#'))
}, { $id: 'BatchItem' })

export const BatchBody = Type.Array(Type.Ref('BatchItem#'), {
  $id: 'BatchBody',
  description: 'The items, or {"batchRecords": [items]}. At most MAX_BATCH_ITEMS (413 beyond); an empty batch is 400.'
})

export const BatchQuery = Type.Object({
  totalTimeout: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.milliseconds[1], description: 'Total timeout of the batch, ms (capped by MAX_TOTAL_TIMEOUT)' })),
  socketTimeout: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.milliseconds[1], description: 'Socket timeout, ms (capped by MAX_SOCKET_TIMEOUT)' })),
  maxRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.retries[1], description: 'Retries of the batch (capped by MAX_RETRIES)' })),
  sleepBetweenRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.milliseconds[1], description: 'Sleep between retries, ms' })),
  allowInline: Type.Optional(Type.Boolean({ description: 'Let the server run in-memory items on its receiving thread' })),
  allowInlineSSD: Type.Optional(Type.Boolean({ description: 'Let the server run SSD items on its receiving thread' })),
  respondAllKeys: Type.Optional(Type.Boolean({ description: 'Go on after an item fails (default true)' })),
  replica: Type.Optional(literals(['MASTER', 'MASTER_PROLES', 'SEQUENCE', 'PREFER_RACK'])),
  readModeAP: Type.Optional(literals(['ONE', 'ALL']))
}, { $id: 'BatchQuery', additionalProperties: false })

export const BatchResult = Type.Object({
  batchRecords: Type.Array(Type.Object({
    key: Type.Ref('BatchKey#'),
    resultCode: Type.Integer({ description: 'This item\'s Aerospike result code: 0, or 2 for a missing record, and so on' }),
    resultCodeString: Type.String(),
    inDoubt: Type.Boolean({ description: 'A write may have been applied even though it failed' }),
    record: Type.Union([Type.Object({
      bins: Type.Record(Type.String(), Type.Unknown()),
      generation: Type.Integer(),
      ttl: Type.Integer()
    }), Type.Null()], { description: 'null when the item failed' }),
    error: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'The fields of a Problem but instance, when resultCode is not 0' }))
  }), { description: 'One result per item, in request order' })
}, { $id: 'BatchResult' })
