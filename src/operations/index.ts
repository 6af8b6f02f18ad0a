// Operations in the official REST gateway's v2 format,
// {"type": "ADD", "binName": "visits", "incr": 1}, turned into the Node
// client's operations (the table is in specs.ts, the fields in fields.ts).
// Every error names the operation by its index, so that a client can find it
// in a long opsList.

import { invalid } from './fields'
import type { OpsOptions } from './fields'
import { readOperation } from './specs'
import type { ClientOperation, ResultKind } from './specs'

export type { OpsOptions } from './fields'
export type { ClientOperation } from './specs'

/**
 * How the results of an opsList read back. With `deserialize: false` the
 * client hands lists, maps and bytes alike as Buffers; the operation that
 * answered for a bin tells which it is, except for a bin's own value.
 */
export interface ResultPlan {
  /**
   * Bins whose answer is their value, read by GET/READ with nothing after it
   * in the request that could change the bin: a second read can tell bytes
   * from a list or map.
   */
  checkable: Set<string>
  /** Bins whose answer is a single map key: bytes are bytes. */
  keys: Set<string>
  /** Every bin is checkable: a GET/READ without binName read them all, and nothing after it writes. */
  all: boolean
  /** Bins some operation answers for; every bin when a GET/READ without binName reads them all. */
  answered: Set<string> | 'all'
}

/** The client operations of an opsList, and what kind they are. */
export interface ParsedOps {
  ops: ClientOperation[]
  /** Some operation changes the record. */
  writes: boolean
  results: ResultPlan
}

// Reading every bin turns off the server's answers for each operation, and
// the server refuses it next to reads of single bins; only these, which
// answer nothing, may stand with it.
const WITH_READ_ALL: ReadonlySet<unknown> = new Set(['PUT', 'ADD', 'APPEND', 'PREPEND', 'TOUCH', 'DELETE', 'GET_HEADER'])

/**
 * Parses an opsList. GET_HEADER adds no operation: every answer carries the
 * generation and ttl. GET/READ without binName reads every bin (the client's
 * read of the empty bin name); it stands only with operations that answer
 * nothing.
 */
export function toClientOps (opsList: unknown, options: OpsOptions): ParsedOps {
  if (!Array.isArray(opsList) || opsList.length === 0) throw invalid(options.path, 'must be a non-empty array of operations')
  const ops: ClientOperation[] = []
  let writes = false
  // Per bin, the last operation that answers for it and the last that writes it.
  const answers = new Map<string, { kind: ResultKind, at: number }>()
  const lastWrite = new Map<string, number>()
  let lastRecordWrite = -1
  let readAll: number | undefined
  for (let i = 0; i < opsList.length; i++) {
    const where = `${options.path}[${i}]`
    const raw = opsList[i] as unknown
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Map) throw invalid(where, 'an operation is an object with a "type"')
    const f = { op: raw as Record<string, unknown>, where, options }
    const { spec, args } = readOperation(f, `${where}.type`)
    const kind = spec.result(args)
    if (kind === 'all') {
      if (readAll !== undefined) throw invalid(where, `a second ${String(f.op.type)} without binName; opsList[${readAll}] reads every bin already`)
      readAll = i
    }
    const operation = spec.build(args, f)
    if (operation !== undefined) ops.push(operation)
    // An EXP_READ answers under its own name.
    const bin = args.binName ?? args.name
    if (spec.writes) writes = true
    // A touch changes no bin.
    if (spec.writes && f.op.type !== 'TOUCH') {
      if (bin === undefined) lastRecordWrite = i
      else lastWrite.set(bin, i)
    }
    if (bin !== undefined && kind !== 'none') answers.set(bin, { kind, at: i })
  }
  if (readAll !== undefined) {
    const other = opsList.findIndex((o, i) => i !== readAll && !WITH_READ_ALL.has((o as { type: unknown }).type))
    if (other >= 0) {
      throw invalid(`${options.path}[${readAll}]`, `GET/READ without binName reads every bin and cannot stand with ${String((opsList[other] as { type: unknown }).type)} (${options.path}[${other}]), which answers too`)
    }
  }
  const all = readAll !== undefined && Math.max(lastRecordWrite, ...lastWrite.values()) < readAll
  const results: ResultPlan = { checkable: new Set(), keys: new Set(), all, answered: readAll !== undefined ? 'all' : new Set(answers.keys()) }
  for (const [bin, { kind, at }] of answers) {
    if (kind === 'key') results.keys.add(bin)
    if (kind === 'bin' && (lastWrite.get(bin) ?? -1) < at && lastRecordWrite < at) results.checkable.add(bin)
  }
  return { ops, writes, results }
}
