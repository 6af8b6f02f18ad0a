// Expressions as the transactions use them: filters (message field 43) and
// the expression read and write ops (expop.c).

import { CITRUSLEAF_EPOCH } from '../store'
import type { Bin, StoredRecord } from '../store'
import { Result as Rc } from '../wire'
import { readInt, readListHeader, skip } from '../cdt/msgpack'
import { buildExpression, buildFilter, Compiled } from './build'
import { ExpFlag } from './codes'
import { ExpRecord, run } from './eval'
import { storedSize } from './meta'
import { toBin } from './value'

export type { Compiled as Expression } from './build'
export type { ExpRecord } from './eval'

// Clients send the same few filters over and over, each a batch row or a
// read at a time: each is built once. What a filter builds to depends on its
// bytes alone.
const BUILT_FILTERS = new Map<string, Compiled | undefined>()
const MAX_BUILT_FILTERS = 256

/** buildFilter, remembered by the filter's bytes. */
export function builtFilter (field: Buffer): Compiled | undefined {
  const text = field.toString('latin1')
  if (BUILT_FILTERS.has(text)) return BUILT_FILTERS.get(text)
  const filter = buildFilter(field)
  if (BUILT_FILTERS.size >= MAX_BUILT_FILTERS) BUILT_FILTERS.delete(BUILT_FILTERS.keys().next().value as string)
  BUILT_FILTERS.set(text, filter)
  return filter
}

const MODIFY_FLAGS = ExpFlag.CREATE_ONLY | ExpFlag.UPDATE_ONLY | ExpFlag.ALLOW_DELETE | ExpFlag.POLICY_NO_FAIL | ExpFlag.EVAL_NO_FAIL

export function nowMs (): number {
  return Date.now() - CITRUSLEAF_EPOCH * 1000
}

/** What an expression sees of a stored record, with the bins it has now. */
export function expRecord (r: StoredRecord, digest: Buffer, bins: readonly Bin[] = r.bins): ExpRecord {
  return {
    bins,
    setName: r.setName,
    key: r.key,
    digest,
    voidTime: r.voidTime,
    lastUpdate: r.lastUpdate ?? 0,
    // Computed only when an expression asks for it.
    get storedSize () {
      return storedSize({ bins, setName: r.setName, key: r.key, voidTime: r.voidTime })
    }
  }
}

/**
 * as_exp_matches_record: whether the record passes the filter. Also the hook
 * scans and queries use for each record.
 */
export function filterMatches (filter: Compiled, rec: ExpRecord, now = nowMs()): boolean {
  const v = run(filter, rec, now)
  return v !== undefined && v.k === 'bool' && v.v
}

/**
 * The record predicate a scan or query applies (the query subsystem's
 * FilterCompiler): the filter does not build, or the predicate over a
 * record and its digest, which the namespace keys by its latin1 string.
 */
export function compileQueryFilter (field: Buffer): ((record: StoredRecord, digest: string) => boolean) | number {
  const filter = buildFilter(field)
  if (filter === undefined) return Rc.PARAMETER
  const now = nowMs()
  return (record, digest) => filterMatches(filter, expRecord(record, Buffer.from(digest, 'latin1')), now)
}

/** A transaction's filter outcome: OK, FILTERED_OUT, or PARAMETER when it does not build. */
export function applyFilter (field: Buffer, rec: ExpRecord): number {
  const filter = builtFilter(field)
  if (filter === undefined) return Rc.PARAMETER
  return filterMatches(filter, rec) ? Rc.OK : Rc.FILTERED_OUT
}

interface ParsedOp {
  exp: Compiled
  flags: number
}

// as_exp_op_parse: [expression, flags?].
function parseOp (value: Buffer, allowed: number): ParsedOp | undefined {
  const h = readListHeader(value, 0, value.length)
  if (h === undefined || h.value === 0 || h.value > 2) return undefined
  const expEnd = skip(value, h.next, value.length)
  if (expEnd < 0) return undefined
  let flags = 0n
  const f = readInt(value, expEnd, value.length)
  if (f !== undefined) {
    flags = BigInt.asUintN(64, f.value)
    if ((flags & ~BigInt(allowed)) !== 0n) return undefined
  }
  const exp = buildExpression(value.subarray(h.next, expEnd))
  return exp === undefined ? undefined : { exp, flags: Number(flags) }
}

export interface ReadOutcome {
  rc: number
  // null: the expression gave nil (or failed with EVAL_NO_FAIL).
  bin?: { type: number, value: Buffer } | null
}

/** as_exp_read_tr. */
export function expRead (value: Buffer, rec: ExpRecord): ReadOutcome {
  const op = parseOp(value, ExpFlag.EVAL_NO_FAIL)
  if (op === undefined) return { rc: Rc.PARAMETER }
  const bin = toBin(run(op.exp, rec, nowMs()))
  if (bin === undefined) return (op.flags & ExpFlag.EVAL_NO_FAIL) !== 0 ? { rc: Rc.OK, bin: null } : { rc: Rc.OP_NOT_APPLICABLE }
  return { rc: Rc.OK, bin }
}

export interface ModifyOutcome {
  rc: number
  // What becomes of the bin: kept as it is, written, or deleted.
  action?: 'keep' | 'write' | 'delete'
  bin?: { type: number, value: Buffer }
}

/** as_exp_modify_tr on the bin named by the op (undefined when absent). */
export function expModify (value: Buffer, current: Bin | undefined, rec: ExpRecord): ModifyOutcome {
  const op = parseOp(value, MODIFY_FLAGS)
  if (op === undefined) return { rc: Rc.PARAMETER }
  const { flags } = op
  const noFail = (flags & ExpFlag.POLICY_NO_FAIL) !== 0
  if (current !== undefined && (flags & ExpFlag.CREATE_ONLY) !== 0) {
    return noFail ? { rc: Rc.OK, action: 'keep' } : { rc: Rc.BIN_EXISTS }
  }
  if (current === undefined && (flags & ExpFlag.UPDATE_ONLY) !== 0) {
    return noFail ? { rc: Rc.OK, action: 'keep' } : { rc: Rc.BIN_NOT_FOUND }
  }
  const bin = toBin(run(op.exp, rec, nowMs()))
  if (bin === undefined) {
    return (flags & ExpFlag.EVAL_NO_FAIL) !== 0 ? { rc: Rc.OK, action: 'keep' } : { rc: Rc.OP_NOT_APPLICABLE }
  }
  if (bin !== null) return { rc: Rc.OK, action: 'write', bin }
  if (current === undefined) return { rc: Rc.OK, action: 'keep' }
  if ((flags & ExpFlag.ALLOW_DELETE) !== 0) return { rc: Rc.OK, action: 'delete' }
  // The server tests `flags && POLICY_NO_FAIL != 0`: any flag at all makes
  // the refused delete a no-op.
  return flags !== 0 ? { rc: Rc.OK, action: 'keep' } : { rc: Rc.OP_NOT_APPLICABLE }
}
