// One single-record transaction (read, write, delete, operate), following the
// server's read.c, write.c and delete.c: the same checks in the same order,
// so that every failure carries the result code a real server gives.

import { createHash } from 'node:crypto'
import { MsgpackType, peekType } from './cdt/msgpack'
import { bitsModify, bitsRead } from './bits'
import { cdtModify, cdtRead, StoredBin } from './cdt/operation'
import { rewriteUntrusted } from './cdt/untrusted'
import { applyFilter, expModify, expRead, ExpRecord, expRecord, nowMs } from './exp'
import { geoParticleFromClient } from './geo'
import { hllFromWire, hllModify, hllRead } from './hll'
import { Namespace, StoredRecord, Bin, recordSize } from './store'
import {
  Message, MsgOp, ReplyBin, FieldType, Info1, Info2, Info3, OpType, Particle, Result, findField
} from './wire'

export interface Outcome {
  resultCode: number
  generation: number
  voidTime: number
  bins?: ReplyBin[]
}

export interface TransactionContext {
  namespaces: ReadonlyMap<string, Namespace>
  enterprise: boolean
  now: number
}

const TTL_NEVER_EXPIRE = 0xFFFFFFFF
const TTL_DONT_UPDATE = 0xFFFFFFFE
const MAX_ALLOWED_TTL = 3600 * 24 * 365 * 10
const MAX_BIN_NAME_BYTES = 15
const RECORD_MAX_BINS = 0x7FFF

const EMPTY = Buffer.alloc(0)

function fail (resultCode: number): Outcome {
  return { resultCode, generation: 0, voidTime: 0 }
}

/** The record's digest: sent by the client, or computed from set and key. */
export function messageDigest (msg: Message): Buffer | undefined {
  const digest = findField(msg, FieldType.DIGEST)
  if (digest !== undefined) return digest.length === 20 ? digest : undefined
  const key = findField(msg, FieldType.KEY)
  if (key === undefined || key.length === 0) return undefined
  return createHash('ripemd160')
    .update(findField(msg, FieldType.SET) ?? EMPTY)
    .update(key)
    .digest()
}

export function execute (msg: Message, ctx: TransactionContext): Outcome {
  const nsField = findField(msg, FieldType.NAMESPACE)
  if (nsField === undefined) return fail(Result.PARAMETER)
  const ns = ctx.namespaces.get(nsField.toString('utf8'))
  if (ns === undefined) return fail(Result.NAMESPACE)
  const digest = messageDigest(msg)
  if (digest === undefined) return fail(Result.PARAMETER)
  const key = digest.toString('latin1')
  if ((msg.info2 & Info2.DELETE) !== 0) return remove(msg, ns, key, digest, ctx)
  if ((msg.info2 & Info2.WRITE) !== 0) return write(msg, ns, key, digest, ctx)
  return read(msg, ns, key, digest, ctx)
}

// The filter of field 43, applied to a record that exists (rw_utils.c
// handle_meta_filter and read_and_filter_bins).
function filterResult (msg: Message, r: StoredRecord, digest: Buffer): number {
  const field = findField(msg, FieldType.FILTER_EXP)
  return field === undefined ? Result.OK : applyFilter(field, expRecord(r, digest))
}

function read (msg: Message, ns: Namespace, key: string, digest: Buffer, ctx: TransactionContext): Outcome {
  const r = ns.get(key, ctx.now)
  if (r === undefined) return fail(Result.NOT_FOUND)
  const filtered = filterResult(msg, r, digest)
  if (filtered !== Result.OK) return fail(filtered)
  if (keyMismatch(msg, r)) return fail(Result.KEY_MISMATCH)
  const head = { resultCode: Result.OK, generation: r.generation, voidTime: r.voidTime }
  if ((msg.info1 & Info1.NOBINDATA) !== 0) return head
  if ((msg.info1 & Info1.GET_ALL) !== 0) return { ...head, bins: r.bins }
  // read.c: a read that neither asks for all bins nor names any is refused,
  // once the record is found (a missing one is still 2).
  if (msg.ops.length === 0) return fail(Result.PARAMETER)
  const respondAllOps = (msg.info2 & Info2.RESPOND_ALL_OPS) !== 0
  const bins: ReplyBin[] = []
  for (const op of msg.ops) {
    if (isBinRead(op.op)) {
      const b = findBin(r.bins, op.name)
      const answer = b === undefined ? undefined : binRead(op, b)
      if (answer !== undefined && answer.rc !== Result.OK) return fail(answer.rc)
      if (answer?.result !== undefined) bins.push({ name: op.name, ...answer.result, op: op.op })
      else if (respondAllOps) bins.push(nilResult(op))
      continue
    }
    if (op.op === OpType.EXP_READ) {
      const answer = expRead(op.value, expRecord(r, digest))
      if (answer.rc !== Result.OK) return fail(answer.rc)
      if (answer.bin != null) bins.push({ name: op.name, ...answer.bin, op: op.op })
      else if (respondAllOps) bins.push(nilResult(op))
      continue
    }
    if (op.op !== OpType.READ) return fail(Result.PARAMETER)
    if (op.name.length === 0) {
      bins.push(...r.bins)
      continue
    }
    const b = findBin(r.bins, op.name)
    if (b !== undefined) bins.push(b)
    else if (respondAllOps) bins.push({ name: op.name, type: Particle.NULL, value: EMPTY })
  }
  return { ...head, bins }
}

function nilResult (op: MsgOp): ReplyBin {
  return { name: op.name, type: Particle.NULL, value: EMPTY, op: op.op }
}

function remove (msg: Message, ns: Namespace, key: string, digest: Buffer, ctx: TransactionContext): Outcome {
  if ((msg.info2 & Info2.DURABLE_DELETE) !== 0 && !ctx.enterprise) return fail(Result.ENTERPRISE_ONLY)
  const r = ns.get(key, ctx.now)
  if (r === undefined) return fail(Result.NOT_FOUND)
  if (!generationOk(msg, r.generation)) return fail(Result.GENERATION)
  const filtered = filterResult(msg, r, digest)
  if (filtered !== Result.OK) return fail(filtered)
  ns.delete(key)
  return fail(Result.OK)
}

// A key sent with the request must be the one stored with the record, when
// one was (read.c, rw_utils.c check_msg_key).
function keyMismatch (msg: Message, r: StoredRecord): boolean {
  const msgKey = findField(msg, FieldType.KEY)
  return msgKey !== undefined && r.key !== undefined && !r.key.equals(msgKey)
}

function generationOk (msg: Message, generation: number): boolean {
  if ((msg.info2 & Info2.GENERATION) !== 0) return msg.generation === generation
  if ((msg.info2 & Info2.GENERATION_GT) !== 0) return msg.generation > generation
  return true
}

function isBinRead (op: number): boolean {
  return op === OpType.CDT_READ || op === OpType.BITS_READ || op === OpType.HLL_READ
}

// A CDT, bit or HLL read of one live bin (as_bin_*_read_from_client).
function binRead (op: MsgOp, b: Bin): { rc: number, result?: StoredBin } {
  switch (op.op) {
    case OpType.CDT_READ: return cdtRead(b, op.value)
    case OpType.BITS_READ: return op.particle === Particle.BLOB ? bitsRead(b, op.value) : { rc: Result.INCOMPATIBLE_TYPE }
    default: return hllRead(b, op.value)
  }
}

// A CDT, bit or HLL modify of one bin, absent or not.
function binModify (op: MsgOp, b: Bin | undefined): { rc: number, bin?: StoredBin, result?: StoredBin } {
  switch (op.op) {
    case OpType.CDT_MODIFY: return cdtModify(b, op.value)
    case OpType.BITS_MODIFY: return op.particle === Particle.BLOB ? bitsModify(b, op.value) : { rc: Result.INCOMPATIBLE_TYPE }
    default: return hllModify(b, op.value)
  }
}

interface WritePolicy {
  mustNotCreate: boolean
  isReplace: boolean
}

// write_master_policies: reject contradictory requests before touching data.
function writePolicy (msg: Message): WritePolicy | number {
  if (msg.ops.length === 0) return Result.PARAMETER
  const respondAllOps = (msg.info2 & Info2.RESPOND_ALL_OPS) !== 0
  let mustNotCreate = (msg.info3 & (Info3.UPDATE_ONLY | Info3.REPLACE_ONLY)) !== 0
  const isReplace = (msg.info3 & (Info3.CREATE_OR_REPLACE | Info3.REPLACE_ONLY)) !== 0
  let hasReadOp = false
  let hasReadAll = false
  let respondsWithBin = false
  for (const op of msg.ops) {
    if (op.op === OpType.TOUCH) {
      if (isReplace) return Result.PARAMETER
      mustNotCreate = true
      continue
    }
    if (Buffer.byteLength(op.name) > MAX_BIN_NAME_BYTES) return Result.BIN_NAME
    switch (op.op) {
      case OpType.WRITE:
        if (op.particle === Particle.NULL && isReplace) return Result.PARAMETER
        break
      case OpType.INCR:
      case OpType.APPEND:
      case OpType.PREPEND:
      case OpType.DELETE_ALL:
        if (isReplace) return Result.PARAMETER
        break
      case OpType.CDT_MODIFY:
      case OpType.HLL_MODIFY:
        if (isReplace) return Result.PARAMETER
        respondsWithBin = true
        break
      case OpType.BITS_MODIFY:
        if (isReplace) return Result.PARAMETER
        break
      case OpType.CDT_READ:
      case OpType.BITS_READ:
      case OpType.HLL_READ:
      case OpType.EXP_READ:
        hasReadOp = true
        respondsWithBin = true
        break
      case OpType.EXP_MODIFY:
        break
      case OpType.READ:
        if (op.name.length === 0) {
          if (respondAllOps || hasReadAll) return Result.PARAMETER
          hasReadAll = true
        } else {
          respondsWithBin = true
        }
        hasReadOp = true
        break
      default:
        return Result.PARAMETER
    }
  }
  if (hasReadOp && (msg.info1 & Info1.READ) === 0) return Result.PARAMETER
  if (hasReadAll && respondsWithBin) return Result.PARAMETER
  if ((msg.info1 & Info1.GET_ALL) !== 0 && !hasReadAll) return Result.PARAMETER
  return { mustNotCreate, isReplace }
}

function write (msg: Message, ns: Namespace, key: string, digest: Buffer, ctx: TransactionContext): Outcome {
  const policy = writePolicy(msg)
  if (typeof policy === 'number') return fail(policy)
  const existing = ns.get(key, ctx.now)
  if (existing === undefined && policy.mustNotCreate) return fail(Result.NOT_FOUND)
  if (existing !== undefined && (msg.info2 & Info2.CREATE_ONLY) !== 0) return fail(Result.RECORD_EXISTS)
  if (!generationOk(msg, existing?.generation ?? 0)) return fail(Result.GENERATION)

  const setField = findField(msg, FieldType.SET)
  const setName = setField === undefined ? '' : setField.toString('utf8')
  if (existing !== undefined && existing.setName !== setName) return fail(Result.PARAMETER)
  if (existing !== undefined) {
    const filtered = filterResult(msg, existing, digest)
    if (filtered !== Result.OK) return fail(filtered)
  }

  if (existing !== undefined && keyMismatch(msg, existing)) return fail(Result.KEY_MISMATCH)
  const msgKey = findField(msg, FieldType.KEY)
  const storedKey = existing?.key ?? (msgKey === undefined ? undefined : Buffer.from(msgKey))

  let ttl = msg.recordTtl
  if (ttl === TTL_DONT_UPDATE && existing === undefined) ttl = 0
  if (ttl > MAX_ALLOWED_TTL && ttl !== TTL_NEVER_EXPIRE && ttl !== TTL_DONT_UPDATE) {
    return fail(Result.PARAMETER)
  }

  const bins = policy.isReplace || existing === undefined ? [] : existing.bins.slice()
  const hadBins = existing !== undefined && existing.bins.length > 0
  const respondAllOps = (msg.info2 & Info2.RESPOND_ALL_OPS) !== 0
  const response: ReplyBin[] = []
  const subject: StoredRecord = existing ?? { bins, generation: 0, voidTime: 0, setName, key: storedKey }
  const seen = (): ExpRecord => expRecord(subject, digest, bins)
  for (const op of msg.ops) {
    const rc = applyOp(op, bins, response, respondAllOps, seen)
    if (rc !== Result.OK) return fail(rc)
  }
  if (bins.length > RECORD_MAX_BINS) return fail(Result.PARAMETER)

  if (bins.length === 0) {
    if (!hadBins) return fail(Result.NOT_FOUND)
    if ((msg.info2 & Info2.DURABLE_DELETE) !== 0 && !ctx.enterprise) return fail(Result.ENTERPRISE_ONLY)
    ns.delete(key)
    return response.length > 0
      ? { resultCode: Result.OK, generation: 0, voidTime: 0, bins: response }
      : fail(Result.OK)
  }

  const record: StoredRecord = {
    bins,
    generation: existing === undefined ? 1 : (existing.generation % 0xFFFF) + 1,
    voidTime: voidTimeFor(ttl, existing, ns, ctx.now),
    setName,
    key: storedKey,
    lastUpdate: nowMs()
  }
  if (recordSize(record) > ns.config.maxRecordSize) return fail(Result.RECORD_TOO_BIG)
  ns.set(key, record)
  return {
    resultCode: Result.OK,
    generation: record.generation,
    voidTime: record.voidTime,
    bins: response.length > 0 ? response : undefined
  }
}

function voidTimeFor (ttl: number, existing: StoredRecord | undefined, ns: Namespace, now: number): number {
  if (ttl === TTL_NEVER_EXPIRE) return 0
  if (ttl === TTL_DONT_UPDATE) return existing?.voidTime ?? 0
  const seconds = ttl === 0 ? ns.config.defaultTtl : ttl
  return seconds === 0 ? 0 : now + seconds
}

function findBin (bins: readonly Bin[], name: string): Bin | undefined {
  for (const b of bins) if (b.name === name) return b
  return undefined
}

function findBinIndex (bins: readonly Bin[], name: string): number {
  for (let i = 0; i < bins.length; i++) if (bins[i].name === name) return i
  return -1
}

// The server fills a deleted bin's slot with the last bin, so bin order after
// a delete is not insertion order; reads show it.
function deleteBin (bins: Bin[], name: string): void {
  const i = findBinIndex(bins, name)
  if (i < 0) return
  const last = bins.pop() as Bin
  if (i < bins.length) bins[i] = last
}

function setBin (bins: Bin[], bin: Bin): void {
  const i = findBinIndex(bins, bin.name)
  if (i < 0) bins.push(bin)
  else bins[i] = bin
}

// `seen` is the record as expressions see it mid-transaction: the bins as
// the earlier ops left them.
function applyOp (op: MsgOp, bins: Bin[], response: ReplyBin[], respondAllOps: boolean, seen: () => ExpRecord): number {
  switch (op.op) {
    case OpType.EXP_MODIFY: {
      const outcome = expModify(op.value, findBin(bins, op.name), seen())
      if (outcome.rc !== Result.OK) return outcome.rc
      if (outcome.action === 'write' && outcome.bin !== undefined) setBin(bins, { name: op.name, ...outcome.bin })
      else if (outcome.action === 'delete') deleteBin(bins, op.name)
      if (respondAllOps) response.push(nilResult(op))
      return Result.OK
    }
    case OpType.EXP_READ: {
      const answer = expRead(op.value, seen())
      if (answer.rc !== Result.OK) return answer.rc
      response.push(answer.bin == null ? nilResult(op) : { name: op.name, ...answer.bin, op: op.op })
      return Result.OK
    }
    case OpType.TOUCH:
      return Result.OK
    case OpType.WRITE: {
      if (op.particle === Particle.NULL) {
        deleteBin(bins, op.name)
      } else {
        const particle = particleFromClient(op.particle, op.value)
        if (typeof particle === 'number') return particle
        setBin(bins, { name: op.name, type: op.particle, value: particle })
      }
      break
    }
    case OpType.INCR:
    case OpType.APPEND:
    case OpType.PREPEND: {
      const rc = modifyBin(op, bins)
      if (rc !== Result.OK) return rc
      break
    }
    case OpType.DELETE_ALL:
      bins.length = 0
      break
    case OpType.CDT_MODIFY:
    case OpType.BITS_MODIFY:
    case OpType.HLL_MODIFY: {
      const outcome = binModify(op, findBin(bins, op.name))
      if (outcome.rc !== Result.OK) return outcome.rc
      if (outcome.bin !== undefined) setBin(bins, { name: op.name, ...outcome.bin })
      if (outcome.result !== undefined) response.push({ name: op.name, ...outcome.result, op: op.op })
      else if (respondAllOps) response.push(nilResult(op))
      return Result.OK
    }
    case OpType.CDT_READ:
    case OpType.BITS_READ:
    case OpType.HLL_READ: {
      const b = findBin(bins, op.name)
      if (b === undefined) {
        if (respondAllOps) response.push(nilResult(op))
        return Result.OK
      }
      const answer = binRead(op, b)
      if (answer.rc !== Result.OK) return answer.rc
      response.push(answer.result === undefined ? nilResult(op) : { name: op.name, ...answer.result, op: op.op })
      return Result.OK
    }
    case OpType.READ: {
      if (op.name.length === 0) {
        response.push(...bins)
        return Result.OK
      }
      const b = findBin(bins, op.name)
      if (b !== undefined) response.push(b)
      else if (respondAllOps) response.push({ name: op.name, type: Particle.NULL, value: EMPTY })
      return Result.OK
    }
  }
  if (respondAllOps) response.push(nilResult(op))
  return Result.OK
}

// as_bin_particle_from_client: a value of an unknown type or a malformed
// fixed-size value is a parameter error; integers arrive in 1, 2, 4 or 8
// bytes and are kept as 8.
export function particleFromClient (type: number, value: Buffer): Buffer | number {
  switch (type) {
    case Particle.INTEGER:
      return integerFromWire(value) ?? Result.PARAMETER
    case Particle.FLOAT:
      return value.length === 8 ? Buffer.from(value) : Result.PARAMETER
    case Particle.BOOL:
      return value.length === 1 ? Buffer.from([value[0] === 0 ? 0 : 1]) : Result.PARAMETER
    case Particle.STRING:
    case Particle.BLOB:
      return Buffer.from(value)
    case Particle.HLL:
      return hllFromWire(value) ?? Result.PARAMETER
    case Particle.LIST:
    case Particle.MAP:
      return containerFromClient(type, value)
    case Particle.GEOJSON: {
      const geo = geoParticleFromClient(value)
      return 'error' in geo ? geo.error : geo.value
    }
    default:
      return Result.PARAMETER
  }
}

// list_from_wire / map_from_wire: the server stores the msgpack as it
// rewrites it, and refuses what it cannot (a result code of 1, "unknown").
function containerFromClient (type: number, value: Buffer): Buffer | number {
  const rewritten = rewriteUntrusted(value)
  if (rewritten === undefined) return Result.UNKNOWN
  const want = type === Particle.LIST ? MsgpackType.LIST : MsgpackType.MAP
  return peekType(rewritten, 0) === want ? Buffer.from(rewritten) : Result.UNKNOWN
}

function integerFromWire (value: Buffer): Buffer | undefined {
  let n: bigint
  switch (value.length) {
    case 8: return Buffer.from(value)
    case 4: n = BigInt(value.readUInt32BE(0)); break
    case 2: n = BigInt(value.readUInt16BE(0)); break
    case 1: n = BigInt(value[0]); break
    default: return undefined
  }
  const out = Buffer.allocUnsafe(8)
  out.writeBigUInt64BE(n)
  return out
}

// as_bin_particle_modify_from_client: a missing bin is created from the op's
// value as if written; an existing bin must have the op's type.
function modifyBin (op: MsgOp, bins: Bin[]): number {
  const i = findBinIndex(bins, op.name)
  if (i < 0) {
    const particle = particleFromClient(op.particle, op.value)
    if (typeof particle === 'number') return particle
    bins.push({ name: op.name, type: op.particle, value: particle })
    return Result.OK
  }
  const b = bins[i]
  if (op.op === OpType.INCR) {
    if (b.type === Particle.INTEGER) {
      if (op.particle !== Particle.INTEGER) return Result.INCOMPATIBLE_TYPE
      const delta = integerFromWire(op.value)
      if (delta === undefined) return Result.PARAMETER
      const out = Buffer.allocUnsafe(8)
      out.writeBigUInt64BE(BigInt.asUintN(64, b.value.readBigUInt64BE(0) + delta.readBigUInt64BE(0)))
      bins[i] = { name: b.name, type: b.type, value: out }
      return Result.OK
    }
    if (b.type === Particle.FLOAT) {
      if (op.particle !== Particle.FLOAT) return Result.INCOMPATIBLE_TYPE
      if (op.value.length !== 8) return Result.PARAMETER
      const out = Buffer.allocUnsafe(8)
      out.writeDoubleBE(b.value.readDoubleBE(0) + op.value.readDoubleBE(0))
      bins[i] = { name: b.name, type: b.type, value: out }
      return Result.OK
    }
    return Result.INCOMPATIBLE_TYPE
  }
  if ((b.type !== Particle.STRING && b.type !== Particle.BLOB) || op.particle !== b.type) {
    return Result.INCOMPATIBLE_TYPE
  }
  const value = op.op === OpType.APPEND ? Buffer.concat([b.value, op.value]) : Buffer.concat([op.value, b.value])
  bins[i] = { name: b.name, type: b.type, value }
  return Result.OK
}
