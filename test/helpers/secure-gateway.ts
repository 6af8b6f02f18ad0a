// A gateway over real HTTP in front of an embedded server with Enterprise
// security (admin/admin, role user-admin), through a proxy that counts the
// admin commands the server receives.

import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import app, { options } from '../../src/app'
import { loadConfig } from '../../src/config'
import { startEmbeddedServer, type EmbeddedServerHandle, type EmbeddedServerOptions } from '../../src/embedded/index'
import { adminCounter, type AdminCounter } from './admin-counter'
import { listen } from './http'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

export interface Answer {
  status: number
  json: any
  headers: Headers
}

export interface SecureGateway {
  app: FastifyInstance
  embedded: EmbeddedServerHandle
  url: string
  counter: AdminCounter
  /** What the gateway logged, one JSON line each. */
  log: string[]
  /** `auth` is user:password for Basic, or headers of its own. */
  call: (method: string, path: string, auth?: string | Record<string, string>, body?: unknown) => Promise<Answer>
}

export function basic (credentials: string): string {
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
}

/** `env` adds to AUTH_PASSTHROUGH=true and the gateway's own user admin/admin. */
export async function secureGateway (t: Teardown, env: Record<string, string> = {}, embeddedOptions: EmbeddedServerOptions = {}): Promise<SecureGateway> {
  const embedded = await startEmbeddedServer({ port: 0, edition: 'enterprise', security: true, ...embeddedOptions })
  t.teardown(() => embedded.close())
  const counter = await adminCounter(t, embedded.address)
  const config = { ...loadConfig({ AUTH_PASSTHROUGH: 'true', AEROSPIKE_USER: 'admin', AEROSPIKE_PASSWORD: 'admin', ...env }), aerospikeHosts: counter.address }
  const log: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      log.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      done()
    }
  })
  const server = Fastify(options(config, { level: 'debug', stream }))
  await server.register(fp(app), { config })
  t.teardown(() => server.close())
  const url = await listen(server)
  return {
    app: server,
    embedded,
    url,
    counter,
    log,
    call: async (method, path, auth, body) => {
      const headers: Record<string, string> = typeof auth === 'object' ? { ...auth } : auth === undefined ? {} : { authorization: basic(auth) }
      if (body !== undefined) headers['content-type'] = 'application/json'
      const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await res.text()
      return { status: res.status, json: text === '' ? undefined : JSON.parse(text), headers: res.headers }
    }
  }
}

/** The value of a metric line of GET /metrics, e.g. `aerogate_passthrough_logins_total{outcome="ok"}`. */
export async function metric (gw: SecureGateway, line: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text()
  const found = text.split('\n').find((l) => l.startsWith(line + ' '))
  return found === undefined ? NaN : Number(found.slice(line.length + 1))
}
