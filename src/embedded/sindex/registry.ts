// Secondary index definitions, kept as the server keeps them in its system
// metadata (SMD): one entry per definition (namespace, set, bin, index type,
// key type, context), whose value is the index name. So the same definition
// under a new name renames the index, and definitions may name namespaces
// this node does not serve (thr_info.c cmd_sindex_create / cmd_sindex_delete,
// sindex.c as_sindex_list_str).

import { Particle } from '../wire'

export const IndexType = { DEFAULT: 0, LIST: 1, MAPKEYS: 2, MAPVALUES: 3 } as const
const ITYPE_NAMES = ['default', 'list', 'mapkeys', 'mapvalues']

// The key types an index can have, by the name sindex-create takes.
const KTYPES: Record<string, number> = {
  numeric: Particle.INTEGER,
  string: Particle.STRING,
  blob: Particle.BLOB,
  geo2dsphere: Particle.GEOJSON
}
const KTYPE_NAMES: Record<number, string> = { 1: 'numeric', 3: 'string', 4: 'blob', 23: 'geo2dsphere' }

const MAX_N_SINDEXES = 256
const INAME_MAX_SZ = 64
const MAX_BIN_NAME = 15

export interface SindexDef {
  ns: string
  name: string
  // '' when the index covers the whole namespace.
  set: string
  bin: string
  ktype: number
  itype: number
  // The base64 CDT context as given, or undefined.
  context: string | undefined
}

function definitionKey (d: Omit<SindexDef, 'name'>): string {
  return [d.ns, d.set, d.bin, d.itype, d.ktype, d.context ?? ''].join('|')
}

function error (code: number, message: string): string {
  return `ERROR:${code}:${message}`
}

/** `a=b;c=d` info parameters, the first of each name winning. */
export function infoParams (arg: string): Map<string, string> {
  const params = new Map<string, string>()
  for (const kv of arg.split(';')) {
    const eq = kv.indexOf('=')
    if (eq <= 0) continue
    const k = kv.slice(0, eq)
    if (!params.has(k)) params.set(k, kv.slice(eq + 1))
  }
  return params
}

// as_info_required_param_is_ok: a missing or empty namespace is error 20,
// anything else missing is 4.
function missing (param: string, present: boolean): string {
  const code = param === 'namespace' ? 20 : 4
  return error(code, present ? `missing '${param}' value` : `missing '${param}'`)
}

function required (params: Map<string, string>, name: string, alias?: string): string | { error: string } {
  const v = params.get(name) ?? (alias === undefined ? undefined : params.get(alias))
  if (v === undefined || v === '') return { error: missing(name === 'ns' ? 'namespace' : name, v !== undefined) }
  return v
}

export class SindexRegistry {
  // In creation order; a rename keeps the index's place.
  private readonly defs: SindexDef[] = []

  create (arg: string): string {
    const params = infoParams(arg)
    const name = required(params, 'indexname')
    if (typeof name !== 'string') return name.error
    if (name.length >= INAME_MAX_SZ) return error(4, "'indexname' value too long")
    const ns = required(params, 'namespace', 'ns')
    if (typeof ns !== 'string') return ns.error
    const set = params.get('set')
    if (set === '') return missing('set', true)
    const context = params.get('context')
    if (context === '') return missing('context', true)
    if (context !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(context)) return error(4, "'context' invalid base64")
    const itypeName = params.get('indextype')
    if (itypeName === '') return missing('indextype', true)
    const itype = itypeName === undefined ? IndexType.DEFAULT : ITYPE_NAMES.indexOf(itypeName.toLowerCase())
    if (itype < 0) return error(4, "bad 'indextype' - must be one of 'default', 'list', 'mapkeys', 'mapvalues'")
    const data = required(params, 'indexdata')
    if (typeof data !== 'string') return data.error
    const comma = data.indexOf(',')
    if (comma < 0) return error(4, "'indexdata' missing bin type")
    const bin = data.slice(0, comma)
    if (bin === '') return error(4, "'indexdata' missing bin name")
    if (Buffer.byteLength(bin) > MAX_BIN_NAME) return error(4, "'indexdata' bin name too long")
    const ktype = KTYPES[data.slice(comma + 1).toLowerCase()]
    if (ktype === undefined) {
      return error(4, "bad 'indexdata' bin type - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'")
    }
    if (itype === IndexType.MAPKEYS && ktype === Particle.GEOJSON) {
      return error(4, "bad 'indexdata' bin type for 'indextype' 'mapkeys' - must be one of 'numeric', 'string', 'blob'")
    }
    const def: SindexDef = { ns, name, set: set ?? '', bin, ktype, itype, context }
    const key = definitionKey(def)
    const inNs = this.defs.filter((d) => d.ns === ns)
    const named = inNs.filter((d) => d.name === name)
    if (named.length === 1) {
      return definitionKey(named[0]) === key ? 'ok' : error(200, "'indexname' already exists with different definition")
    }
    if (named.length > 1) return error(200, "'indexname' already exists with multiple definitions")
    const same = inNs.find((d) => definitionKey(d) === key)
    if (same !== undefined) {
      same.name = name
      return 'ok'
    }
    if (inNs.length >= MAX_N_SINDEXES) return error(206, 'already at sindex definition limit')
    this.defs.push(def)
    return 'ok'
  }

  delete (arg: string): string {
    const params = infoParams(arg)
    const name = required(params, 'indexname')
    if (typeof name !== 'string') return name.error
    const ns = required(params, 'namespace', 'ns')
    if (typeof ns !== 'string') return ns.error
    const named = this.defs.filter((d) => d.ns === ns && d.name === name)
    if (named.length > 1) return error(200, "'indexname' is not unique")
    if (named.length === 1) this.defs.splice(this.defs.indexOf(named[0]), 1)
    return 'ok'
  }

  byName (ns: string, name: string): SindexDef | undefined {
    return this.defs.find((d) => d.ns === ns && d.name === name)
  }

  inNamespace (ns: string): SindexDef[] {
    return this.defs.filter((d) => d.ns === ns)
  }

  /**
   * The index a query uses (as_sindex_lookup_by_defn): the one on the query's
   * set, else the one on the whole namespace.
   */
  lookup (ns: string, set: string, bin: string, ktype: number, itype: number): SindexDef | undefined {
    const match = (s: string): SindexDef | undefined => this.defs.find((d) =>
      d.ns === ns && d.set === s && d.bin === bin && d.ktype === ktype && d.itype === itype && d.context === undefined)
    return (set === '' ? undefined : match(set)) ?? match('')
  }
}

/** One `sindex-list` entry. */
export function listEntry (d: SindexDef): string {
  return `ns=${d.ns}:indexname=${d.name}:set=${d.set === '' ? 'NULL' : d.set}:bin=${d.bin}:` +
    `type=${KTYPE_NAMES[d.ktype]}:indextype=${ITYPE_NAMES[d.itype]}:context=${d.context ?? 'null'}:state=RW`
}
