// Aerospike credential passthrough (AUTH_PASSTHROUGH=true), the official
// gateway's mode: every request of the API (/v1, /v2) but the public routes
// carries HTTP Basic credentials, and its commands run as that Aerospike
// user, through the user's own client (src/auth/user-clients.ts). The
// cluster decides what the user may do: a bad user or password is 401, a
// command the user's roles do not allow 403 (81), through src/errors.ts.
//
// With API keys on as well, the key comes in X-API-Key and Authorization
// carries the Aerospike user: the key says what the gateway lets through,
// the user what the cluster allows. Health checks and /metrics keep using
// the shared client and need no Aerospike user.
//
// A request's lease on its client ends when both its handler has answered
// (onSend) and its response is over (the socket's close): a client that
// went away early does not cut off the commands its handler still runs.

import Aerospike, { type Client } from 'aerospike'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ClosedError, UserClients } from '../auth/user-clients'
import { CREDENTIALS_REQUIRED, GATEWAY_UNAVAILABLE, GatewayError, errorEntry } from '../errors'
import type { GatewayConfig } from '../config'
import { clientConfig, closeFailed } from './aerospike'
import { API_ROUTE } from './auth'

declare module 'fastify' {
  interface FastifyInstance {
    /** The clients of credential passthrough; undefined when it is off. */
    userClients: UserClients | undefined
  }
  interface FastifyRequest {
    /** The Aerospike user the request runs as (credential passthrough), for the request log. */
    aerospikeUser: string | undefined
    /** Ends the request's lease on its user client; called by onSend and by the response's close. */
    userLeaseEnd: ((status: number) => void) | undefined
  }
}

export interface PassthroughOptions {
  config: GatewayConfig & { aerospikeHosts: string }
}

const BASIC = /^basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i
const CHALLENGE = 'Basic realm="aerogate", charset="UTF-8"'

/** The user and password of an `Authorization: Basic` header, or undefined when it has none. */
export function basicCredentials (header: string | undefined): { user: string, password: string } | undefined {
  const match = header === undefined ? null : BASIC.exec(header)
  if (match === null) return undefined
  const text = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = text.indexOf(':')
  // The client passes both as C strings, which a NUL would cut short.
  return colon <= 0 || text.includes('\u0000') ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) }
}

function needsUser (request: FastifyRequest): boolean {
  const url = request.routeOptions.url
  return url !== undefined && request.routeOptions.config.permission !== 'public' && API_ROUTE.test(url)
}

// Whether any command of the client is still on a connection.
function idle (client: Client): boolean {
  return client.stats().nodes.every((n) => n.asyncConnections.inUse === 0 && n.syncConnections.inUse === 0)
}

export default fp<PassthroughOptions>(async (app, opts) => {
  app.decorate('userClients', undefined)
  app.decorateRequest('userLeaseEnd', undefined)
  app.decorateRequest('aerospikeUser', undefined)
  const settings = opts.config.passthrough
  if (!settings.enabled) return
  const base = clientConfig(opts.config)
  const connect = async (user: string, password: string): Promise<Client> => {
    const client = Aerospike.client({ ...base, user, password, maxConnsPerNode: settings.maxConnsPerNode, minConnsPerNode: 0 })
    try {
      await client.connect()
    } catch (err) {
      await closeFailed(client)
      throw err
    }
    app.log.info({ user }, 'Aerospike user logged in: client connected')
    return client
  }
  const clients = new UserClients(settings.cacheSize, connect, idle, Math.max(opts.config.limits.totalTimeout, opts.config.scan.totalTimeout))
  app.userClients = clients
  app.log.info({ cacheSize: settings.cacheSize, maxConnsPerNode: settings.maxConnsPerNode }, 'Aerospike credential passthrough: requests need HTTP Basic credentials')

  app.addHook('onRequest', async (request, reply) => {
    if (!needsUser(request)) return
    const credentials = basicCredentials(request.headers.authorization)
    if (credentials === undefined) {
      reply.header('www-authenticate', CHALLENGE)
      throw new GatewayError(CREDENTIALS_REQUIRED, request.headers.authorization === undefined
        ? 'no Aerospike credentials: send the user and password as "Authorization: Basic <base64 of user:password>"'
        : 'the Authorization header is not HTTP Basic credentials of an Aerospike user ("Basic <base64 of user:password>")')
    }
    let lease
    try {
      lease = await clients.acquire(credentials.user, credentials.password)
    } catch (err) {
      if (err instanceof ClosedError) throw new GatewayError(GATEWAY_UNAVAILABLE, err.message)
      const code = (err as { code?: unknown }).code
      if (typeof code === 'number' && errorEntry(code).status === 401) reply.header('www-authenticate', CHALLENGE)
      throw err
    }
    request.userClient = lease.client
    request.aerospikeUser = credentials.user
    let open = 2
    const end = (): void => {
      if (--open === 0) lease.release()
    }
    // A command refused as unauthenticated (80, an expired session the
    // client could not renew: the password changed meanwhile) leaves the
    // client useless: the next request logs in afresh.
    request.userLeaseEnd = (status) => {
      if (status === 401) {
        lease.discard()
        reply.header('www-authenticate', CHALLENGE)
      }
      end()
    }
    reply.raw.once('close', end)
  })

  app.addHook('onSend', (request, reply, payload, done) => {
    const end = request.userLeaseEnd
    if (end !== undefined) {
      request.userLeaseEnd = undefined
      end(reply.statusCode)
    }
    done(null, payload)
  })

  app.addHook('onClose', async () => await clients.close())
}, { name: 'passthrough', fastify: '5.x', dependencies: ['errors', 'aerospike', 'auth'] })
