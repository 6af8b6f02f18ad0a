// A scan or query message (no digest field) taken apart the way query.c's
// job start functions do, with the same checks in the same order, so that a
// refused request carries the server's result code.

import type { Namespace } from '../store'
import { geoParticleFromClient } from '../geo'
import { parseShape } from '../sindex/geo-match'
import { QueryRange, bytesBval } from '../sindex/match'
import { IndexType, SindexDef, SindexRegistry } from '../sindex/registry'
import { FieldType, Info1, Info2, Info3, Message, MsgOp, OpType, Particle, Result, findField } from '../wire'

export const N_PARTITIONS = 4096
const AS_SET_NAME_MAX_SIZE = 64
const MAX_BIN_NAME = 15
const MAX_STRING_KSIZE = 2048
const MAX_GEOJSON_KSIZE = 1024 * 1024
const BACKGROUND_QUERY_MAX_RPS = 10000

export const QueryField = {
  RECS_PER_SEC: 10,
  BVAL_ARRAY: 15,
  INDEX_RANGE: 22,
  INDEX_CONTEXT: 23,
  INDEX_TYPE: 26,
  UDF_OP: 33,
  QUERY_BINLIST: 40
} as const

export interface Resume {
  digest: string
  bval: bigint
}

export interface QueryIndex {
  def: SindexDef
  range: QueryRange
  // Whether one record may come back through several of its values, which
  // the server then folds (range->de_dup).
  deDup: boolean
}

export interface QueryRequest {
  ns: Namespace
  // '' scans the whole namespace.
  setName: string
  // The set was named but holds nothing yet: there is nothing to find.
  unknownSet: boolean
  trid: bigint
  // Requested partitions in ascending order, with where to resume in each.
  partitions: Array<{ pid: number, resume: Resume | undefined }>
  index: QueryIndex | undefined
  // 0 = no limit.
  maxRecords: bigint
  binNames: string[] | undefined
  noBins: boolean
  filter: Buffer | undefined
  socketTimeout: number
  rps: number
  // Background operations: the write each selected record gets.
  background: { ops: MsgOp[], info2: number, info3: number, recordTtl: number } | undefined
}

export function messageTrid (msg: Message): bigint {
  const f = findField(msg, FieldType.TRID)
  return f !== undefined && f.length === 8 ? f.readBigUInt64BE(0) : 0n
}

export function partitionOf (digest: Buffer | string): number {
  const d0 = typeof digest === 'string' ? digest.charCodeAt(0) : digest[0]
  const d1 = typeof digest === 'string' ? digest.charCodeAt(1) : digest[1]
  return (d0 | (d1 << 8)) & (N_PARTITIONS - 1)
}

/** The request, or the result code that refuses it. */
export function parseQuery (msg: Message, ns: Namespace, sindexes: SindexRegistry): QueryRequest | number {
  if (findField(msg, QueryField.UDF_OP) !== undefined) return Result.UNSUPPORTED_FEATURE
  const background = (msg.info2 & Info2.WRITE) !== 0
  if (!background && (msg.info3 & Info3.PARTITION_DONE) === 0) return Result.UNSUPPORTED_FEATURE
  if (background && (msg.info1 & Info1.SHORT_QUERY) !== 0) return Result.PARAMETER
  const set = querySet(msg, ns)
  if (set === undefined) return Result.PARAMETER
  const hasWhere = findField(msg, QueryField.INDEX_RANGE) !== undefined
  const partitions = background ? allPartitions() : queryPartitions(msg, hasWhere)
  if (partitions === null) return Result.PARAMETER
  const range = hasWhere ? queryRange(msg) : undefined
  if (range === null) return Result.PARAMETER
  const rps = queryRps(msg)
  if (rps === undefined) return Result.PARAMETER
  if (background && set.unknown) return Result.NOT_FOUND
  if (background && rps > BACKGROUND_QUERY_MAX_RPS) return Result.PARAMETER
  if (partitions === undefined) return Result.UNSUPPORTED_FEATURE
  let index: QueryIndex | undefined
  if (range !== undefined) {
    const def = sindexes.lookup(ns.name, set.unknown ? '\0' : set.name, range.bin, range.ktype, range.itype)
    if (def === undefined) return Result.SINDEX_NOT_FOUND
    index = { def, range: range.range, deDup: range.isRange && range.itype !== IndexType.DEFAULT }
  }
  const timeout = findField(msg, FieldType.SOCKET_TIMEOUT)
  if (timeout !== undefined && timeout.length !== 4) return Result.PARAMETER
  const maxField = findField(msg, FieldType.MAX_RECORDS)
  if (maxField !== undefined && maxField.length !== 8) return Result.PARAMETER
  const binNames = background ? undefined : selectedBins(msg)
  if (binNames === null) return Result.PARAMETER
  let ops: MsgOp[] | undefined
  if (background) {
    if ((msg.info1 & Info1.READ) !== 0 || msg.ops.length === 0) return Result.PARAMETER
    if (msg.ops.some((op) => op.op === OpType.READ || op.op === OpType.CDT_READ || op.op === OpType.EXP_READ ||
      op.op === OpType.BITS_READ || op.op === OpType.HLL_READ)) return Result.PARAMETER
    ops = msg.ops
  }
  return {
    ns,
    setName: set.name,
    unknownSet: set.unknown,
    trid: messageTrid(msg),
    partitions,
    index,
    maxRecords: background || maxField === undefined ? 0n : maxField.readBigUInt64BE(0),
    binNames,
    noBins: (msg.info1 & Info1.NOBINDATA) !== 0,
    filter: findField(msg, FieldType.FILTER_EXP),
    socketTimeout: timeout === undefined ? 0 : timeout.readUInt32BE(0),
    rps: rps === 0 && background ? BACKGROUND_QUERY_MAX_RPS : rps,
    background: ops === undefined
      ? undefined
      : {
          ops,
          info2: Info2.WRITE | (msg.info2 & Info2.DURABLE_DELETE),
          info3: Info3.UPDATE_ONLY | (msg.info3 & Info3.REPLACE_ONLY),
          recordTtl: msg.recordTtl
        }
  }
}

// get_query_set: a set the namespace has never held is no error; the query
// then finds nothing (and an index query finds no index).
function querySet (msg: Message, ns: Namespace): { name: string, unknown: boolean } | undefined {
  const f = findField(msg, FieldType.SET)
  if (f === undefined || f.length === 0) return { name: '', unknown: false }
  if (f.length >= AS_SET_NAME_MAX_SIZE) return undefined
  const name = f.toString('utf8')
  return { name, unknown: !ns.hasSet(name) }
}

function allPartitions (): QueryRequest['partitions'] {
  return Array.from({ length: N_PARTITIONS }, (_, pid) => ({ pid, resume: undefined }))
}

// get_query_pids: undefined when neither array came (the caller refuses
// that), null for a malformed or repeated partition.
function queryPartitions (msg: Message, hasWhere: boolean): QueryRequest['partitions'] | undefined | null {
  const pidField = findField(msg, FieldType.PID_ARRAY)
  const digestField = findField(msg, FieldType.DIGEST_ARRAY)
  const bvalField = findField(msg, QueryField.BVAL_ARRAY)
  if (pidField === undefined && digestField === undefined) return undefined
  const requested = new Map<number, Resume | undefined>()
  if (pidField !== undefined) {
    const n = pidField.length >> 1
    if (n === 0 || n > N_PARTITIONS) return null
    for (let i = 0; i < n; i++) {
      const pid = pidField.readUInt16LE(2 * i)
      if (pid >= N_PARTITIONS || requested.has(pid)) return null
      requested.set(pid, undefined)
    }
  }
  if (digestField !== undefined) {
    const n = Math.floor(digestField.length / 20)
    if (n === 0 || n > N_PARTITIONS) return null
    if (hasWhere && (bvalField === undefined || bvalField.length >> 3 !== n)) return null
    for (let i = 0; i < n; i++) {
      const digest = digestField.subarray(20 * i, 20 * i + 20)
      const pid = partitionOf(digest)
      if (requested.has(pid)) return null
      const bval = hasWhere ? (bvalField as Buffer).readBigInt64LE(8 * i) : 0n
      requested.set(pid, { digest: digest.toString('latin1'), bval })
    }
  } else if (bvalField !== undefined) {
    return null
  }
  return [...requested].sort((a, b) => a[0] - b[0]).map(([pid, resume]) => ({ pid, resume }))
}

interface ParsedRange {
  bin: string
  ktype: number
  itype: number
  isRange: boolean
  range: QueryRange
}

// get_query_range: one range, a bin name, a particle type and its bounds.
function queryRange (msg: Message): ParsedRange | null {
  const data = findField(msg, QueryField.INDEX_RANGE) as Buffer
  if (data.length < 2 || data[0] !== 1) return null
  const nameLen = data[1]
  if (nameLen === 0 || nameLen > MAX_BIN_NAME || data.length < 2 + nameLen + 1) return null
  const bin = data.toString('utf8', 2, 2 + nameLen)
  const ktype = data[2 + nameLen]
  const rest = data.subarray(3 + nameLen)
  let range: QueryRange | null
  let isRange = true
  switch (ktype) {
    case Particle.INTEGER: {
      if (rest.length < 24 || rest.readUInt32BE(0) !== 8 || rest.readUInt32BE(12) !== 8) return null
      const start = rest.readBigInt64BE(4)
      const end = rest.readBigInt64BE(16)
      if (start > end) return null
      range = { kind: 'integer', start, end }
      isRange = start !== end
      break
    }
    case Particle.STRING:
    case Particle.BLOB: {
      const value = firstBound(rest, MAX_STRING_KSIZE)
      if (value === undefined) return null
      range = { kind: 'bytes', ktype, value: Buffer.from(value), bval: bytesBval(value) }
      isRange = false
      break
    }
    case Particle.GEOJSON:
      range = geoRange(rest)
      if (range === null) return null
      break
    default:
      return null
  }
  const itypeField = findField(msg, QueryField.INDEX_TYPE)
  if (itypeField !== undefined && itypeField.length === 0) return null
  // An index context narrows the lookup to indexes with that context, which
  // this server does not keep: such a query finds no index.
  const itype = findField(msg, QueryField.INDEX_CONTEXT) !== undefined ? -1 : itypeField?.[0] ?? IndexType.DEFAULT
  return { bin, ktype, itype, isRange, range }
}

function firstBound (rest: Buffer, max: number): Buffer | undefined {
  if (rest.length < 4) return undefined
  const len = rest.readUInt32BE(0)
  if (len >= max || rest.length < 4 + len) return undefined
  return rest.subarray(4, 4 + len)
}

function geoRange (rest: Buffer): QueryRange | null {
  const text = firstBound(rest, MAX_GEOJSON_KSIZE)
  if (text === undefined || text.length === 0) return null
  // The same parser and checks as a GeoJSON bin's.
  const header = Buffer.alloc(3)
  if ('error' in geoParticleFromClient(Buffer.concat([header, text]))) return null
  const shape = parseShape(text)
  if (shape === undefined) return null
  return shape.kind === 'point' ? { kind: 'contains', point: shape } : { kind: 'within', region: shape }
}

function queryRps (msg: Message): number | undefined {
  const f = findField(msg, QueryField.RECS_PER_SEC)
  if (f === undefined) return 0
  if ((msg.info1 & Info1.SHORT_QUERY) !== 0 || f.length !== 4) return undefined
  return f.readUInt32BE(0)
}

// basic_query_get_bin_names: a bin list field or the ops' names (bad names
// are skipped), never both.
function selectedBins (msg: Message): string[] | undefined | null {
  const list = findField(msg, QueryField.QUERY_BINLIST)
  if (list !== undefined && msg.ops.length > 0) return null
  if (list !== undefined) {
    const names: string[] = []
    let off = 1
    for (let i = 0; i < list[0] && off < list.length; i++) {
      const len = list[off]
      const name = list.toString('utf8', off + 1, off + 1 + len)
      if (len > 0 && len <= MAX_BIN_NAME) names.push(name)
      off += 1 + len
    }
    return names
  }
  if (msg.ops.length === 0) return undefined
  return msg.ops.filter((op) => op.name.length > 0 && Buffer.byteLength(op.name) <= MAX_BIN_NAME).map((op) => op.name)
}
