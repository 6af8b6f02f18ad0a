// The gateway as a Fastify plugin: tests build exactly this, server.ts starts it.

import { readFileSync } from 'node:fs'
import swagger from '@fastify/swagger'
import Aerospike from 'aerospike'
import swaggerUi from '@fastify/swagger-ui'
import { LogController } from 'fastify'
import type { Server } from 'node:http'
import type { FastifyHttpOptions, FastifyInstance, FastifyServerOptions } from 'fastify'
import adminRoutes from '../routes/admin'
import batchRoutes from '../routes/batch'
import clusterRoutes from '../routes/cluster'
import executeRoutes from '../routes/execute'
import indexRoutes from '../routes/indexes'
import infoRoutes from '../routes/info'
import queryRoutes from '../routes/query'
import scanRoutes from '../routes/scan'
import truncateRoutes from '../routes/truncate'
import healthRoutes from '../routes/health'
import operateRoutes from '../routes/operate'
import recordRoutes from '../routes/records'
import { addSchemas } from '../schemas/index'
import { openapiTransformObject } from '../schemas/openapi'
import aerospikePlugin from './plugins/aerospike'
import authPlugin, { declareSecurity, SECURITY_SCHEMES } from './plugins/auth'
import corsPlugin from './plugins/cors'
import passthroughPlugin from './plugins/passthrough'
import metricsPlugin from './plugins/metrics'
import rateLimitPlugin from './plugins/rate-limit'
import sheddingPlugin from './plugins/shedding'
import tracePlugin from './plugins/trace'
import contentPlugin from './plugins/content'
import requestLog from './plugins/request-log'
import errorsPlugin from './plugins/errors'
import limitsPlugin, { limitOptions } from './plugins/limits'
import { serializeError } from './errors'
import { Policies } from './policies'
import { ReadCoalescer } from './read-coalescer'
import { WriteCoalescer } from './write-coalescer'
import { schemaErrorFormatter } from './validation-errors'
import { ScanResponder } from './scan/respond'
import { TokenCodec } from './scan/token'

import type { GatewayConfig } from './config'

export interface AppOptions {
  config: GatewayConfig & { aerospikeHosts: string }
}

/** Server options: server.ts, the tests and the OpenAPI generator use these. */
export function options (config: GatewayConfig, logger: FastifyServerOptions['logger'] = false): FastifyHttpOptions<Server> {
  const limits = limitOptions(config)
  return {
    ...limits,
    // HTTPS when TLS_CERT and TLS_KEY are set, within the same limits.
    ...(config.tls === undefined ? {} : { https: { ...limits.http, cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } }),
    bodyLimit: config.bodyLimit,
    // Ajv's code optimizer allocated 50 MB at start-up for the route
    // schemas: the heap it grew to stayed, 20 MB of the idle gateway's RSS.
    // The validators it makes without it check the same.
    ajv: { customOptions: { code: { optimize: false } } },
    // request-log writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    schemaErrorFormatter,
    // Every error logged, Fastify's own included, goes through serializeError.
    logger: typeof logger === 'object' && logger !== null
      ? { ...logger, serializers: { ...(logger as { serializers?: object }).serializers, err: serializeError } }
      : logger
  }
}

export default async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  // Before @fastify/swagger's own onRoute hook, which copies a HEAD route's
  // schema as it stands: added after it, HEAD operations had no security.
  fastify.addHook('onRoute', declareSecurity)
  await fastify.register(swagger, {
    // Components are named by their schema's $id, not def-0, def-1...
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'aerogate',
        description: 'HTTP/JSON gateway for Aerospike',
        version: '0.1.0',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' }
      },
      // Relative: the gateway that serves the document (and Swagger UI).
      servers: [{ url: '/', description: 'This gateway' }],
      tags: [
        { name: 'records', description: 'Single records: read, create, replace, update, delete' },
        { name: 'operate', description: 'Several operations on one record, atomically' },
        { name: 'batch', description: 'Many records in one round trip' },
        { name: 'scan', description: 'Every record of a namespace or set, paged or streamed' },
        { name: 'query', description: 'Records selected by a secondary-index filter, paged or streamed' },
        { name: 'index', description: 'Secondary indexes' },
        { name: 'truncate', description: 'Removing every record of a namespace or set' },
        { name: 'execute', description: 'Operations applied in the background to every record a scan or query selects' },
        { name: 'info', description: 'Info commands, answered per node' },
        { name: 'admin', description: 'Users and roles of the cluster' },
        { name: 'errors', description: 'The error catalogue' },
        { name: 'cluster', description: 'The cluster the gateway is connected to' },
        { name: 'health', description: 'Liveness, readiness and metrics' }
      ],
      components: { securitySchemes: SECURITY_SCHEMES }
    },
    transformObject: openapiTransformObject
  })
  addSchemas(fastify)
  // Record and batch answers are serialized by src/values.ts (lossless
  // numbers, bytes), the rest are small: compiling a serializer for every
  // status of every route only costs start-up time and memory.
  fastify.setSerializerCompiler(() => (data) => JSON.stringify(data))
  await fastify.register(swaggerUi, { routePrefix: '/docs' })
  await fastify.register(errorsPlugin)
  await fastify.register(limitsPlugin, { limits: opts.config.http })
  await fastify.register(tracePlugin)
  await fastify.register(requestLog)
  // In this order: shed before any work, CORS headers on every answer,
  // then who is asking, then how often they may.
  await fastify.register(sheddingPlugin, { shed: opts.config.shed })
  await fastify.register(corsPlugin, { origins: opts.config.corsOrigins })
  await fastify.register(authPlugin, { keysFile: opts.config.apiKeysFile, host: opts.config.host })
  await fastify.register(rateLimitPlugin, { limit: opts.config.rateLimit, keys: opts.config.apiKeysFile !== undefined })
  await fastify.register(contentPlugin, { maxDepth: opts.config.maxNestingDepth })
  await fastify.register(aerospikePlugin, { config: opts.config })
  await fastify.register(passthroughPlugin, { config: opts.config })
  await fastify.register(metricsPlugin, { enabled: opts.config.metrics })
  await fastify.register(healthRoutes, { probeTimeout: Math.min(1000, opts.config.tendInterval) })
  await fastify.register(clusterRoutes)
  const { config } = opts
  const policies = new Policies(config)
  const coalescer = config.coalesceGets
    ? new ReadCoalescer(config.coalesceMaxBatch, new Aerospike.BatchPolicy({ ...config.read, deserialize: false }))
    : undefined
  if (coalescer !== undefined) coalescer.onGroup = fastify.observeCoalescedBatch
  const writeCoalescer = config.coalesceWrites
    ? new WriteCoalescer(config.coalesceMaxBatch, new Aerospike.BatchPolicy({ ...config.write }))
    : undefined
  const { maxKeyBytes } = config
  await fastify.register(recordRoutes, { policies, maxDepth: config.maxNestingDepth, coalescer, writeCoalescer, maxKeyBytes, maxBins: config.maxBins })
  await fastify.register(batchRoutes, { policies, maxDepth: config.maxNestingDepth, maxItems: config.maxBatchItems, maxKeyBytes, maxBins: config.maxBins, chunk: config.batchChunk, itemsInFlight: config.batchItemsInFlight, coalesce: config.coalesceBatches })
  await fastify.register(operateRoutes, { policies, maxDepth: config.maxNestingDepth, keyBusy: config.keyBusy, maxKeyBytes })
  if (config.scan.tokenSecret === undefined) fastify.log.info('SCAN_TOKEN_SECRET is not set: page tokens hold only for this process')
  const responder = new ScanResponder(config.scan, new TokenCodec(config.scan.tokenSecret))
  await fastify.register(scanRoutes, { policies, settings: config.scan, responder })
  await fastify.register(queryRoutes, { policies, settings: config.scan, responder, maxDepth: config.maxNestingDepth })
  await fastify.register(indexRoutes, { maxDepth: config.maxNestingDepth, waitTimeout: config.scan.indexWaitTimeout })
  await fastify.register(truncateRoutes)
  await fastify.register(infoRoutes, { allow: config.infoAllow })
  await fastify.register(executeRoutes, { policies, maxDepth: config.maxNestingDepth })
  await fastify.register(adminRoutes)
}
