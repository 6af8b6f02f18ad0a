// The info commands about secondary indexes (thr_info.c cmd_sindex*,
// sindex.c as_sindex_stats_str / as_sindex_list_str).

import type { Namespace } from '../store'
import { nowSeconds } from '../store'
import { matchingBvals } from './match'
import { SindexDef, SindexRegistry, infoParams, listEntry } from './registry'

export interface SindexNode {
  readonly namespaces: ReadonlyMap<string, Namespace>
  readonly sindexes: SindexRegistry
}

// What the server reports for an index's tree memory before it grows.
const USED_BYTES = 16777216
const NAMESPACE_NOT_FOUND = 'ERROR:20:namespace not found on node'

function list (node: SindexNode, ns: string | undefined): string {
  const names = ns === undefined ? [...node.namespaces.keys()] : [ns]
  return names.flatMap((n) => node.sindexes.inNamespace(n)).map(listEntry).join(';')
}

function entries (ns: Namespace, def: SindexDef): number {
  const now = nowSeconds()
  let n = 0
  for (const digest of ns.records.keys()) {
    const r = ns.get(digest, now)
    if (r === undefined || (def.set !== '' && r.setName !== def.set)) continue
    const bin = r.bins.find((b) => b.name === def.bin)
    if (bin !== undefined) n += matchingBvals(def, { kind: 'any' }, bin).length
  }
  return n
}

// `sindex`, `sindex/<ns>` and `sindex/<ns>/<name>`. An unknown namespace is
// no error here: the server answers `ns_type=unknown`.
export function sindexSlash (node: SindexNode, path: string): string {
  if (path === '') return list(node, undefined)
  const [nsName, name] = path.split(/\/(.*)/s)
  const ns = node.namespaces.get(nsName)
  if (ns === undefined) return 'ns_type=unknown'
  if (name === undefined) return list(node, nsName)
  const def = node.sindexes.byName(nsName, name)
  if (def === undefined) return 'ERROR:201:no index'
  return `entries=${entries(ns, def)};used_bytes=${USED_BYTES};entries_per_bval=0;entries_per_rec=0;` +
    'load_pct=100;load_time=0;stat_gc_recs=0'
}

export const sindexHandlers: Record<string, (node: SindexNode, arg: string) => string> = {
  'sindex-create': (node, arg) => node.sindexes.create(arg),
  'sindex-delete': (node, arg) => node.sindexes.delete(arg),
  'sindex-exists': (node, arg) => {
    const params = infoParams(arg)
    const name = params.get('indexname')
    if (name === undefined || name === '') return `ERROR:4:missing 'indexname'${name === '' ? ' value' : ''}`
    const ns = params.get('namespace') ?? params.get('ns')
    if (ns === undefined || ns === '') return `ERROR:20:missing 'namespace'${ns === '' ? ' value' : ''}`
    if (!node.namespaces.has(ns)) return NAMESPACE_NOT_FOUND
    return node.sindexes.byName(ns, name) === undefined ? 'false' : 'true'
  },
  'sindex-list': (node, arg) => {
    const params = infoParams(arg)
    const ns = params.get('namespace') ?? params.get('ns')
    if (ns === '') return "ERROR:20:missing 'namespace' value"
    if (ns !== undefined && !node.namespaces.has(ns)) return NAMESPACE_NOT_FOUND
    const b64 = params.get('b64')
    if (b64 !== undefined && b64 !== 'true' && b64 !== 'false') return 'ERROR:4:bad b64'
    return list(node, ns)
  },
  sindex: (node, arg) => sindexSlash(node, arg)
}
