// One CDT operation on one bin (as_bin_cdt_modify_tr / as_bin_cdt_read_tr):
// the op value is msgpack [op code, args...], or [0xff, context, [op code,
// args...]] for an element inside the bin.

import { Particle, Result } from '../wire'
import { Dug, dig, rebuild } from './context'
import { listModify, listRead, OpArgs } from './list-ops'
import { mapModify, mapRead } from './map-ops'
import { MsgpackType, peekType, readInt, readListHeader, skip } from './msgpack'
import { CdtValue } from './result'
import { CdtAnswer, Target } from './target'

const CONTEXT_EVAL = 0xff
// Op codes from here on are map ops.
const FIRST_MAP_OP = 64

export interface StoredBin {
  type: number
  value: Buffer
}

export interface ModifyOutcome {
  rc: number
  result?: CdtValue
  // The bin's new value, when the operation changed (or created) it.
  bin?: StoredBin
}

interface OpState {
  code: number
  args: OpArgs
}

// cdt_process_state_init_from_vec; a value starting with 0 is the old
// format: a 16-bit op code, then the arguments as a list.
function parseState (buf: Buffer, off: number, end: number): OpState | undefined {
  if (off >= end) return undefined
  if (buf[off] === 0) {
    if (end - off < 2) return undefined
    const code = buf.readUInt16BE(off)
    if (end - off === 2) return { code, args: { buf, off: end, end, count: 0 } }
    const h = readListHeader(buf, off + 2, end)
    return h === undefined ? undefined : { code, args: { buf, off: h.next, end, count: h.value } }
  }
  const h = readListHeader(buf, off, end)
  if (h === undefined || h.value === 0) return undefined
  const t = readInt(buf, h.next, end)
  if (t === undefined) return undefined
  const code = BigInt.asUintN(64, t.value)
  return { code: code > 0xffffn ? -1 : Number(code), args: { buf, off: t.next, end, count: h.value - 1 } }
}

function isContainer (bin: StoredBin | undefined): boolean {
  return bin !== undefined && (bin.type === Particle.LIST || bin.type === Particle.MAP)
}

function run (state: OpState, t: Target): CdtAnswer {
  if (state.code >= 0 && state.code < FIRST_MAP_OP) {
    return t.isModify ? listModify(state.code, state.args, t) : listRead(state.code, state.args, t)
  }
  return t.isModify ? mapModify(state.code, state.args, t) : mapRead(state.code, state.args, t)
}

function stored (value: Buffer): StoredBin {
  return { type: peekType(value, 0) === MsgpackType.MAP ? Particle.MAP : Particle.LIST, value }
}

interface InContext {
  dug: Dug
  inner: OpState
}

// cdt_process_state_context_eval: follow the context, then read the op it wraps.
function enterContext (state: OpState, bin: StoredBin | undefined, isModify: boolean): InContext | { rc: number } {
  const { buf, off, end, count } = state.args
  if (count !== 2) return { rc: Result.PARAMETER }
  if (!(bin === undefined && isModify) && !isContainer(bin)) return { rc: Result.PARAMETER }
  const ctxEnd = skip(buf, off, end)
  if (ctxEnd < 0) return { rc: Result.PARAMETER }
  const dug = dig(bin?.value, buf.subarray(off, ctxEnd), isModify)
  if ('rc' in dug) return dug
  const inner = parseState(buf, ctxEnd, end)
  if (inner === undefined || buf[ctxEnd] === 0) return { rc: Result.PARAMETER }
  if (!dug.created) {
    const want = inner.code >= 0 && inner.code < FIRST_MAP_OP ? MsgpackType.LIST : MsgpackType.MAP
    if (peekType(dug.target as Buffer, 0) !== want) return { rc: Result.INCOMPATIBLE_TYPE }
  }
  return { dug, inner }
}

function target (bytes: Buffer | undefined, bin: StoredBin | undefined, isModify: boolean, created: boolean): Target {
  return { bytes, binLive: bin !== undefined, created, isModify, createFlags: 0, write: undefined }
}

export function cdtModify (bin: StoredBin | undefined, value: Buffer): ModifyOutcome {
  const state = parseState(value, 0, value.length)
  if (state === undefined) return { rc: Result.PARAMETER }
  if (state.code === CONTEXT_EVAL) {
    const entered = enterContext(state, bin, true)
    if ('rc' in entered) return entered
    const { dug, inner } = entered
    const t = target(dug.target, bin, true, dug.created)
    const answer = run(inner, t)
    if (answer.rc !== Result.OK || t.write === undefined) return answer
    return { ...answer, bin: stored(rebuild(dug, t.write)) }
  }
  const isList = state.code < FIRST_MAP_OP
  if (bin !== undefined && bin.type !== (isList ? Particle.LIST : Particle.MAP)) return { rc: Result.INCOMPATIBLE_TYPE }
  const t = target(bin?.value, bin, true, false)
  const answer = run(state, t)
  if (answer.rc !== Result.OK || t.write === undefined) return answer
  return { ...answer, bin: { type: isList ? Particle.LIST : Particle.MAP, value: t.write } }
}

export function cdtRead (bin: StoredBin, value: Buffer): CdtAnswer {
  const state = parseState(value, 0, value.length)
  if (state === undefined) return { rc: Result.PARAMETER }
  if (state.code === CONTEXT_EVAL) {
    const entered = enterContext(state, bin, false)
    if ('rc' in entered) return entered
    return run(entered.inner, target(entered.dug.target, bin, false, false))
  }
  const isList = state.code < FIRST_MAP_OP
  if (bin.type !== (isList ? Particle.LIST : Particle.MAP)) return { rc: Result.INCOMPATIBLE_TYPE }
  return run(state, target(bin.value, bin, false, false))
}
