// Gateway API keys (src/auth/keys.ts). Every route under /v1 and /v2
// declares what it needs in its config, `{ permission: ... }`: 'public', a
// permission checked against the namespace and set of its path, or a
// function of the parsed request naming every namespace and set it touches
// (a batch's items). A route under /v1 or /v2 that declares nothing is
// refused to every key, so that a new route is closed until it says what it
// needs. Routes outside them (health, docs) are public.
//
// The key file is read again on SIGHUP and when it changes; requests in
// flight keep the keys they were checked with, and a file that does not
// parse leaves the old keys in place.

import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { allows, hashSecret, readKeyFile, type ApiKey, type Permission } from '../auth/keys'
import { FORBIDDEN, GatewayError, UNAUTHENTICATED } from '../errors'
import { problem } from '../responses'

/** One thing a request touches: a permission on a namespace and set; `where` names the part of the request. */
export interface Need {
  permission: Permission
  namespace?: string
  set?: string
  where?: string
}

export type RoutePermission = 'public' | Permission | ((request: FastifyRequest) => Need[])

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a request of this route needs of an API key; see src/plugins/auth.ts. */
    permission?: RoutePermission
  }
  interface FastifyRequest {
    /** The API key the request came with, when API keys are on. */
    apiKey: ApiKey | undefined
  }
}

export interface AuthOptions {
  /** The key file; absent turns API keys off. */
  keysFile: string | undefined
  /** The address the gateway listens on, to warn when it is open without keys. */
  host: string
}

/** Routes under /v1 and /v2: the API, as opposed to health checks, docs and metrics. */
export const API_ROUTE = /^\/v\d+\//
const BEARER = /^bearer\s+(\S+)\s*$/i
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/
const CHALLENGE = 'Bearer realm="aerogate"'

/** The OpenAPI security schemes of API keys. */
export const SECURITY_SCHEMES = {
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A gateway API key (API_KEYS_FILE)' },
  bearer: { type: 'http', scheme: 'bearer', description: 'A gateway API key as "Authorization: Bearer <key>"' },
  basic: { type: 'http', scheme: 'basic', description: 'An Aerospike user and password (AUTH_PASSTHROUGH=true); with API keys as well, the key goes in X-API-Key' }
} as const

function isOpen (permission: RoutePermission | undefined, url: string): boolean {
  return permission === 'public' || (permission === undefined && !API_ROUTE.test(url))
}

/**
 * An onRoute hook: the route's OpenAPI operation states its security, and a
 * protected one documents 401 and 403.
 */
export function declareSecurity (route: RouteOptions): void {
  const schema = route.schema as { security?: unknown, response?: Record<string, unknown> } | undefined
  if (schema === undefined || schema.security !== undefined) return
  if (isOpen(route.config?.permission, route.url)) {
    schema.security = []
    return
  }
  if (!API_ROUTE.test(route.url)) {
    schema.security = [{ apiKey: [] }, { bearer: [] }]
    schema.response = { 401: problem('No API key, or an unknown one (when API keys are on)'), 403: problem('The API key has no permission for this route'), ...schema.response }
    return
  }
  schema.security = [{ apiKey: [] }, { bearer: [] }, { basic: [] }, { apiKey: [], basic: [] }]
  schema.response = {
    401: problem('No API key, or an unknown one (when API keys are on); no Aerospike credentials, or a bad user or password (60-66, 80, with AUTH_PASSTHROUGH)'),
    403: problem('The API key has no permission for this namespace, set or route; or the Aerospike user\'s roles do not allow the command (81)'),
    ...schema.response
  }
}

// A Basic Authorization header carries an Aerospike user (credential
// passthrough): the key is then in X-API-Key.
function presented (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  const bearer = header === undefined ? undefined : BEARER.exec(header)?.[1]
  if (bearer !== undefined || (header !== undefined && !/^basic\s/i.test(header))) return bearer
  const apiKey = request.headers['x-api-key']
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined
}

function describe (need: Need): string {
  const on = need.namespace === undefined ? 'every namespace' : `namespace "${need.namespace}"${need.set === undefined || need.set === '' ? '' : `, set "${need.set}"`}`
  return `${need.where === undefined ? '' : `${need.where}: `}the API key has no ${need.permission} permission on ${on}`
}

function check (key: ApiKey, needs: Need[]): void {
  for (const need of needs) {
    if (!allows(key, need.permission, need.namespace, need.set)) throw new GatewayError(FORBIDDEN, `${describe(need)} (key id "${key.id}")`)
  }
}

export default fp<AuthOptions>(async (app, opts) => {
  app.decorateRequest('apiKey', undefined)
  const file = opts.keysFile
  if (file === undefined) {
    if (!LOOPBACK.test(opts.host)) {
      app.log.warn({ host: opts.host }, 'API_KEYS_FILE is not set: anyone who reaches this address can read and write every record')
    }
    return
  }
  let keys = readKeyFile(file)
  app.log.info({ file, keys: keys.size }, 'API keys loaded')
  const reload = (why: string): void => {
    try {
      keys = readKeyFile(file)
      app.log.info({ file, keys: keys.size, why }, 'API keys reloaded')
    } catch (err) {
      app.log.error({ file, why, err: (err as Error).message }, 'API key file not reloaded: the previous keys stay in force')
    }
  }
  const onHangUp = (): void => reload('SIGHUP')
  process.on('SIGHUP', onHangUp)
  // The directory is watched, not the file: editors and config managers
  // replace a file by renaming another over it.
  let timer: NodeJS.Timeout | undefined
  const watcher: FSWatcher = watch(dirname(file), (_event, name) => {
    if (name !== null && name !== basename(file)) return
    clearTimeout(timer)
    timer = setTimeout(() => reload('file changed'), 50)
  })
  watcher.on('error', (err) => app.log.warn({ file, err: err.message }, 'cannot watch the API key file; SIGHUP still reloads it'))
  app.addHook('onClose', async () => {
    process.off('SIGHUP', onHangUp)
    clearTimeout(timer)
    watcher.close()
  })

  app.addHook('onRequest', async (request, reply) => {
    const declared = request.routeOptions.config.permission
    if (declared === 'public' || isOpen(declared, request.routeOptions.url ?? '')) return
    const secret = presented(request)
    const key = secret === undefined ? undefined : keys.get(hashSecret(secret))
    if (key === undefined) {
      reply.header('www-authenticate', CHALLENGE)
      throw new GatewayError(UNAUTHENTICATED, secret === undefined
        ? 'no API key: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"'
        : 'the API key is not known')
    }
    request.apiKey = key
    if (declared === undefined) throw new GatewayError(FORBIDDEN, `${request.routeOptions.url ?? ''} declares no permission: no key may use it`)
    if (typeof declared === 'string') {
      const params = request.params as { namespace?: string, set?: string }
      check(key, [{ permission: declared, namespace: params.namespace, set: params.set }])
    }
  })

  // A route whose needs are in its body is checked once the body is read
  // and validated, before its handler does anything.
  app.addHook('preHandler', async (request) => {
    const declared = request.routeOptions.config.permission
    if (typeof declared === 'function' && request.apiKey !== undefined) check(request.apiKey, declared(request))
  })
}, { name: 'auth', fastify: '5.x', dependencies: ['errors'] })
