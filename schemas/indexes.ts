// Secondary indexes in the official gateway's shape (`type`, `collection_type`).

import { Type } from 'typebox'
import type { TSchema } from 'typebox'
import { COLLECTION_TYPES, INDEX_TYPES } from '../src/scan/filter'
import { MAX_INDEX_NAME, serverName } from './limits'

const literals = (values: readonly string[], description: string): TSchema => Type.Unsafe<string>({ type: 'string', enum: values, description })

export const IndexParams = Type.Object({
  namespace: serverName('Namespace of the index', 31),
  name: serverName('Name of the index', MAX_INDEX_NAME)
}, { $id: 'IndexParams' })

export const IndexBody = Type.Object({
  namespace: serverName('Namespace', 31),
  set: Type.Optional(Type.Union([serverName('Set', 63), Type.Null()], { description: 'Set; absent for records in no set' })),
  bin: serverName('The indexed bin', 15),
  name: serverName('Index name', MAX_INDEX_NAME),
  type: literals(INDEX_TYPES, 'What the index holds: integers, strings or GeoJSON'),
  collection_type: Type.Optional(literals(COLLECTION_TYPES, 'DEFAULT: the bin\'s value; LIST: list items; MAPKEYS, MAPVALUES: map keys or values')),
  ctx: Type.Optional(Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true }), { description: 'Context of a nested element to index, as in operate' }))
}, { $id: 'IndexBody' })

export const IndexInfo = Type.Object({
  namespace: Type.String(),
  set: Type.Union([Type.String(), Type.Null()]),
  bin: Type.String(),
  name: Type.String(),
  type: Type.String({ description: 'NUMERIC, STRING or GEO2DSPHERE' }),
  collection_type: Type.String({ description: 'DEFAULT, LIST, MAPKEYS or MAPVALUES' }),
  context: Type.Union([Type.String(), Type.Null()], { description: 'The server\'s encoding of a context, or null' }),
  state: Type.Union([Type.String(), Type.Null()], { description: 'RW when readable and writable' })
}, { $id: 'IndexInfo' })

export const IndexCreated = Type.Object({
  status: literals(['exists', 'building', 'ready'], 'exists: an identical index was there; building: the server is building it; ready: built'),
  name: Type.String()
}, { $id: 'IndexCreated' })

export const INDEX_SCHEMAS = [IndexParams, IndexBody, IndexInfo, IndexCreated]
