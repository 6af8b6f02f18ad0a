// Gateway settings from the environment, checked at start-up: a bad value
// stops the process with a message that names it. The README's table lists
// the same variables.

import { availableParallelism } from 'node:os'
import { DEFAULT_BATCH_CHUNK } from './batch'
import type { EmbeddedServerOptions } from './embedded/index'
import { DEFAULT_MAX_KEY_BYTES } from './keys'
import { DEFAULT_MAX_BINS } from './values'

export interface PolicyDefaults {
  totalTimeout: number
  socketTimeout: number
  maxRetries: number
}

export interface GatewayConfig {
  host: string
  port: number
  /** Gateway processes sharing the port (WORKERS; `auto` is the number of CPUs). */
  workers: number
  logLevel: string
  /** Largest request body, bytes. */
  bodyLimit: number
  /** Deepest nesting of lists and maps accepted in a body. */
  maxNestingDepth: number
  /** Most items in one POST /v1/batch. */
  maxBatchItems: number
  /** Batch items planned, and sub-commands sent in one client call, between yields to the event loop. */
  batchChunk: number
  /** Items of all batches in flight at once; later batches wait their turn. */
  batchItemsInFlight: number
  /** Most bins in one record write (a body, or a batch WRITE item). */
  maxBins: number
  /** Concurrent GETs with the default policy share batch reads. */
  coalesceGets: boolean
  /** Concurrent plain writes (no parameters or conditions) share batch writes. */
  coalesceWrites: boolean
  /** Concurrent batches of plain reads share batch reads, and a record they share is read once. */
  coalesceBatches: boolean
  /** Most GETs in one coalesced batch read. */
  coalesceMaxBatch: number
  /** `host:port,host:port`; absent means: start the embedded server. */
  aerospikeHosts: string | undefined
  /** The embedded server runs as Enterprise with security on (EMBEDDED_SECURITY). */
  embeddedSecurity: boolean
  user: string | undefined
  password: string | undefined
  clusterName: string | undefined
  maxConnsPerNode: number
  minConnsPerNode: number
  /** Seconds. */
  maxSocketIdle: number
  /** Milliseconds. */
  tendInterval: number
  connectTimeout: number
  /** The client's global command queue: commands beyond the pool wait here. */
  maxCommandsInProcess: number
  maxCommandsInQueue: number
  read: PolicyDefaults
  write: PolicyDefaults
  /** Ceilings for the per-request timeout and retry parameters. */
  limits: { totalTimeout: number, socketTimeout: number, maxRetries: number, sleepBetweenRetries: number }
  /** Retries of an operate the server refused with 14 (key busy), and the first backoff (ms). */
  keyBusy: { retries: number, backoffMs: number }
  /** The API key file (JSON or YAML); absent turns API keys off. */
  apiKeysFile: string | undefined
  /** Aerospike credential passthrough (src/plugins/passthrough.ts): HTTP Basic credentials become the Aerospike user. */
  passthrough: { enabled: boolean, cacheSize: number, maxConnsPerNode: number }
  /** Requests per window per API key (or client address without keys); 0 turns the limit off. */
  rateLimit: { max: number, windowMs: number }
  /** Load shedding thresholds; 0 turns one off. */
  shed: { maxEventLoopDelayMs: number, maxHeapUsedBytes: number, maxRssBytes: number }
  /** Origins allowed by CORS; empty: no CORS headers at all. */
  corsOrigins: string[]
  /** Certificate and key files (PEM) of HTTPS; absent: plain HTTP. */
  tls: { certFile: string, keyFile: string } | undefined
  /** TLS to the cluster: the servers' TLS name, and CA, certificate and key files. */
  aerospikeTls: { name: string | undefined, caFile: string | undefined, certFile: string | undefined, keyFile: string | undefined } | undefined
  /** Whether GET /metrics is served. */
  metrics: boolean
  /** Scans and queries: see src/scan/. */
  scan: ScanSettings
  /** Info commands POST /v1/info may send: command names, or ['*'] for any. */
  infoAllow: string[]
  /** Largest string or bytes key, bytes (MAX_KEY_BYTES). */
  maxKeyBytes: number
  /** What one client may hold of the gateway: see src/plugins/limits.ts. */
  http: HttpLimits
}

export interface HttpLimits {
  /** Milliseconds to receive a whole request, headers and body; then 408. */
  requestTimeout: number
  /** Milliseconds an idle keep-alive connection stays open. */
  keepAliveTimeout: number
  /** Open connections; more are closed at once. */
  maxConnections: number
  /** Bytes of the request line and headers together; more is 431. */
  maxHeaderBytes: number
  /** A body over this many bytes, or of unknown length, is large. */
  largeBodyBytes: number
  /** Large bodies being received or handled at once; more is 503. */
  maxLargeBodies: number
}

export interface ScanSettings {
  /** Largest page of a JSON or MessagePack answer; also the page when maxRecords is absent. */
  maxPageSize: number
  /** Records fetched per round trip while streaming NDJSON: what one partition window holds in memory. */
  streamChunk: number
  /** Partition windows read at the same time while streaming. */
  concurrency: number
  /** Partitions in one window: one query command covers them. */
  windowPartitions: number
  /** Total timeout (ms) of each query command of a scan, unless the request sets totalTimeout. */
  totalTimeout: number
  /** Key of the HMAC that signs page tokens; random per process when unset. */
  tokenSecret: Buffer | undefined
  /** Longest time (ms) POST /v1/index?wait=true waits for an index to be built. */
  indexWaitTimeout: number
}

/** The default of INFO_ALLOW: commands that read and change nothing. */
export const READ_ONLY_INFO = ['build', 'build-os', 'build-time', 'cluster-name', 'cluster-stable', 'edition', 'features',
  'get-config', 'health-outliers', 'health-stats', 'latencies', 'logs', 'namespace', 'namespaces', 'node', 'partition-generation',
  'peers-clear-alt', 'peers-clear-std', 'peers-generation', 'peers-tls-alt', 'peers-tls-std', 'query-show', 'racks', 'rack-ids',
  'replicas', 'scan-show', 'service', 'service-clear-alt', 'service-clear-std', 'services', 'services-alumni', 'sets', 'sindex',
  'sindex-exists', 'sindex-list', 'sindex-stat', 'statistics', 'status', 'udf-list', 'version']

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
const HOST_PORT = /^[^\s:,]+(:\d{1,5})?$/

type Env = Record<string, string | undefined>

function integer (env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!/^-?\d+$/.test(raw.trim()) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`)
  }
  return n
}

function boolean (env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === undefined || raw === '') return fallback
  if (raw === 'true' || raw === '1') return true
  if (raw === 'false' || raw === '0') return false
  throw new ConfigError(`${name} must be true or false, got "${env[name] as string}"`)
}

function optional (env: Env, name: string): string | undefined {
  const v = env[name]?.trim()
  return v === undefined || v === '' ? undefined : v
}

function secret (env: Env, name: string): Buffer | undefined {
  const raw = optional(env, name)
  if (raw === undefined) return undefined
  if (raw.length < 32) throw new ConfigError(`${name} must be at least 32 characters, got ${raw.length}`)
  return Buffer.from(raw, 'utf8')
}

function commandList (env: Env, name: string, fallback: string[]): string[] {
  const raw = optional(env, name)
  if (raw === undefined) return fallback
  const names = raw.split(',').map((n) => n.trim()).filter((n) => n !== '')
  for (const n of names) {
    if (!/^(\*|[A-Za-z0-9_.-]+)$/.test(n)) throw new ConfigError(`${name} must be a comma-separated list of info command names or *, got "${raw}"`)
  }
  return names
}

function policyDefaults (env: Env, prefix: string, retries: number): PolicyDefaults {
  return {
    totalTimeout: integer(env, `${prefix}_TOTAL_TIMEOUT`, 1000, 0, 3_600_000),
    socketTimeout: integer(env, `${prefix}_SOCKET_TIMEOUT`, 0, 0, 3_600_000),
    maxRetries: integer(env, `${prefix}_MAX_RETRIES`, retries, 0, 100)
  }
}

function origins (env: Env): string[] {
  const raw = optional(env, 'CORS_ORIGINS')
  if (raw === undefined) return []
  const list = raw.split(',').map((o) => o.trim()).filter(Boolean)
  for (const o of list) {
    if (o !== '*' && !/^https?:\/\/[^\s/]+$/.test(o)) throw new ConfigError(`CORS_ORIGINS must be * or origins such as https://app.example.com, comma-separated, got "${o}"`)
  }
  return list
}

function httpsFiles (env: Env): GatewayConfig['tls'] {
  const certFile = optional(env, 'TLS_CERT')
  const keyFile = optional(env, 'TLS_KEY')
  if ((certFile === undefined) !== (keyFile === undefined)) throw new ConfigError('TLS_CERT and TLS_KEY must be set together')
  return certFile === undefined || keyFile === undefined ? undefined : { certFile, keyFile }
}

function clusterTls (env: Env): GatewayConfig['aerospikeTls'] {
  const tls = {
    name: optional(env, 'AEROSPIKE_TLS_NAME'),
    caFile: optional(env, 'AEROSPIKE_TLS_CA_FILE'),
    certFile: optional(env, 'AEROSPIKE_TLS_CERT_FILE'),
    keyFile: optional(env, 'AEROSPIKE_TLS_KEY_FILE')
  }
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new ConfigError('AEROSPIKE_TLS_CERT_FILE and AEROSPIKE_TLS_KEY_FILE must be set together')
  }
  return Object.values(tls).some((v) => v !== undefined) ? tls : undefined
}

function workers (env: Env): number {
  const raw = env.WORKERS?.trim()
  if (raw === 'auto') return availableParallelism()
  return integer(env, 'WORKERS', 1, 1, 1024)
}

export function loadConfig (env: Env): GatewayConfig {
  const hosts = optional(env, 'AEROSPIKE_HOSTS')
  if (hosts !== undefined) {
    for (const h of hosts.split(',')) {
      if (!HOST_PORT.test(h.trim())) throw new ConfigError(`AEROSPIKE_HOSTS must be host:port[,host:port...], got "${hosts}"`)
    }
  }
  const logLevel = env.LOG_LEVEL ?? 'info'
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)
  const embeddedSecurity = boolean(env, 'EMBEDDED_SECURITY', false)
  if (embeddedSecurity && hosts !== undefined) {
    throw new ConfigError('EMBEDDED_SECURITY applies to the embedded server only: unset it, or unset AEROSPIKE_HOSTS')
  }
  const user = optional(env, 'AEROSPIKE_USER')
  const password = optional(env, 'AEROSPIKE_PASSWORD')
  if ((user === undefined) !== (password === undefined)) {
    throw new ConfigError('AEROSPIKE_USER and AEROSPIKE_PASSWORD must be set together')
  }
  const maxConnsPerNode = integer(env, 'AEROSPIKE_MAX_CONNS_PER_NODE', 100, 1, 100_000)
  const minConnsPerNode = integer(env, 'AEROSPIKE_MIN_CONNS_PER_NODE', 0, 0, maxConnsPerNode)
  const maxKeyBytes = integer(env, 'MAX_KEY_BYTES', DEFAULT_MAX_KEY_BYTES, 1, 1024 * 1024)
  // A key in a path takes up to three characters a byte (percent-encoded),
  // and the request line counts against the header limit.
  const maxHeaderBytes = integer(env, 'MAX_HEADER_BYTES', Math.max(32 * 1024, 3 * maxKeyBytes + 16 * 1024), 3 * maxKeyBytes + 4096, 16 * 1024 * 1024)
  return {
    host: env.HOST ?? '127.0.0.1',
    port: integer(env, 'PORT', 8080, 0, 65535),
    workers: workers(env),
    logLevel,
    bodyLimit: integer(env, 'BODY_LIMIT', 4 * 1024 * 1024, 1024, 128 * 1024 * 1024),
    maxNestingDepth: integer(env, 'MAX_NESTING_DEPTH', 32, 1, 256),
    maxBatchItems: integer(env, 'MAX_BATCH_ITEMS', 5000, 1, 100_000),
    batchChunk: integer(env, 'BATCH_CHUNK', DEFAULT_BATCH_CHUNK, 1, 100_000),
    batchItemsInFlight: integer(env, 'BATCH_ITEMS_IN_FLIGHT', 5000, 1, 10_000_000),
    // The server's own limit on the bins of a record is 32,767.
    maxBins: integer(env, 'MAX_BINS', DEFAULT_MAX_BINS, 1, 32_767),
    coalesceGets: boolean(env, 'COALESCE_GETS', true),
    coalesceWrites: boolean(env, 'COALESCE_WRITES', true),
    coalesceBatches: boolean(env, 'COALESCE_BATCHES', true),
    coalesceMaxBatch: integer(env, 'COALESCE_MAX_BATCH', 100, 2, 5000),
    aerospikeHosts: hosts,
    embeddedSecurity,
    user,
    password,
    clusterName: optional(env, 'AEROSPIKE_CLUSTER_NAME'),
    maxConnsPerNode,
    minConnsPerNode,
    maxSocketIdle: integer(env, 'AEROSPIKE_MAX_SOCKET_IDLE', 55, 0, 86_400),
    tendInterval: integer(env, 'AEROSPIKE_TEND_INTERVAL', 1000, 250, 60_000),
    connectTimeout: integer(env, 'AEROSPIKE_CONNECT_TIMEOUT', 1000, 1, 60_000),
    // The client refuses fewer than 5 commands in process.
    maxCommandsInProcess: integer(env, 'AEROSPIKE_MAX_COMMANDS_IN_PROCESS', Math.max(5, maxConnsPerNode), 5, 100_000),
    maxCommandsInQueue: integer(env, 'AEROSPIKE_MAX_COMMANDS_IN_QUEUE', 10_000, 1, 10_000_000),
    read: policyDefaults(env, 'AEROSPIKE_READ', 2),
    write: policyDefaults(env, 'AEROSPIKE_WRITE', 0),
    limits: {
      totalTimeout: integer(env, 'MAX_TOTAL_TIMEOUT', 30_000, 1, 3_600_000),
      socketTimeout: integer(env, 'MAX_SOCKET_TIMEOUT', 30_000, 1, 3_600_000),
      maxRetries: integer(env, 'MAX_RETRIES', 10, 0, 100),
      sleepBetweenRetries: integer(env, 'MAX_SLEEP_BETWEEN_RETRIES', 1000, 0, 60_000)
    },
    keyBusy: {
      retries: integer(env, 'KEY_BUSY_RETRIES', 2, 0, 10),
      backoffMs: integer(env, 'KEY_BUSY_BACKOFF', 5, 0, 1000)
    },
    apiKeysFile: optional(env, 'API_KEYS_FILE'),
    passthrough: {
      enabled: boolean(env, 'AUTH_PASSTHROUGH', false),
      cacheSize: integer(env, 'AUTH_CLIENT_CACHE_SIZE', 16, 1, 10_000),
      // A user's client may use as many connections as the shared one: the
      // global command queue, not the pool, is what makes commands wait.
      maxConnsPerNode: integer(env, 'AUTH_CLIENT_MAX_CONNS_PER_NODE', maxConnsPerNode, 1, maxConnsPerNode)
    },
    rateLimit: {
      max: integer(env, 'RATE_LIMIT_MAX', 0, 0, 100_000_000),
      windowMs: integer(env, 'RATE_LIMIT_WINDOW', 60_000, 1, 86_400_000)
    },
    shed: {
      maxEventLoopDelayMs: integer(env, 'SHED_EVENT_LOOP_DELAY', 0, 0, 60_000),
      maxHeapUsedBytes: integer(env, 'SHED_HEAP_USED_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
      maxRssBytes: integer(env, 'SHED_RSS_BYTES', 0, 0, Number.MAX_SAFE_INTEGER)
    },
    corsOrigins: origins(env),
    tls: httpsFiles(env),
    aerospikeTls: clusterTls(env),
    metrics: boolean(env, 'METRICS', true),
    scan: {
      maxPageSize: integer(env, 'SCAN_MAX_PAGE_SIZE', 10_000, 1, 1_000_000),
      streamChunk: integer(env, 'SCAN_STREAM_CHUNK', 1000, 1, 100_000),
      concurrency: integer(env, 'SCAN_CONCURRENCY', 4, 1, 64),
      windowPartitions: integer(env, 'SCAN_WINDOW_PARTITIONS', 64, 1, 4096),
      totalTimeout: integer(env, 'SCAN_TOTAL_TIMEOUT', 30_000, 0, 3_600_000),
      tokenSecret: secret(env, 'SCAN_TOKEN_SECRET'),
      indexWaitTimeout: integer(env, 'INDEX_WAIT_TIMEOUT', 30_000, 0, 600_000)
    },
    infoAllow: commandList(env, 'INFO_ALLOW', READ_ONLY_INFO),
    maxKeyBytes,
    http: {
      requestTimeout: integer(env, 'REQUEST_TIMEOUT', 30_000, 100, 3_600_000),
      keepAliveTimeout: integer(env, 'KEEP_ALIVE_TIMEOUT', 72_000, 100, 3_600_000),
      maxConnections: integer(env, 'MAX_CONNECTIONS', 1024, 1, 1_000_000),
      maxHeaderBytes,
      largeBodyBytes: integer(env, 'LARGE_BODY_BYTES', 64 * 1024, 1024, 128 * 1024 * 1024),
      maxLargeBodies: integer(env, 'MAX_LARGE_BODIES', 16, 1, 100_000)
    }
  }
}

/** The embedded server the gateway starts when AEROSPIKE_HOSTS is unset. */
export function embeddedServerOptions (config: GatewayConfig): EmbeddedServerOptions {
  return config.embeddedSecurity ? { port: 0, edition: 'enterprise', security: true } : { port: 0 }
}
