// The list op codes, their arguments (cdt_op_table) and how each runs
// (cdt_process_state_packed_list_modify_optype / _read_optype).

import { Result } from '../wire'
import { ResultType, RESULT_INVERTED } from './flags'
import {
  ListSelector, append, clear, getOrRemove, increment, insertAt, set, setOrder, sort, targetList, useEmptyIfMissing
} from './list'
import { Arg, DEFAULT_COUNT, Param, ParamSpec, readParams, spec } from './params'
import { ResultData } from './result'
import { CdtAnswer, Target } from './target'

const { INDEX, COUNT, PAYLOAD, FLAGS, STORAGE } = Param

export const ListOp = {
  SET_TYPE: 0,
  APPEND: 1,
  APPEND_ITEMS: 2,
  INSERT: 3,
  INSERT_ITEMS: 4,
  POP: 5,
  POP_RANGE: 6,
  REMOVE: 7,
  REMOVE_RANGE: 8,
  SET: 9,
  TRIM: 10,
  CLEAR: 11,
  INCREMENT: 12,
  SORT: 13,
  SIZE: 16,
  GET: 17,
  GET_RANGE: 18,
  GET_BY_INDEX: 19,
  GET_BY_VALUE: 20,
  GET_BY_RANK: 21,
  GET_ALL_BY_VALUE: 22,
  GET_ALL_BY_VALUE_LIST: 23,
  GET_BY_INDEX_RANGE: 24,
  GET_BY_VALUE_INTERVAL: 25,
  GET_BY_RANK_RANGE: 26,
  GET_BY_VALUE_REL_RANK_RANGE: 27,
  REMOVE_BY_INDEX: 32,
  REMOVE_BY_VALUE: 33,
  REMOVE_BY_RANK: 34,
  REMOVE_ALL_BY_VALUE: 35,
  REMOVE_ALL_BY_VALUE_LIST: 36,
  REMOVE_BY_INDEX_RANGE: 37,
  REMOVE_BY_VALUE_INTERVAL: 38,
  REMOVE_BY_RANK_RANGE: 39,
  REMOVE_BY_VALUE_REL_RANK_RANGE: 40
} as const

// The get-by and remove-by ops share their arguments; removes are 13 codes on.
const SELECTOR_SPECS: Record<number, ParamSpec> = {
  [ListOp.GET_BY_INDEX]: spec(0, FLAGS, INDEX),
  [ListOp.GET_BY_VALUE]: spec(0, FLAGS, PAYLOAD),
  [ListOp.GET_BY_RANK]: spec(0, FLAGS, INDEX),
  [ListOp.GET_ALL_BY_VALUE]: spec(0, FLAGS, PAYLOAD),
  [ListOp.GET_ALL_BY_VALUE_LIST]: spec(0, FLAGS, PAYLOAD),
  [ListOp.GET_BY_INDEX_RANGE]: spec(1, FLAGS, INDEX, COUNT),
  [ListOp.GET_BY_VALUE_INTERVAL]: spec(1, FLAGS, PAYLOAD, PAYLOAD),
  [ListOp.GET_BY_RANK_RANGE]: spec(1, FLAGS, INDEX, COUNT),
  [ListOp.GET_BY_VALUE_REL_RANK_RANGE]: spec(1, FLAGS, PAYLOAD, INDEX, COUNT)
}
const REMOVE_OFFSET = ListOp.REMOVE_BY_INDEX - ListOp.GET_BY_INDEX

const SPECS: Record<number, ParamSpec> = {
  [ListOp.SET_TYPE]: spec(0, FLAGS),
  [ListOp.APPEND]: spec(2, STORAGE, FLAGS, FLAGS),
  [ListOp.APPEND_ITEMS]: spec(2, STORAGE, FLAGS, FLAGS),
  [ListOp.INSERT]: spec(1, INDEX, STORAGE, FLAGS),
  [ListOp.INSERT_ITEMS]: spec(1, INDEX, STORAGE, FLAGS),
  [ListOp.POP]: spec(0, INDEX),
  [ListOp.POP_RANGE]: spec(1, INDEX, COUNT),
  [ListOp.REMOVE]: spec(0, INDEX),
  [ListOp.REMOVE_RANGE]: spec(1, INDEX, COUNT),
  [ListOp.SET]: spec(1, INDEX, STORAGE, FLAGS),
  [ListOp.TRIM]: spec(0, INDEX, COUNT),
  [ListOp.INCREMENT]: spec(3, INDEX, PAYLOAD, FLAGS, FLAGS),
  [ListOp.SORT]: spec(1, FLAGS),
  [ListOp.GET]: spec(0, INDEX),
  [ListOp.GET_RANGE]: spec(1, INDEX, COUNT),
  ...SELECTOR_SPECS,
  ...Object.fromEntries(Object.entries(SELECTOR_SPECS).map(([op, s]) => [Number(op) + REMOVE_OFFSET, s]))
}

/** The arguments of one op, read on demand as the server does (after its no-op checks). */
export interface OpArgs {
  buf: Buffer
  off: number
  end: number
  count: number
}

export function argsOf (code: number, specs: Record<number, ParamSpec>, a: OpArgs): Arg[] | undefined {
  const s = specs[code]
  return s === undefined ? undefined : readParams(s, a.buf, a.off, a.end, a.count)
}

function answer (rc: number, rd?: ResultData): CdtAnswer {
  return rc === Result.OK ? { rc, result: rd?.value } : { rc }
}

// Get-by ops name what they select by; the single-element ones take no count.
function selector (code: number, args: Arg[]): { rd: ResultData, sel: ListSelector } {
  const flags = args[0] as bigint
  switch (code) {
    case ListOp.GET_BY_INDEX:
      return { rd: new ResultData(flags, false), sel: { by: 'index', index: args[1] as bigint, count: 1n } }
    case ListOp.GET_BY_VALUE:
    case ListOp.GET_ALL_BY_VALUE:
      return { rd: new ResultData(flags, code === ListOp.GET_ALL_BY_VALUE), sel: { by: 'value', start: args[1] as Buffer, end: undefined, single: true } }
    case ListOp.GET_BY_RANK:
      return { rd: new ResultData(flags, false), sel: { by: 'rank', rank: args[1] as bigint, count: 1n } }
    case ListOp.GET_ALL_BY_VALUE_LIST:
      return { rd: new ResultData(flags, true), sel: { by: 'valueList', values: args[1] as Buffer } }
    case ListOp.GET_BY_INDEX_RANGE:
      return { rd: new ResultData(flags, true), sel: { by: 'index', index: args[1] as bigint, count: (args[2] as bigint | undefined) ?? DEFAULT_COUNT } }
    case ListOp.GET_BY_VALUE_INTERVAL:
      return { rd: new ResultData(flags, true), sel: { by: 'value', start: args[1] as Buffer, end: args[2] as Buffer | undefined, single: false } }
    case ListOp.GET_BY_RANK_RANGE:
      return { rd: new ResultData(flags, true), sel: { by: 'rank', rank: args[1] as bigint, count: (args[2] as bigint | undefined) ?? DEFAULT_COUNT } }
    default:
      return { rd: new ResultData(flags, true), sel: { by: 'relRank', value: args[1] as Buffer, rank: args[2] as bigint, count: (args[3] as bigint | undefined) ?? DEFAULT_COUNT } }
  }
}

function isModifyCode (code: number): boolean {
  return (code >= ListOp.SET_TYPE && code <= ListOp.SORT) || (code >= ListOp.REMOVE_BY_INDEX && code <= ListOp.REMOVE_BY_VALUE_REL_RANK_RANGE)
}

export function listModify (code: number, a: OpArgs, t: Target): CdtAnswer {
  if (!isModifyCode(code)) return { rc: Result.PARAMETER }
  const notInUse = t.created || t.bytes === undefined
  const isRemoval = code === ListOp.POP || code === ListOp.POP_RANGE || code === ListOp.REMOVE || code === ListOp.REMOVE_RANGE ||
    code === ListOp.TRIM || code === ListOp.CLEAR || (code >= ListOp.REMOVE_BY_INDEX && code <= ListOp.REMOVE_BY_VALUE_REL_RANK_RANGE)
  if (isRemoval && notInUse) return { rc: Result.OK }
  if (code === ListOp.SORT && !t.binLive) return { rc: Result.INCOMPATIBLE_TYPE }
  if (code === ListOp.CLEAR) return answer(clear(t))
  const args = argsOf(code, SPECS, a)
  if (args === undefined) return { rc: Result.PARAMETER }
  const flagsAt = (i: number): bigint => (args[i] as bigint | undefined) ?? 0n
  switch (code) {
    case ListOp.SET_TYPE:
      useEmptyIfMissing(t, 0)
      return answer(setOrder(t, args[0] as bigint))
    case ListOp.APPEND:
    case ListOp.APPEND_ITEMS: {
      useEmptyIfMissing(t, Number(flagsAt(1) & 0xffn))
      const rd = new ResultData(ResultType.NONE, false)
      return answer(append(t, rd, args[0] as Buffer, code === ListOp.APPEND_ITEMS, flagsAt(2)), rd)
    }
    case ListOp.INSERT:
    case ListOp.INSERT_ITEMS: {
      useEmptyIfMissing(t, 0)
      const rd = new ResultData(ResultType.NONE, false)
      return answer(insertAt(t, rd, args[0] as bigint, args[1] as Buffer, code === ListOp.INSERT_ITEMS, flagsAt(2)), rd)
    }
    case ListOp.SET:
      useEmptyIfMissing(t, 0)
      return answer(set(t, args[0] as bigint, args[1] as Buffer, flagsAt(2)))
    case ListOp.INCREMENT: {
      useEmptyIfMissing(t, Number(flagsAt(2) & 0xffn))
      const rd = new ResultData(ResultType.NONE, false)
      return answer(increment(t, rd, args[0] as bigint, args[1] as Buffer | undefined, flagsAt(3)), rd)
    }
    case ListOp.SORT:
      return answer(sort(t, flagsAt(0)))
    case ListOp.POP:
    case ListOp.REMOVE:
    case ListOp.POP_RANGE:
    case ListOp.REMOVE_RANGE:
    case ListOp.TRIM: {
      const isMulti = code !== ListOp.POP && code !== ListOp.REMOVE
      const type = code === ListOp.POP || code === ListOp.POP_RANGE ? ResultType.VALUE : ResultType.COUNT
      const rd = new ResultData(code === ListOp.TRIM ? ResultType.COUNT | RESULT_INVERTED : type, isMulti)
      const count = isMulti ? (args[1] as bigint | undefined) ?? DEFAULT_COUNT : 1n
      return selectOp(t, rd, { by: 'index', index: args[0] as bigint, count })
    }
    default: {
      const { rd, sel } = selector(code - REMOVE_OFFSET, args)
      return selectOp(t, rd, sel)
    }
  }
}

function selectOp (t: Target, rd: ResultData, sel: ListSelector): CdtAnswer {
  const list = targetList(t)
  if (list === undefined) return { rc: t.isModify ? Result.PARAMETER : Result.INCOMPATIBLE_TYPE }
  return answer(getOrRemove(list, t, rd, sel), rd)
}

export function listRead (code: number, a: OpArgs, t: Target): CdtAnswer {
  const list = targetList(t)
  if (list === undefined) return { rc: Result.INCOMPATIBLE_TYPE }
  if (code === ListOp.SIZE) {
    const rd = new ResultData(ResultType.NONE, false)
    rd.setInt(list.items.length)
    return answer(Result.OK, rd)
  }
  if (!(code === ListOp.GET || code === ListOp.GET_RANGE || (code >= ListOp.GET_BY_INDEX && code <= ListOp.GET_BY_VALUE_REL_RANK_RANGE))) {
    return { rc: Result.PARAMETER }
  }
  const args = argsOf(code, SPECS, a)
  if (args === undefined) return { rc: Result.PARAMETER }
  if (code === ListOp.GET || code === ListOp.GET_RANGE) {
    const isMulti = code === ListOp.GET_RANGE
    const rd = new ResultData(ResultType.VALUE, isMulti)
    return selectOp(t, rd, { by: 'index', index: args[0] as bigint, count: isMulti ? (args[1] as bigint | undefined) ?? DEFAULT_COUNT : 1n })
  }
  const { rd, sel } = selector(code, args)
  return selectOp(t, rd, sel)
}
