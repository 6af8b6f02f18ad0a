// The info protocol: `name\n` requests answered by `name\tvalue\n`, as a
// single node that owns every partition of every namespace it serves.

import type { JobRegistry } from './query/jobs'
import { sindexHandlers, sindexSlash } from './sindex/info'
import type { SindexRegistry } from './sindex/registry'
import { Namespace, nowSeconds } from './store'
import { truncateHandlers } from './truncate'

export const BUILD = '7.2.0.0'
export const EDITIONS = {
  community: 'Aerospike Community Edition',
  enterprise: 'Aerospike Enterprise Edition'
} as const

const N_PARTITIONS = 4096
// Every bit set: this node is master of all 4096 partitions.
const ALL_PARTITIONS = Buffer.alloc(N_PARTITIONS / 8, 0xff).toString('base64')

export interface InfoNode {
  readonly nodeName: string
  readonly host: string
  readonly port: number
  readonly clusterName: string | undefined
  readonly edition: keyof typeof EDITIONS
  readonly namespaces: ReadonlyMap<string, Namespace>
  readonly startedAt: number
  readonly stats: { connectionsOpened: number, connectionsClosed: number, transactions: number }
  readonly sindexes: SindexRegistry
  readonly jobs: JobRegistry
}

type Handler = (node: InfoNode, arg: string) => string

function peers (node: InfoNode): string {
  return `0,${node.port},[]`
}

function setsOf (node: InfoNode, nsName?: string, setName?: string): string {
  const now = nowSeconds()
  let out = ''
  for (const ns of node.namespaces.values()) {
    if (nsName !== undefined && ns.name !== nsName) continue
    for (const [set, s] of ns.setStats(now)) {
      if (set === '' || (setName !== undefined && set !== setName)) continue
      const sindexes = node.sindexes.inNamespace(ns.name).filter((d) => d.set === set).length
      out += `ns=${ns.name}:set=${set}:objects=${s.objects}:tombstones=0:data_used_bytes=${s.bytes}:` +
        `truncate_lut=${ns.truncateLuts.get(set) ?? 0}:sindexes=${sindexes}:index_populating=false:truncating=false:default-read-touch-ttl-pct=0:` +
        'default-ttl=0:disable-eviction=false:enable-index=false:stop-writes-count=0:stop-writes-size=0;'
    }
  }
  return out
}

function namespaceInfo (node: InfoNode, name: string): string {
  const ns = node.namespaces.get(name)
  if (ns === undefined) return 'ERROR:2:namespace not found'
  const now = nowSeconds()
  let objects = 0
  let bytes = 0
  for (const s of ns.setStats(now).values()) {
    objects += s.objects
    bytes += s.bytes
  }
  return [
    'ns_cluster_size=1', 'effective_replication_factor=1', `objects=${objects}`, 'tombstones=0',
    `master_objects=${objects}`, 'prole_objects=0', 'dead_partitions=0', 'unavailable_partitions=0',
    'stop_writes=false', 'hwm_breached=false', `current_time=${now}`, `data_used_bytes=${bytes}`,
    'replication-factor=1', `default-ttl=${ns.config.defaultTtl}`, 'storage-engine=memory',
    `max-record-size=${ns.config.maxRecordSize}`, 'nsup-period=1', 'strong-consistency=false'
  ].join(';')
}

function statistics (node: InfoNode): string {
  let objects = 0
  const now = nowSeconds()
  for (const ns of node.namespaces.values()) {
    for (const s of ns.setStats(now).values()) objects += s.objects
  }
  const s = node.stats
  return [
    'cluster_size=1', `cluster_principal=${node.nodeName}`, 'cluster_integrity=true', 'cluster_is_member=true',
    `uptime=${Math.floor((Date.now() - node.startedAt) / 1000)}`, `objects=${objects}`,
    `client_connections=${s.connectionsOpened - s.connectionsClosed}`,
    `client_connections_opened=${s.connectionsOpened}`, `client_connections_closed=${s.connectionsClosed}`,
    `transactions=${s.transactions}`
  ].join(';')
}

const handlers: Record<string, Handler> = {
  node: (n) => n.nodeName,
  build: () => BUILD,
  version: (n) => `${EDITIONS[n.edition]} build ${BUILD}`,
  edition: (n) => EDITIONS[n.edition],
  status: () => 'ok',
  'cluster-name': (n) => n.clusterName ?? 'null',
  'partition-generation': () => '0',
  'peers-generation': () => '0',
  'rebalance-generation': () => '0',
  'peers-clear-std': peers,
  'peers-clear-alt': peers,
  'peers-tls-std': peers,
  'peers-tls-alt': peers,
  'alumni-clear-std': peers,
  service: (n) => `${n.host}:${n.port}`,
  'service-clear-std': (n) => `${n.host}:${n.port}`,
  'service-clear-alt': () => '',
  features: () => 'batch-any;batch-index;blob-bits;cdt-index;cdt-list;cdt-map;cluster-stable;float;geo;sindex-exists;peers;' +
    'pipelining;pquery;pscans;query-show;relaxed-sc;replicas;replicas-all;replicas-master;replicas-max;truncate-namespace;udf',
  replicas: (n) => [...n.namespaces.keys()].map((ns) => `${ns}:0,1,${ALL_PARTITIONS}`).join(';'),
  namespaces: (n) => [...n.namespaces.keys()].join(';'),
  sets: (n) => setsOf(n),
  statistics,
  'user-agent-set': () => 'ok',
  'query-show': (n, arg) => n.jobs.show(arg),
  racks: (n) => n.edition === 'community' ? 'ERROR:25:enterprise only' : [...n.namespaces.keys()].map((ns) => `ns=${ns}:rack_0=${n.nodeName}`).join(';'),
  ...truncateHandlers,
  ...sindexHandlers
}

function answer (node: InfoNode, command: string): string {
  const colon = command.indexOf(':')
  const name = colon < 0 ? command : command.slice(0, colon)
  const arg = colon < 0 ? '' : command.slice(colon + 1)
  const handler = handlers[name]
  if (handler !== undefined) return handler(node, arg)
  const slash = name.indexOf('/')
  if (slash > 0) {
    const [head, ...rest] = name.split('/')
    if (head === 'namespace' && rest.length === 1) return namespaceInfo(node, rest[0])
    if (head === 'sets' && rest.length <= 2) return setsOf(node, rest[0], rest[1])
    if (head === 'sindex') return sindexSlash(node, name.slice(slash + 1))
  }
  return 'ERROR:4:unrecognized command'
}

const DEFAULT_COMMANDS = ['node', 'build', 'edition', 'version', 'partition-generation']

/** Why a command may not run (an ERROR answer), or undefined when it may. */
export type InfoGate = (name: string, arg: string) => string | undefined

/** Answers a whole info request body. */
export function infoReply (node: InfoNode, request: string, gate?: InfoGate): string {
  const names = request.split('\n').filter((s) => s.length > 0)
  let out = ''
  for (const name of names.length > 0 ? names : DEFAULT_COMMANDS) {
    const colon = name.indexOf(':')
    const refused = gate?.(colon < 0 ? name : name.slice(0, colon), colon < 0 ? '' : name.slice(colon + 1))
    out += `${name}\t${refused ?? answer(node, name)}\n`
  }
  return out
}
