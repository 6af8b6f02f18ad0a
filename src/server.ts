// Starts the gateway: configuration, the embedded server when no cluster is
// configured, listen, and a graceful close on SIGINT/SIGTERM. With WORKERS > 1
// this process is the primary of that many (see cluster.ts), each of which
// starts here too.

import cluster from 'node:cluster'
import closeWithGrace from 'close-with-grace'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import app, { options } from './app'
import { runPrimary } from './cluster'
import { ConfigError, embeddedServerOptions, loadConfig } from './config'
import { startEmbeddedServer, EmbeddedServerHandle } from './embedded/index'

async function main (): Promise<void> {
  let config
  try {
    config = loadConfig(process.env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`aerogate: ${err.message}\n`)
    process.exit(2)
  }
  if (config.workers > 1 && cluster.isPrimary) {
    try {
      await runPrimary(config)
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      process.stderr.write(`aerogate: ${err.message}\n`)
      process.exit(2)
    }
    return
  }
  const server = Fastify(options(config, {
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {})
  }))
  let embedded: EmbeddedServerHandle | undefined
  let hosts = config.aerospikeHosts
  if (hosts === undefined) {
    embedded = await startEmbeddedServer(embeddedServerOptions(config))
    hosts = embedded.address
    server.log.warn({ aerospikeHosts: hosts, security: config.embeddedSecurity },
      'AEROSPIKE_HOSTS is not set: started the embedded Aerospike-compatible server in-process; data lives in memory only')
  }
  await server.register(fp(app), { config: { ...config, aerospikeHosts: hosts } })
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err !== undefined) server.log.error({ err }, 'closing after an error')
    else server.log.info({ signal }, 'closing')
    await server.close()
    await embedded?.close()
  })
  await server.listen({ host: config.host, port: config.port })
}

void main()
