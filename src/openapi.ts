// `npm run openapi`: writes openapi.yaml from the route schemas. The document
// is committed, and a test fails when it no longer matches the routes.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import app, { options } from './app'
import { loadConfig } from './config'
import { startEmbeddedServer } from './embedded/index'

// Run from the sources (tsx), where this file sits in src/.
export const OPENAPI_PATH = join(__dirname, '..', 'openapi.yaml')

/** The OpenAPI document of the gateway's routes, as YAML. */
export async function renderOpenapi (): Promise<string> {
  return await withDocument((server) => server.swagger({ yaml: true }))
}

/** The same document as an object. */
export async function openapiObject (): Promise<Record<string, unknown>> {
  return await withDocument((server) => server.swagger() as unknown as Record<string, unknown>)
}

async function withDocument<T> (read: (server: ReturnType<typeof Fastify>) => T): Promise<T> {
  const embedded = await startEmbeddedServer({ port: 0 })
  const config = { ...loadConfig({}), aerospikeHosts: embedded.address }
  const server = Fastify(options(config))
  try {
    await server.register(fp(app), { config })
    await server.ready()
    return read(server)
  } finally {
    await server.close()
    await embedded.close()
  }
}

if (require.main === module) {
  renderOpenapi().then((yaml) => writeFileSync(OPENAPI_PATH, yaml), (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`)
    process.exit(1)
  })
}
