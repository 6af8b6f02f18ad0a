// truncate, truncate-namespace and their undo commands (thr_info.c
// cmd_truncate*, truncate.c as_truncate_cmd): every record of the set or
// namespace last written before the threshold goes, at once. The threshold is
// now, or a time given in nanoseconds since the Unix epoch, which must fall
// between 2010 and now. Unknown namespaces and sets are accepted, as the
// server's system metadata accepts them.

import { CITRUSLEAF_EPOCH, Namespace } from './store'
import { infoParams } from './sindex/registry'

export interface TruncateNode {
  readonly namespaces: ReadonlyMap<string, Namespace>
}

type Param = string | { error: string }

function required (params: Map<string, string>, name: string): Param {
  const v = params.get(name)
  const code = name === 'namespace' ? 20 : 4
  if (v === undefined) return { error: `ERROR:${code}:missing '${name}'` }
  if (v === '') return { error: `ERROR:${code}:missing '${name}' value` }
  return v
}

/** Milliseconds since 2010 from C's strtoul(s, NULL, 0) of nanoseconds since 1970. */
function thresholdMs (lut: string): number | string {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(lut)
  let ns = 0n
  if (m !== null) {
    const digits = m[2]
    ns = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits[0] === '0' ? BigInt('0o' + digits.slice(1)) : BigInt(digits)
    if (m[1] === '-') ns = BigInt.asUintN(64, -ns)
  }
  const ms = ns / 1000000n - BigInt(CITRUSLEAF_EPOCH) * 1000n
  if (ms <= 0n) return 'ERROR:4:would truncate to 0'
  if (ms > BigInt(Date.now() - CITRUSLEAF_EPOCH * 1000)) return 'ERROR:4:would truncate in the future'
  return Number(ms)
}

function truncate (node: TruncateNode, nsName: string, set: string | undefined, lut: string | undefined): string {
  const threshold = lut === undefined ? Date.now() - CITRUSLEAF_EPOCH * 1000 : thresholdMs(lut)
  if (typeof threshold === 'string') return threshold
  const ns = node.namespaces.get(nsName)
  if (ns === undefined) return 'ok'
  const key = set ?? ''
  if (threshold <= (ns.truncateLuts.get(key) ?? 0)) return 'ok'
  ns.truncateLuts.set(key, threshold)
  for (const [digest, r] of ns.records) {
    if (set !== undefined && r.setName !== set) continue
    if ((r.lastUpdate ?? 0) < threshold) ns.delete(digest)
  }
  return 'ok'
}

function undo (node: TruncateNode, nsName: string, set: string | undefined): string {
  node.namespaces.get(nsName)?.truncateLuts.delete(set ?? '')
  return 'ok'
}

export const truncateHandlers: Record<string, (node: TruncateNode, arg: string) => string> = {
  truncate: (node, arg) => {
    const params = infoParams(arg)
    const ns = required(params, 'namespace')
    if (typeof ns !== 'string') return ns.error
    const set = required(params, 'set')
    if (typeof set !== 'string') return set.error
    const lut = params.get('lut')
    if (lut === '') return "ERROR:4:missing 'lut' value"
    return truncate(node, ns, set, lut)
  },
  'truncate-namespace': (node, arg) => {
    const params = infoParams(arg)
    const ns = required(params, 'namespace')
    if (typeof ns !== 'string') return ns.error
    if (params.has('set') || /(^|;)set(;|$)/.test(arg)) return 'ERROR:4:unexpected set name'
    const lut = params.get('lut')
    if (lut === '') return "ERROR:4:missing 'lut' value"
    return truncate(node, ns, undefined, lut)
  },
  'truncate-undo': (node, arg) => {
    const params = infoParams(arg)
    const ns = required(params, 'namespace')
    if (typeof ns !== 'string') return ns.error
    const set = required(params, 'set')
    if (typeof set !== 'string') return set.error
    return undo(node, ns, set)
  },
  'truncate-namespace-undo': (node, arg) => {
    const params = infoParams(arg)
    const ns = required(params, 'namespace')
    if (typeof ns !== 'string') return ns.error
    if (params.has('set')) return 'ERROR:4:unexpected set name'
    return undo(node, ns, undefined)
  }
}
