// Gateway settings from the environment, checked at start-up: a bad value
// stops the process with a message that names it. The README's table lists
// the same variables.

import { availableParallelism } from 'node:os'
import { DEFAULT_MAX_KEY_BYTES } from './keys'

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
  /** Concurrent GETs with the default policy share batch reads. */
  coalesceGets: boolean
  /** Most GETs in one coalesced batch read. */
  coalesceMaxBatch: number
  /** `host:port,host:port`; absent means: start the embedded server. */
  aerospikeHosts: string | undefined
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

function policyDefaults (env: Env, prefix: string, retries: number): PolicyDefaults {
  return {
    totalTimeout: integer(env, `${prefix}_TOTAL_TIMEOUT`, 1000, 0, 3_600_000),
    socketTimeout: integer(env, `${prefix}_SOCKET_TIMEOUT`, 0, 0, 3_600_000),
    maxRetries: integer(env, `${prefix}_MAX_RETRIES`, retries, 0, 100)
  }
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
    coalesceGets: boolean(env, 'COALESCE_GETS', true),
    coalesceMaxBatch: integer(env, 'COALESCE_MAX_BATCH', 100, 2, 5000),
    aerospikeHosts: hosts,
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
