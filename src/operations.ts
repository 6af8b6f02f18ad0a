// Operations in the official REST gateway's v2 format,
// {"type": "ADD", "binName": "visits", "incr": 1}, turned into the Node
// client's operations. Every error names the operation by its index, so that
// a client can find it in a long opsList.

import Aerospike from 'aerospike'
import type { BodyFormat } from './plugins/content'
import { checkBinName, toClientValue, ValueError } from './values'

export type ClientOperation = InstanceType<typeof Aerospike.operations.Operation>

export interface OpsOptions {
  source: BodyFormat
  maxDepth: number
  /** Where the list sits in the body, for error messages: "opsList", "[3].opsList". */
  path: string
}

/** The client operations of an opsList, and what kind they are. */
export interface ParsedOps {
  ops: ClientOperation[]
  /** Some operation changes the record. */
  writes: boolean
}

const INT_SAFE = Number.MAX_SAFE_INTEGER

interface Field {
  op: Record<string, unknown>
  where: string
  options: OpsOptions
}

function invalid (where: string, detail: string): ValueError {
  return new ValueError(4, `${where}: ${detail}`)
}

function bin (f: Field): string {
  return checkBinName(f.op.binName, `${f.where}.binName`)
}

function value (f: Field, name = 'value'): unknown {
  if (!(name in f.op)) throw invalid(f.where, `${f.op.type as string} needs "${name}"`)
  const v = toClientValue(f.op[name], { source: f.options.source, maxDepth: f.options.maxDepth, path: `${f.where}.${name}` })
  // The client's operations take integers as JavaScript numbers only; a
  // larger one fails inside the client (-2), so say so here.
  if (typeof v === 'bigint') throw invalid(`${f.where}.${name}`, `an operation cannot carry an integer beyond ±${INT_SAFE}; write it with PUT /v1/kvs`)
  return v
}

function text (f: Field): string {
  const v = f.op.value
  if (typeof v !== 'string') throw invalid(`${f.where}.value`, `${f.op.type as string} takes a string`)
  return value(f) as string
}

function number (f: Field, name: string): unknown {
  const v = value(f, name)
  if (typeof v !== 'number' && !(v instanceof Aerospike.Double)) throw invalid(`${f.where}.${name}`, 'must be an integer or a double')
  return v
}

type Builder = (f: Field) => ClientOperation

const { operations: op } = Aerospike

const READS = new Map<unknown, Builder>([
  ['READ', (f) => op.read(bin(f))],
  ['GET', (f) => op.read(bin(f))]
])

const WRITES = new Map<unknown, Builder>([
  ['PUT', (f) => op.write(bin(f), value(f) as string)],
  ['ADD', (f) => op.incr(bin(f), number(f, 'incr') as number)],
  ['APPEND', (f) => op.append(bin(f), text(f))],
  ['PREPEND', (f) => op.prepend(bin(f), text(f))],
  // A touch's new ttl is the command's expiration, as in a single-record write.
  ['TOUCH', () => op.touch(undefined as unknown as number)],
  ['DELETE', () => op.delete()]
])

/**
 * Parses an opsList. GET_HEADER adds no operation: every answer carries the
 * generation and ttl. GET needs a binName here, as the client has no
 * operation that reads every bin.
 */
export function toClientOps (opsList: unknown, options: OpsOptions): ParsedOps {
  if (!Array.isArray(opsList) || opsList.length === 0) throw invalid(options.path, 'must be a non-empty array of operations')
  const ops: ClientOperation[] = []
  let writes = false
  for (let i = 0; i < opsList.length; i++) {
    const where = `${options.path}[${i}]`
    const raw = opsList[i] as unknown
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Map) throw invalid(where, 'an operation is an object with a "type"')
    const o = raw as Record<string, unknown>
    const type = o.type
    if (type === 'GET_HEADER') continue
    const f = { op: o, where, options }
    const read = READS.get(type)
    const write = WRITES.get(type)
    if (read !== undefined) {
      ops.push(read(f))
    } else if (write !== undefined) {
      ops.push(write(f))
      writes = true
    } else {
      throw invalid(`${where}.type`, `unknown operation type "${String(type)}"; the OpenAPI document lists them`)
    }
  }
  return { ops, writes }
}
