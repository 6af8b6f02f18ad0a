// The one shared aerospike client of the gateway. When the cluster cannot be
// reached at start the gateway still starts: it keeps connecting with
// backoff, and readiness says so until it succeeds.

import Aerospike, { Client } from 'aerospike'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { GatewayError, serializeError } from '../errors'
import type { GatewayConfig } from '../config'
import { ROW_DEFAULT_EXISTS } from '../write-coalescer'

export interface AerospikePluginOptions {
  config: GatewayConfig & { aerospikeHosts: string }
}

export interface AerospikeState {
  /** The connected client, or undefined while still connecting. */
  client: Client | undefined
  lastError: Error | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    aerospike: AerospikeState
  }
  interface FastifyRequest {
    /** The client of the request's Aerospike user with credential passthrough (src/plugins/passthrough.ts). */
    userClient: Client | undefined
  }
}

const MAX_BACKOFF_MS = 10_000

/** The client, or a 503 ClusterError (-10) while the gateway is still connecting. */
export function connectedClient (app: FastifyInstance): Client {
  const c = app.aerospike.client
  if (c === undefined) throw new GatewayError(Aerospike.status.ERR_CONNECTION, 'not connected to the Aerospike cluster yet')
  return c
}

/** The client a request's commands go through: its user's with credential passthrough, else the shared one. */
export function requestClient (request: FastifyRequest): Client {
  return request.userClient ?? connectedClient(request.server)
}

// The command queue is process-wide and must exist before the first client
// connects: commands beyond the pool's connections wait in it instead of
// failing with -7, and only a full queue (-11) turns into 503.
let commandQueueReady = false

function setUpCommandQueue (config: GatewayConfig): void {
  if (commandQueueReady) return
  Aerospike.setupGlobalCommandQueue({
    maxCommandsInProcess: config.maxCommandsInProcess,
    maxCommandsInQueue: config.maxCommandsInQueue
  })
  commandQueueReady = true
}

// With TLS to the cluster every seed host carries the servers' TLS name.
function seeds (config: AerospikePluginOptions['config']): string | Array<{ addr: string, port: number, tlsname?: string }> {
  const tls = config.aerospikeTls
  if (tls === undefined) return config.aerospikeHosts
  return config.aerospikeHosts.split(',').map((h) => {
    const [addr, port] = h.trim().split(':')
    return { addr, port: Number(port ?? 4333), tlsname: tls.name }
  })
}

/** The client's configuration from the gateway's settings. */
export function clientConfig (config: AerospikePluginOptions['config']): Parameters<typeof Aerospike.connect>[0] {
  const policy = (p: GatewayConfig['read']): { totalTimeout: number, socketTimeout: number, maxRetries: number } =>
    ({ totalTimeout: p.totalTimeout, socketTimeout: p.socketTimeout, maxRetries: p.maxRetries })
  const tls = config.aerospikeTls
  return {
    hosts: seeds(config),
    ...(tls === undefined ? {} : { tls: { enable: true, cafile: tls.caFile, certfile: tls.certFile, keyfile: tls.keyFile } }),
    user: config.user,
    password: config.password,
    clusterName: config.clusterName,
    maxConnsPerNode: config.maxConnsPerNode,
    minConnsPerNode: config.minConnsPerNode,
    maxSocketIdle: config.maxSocketIdle,
    tenderInterval: config.tendInterval,
    connTimeoutMs: config.connectTimeout,
    log: { level: Aerospike.log.OFF },
    policies: {
      read: new Aerospike.ReadPolicy(policy(config.read)),
      write: new Aerospike.WritePolicy(policy(config.write)),
      operate: new Aerospike.OperatePolicy(policy(config.write)),
      remove: new Aerospike.RemovePolicy(policy(config.write)),
      batch: new Aerospike.BatchPolicy(policy(config.read)),
      batchWrite: new Aerospike.BatchWritePolicy({ exists: ROW_DEFAULT_EXISTS })
    }
  }
}

// A client whose connect failed before the client's event loop started has
// nothing to release, and its close() throws; one that got further must be
// closed, or its event loop keeps the process from exiting.
export async function closeFailed (client: Client): Promise<void> {
  try {
    await client.close()
  } catch {}
}

export default fp<AerospikePluginOptions>(async (app, opts) => {
  const hosts = opts.config.aerospikeHosts
  setUpCommandQueue(opts.config)
  // HLL bins then read as Aerospike.HyperLogLog, not as plain Buffers, so the
  // gateway answers them as HLLs and they write back as HLLs (a Buffer
  // written to an HLL operation is 12). Process-wide, like the queue above.
  Aerospike.wrapHLL(true)
  const connectConfig = clientConfig(opts.config)
  const state: AerospikeState = { client: undefined, lastError: undefined }
  app.decorate('aerospike', state)
  app.decorateRequest('userClient', undefined)
  let closing = false
  let timer: NodeJS.Timeout | undefined

  const connect = async (attempt: number): Promise<void> => {
    const client = Aerospike.client(connectConfig)
    try {
      await client.connect()
      if (closing) {
        await client.close()
        return
      }
      state.client = client
      state.lastError = undefined
      app.log.info({ hosts: hosts }, 'connected to the Aerospike cluster')
    } catch (err) {
      await closeFailed(client)
      state.lastError = err as Error
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt)
      app.log.warn({ hosts: hosts, err: serializeError(err), retryInMs: delay }, 'cannot reach the Aerospike cluster yet')
      if (!closing) timer = setTimeout(() => { void connect(attempt + 1) }, delay)
    }
  }

  await connect(0)

  app.addHook('onClose', async () => {
    closing = true
    clearTimeout(timer)
    await state.client?.close()
    state.client = undefined
  })
}, { name: 'aerospike', fastify: '5.x' })
