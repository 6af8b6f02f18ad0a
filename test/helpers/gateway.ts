// Builds the gateway exactly as server.ts does, against a given cluster.

import { createServer } from 'node:net'
import Fastify, { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import app, { options } from '../../src/app'
import { startEmbeddedServer, EmbeddedServerHandle, EmbeddedServerOptions } from '../../src/embedded/index'
import { loadConfig } from '../../src/config'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

/** `env` takes the same variables as the process environment. */
export async function buildGateway (t: Teardown, aerospikeHosts: string, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = { ...loadConfig(env), aerospikeHosts }
  const server = Fastify(options(config))
  await server.register(fp(app), { config })
  await server.ready()
  t.teardown(() => server.close())
  return server
}

/** A gateway in front of a fresh embedded server; both close with the test. */
export async function withGateway (t: Teardown, embeddedOptions: EmbeddedServerOptions = {}, env: Record<string, string> = {}): Promise<{ app: FastifyInstance, embedded: EmbeddedServerHandle }> {
  const embedded = await startEmbeddedServer({ port: 0, ...embeddedOptions })
  t.teardown(() => embedded.close())
  return { app: await buildGateway(t, embedded.address, env), embedded }
}

/** A loopback port that nothing listens on, for an unreachable cluster. */
export async function unusedPort (): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as { port: number }).port
  await new Promise((resolve) => probe.close(resolve))
  return port
}
