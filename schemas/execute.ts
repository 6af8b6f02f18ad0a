// Background tasks, info commands.

import { Type } from 'typebox'
import { METHOD_PARAMETERS, recordQuery } from './records'

export const ExecuteBody = Type.Union([
  Type.Object({
    opsList: Type.Array(Type.Unsafe({ $ref: 'Operation#' }), { minItems: 1 }),
    filter: Type.Optional(Type.Union([Type.Unsafe({ $ref: 'QueryFilter#' }), Type.Null()], { description: 'Only the records this query filter selects' }))
  }),
  Type.Array(Type.Unsafe({ $ref: 'Operation#' }), { minItems: 1, description: 'v1: the operations alone' })
], { $id: 'ExecuteBody' })

/** The write policy of the background task: operate's parameters, but keytype, which names no record here. */
export const ExecuteQuery = recordQuery('ExecuteQuery', METHOD_PARAMETERS.OPERATE.filter((name) => name !== 'keytype'))

export const TaskParams = Type.Object({
  taskId: Type.String({ description: 'The task id, as POST .../execute/scan answered it' })
}, { $id: 'TaskParams' })

export const ExecuteTask = Type.Object({
  taskId: Type.Integer({ description: 'The task id, for the status endpoint' }),
  scan: Type.Boolean({ description: 'Always true, as in the official gateway' })
}, { $id: 'ExecuteTask' })

export const ExecuteTaskStatus = Type.Object({
  task: Type.Unsafe({ $ref: 'ExecuteTask#' }),
  status: Type.Unsafe<string>({ type: 'string', enum: ['IN_PROGRESS', 'COMPLETE', 'NOT_FOUND'] }),
  recordsRead: Type.Optional(Type.Integer()),
  progressPct: Type.Optional(Type.Integer())
}, { $id: 'ExecuteTaskStatus' })

export const InfoCommands = Type.Array(Type.String({ minLength: 1 }), { $id: 'InfoCommands', minItems: 1, description: 'Info commands, e.g. ["build", "namespace/test"]' })

export const EXECUTE_SCHEMAS = [ExecuteBody, ExecuteQuery, TaskParams, ExecuteTask, ExecuteTaskStatus, InfoCommands]
