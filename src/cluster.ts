// WORKERS > 1: the gateway in that many processes on one port, through
// node:cluster. The primary serves no HTTP itself: it starts the embedded
// server when no cluster is configured (once, so that every worker sees the
// same data), forks the workers, starts a worker again when one dies, and on
// SIGTERM or SIGINT has every worker drain and close before it exits.
//
// The client's limits are per process, so each worker gets its share of them
// and the totals stay what the settings say: AEROSPIKE_MAX_CONNS_PER_NODE,
// AEROSPIKE_MIN_CONNS_PER_NODE, AUTH_CLIENT_MAX_CONNS_PER_NODE, AEROSPIKE_MAX_COMMANDS_IN_PROCESS and
// AEROSPIKE_MAX_COMMANDS_IN_QUEUE are divided by WORKERS, the remainder going
// one each to the first workers.

import { randomBytes } from 'node:crypto'
import cluster, { type Worker } from 'node:cluster'
import { ConfigError, embeddedServerOptions, type GatewayConfig } from './config'
import { startEmbeddedServer, type EmbeddedServerHandle } from './embedded/index'

// A worker that dies is started again after this long, so that one that
// cannot start does not spin.
const RESPAWN_DELAY_MS = 1000
// Past the workers' own grace period (close-with-grace's 10 s in server.ts).
const DRAIN_TIMEOUT_MS = 15_000

/** Worker `index`'s share of `total`, of `workers` shares. */
export function share (total: number, workers: number, index: number): number {
  return Math.floor(total / workers) + (index < total % workers ? 1 : 0)
}

/** The settings worker `index` starts with: its share of each limit, and the cluster to connect to. */
export function workerEnv (config: GatewayConfig, hosts: string, index: number): Record<string, string> {
  const n = config.workers
  const least = (name: string, total: number, min: number): void => {
    if (share(total, n, n - 1) < min) throw new ConfigError(`${name} is ${total}: too few for ${n} WORKERS, each of which needs at least ${min}`)
  }
  least('AEROSPIKE_MAX_CONNS_PER_NODE', config.maxConnsPerNode, 1)
  least('AUTH_CLIENT_MAX_CONNS_PER_NODE', config.passthrough.maxConnsPerNode, 1)
  // The client refuses fewer than 5 commands in process.
  least('AEROSPIKE_MAX_COMMANDS_IN_PROCESS', config.maxCommandsInProcess, 5)
  least('AEROSPIKE_MAX_COMMANDS_IN_QUEUE', config.maxCommandsInQueue, 1)
  return {
    WORKERS: '1',
    AEROSPIKE_HOSTS: hosts,
    AEROSPIKE_MAX_CONNS_PER_NODE: String(share(config.maxConnsPerNode, n, index)),
    AEROSPIKE_MIN_CONNS_PER_NODE: String(share(config.minConnsPerNode, n, index)),
    AUTH_CLIENT_MAX_CONNS_PER_NODE: String(share(config.passthrough.maxConnsPerNode, n, index)),
    AEROSPIKE_MAX_COMMANDS_IN_PROCESS: String(share(config.maxCommandsInProcess, n, index)),
    AEROSPIKE_MAX_COMMANDS_IN_QUEUE: String(share(config.maxCommandsInQueue, n, index))
  }
}

function say (message: string): void {
  process.stderr.write(`aerogate: ${message}\n`)
}

/** Runs the primary of WORKERS gateway processes until a signal has them all closed. */
export async function runPrimary (config: GatewayConfig): Promise<void> {
  // Checked before anything starts: a bad share stops the process with its message.
  const hostsOrPending = config.aerospikeHosts ?? ''
  for (let i = 0; i < config.workers; i++) workerEnv(config, hostsOrPending, i)
  let embedded: EmbeddedServerHandle | undefined
  let hosts = config.aerospikeHosts
  if (hosts === undefined) {
    embedded = await startEmbeddedServer(embeddedServerOptions(config))
    hosts = embedded.address
    say(`AEROSPIKE_HOSTS is not set: started the embedded Aerospike-compatible server at ${hosts} for ${config.workers} workers; data lives in memory only`)
  }
  const address = hosts
  // Workers inherit the environment: one secret for all, so that a page
  // token made by one worker is good at every other (src/scan/token.ts).
  process.env.SCAN_TOKEN_SECRET ??= randomBytes(32).toString('base64url')
  let closing = false
  const workers = new Set<Worker>()
  const fork = (index: number): void => {
    const worker = cluster.fork(workerEnv(config, address, index))
    workers.add(worker)
    worker.once('exit', (code, signal) => {
      workers.delete(worker)
      if (closing) return
      say(`worker ${index} (pid ${String(worker.process.pid)}) exited (${signal ?? `code ${String(code)}`}); starting it again`)
      setTimeout(() => { if (!closing) fork(index) }, RESPAWN_DELAY_MS)
    })
  }
  for (let i = 0; i < config.workers; i++) fork(i)

  const close = async (signal: NodeJS.Signals): Promise<void> => {
    if (closing) return
    closing = true
    const exited = [...workers].map(async (w) => await new Promise<void>((resolve) => {
      if (w.isDead()) resolve()
      else w.once('exit', () => resolve())
    }))
    for (const w of workers) w.process.kill(signal)
    const timer = setTimeout(() => { for (const w of workers) w.process.kill('SIGKILL') }, DRAIN_TIMEOUT_MS)
    await Promise.all(exited)
    clearTimeout(timer)
    await embedded?.close()
    process.exit(0)
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => { void close(signal) })
  // SIGHUP reloads the API key file: every worker reads it again.
  process.on('SIGHUP', () => { for (const w of workers) w.process.kill('SIGHUP') })
}
