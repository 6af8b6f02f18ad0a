// eval_call: a CDT, bit or HLL operation run inside an expression. The
// operation's msgpack is rebuilt with each evaluated parameter packed in its
// place, then run on the bin argument as the same operation sent in an op
// would be; a read returns its result, a local modify the modified bin.

import { bitsModify, bitsRead } from '../bits'
import { cdtModify, cdtRead, StoredBin } from '../cdt/operation'
import { hllModify, hllRead } from '../hll'
import { Particle, Result as Rc } from '../wire'
import { CallSystem, Node } from './build'
import { evaluate, Runtime } from './eval'
import { fromParticle, isType, msgpackToBin, packParam, Result, UNK } from './value'

interface Outcome {
  rc: number
  result?: StoredBin
  bin?: StoredBin
}

function runOp (system: number, modify: boolean, bin: StoredBin | undefined, payload: Buffer): Outcome {
  switch (system) {
    case CallSystem.CDT:
      if (modify) return cdtModify(bin, payload)
      return bin === undefined ? { rc: Rc.OP_NOT_APPLICABLE } : cdtRead(bin, payload)
    case CallSystem.BITS:
      if (modify) return bitsModify(bin, payload)
      return bin === undefined ? { rc: Rc.OP_NOT_APPLICABLE } : bitsRead(bin, payload)
    default:
      if (modify) return hllModify(bin, payload)
      return bin === undefined ? { rc: Rc.OP_NOT_APPLICABLE } : hllRead(bin, payload)
  }
}

export function evalCall (n: Node, rt: Runtime): Result {
  const call = n.call
  if (call === undefined) return UNK
  const parts = [call.head]
  for (const p of call.params) {
    if (Buffer.isBuffer(p)) {
      parts.push(p)
      continue
    }
    const v = evaluate(p, rt)
    const packed = v === UNK ? undefined : packParam(v)
    if (packed === undefined) return UNK
    parts.push(packed)
  }
  const arg = evaluate(n.kids[0], rt)
  if (arg === UNK) return UNK
  let bin: StoredBin | undefined
  switch (arg.k) {
    case 'bin': bin = { type: arg.type, value: arg.v }; break
    case 'nil': bin = undefined; break
    case 'blob': bin = { type: Particle.BLOB, value: arg.v }; break
    case 'hll': bin = { type: Particle.HLL, value: arg.v }; break
    case 'msgpack': {
      bin = msgpackToBin(arg.v)
      if (bin === undefined) return UNK
      break
    }
    default: return UNK
  }
  const outcome = runOp(call.system, call.modifyLocal, bin, Buffer.concat(parts))
  if (outcome.rc !== Rc.OK) return UNK
  const out = call.modifyLocal ? (outcome.bin ?? bin) : outcome.result
  const type = out?.type ?? Particle.NULL
  if (!isType(n.type, type)) return UNK
  return out === undefined ? fromParticle(Particle.NULL, Buffer.alloc(0)) : fromParticle(out.type, out.value)
}
