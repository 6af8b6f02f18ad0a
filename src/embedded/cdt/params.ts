// The argument list of a CDT operation, checked against the server's op table
// (cdt_op_table, cdt_process_state_get_params): how many arguments an op
// takes, how many of them may be left out, and what kind each one is.

import { ScanState, readInt, readListHeader, skip } from './msgpack'

export const Param = {
  INDEX: 1,
  COUNT: 2,
  PAYLOAD: 3,
  FLAGS: 4,
  // A value that will be stored: comparison-only values are refused.
  STORAGE: 5
} as const

export interface ParamSpec {
  optional: number
  kinds: readonly number[]
}

export function spec (optional: number, ...kinds: number[]): ParamSpec {
  return { optional, kinds }
}

/** One argument: an element (payload/storage) or an integer (index signed, flags/count as uint64 bits). */
export type Arg = Buffer | bigint

/** The request's arguments, or undefined when the server would refuse them. */
export function readParams (spec: ParamSpec, buf: Buffer, off: number, end: number, argCount: number): Arg[] | undefined {
  const args: Arg[] = []
  if (spec.kinds.length === 0) return args
  const required = spec.kinds.length - spec.optional
  if (argCount < required || argCount > spec.kinds.length) return undefined
  for (let i = 0; i < argCount; i++) {
    const kind = spec.kinds[i]
    if (kind === Param.PAYLOAD || kind === Param.STORAGE) {
      const state: ScanState = { nonstorage: false }
      const next = skip(buf, off, end, 1, state)
      if (next < 0 || (kind === Param.STORAGE && state.nonstorage)) return undefined
      args.push(buf.subarray(off, next))
      off = next
    } else {
      const v = readInt(buf, off, end)
      if (v === undefined) return undefined
      args.push(kind === Param.INDEX ? v.value : BigInt.asUintN(64, v.value))
      off = v.next
    }
  }
  return args
}

// A count the request leaves out means "to the end".
export const DEFAULT_COUNT = 0xffffffffn

// The most elements a list argument may hold (CDT_MAX_PARAM_LIST_COUNT).
const MAX_PARAM_LIST_COUNT = 1024 * 1024

/** list_param_parse: the elements of a list argument (keys or values to look for). */
export function parseParamList (value: Buffer): Buffer[] | undefined {
  const h = readListHeader(value, 0, value.length)
  if (h === undefined || h.value > MAX_PARAM_LIST_COUNT) return undefined
  const items: Buffer[] = []
  let off = h.next
  for (let i = 0; i < h.value; i++) {
    const next = skip(value, off, value.length)
    if (next < 0) return undefined
    items.push(value.subarray(off, next))
    off = next
  }
  return items
}
