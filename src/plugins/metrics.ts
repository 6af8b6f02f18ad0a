// GET /metrics in the Prometheus text format (prom-client), on a registry of
// the app's own so that several apps in one process do not collide. With
// API keys on it needs a key with the `metrics` (or `admin`) permission on
// every namespace; METRICS=false removes it.
//
// Requests are counted by route pattern, never by URL, so that keys and
// record names do not become label values.

import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { errorEntry } from '../errors'

declare module 'fastify' {
  interface FastifyInstance {
    /** Records the size of a group of coalesced GETs; absent with METRICS=false. */
    observeCoalescedBatch: ((size: number) => void) | undefined
    /** Records a call that read the items of several batches; absent with METRICS=false. */
    observeCoalescedBatches: ((items: number, reads: number) => void) | undefined
  }
}

function registerMetrics (app: FastifyInstance, registry: Registry): { requests: Counter, duration: Histogram, codes: Counter, coalesced: Histogram, batchItems: Counter, batchReads: Counter } {
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const client = (): ReturnType<NonNullable<FastifyInstance['aerospike']['client']>['stats']> | undefined => app.aerospike.client?.stats()
  new Gauge({
    name: 'aerospike_client_connections',
    help: 'Connections of the client to each node, by kind (async, sync) and state (in use, in pool)',
    labelNames: ['node', 'kind', 'state'],
    registers,
    collect () {
      this.reset()
      for (const node of client()?.nodes ?? []) {
        for (const kind of ['async', 'sync'] as const) {
          const conns = node[`${kind}Connections`]
          this.set({ node: node.name, kind, state: 'in_use' }, conns.inUse)
          this.set({ node: node.name, kind, state: 'in_pool' }, conns.inPool)
        }
      }
    }
  })
  new Gauge({
    name: 'aerospike_client_commands_in_flight',
    help: 'Commands the client has sent and waits on',
    registers,
    collect () { this.set(client()?.commands.inFlight ?? 0) }
  })
  new Gauge({
    name: 'aerospike_client_commands_queued',
    help: 'Commands waiting in the client\'s global command queue',
    registers,
    collect () { this.set(client()?.commands.queued ?? 0) }
  })
  new Counter({
    name: 'aerogate_rate_limited_total',
    help: 'Requests refused by the rate limit (429)',
    registers,
    collect () { this.reset(); this.inc(app.rateLimited.count) }
  })
  new Counter({
    name: 'aerogate_shed_total',
    help: 'Requests shed (503) because a load threshold was passed, by threshold',
    labelNames: ['reason'],
    registers,
    collect () {
      this.reset()
      for (const [reason, n] of app.shedCounts) this.inc({ reason }, n)
    }
  })
  const users = app.userClients
  if (users !== undefined) {
    new Gauge({
      name: 'aerogate_passthrough_clients',
      help: 'Aerospike user clients of credential passthrough, by state (cached, retiring: evicted and waiting for their requests to end)',
      labelNames: ['state'],
      registers,
      collect () {
        this.set({ state: 'cached' }, users.cached)
        this.set({ state: 'retiring' }, users.retiringCount)
      }
    })
    new Counter({
      name: 'aerogate_passthrough_logins_total',
      help: 'Clients of Aerospike users connected (one login each), by outcome',
      labelNames: ['outcome'],
      registers,
      collect () {
        this.reset()
        this.inc({ outcome: 'ok' }, users.counts.logins)
        this.inc({ outcome: 'failed' }, users.counts.failedLogins)
      }
    })
    new Counter({
      name: 'aerogate_passthrough_evictions_total',
      help: 'Aerospike user clients pushed out of the cache (AUTH_CLIENT_CACHE_SIZE)',
      registers,
      collect () { this.reset(); this.inc(users.counts.evictions) }
    })
    new Counter({
      name: 'aerogate_passthrough_revivals_total',
      help: 'Evicted Aerospike user clients taken back by a request of their user before they closed',
      registers,
      collect () { this.reset(); this.inc(users.counts.revivals) }
    })
    new Counter({
      name: 'aerogate_passthrough_clients_closed_total',
      help: 'Aerospike user clients closed once their requests ended',
      registers,
      collect () { this.reset(); this.inc(users.counts.closed) }
    })
  }
  return {
    requests: new Counter({ name: 'http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers }),
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers
    }),
    codes: new Counter({
      name: 'aerospike_result_codes_total',
      help: 'Error answers by Aerospike (or gateway) result code and the class of the aerospike-py hierarchy',
      labelNames: ['code', 'class'],
      registers
    }),
    coalesced: new Histogram({
      name: 'aerogate_coalesced_batch_size',
      help: 'GETs per coalesced batch read (1: a GET that went alone)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers
    }),
    batchItems: new Counter({ name: 'aerogate_coalesced_batch_items_total', help: 'READ items of POST /v1/batch answered by calls shared with other batches', registers }),
    batchReads: new Counter({ name: 'aerogate_coalesced_batch_reads_total', help: 'Records those shared calls read: fewer than the items where batches asked for the same records', registers })
  }
}

export default fp<{ enabled: boolean }>(async (app, { enabled }) => {
  app.decorate('observeCoalescedBatch', undefined)
  app.decorate('observeCoalescedBatches', undefined)
  if (!enabled) return
  const registry = new Registry()
  const m = registerMetrics(app, registry)
  app.observeCoalescedBatch = (size) => m.coalesced.observe(size)
  app.observeCoalescedBatches = (items, reads) => {
    m.batchItems.inc(items)
    m.batchReads.inc(reads)
  }

  app.addHook('onResponse', (request, reply, done) => {
    const labels = { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: reply.statusCode }
    m.requests.inc(labels)
    m.duration.observe(labels, reply.elapsedTime / 1000)
    if (request.resultCode !== undefined) m.codes.inc({ code: request.resultCode, class: errorEntry(request.resultCode).error })
    done()
  })

  app.get('/metrics', {
    config: { permission: 'metrics' },
    schema: {
      operationId: 'metrics',
      tags: ['health'],
      summary: 'Prometheus metrics: requests, result codes, the client\'s connections and queue, rate limiting, shedding, the process',
      response: { 200: { description: 'The Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } }
    }
  }, async (_request, reply) => await reply.type(registry.contentType).send(await registry.metrics()))
}, { name: 'metrics', fastify: '5.x', dependencies: ['errors', 'aerospike', 'passthrough', 'rate-limit', 'shedding'] })
