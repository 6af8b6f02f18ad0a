// The gateway as a Fastify plugin: tests build exactly this, server.ts starts it.

import swagger from '@fastify/swagger'
import Aerospike from 'aerospike'
import swaggerUi from '@fastify/swagger-ui'
import { LogController } from 'fastify'
import type { Server } from 'node:http'
import type { FastifyHttpOptions, FastifyInstance, FastifyServerOptions } from 'fastify'
import batchRoutes from '../routes/batch'
import clusterRoutes from '../routes/cluster'
import healthRoutes from '../routes/health'
import operateRoutes from '../routes/operate'
import recordRoutes from '../routes/records'
import { addSchemas } from '../schemas/index'
import aerospikePlugin from './plugins/aerospike'
import contentPlugin from './plugins/content'
import requestLog from './plugins/request-log'
import errorsPlugin from './plugins/errors'
import limitsPlugin, { limitOptions } from './plugins/limits'
import { serializeError } from './errors'
import { Policies } from './policies'
import { ReadCoalescer } from './read-coalescer'

import type { GatewayConfig } from './config'

export interface AppOptions {
  config: GatewayConfig & { aerospikeHosts: string }
}

/** Server options: server.ts, the tests and the OpenAPI generator use these. */
export function options (config: GatewayConfig, logger: FastifyServerOptions['logger'] = false): FastifyHttpOptions<Server> {
  return {
    ...limitOptions(config),
    bodyLimit: config.bodyLimit,
    // request-log writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Every error logged, Fastify's own included, goes through serializeError.
    logger: typeof logger === 'object' && logger !== null
      ? { ...logger, serializers: { ...(logger as { serializers?: object }).serializers, err: serializeError } }
      : logger
  }
}

export default async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  await fastify.register(swagger, {
    // Components are named by their schema's $id, not def-0, def-1...
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'aerogate',
        description: 'HTTP/JSON gateway for Aerospike',
        version: '0.1.0'
      }
    }
  })
  addSchemas(fastify)
  // Record and batch answers are serialized by src/values.ts (lossless
  // numbers, bytes), the rest are small: compiling a serializer for every
  // status of every route only costs start-up time and memory.
  fastify.setSerializerCompiler(() => (data) => JSON.stringify(data))
  await fastify.register(swaggerUi, { routePrefix: '/docs' })
  await fastify.register(errorsPlugin)
  await fastify.register(limitsPlugin, { limits: opts.config.http })
  await fastify.register(requestLog)
  await fastify.register(contentPlugin, { maxDepth: opts.config.maxNestingDepth })
  await fastify.register(aerospikePlugin, { config: opts.config })
  await fastify.register(healthRoutes, { probeTimeout: Math.min(1000, opts.config.tendInterval) })
  await fastify.register(clusterRoutes)
  const { config } = opts
  const policies = new Policies(config)
  const coalescer = config.coalesceGets
    ? new ReadCoalescer(config.coalesceMaxBatch, new Aerospike.BatchPolicy({ ...config.read, deserialize: false }))
    : undefined
  const { maxKeyBytes } = config
  await fastify.register(recordRoutes, { policies, maxDepth: config.maxNestingDepth, coalescer, maxKeyBytes })
  await fastify.register(batchRoutes, { policies, maxDepth: config.maxNestingDepth, maxItems: config.maxBatchItems, maxKeyBytes })
  await fastify.register(operateRoutes, { policies, maxDepth: config.maxNestingDepth, keyBusy: config.keyBusy, maxKeyBytes })
}
