import { Type } from 'typebox'
import type { TSchema } from 'typebox'
import { enumOf } from './openapi'
import { FILTER_EXP_PARAM } from './expressions'

import { LIMITS } from './limits'

const int = (description: string, [minimum, maximum]: readonly [number, number]): ReturnType<typeof Type.Integer> =>
  Type.Integer({ minimum, maximum, description })

const namespace = Type.String({ minLength: 1, maxLength: 31, description: 'Namespace' })
const key = Type.String({ description: 'User key, interpreted by `keytype`' })

export const RecordParams = Type.Object({
  namespace,
  set: Type.String({ minLength: 1, maxLength: 63, description: 'Set' }),
  key
}, { $id: 'RecordParams' })

/** The paths without a set: records in no set. */
export const RecordParamsNoSet = Type.Object({ namespace, key }, { $id: 'RecordParamsNoSet' })

/** Every query parameter of the single-record routes; each method honours some of them (METHOD_PARAMETERS). */
export const RECORD_PARAMETERS = {
  keytype: enumOf(['STRING', 'INTEGER', 'BYTES', 'DIGEST'], 'How to read the key: STRING (default), INTEGER, BYTES or DIGEST (both base64url)'),
  recordBins: Type.Array(Type.String(), { description: 'Bins to read (repeatable); all when absent' }),
  totalTimeout: int('Total timeout, ms (capped by MAX_TOTAL_TIMEOUT)', LIMITS.milliseconds),
  socketTimeout: int('Socket timeout, ms (capped by MAX_SOCKET_TIMEOUT)', LIMITS.milliseconds),
  maxRetries: int('Retries (capped by MAX_RETRIES)', LIMITS.retries),
  sleepBetweenRetries: int('Sleep between retries, ms (capped by MAX_SLEEP_BETWEEN_RETRIES)', LIMITS.milliseconds),
  expiration: int('TTL in seconds; -1 never expire, -2 keep the current TTL, 0 the namespace default', LIMITS.expiration),
  generation: int('Generation for generationPolicy', LIMITS.generation),
  generationPolicy: enumOf(['NONE', 'EXPECT_GEN_EQUAL', 'EXPECT_GEN_GT'], 'Check the record\'s generation against `generation` (409 when it fails)'),
  recordExistsAction: enumOf(['UPDATE', 'UPDATE_ONLY', 'REPLACE', 'REPLACE_ONLY', 'CREATE_ONLY'], "Overrides the method's default"),
  sendKey: Type.Boolean({ description: 'Store the key with the record' }),
  durableDelete: Type.Boolean({ description: 'Leave a tombstone (Enterprise Edition)' }),
  replica: enumOf(['MASTER', 'MASTER_PROLES', 'SEQUENCE', 'PREFER_RACK'], 'Which replica to read or write'),
  readModeAP: enumOf(['ONE', 'ALL'], 'Read from one replica or all (AP namespaces)'),
  commitLevel: enumOf(['COMMIT_ALL', 'COMMIT_MASTER'], 'Answer when all replicas, or the master, have the write'),
  filterexp: FILTER_EXP_PARAM
} as const

export type RecordParameter = keyof typeof RECORD_PARAMETERS

const COMMON: RecordParameter[] = ['keytype', 'totalTimeout', 'socketTimeout', 'maxRetries', 'sleepBetweenRetries', 'replica', 'filterexp']
const WRITE: RecordParameter[] = [...COMMON, 'expiration', 'generation', 'generationPolicy', 'recordExistsAction', 'sendKey', 'durableDelete', 'commitLevel']

/**
 * The parameters each method honours; any other of RECORD_PARAMETERS is 400.
 * POST only creates: it takes no recordExistsAction (PUT replaces, PATCH
 * updates) and no generation (a new record has none).
 */
export const METHOD_PARAMETERS = {
  GET: [...COMMON, 'readModeAP', 'recordBins'],
  HEAD: [...COMMON, 'readModeAP'],
  POST: [...COMMON, 'expiration', 'sendKey', 'durableDelete', 'commitLevel'],
  PUT: WRITE,
  PATCH: WRITE,
  DELETE: [...COMMON, 'generation', 'generationPolicy', 'sendKey', 'durableDelete', 'commitLevel'],
  OPERATE: WRITE
} as const satisfies Record<string, readonly RecordParameter[]>

/** A querystring schema of these parameters. */
export function recordQuery ($id: string, names: readonly RecordParameter[]): TSchema {
  const properties: Record<string, TSchema> = {}
  for (const name of names) properties[name] = Type.Optional(RECORD_PARAMETERS[name])
  return Type.Object(properties, { $id, additionalProperties: false })
}

export const GetQuery = recordQuery('GetQuery', METHOD_PARAMETERS.GET)
export const HeadQuery = recordQuery('HeadQuery', METHOD_PARAMETERS.HEAD)
export const CreateQuery = recordQuery('CreateQuery', METHOD_PARAMETERS.POST)
export const WriteQuery = recordQuery('WriteQuery', METHOD_PARAMETERS.PUT)
export const DeleteQuery = recordQuery('DeleteQuery', METHOD_PARAMETERS.DELETE)

export const RecordBody = Type.Object({
  generation: Type.Integer({ description: 'The record generation; also the ETag' }),
  ttl: Type.Integer({ description: 'Seconds until expiry, -1 for never' }),
  bins: Type.Record(Type.String(), Type.Unknown(), { description: 'Bin values; see the README for how types are carried' })
}, { $id: 'Record' })

export const Bins = Type.Record(Type.String(), Type.Unknown(), {
  $id: 'Bins',
  description: 'Bin names (1 to 15 bytes) to values, in the forms of the README\'s value types: ' +
    'integers, doubles, strings, booleans, lists, maps, {"type": "BYTE_ARRAY", "value": "<base64>"} for bytes, GeoJSON objects. ' +
    'null deletes the bin (PATCH); PUT drops null bins.'
})
