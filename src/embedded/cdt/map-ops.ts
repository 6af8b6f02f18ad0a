// The map op codes, their arguments (cdt_op_table) and how each runs
// (cdt_process_state_packed_map_modify_optype / _read_optype).

import { Result } from '../wire'
import { ResultType } from './flags'
import { argsOf, OpArgs } from './list-ops'
import { AddControl, MapSelector, add, addItems, clear, getOrRemove, increment, putControl, setOrder, targetMap, useEmptyIfMissing } from './map'
import { Arg, DEFAULT_COUNT, Param, ParamSpec, spec } from './params'
import { ResultData } from './result'
import { CdtAnswer, Target } from './target'

const { INDEX, COUNT, PAYLOAD, FLAGS, STORAGE } = Param

export const MapOp = {
  SET_TYPE: 64,
  ADD: 65,
  ADD_ITEMS: 66,
  PUT: 67,
  PUT_ITEMS: 68,
  REPLACE: 69,
  REPLACE_ITEMS: 70,
  INCREMENT: 73,
  DECREMENT: 74,
  CLEAR: 75,
  REMOVE_BY_KEY: 76,
  REMOVE_BY_INDEX: 77,
  REMOVE_BY_VALUE: 78,
  REMOVE_BY_RANK: 79,
  REMOVE_BY_KEY_LIST: 81,
  REMOVE_ALL_BY_VALUE: 82,
  REMOVE_BY_VALUE_LIST: 83,
  REMOVE_BY_KEY_INTERVAL: 84,
  REMOVE_BY_INDEX_RANGE: 85,
  REMOVE_BY_VALUE_INTERVAL: 86,
  REMOVE_BY_RANK_RANGE: 87,
  REMOVE_BY_KEY_REL_INDEX_RANGE: 88,
  REMOVE_BY_VALUE_REL_RANK_RANGE: 89,
  SIZE: 96,
  GET_BY_KEY: 97,
  GET_BY_INDEX: 98,
  GET_BY_VALUE: 99,
  GET_BY_RANK: 100,
  GET_ALL_BY_VALUE: 102,
  GET_BY_KEY_INTERVAL: 103,
  GET_BY_INDEX_RANGE: 104,
  GET_BY_VALUE_INTERVAL: 105,
  GET_BY_RANK_RANGE: 106,
  GET_BY_KEY_LIST: 107,
  GET_BY_VALUE_LIST: 108,
  GET_BY_KEY_REL_INDEX_RANGE: 109,
  GET_BY_VALUE_REL_RANK_RANGE: 110
} as const

// Each get-by op and the remove-by op that shares its arguments.
const GET_TO_REMOVE: Record<number, number> = {
  [MapOp.GET_BY_KEY]: MapOp.REMOVE_BY_KEY,
  [MapOp.GET_BY_INDEX]: MapOp.REMOVE_BY_INDEX,
  [MapOp.GET_BY_VALUE]: MapOp.REMOVE_BY_VALUE,
  [MapOp.GET_BY_RANK]: MapOp.REMOVE_BY_RANK,
  [MapOp.GET_ALL_BY_VALUE]: MapOp.REMOVE_ALL_BY_VALUE,
  [MapOp.GET_BY_KEY_INTERVAL]: MapOp.REMOVE_BY_KEY_INTERVAL,
  [MapOp.GET_BY_INDEX_RANGE]: MapOp.REMOVE_BY_INDEX_RANGE,
  [MapOp.GET_BY_VALUE_INTERVAL]: MapOp.REMOVE_BY_VALUE_INTERVAL,
  [MapOp.GET_BY_RANK_RANGE]: MapOp.REMOVE_BY_RANK_RANGE,
  [MapOp.GET_BY_KEY_LIST]: MapOp.REMOVE_BY_KEY_LIST,
  [MapOp.GET_BY_VALUE_LIST]: MapOp.REMOVE_BY_VALUE_LIST,
  [MapOp.GET_BY_KEY_REL_INDEX_RANGE]: MapOp.REMOVE_BY_KEY_REL_INDEX_RANGE,
  [MapOp.GET_BY_VALUE_REL_RANK_RANGE]: MapOp.REMOVE_BY_VALUE_REL_RANK_RANGE
}
const REMOVE_TO_GET: Record<number, number> = Object.fromEntries(Object.entries(GET_TO_REMOVE).map(([g, r]) => [r, Number(g)]))

const GET_SPECS: Record<number, ParamSpec> = {
  [MapOp.GET_BY_KEY]: spec(0, INDEX, PAYLOAD),
  [MapOp.GET_BY_INDEX]: spec(0, INDEX, INDEX),
  [MapOp.GET_BY_VALUE]: spec(0, INDEX, PAYLOAD),
  [MapOp.GET_BY_RANK]: spec(0, INDEX, INDEX),
  [MapOp.GET_ALL_BY_VALUE]: spec(0, INDEX, PAYLOAD),
  [MapOp.GET_BY_KEY_INTERVAL]: spec(1, INDEX, PAYLOAD, PAYLOAD),
  [MapOp.GET_BY_INDEX_RANGE]: spec(1, INDEX, INDEX, COUNT),
  [MapOp.GET_BY_VALUE_INTERVAL]: spec(1, INDEX, PAYLOAD, PAYLOAD),
  [MapOp.GET_BY_RANK_RANGE]: spec(1, INDEX, INDEX, COUNT),
  [MapOp.GET_BY_KEY_LIST]: spec(0, INDEX, PAYLOAD),
  [MapOp.GET_BY_VALUE_LIST]: spec(0, INDEX, PAYLOAD),
  [MapOp.GET_BY_KEY_REL_INDEX_RANGE]: spec(1, INDEX, PAYLOAD, INDEX, COUNT),
  [MapOp.GET_BY_VALUE_REL_RANK_RANGE]: spec(1, INDEX, PAYLOAD, INDEX, COUNT)
}

const SPECS: Record<number, ParamSpec> = {
  [MapOp.SET_TYPE]: spec(0, FLAGS),
  [MapOp.ADD]: spec(1, STORAGE, STORAGE, FLAGS),
  [MapOp.ADD_ITEMS]: spec(1, STORAGE, FLAGS),
  [MapOp.PUT]: spec(2, STORAGE, STORAGE, FLAGS, FLAGS),
  [MapOp.PUT_ITEMS]: spec(2, STORAGE, FLAGS, FLAGS),
  [MapOp.REPLACE]: spec(0, STORAGE, STORAGE),
  [MapOp.REPLACE_ITEMS]: spec(0, STORAGE),
  [MapOp.INCREMENT]: spec(2, PAYLOAD, PAYLOAD, FLAGS),
  [MapOp.DECREMENT]: spec(2, PAYLOAD, PAYLOAD, FLAGS),
  ...GET_SPECS,
  ...Object.fromEntries(Object.entries(GET_SPECS).map(([g, s]) => [GET_TO_REMOVE[Number(g)], s]))
}

const SINGLE = new Set<number>([MapOp.GET_BY_KEY, MapOp.GET_BY_INDEX, MapOp.GET_BY_VALUE, MapOp.GET_BY_RANK])

function count (arg: Arg | undefined): bigint {
  return (arg as bigint | undefined) ?? DEFAULT_COUNT
}

function selector (code: number, args: Arg[]): { rd: ResultData, sel: MapSelector } {
  const rd = new ResultData(args[0] as bigint, !SINGLE.has(code))
  const a = args[1] as Buffer
  switch (code) {
    case MapOp.GET_BY_KEY: return { rd, sel: { by: 'key', start: a, end: undefined, single: true } }
    case MapOp.GET_BY_INDEX: return { rd, sel: { by: 'index', index: args[1] as bigint, count: 1n } }
    case MapOp.GET_BY_VALUE:
    case MapOp.GET_ALL_BY_VALUE: return { rd, sel: { by: 'value', start: a, end: undefined, single: true } }
    case MapOp.GET_BY_RANK: return { rd, sel: { by: 'rank', rank: args[1] as bigint, count: 1n } }
    case MapOp.GET_BY_KEY_INTERVAL: return { rd, sel: { by: 'key', start: a, end: args[2] as Buffer | undefined, single: false } }
    case MapOp.GET_BY_INDEX_RANGE: return { rd, sel: { by: 'index', index: args[1] as bigint, count: count(args[2]) } }
    case MapOp.GET_BY_VALUE_INTERVAL: return { rd, sel: { by: 'value', start: a, end: args[2] as Buffer | undefined, single: false } }
    case MapOp.GET_BY_RANK_RANGE: return { rd, sel: { by: 'rank', rank: args[1] as bigint, count: count(args[2]) } }
    case MapOp.GET_BY_KEY_LIST: return { rd, sel: { by: 'keyList', keys: a } }
    case MapOp.GET_BY_VALUE_LIST: return { rd, sel: { by: 'valueList', values: a } }
    case MapOp.GET_BY_KEY_REL_INDEX_RANGE: return { rd, sel: { by: 'relIndex', key: a, index: args[2] as bigint, count: count(args[3]) } }
    default: return { rd, sel: { by: 'relRank', value: a, rank: args[2] as bigint, count: count(args[3]) } }
  }
}

function answer (rc: number, rd?: ResultData): CdtAnswer {
  return rc === Result.OK ? { rc, result: rd?.value } : { rc }
}

function selectOp (t: Target, rd: ResultData, sel: MapSelector): CdtAnswer {
  const map = targetMap(t)
  if (map === undefined) return { rc: Result.PARAMETER }
  return answer(getOrRemove(map, t, rd, sel), rd)
}

const FIXED: Record<number, AddControl> = {
  [MapOp.ADD]: { allowOverwrite: false, allowCreate: true, noFail: false, doPartial: false },
  [MapOp.ADD_ITEMS]: { allowOverwrite: false, allowCreate: true, noFail: false, doPartial: false },
  [MapOp.REPLACE]: { allowOverwrite: true, allowCreate: false, noFail: false, doPartial: false },
  [MapOp.REPLACE_ITEMS]: { allowOverwrite: true, allowCreate: false, noFail: false, doPartial: false }
}

export function mapModify (code: number, a: OpArgs, t: Target): CdtAnswer {
  const notInUse = t.created || t.bytes === undefined
  if (code === MapOp.CLEAR) return notInUse ? { rc: Result.OK } : answer(clear(t))
  if (REMOVE_TO_GET[code] !== undefined && notInUse) return { rc: Result.OK }
  if (code === MapOp.REPLACE_ITEMS && notInUse) return { rc: Result.ELEMENT_NOT_FOUND }
  const args = argsOf(code, SPECS, a)
  if (args === undefined || (code >= MapOp.SIZE)) return { rc: Result.PARAMETER }
  const flagsAt = (i: number): number => Number(((args[i] as bigint | undefined) ?? 0n) & 0xffn)
  const rd = new ResultData(ResultType.NONE, false)
  switch (code) {
    case MapOp.SET_TYPE:
      useEmptyIfMissing(t, 0)
      return answer(setOrder(t, args[0] as bigint))
    case MapOp.ADD:
    case MapOp.PUT:
    case MapOp.REPLACE:
      useEmptyIfMissing(t, code === MapOp.REPLACE ? 0 : flagsAt(2))
      return answer(add(t, rd, args[0] as Buffer, args[1] as Buffer, FIXED[code] ?? putControl((args[3] as bigint | undefined) ?? 0n)), rd)
    case MapOp.ADD_ITEMS:
    case MapOp.PUT_ITEMS:
    case MapOp.REPLACE_ITEMS:
      if (code !== MapOp.REPLACE_ITEMS) useEmptyIfMissing(t, flagsAt(1))
      return answer(addItems(t, rd, args[0] as Buffer, FIXED[code] ?? putControl((args[2] as bigint | undefined) ?? 0n)), rd)
    case MapOp.INCREMENT:
    case MapOp.DECREMENT:
      useEmptyIfMissing(t, flagsAt(2))
      return answer(increment(t, rd, args[0] as Buffer, args[1] as Buffer | undefined, code === MapOp.DECREMENT), rd)
    default: {
      const { rd: selRd, sel } = selector(REMOVE_TO_GET[code], args)
      return selectOp(t, selRd, sel)
    }
  }
}

export function mapRead (code: number, a: OpArgs, t: Target): CdtAnswer {
  const map = targetMap(t)
  if (map === undefined) return { rc: Result.PARAMETER }
  if (code === MapOp.SIZE) {
    const rd = new ResultData(ResultType.NONE, false)
    rd.setInt(map.size)
    return answer(Result.OK, rd)
  }
  if (GET_SPECS[code] === undefined) return { rc: Result.PARAMETER }
  const args = argsOf(code, SPECS, a)
  if (args === undefined) return { rc: Result.PARAMETER }
  const { rd, sel } = selector(code, args)
  return selectOp(t, rd, sel)
}
