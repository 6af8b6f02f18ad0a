import { Type } from 'typebox'

import { LIMITS } from './limits'

const int = (description: string, [minimum, maximum]: readonly [number, number]): ReturnType<typeof Type.Integer> =>
  Type.Integer({ minimum, maximum, description })

export const RecordParams = Type.Object({
  namespace: Type.String({ minLength: 1, maxLength: 31, description: 'Namespace' }),
  set: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: 'Set; paths without it address records in no set' })),
  key: Type.String({ description: 'User key, interpreted by `keytype`' })
}, { $id: 'RecordParams' })

export const RecordQuery = Type.Object({
  keytype: Type.Optional(Type.Union([Type.Literal('STRING'), Type.Literal('INTEGER'), Type.Literal('BYTES'), Type.Literal('DIGEST')],
    { description: 'How to read the key: STRING (default), INTEGER, BYTES or DIGEST (both base64url)' })),
  recordBins: Type.Optional(Type.Array(Type.String(), { description: 'Bins to read (repeatable); all when absent' })),
  totalTimeout: Type.Optional(int('Total timeout, ms (capped by MAX_TOTAL_TIMEOUT)', LIMITS.milliseconds)),
  socketTimeout: Type.Optional(int('Socket timeout, ms (capped by MAX_SOCKET_TIMEOUT)', LIMITS.milliseconds)),
  maxRetries: Type.Optional(int('Retries (capped by MAX_RETRIES)', LIMITS.retries)),
  sleepBetweenRetries: Type.Optional(int('Sleep between retries, ms (capped by MAX_SLEEP_BETWEEN_RETRIES)', LIMITS.milliseconds)),
  expiration: Type.Optional(int('TTL in seconds; -1 never expire, -2 keep the current TTL, 0 the namespace default', LIMITS.expiration)),
  generation: Type.Optional(int('Generation for generationPolicy', LIMITS.generation)),
  generationPolicy: Type.Optional(Type.Union([Type.Literal('NONE'), Type.Literal('EXPECT_GEN_EQUAL'), Type.Literal('EXPECT_GEN_GT')])),
  recordExistsAction: Type.Optional(Type.Union([Type.Literal('UPDATE'), Type.Literal('UPDATE_ONLY'), Type.Literal('REPLACE'),
    Type.Literal('REPLACE_ONLY'), Type.Literal('CREATE_ONLY')], { description: "Overrides the method's default" })),
  sendKey: Type.Optional(Type.Boolean({ description: 'Store the key with the record' })),
  durableDelete: Type.Optional(Type.Boolean({ description: 'Leave a tombstone (Enterprise Edition)' })),
  replica: Type.Optional(Type.Union([Type.Literal('MASTER'), Type.Literal('MASTER_PROLES'), Type.Literal('SEQUENCE'), Type.Literal('PREFER_RACK')])),
  readModeAP: Type.Optional(Type.Union([Type.Literal('ONE'), Type.Literal('ALL')])),
  commitLevel: Type.Optional(Type.Union([Type.Literal('COMMIT_ALL'), Type.Literal('COMMIT_MASTER')]))
}, { $id: 'RecordQuery', additionalProperties: false })

export const RecordBody = Type.Object({
  generation: Type.Integer({ description: 'The record generation; also the ETag' }),
  ttl: Type.Integer({ description: 'Seconds until expiry, -1 for never' }),
  bins: Type.Record(Type.String(), Type.Unknown(), { description: 'Bin values; see the README for how types are carried' })
}, { $id: 'Record' })
