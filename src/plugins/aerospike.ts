// The one shared aerospike client of the gateway. When the cluster cannot be
// reached at start the gateway still starts: it keeps connecting with
// backoff, and readiness says so until it succeeds.

import Aerospike, { Client } from 'aerospike'
import fp from 'fastify-plugin'

export interface AerospikePluginOptions {
  hosts: string
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
}

const MAX_BACKOFF_MS = 10_000

export default fp<AerospikePluginOptions>(async (app, opts) => {
  const state: AerospikeState = { client: undefined, lastError: undefined }
  app.decorate('aerospike', state)
  let closing = false
  let timer: NodeJS.Timeout | undefined

  const connect = async (attempt: number): Promise<void> => {
    try {
      const client = await Aerospike.connect({ hosts: opts.hosts, log: { level: Aerospike.log.OFF } })
      if (closing) {
        await client.close()
        return
      }
      state.client = client
      state.lastError = undefined
      app.log.info({ hosts: opts.hosts }, 'connected to the Aerospike cluster')
    } catch (err) {
      state.lastError = err as Error
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt)
      app.log.warn({ hosts: opts.hosts, err, retryInMs: delay }, 'cannot reach the Aerospike cluster yet')
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
