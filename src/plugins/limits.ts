// What one client may hold of the gateway, and the answers to requests that
// never reach a route: time (REQUEST_TIMEOUT to send a whole request,
// KEEP_ALIVE_TIMEOUT idle between requests), connections (MAX_CONNECTIONS),
// memory (MAX_HEADER_BYTES of headers, BODY_LIMIT per body, at most
// MAX_LARGE_BODIES bodies over LARGE_BODY_BYTES at once), request ids, and
// shutdown. Every answer is a problem body (src/errors.ts), those Node or
// Fastify would otherwise write in their own format included.

import { randomUUID } from 'node:crypto'
import type { ServerOptions } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { GatewayConfig, HttpLimits } from '../config'
import { GATEWAY_UNAVAILABLE, GatewayError, REQUEST_TIMEOUT, toProblem } from '../errors'
import { sendProblem } from './errors'

// An id a client sends is kept when it is short and plain, so that it can go
// into logs and bodies as it is; any other gets one of the gateway's.
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/

/** The request's id: its X-Request-Id when that is plain enough, else a new UUID. */
export function requestId (req: { headers: Record<string, string | string[] | undefined> }): string {
  const id = req.headers['x-request-id']
  return typeof id === 'string' && CLIENT_REQUEST_ID.test(id) ? id : randomUUID()
}

// After answering a request Node could not parse, the gateway stops writing
// and reads what the client still sends, so that closing the socket does not
// reset the connection under the answer (ECONNRESET instead of the status).
const LINGER_MS = 2000

// Sockets whose request was answered before its body was all read: Node
// reads the rest and drops it. When that rest is not received in time, the
// client has its answer already, and gets no second one.
const answeredEarly = new WeakSet<Socket>()

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }

function earlyError (err: NodeJS.ErrnoException): GatewayError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new GatewayError(REQUEST_TIMEOUT, 'the request was not received within REQUEST_TIMEOUT', 408)
    case 'HPE_HEADER_OVERFLOW':
      return new GatewayError(4, 'the request line and headers are larger than MAX_HEADER_BYTES', 431)
    default:
      return new GatewayError(4, 'the request is not valid HTTP/1.1', 400)
  }
}

interface PendingResponse {
  headersSent: boolean
  req?: { url?: string, method?: string }
  writeHead: (status: number, headers: Record<string, string | number>) => unknown
  end: (body?: string) => unknown
}

/**
 * Node's clientError: a request it could not parse, headers too large, or a
 * request not received in time. The answer says Connection: close.
 */
function onClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || socket.destroyed) {
    socket.destroy()
    return
  }
  if (answeredEarly.has(socket)) {
    socket.destroy()
    return
  }
  const gatewayError = earlyError(err)
  // The response of the request being received, if any (null between requests).
  const pending = (socket as unknown as { _httpMessage?: PendingResponse | null })._httpMessage ?? undefined
  const { status, headers, body } = toProblem(gatewayError, { instance: pending?.req?.url?.split('?', 1)[0] ?? '', requestId: randomUUID() })
  const text = JSON.stringify(body)
  const head = { ...headers, 'content-length': Buffer.byteLength(text), connection: 'close' }
  if (pending !== undefined) {
    // A request is being received: its response goes out in its place.
    if (!pending.headersSent) {
      pending.writeHead(status, head)
      pending.end(pending.req?.method === 'HEAD' ? undefined : text)
    } else {
      socket.destroy()
    }
    return
  }
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const lines = Object.entries(head).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\n${lines}\r\n${text}`)
  socket.resume()
  setTimeout(() => socket.destroy(), LINGER_MS).unref()
}

/** Server options of these limits; app.ts merges them into its own. */
export function limitOptions (config: Pick<GatewayConfig, 'http' | 'maxKeyBytes'>): Partial<FastifyServerOptions> & { http: ServerOptions } {
  const { requestTimeout, keepAliveTimeout, maxHeaderBytes } = config.http
  return {
    requestIdHeader: false,
    genReqId: requestId,
    requestTimeout,
    keepAliveTimeout,
    // A key of MAX_KEY_BYTES percent-encoded; keys.ts checks the decoded size.
    routerOptions: { maxParamLength: 3 * config.maxKeyBytes + 64 },
    return503OnClosing: false,
    http: {
      maxHeaderSize: maxHeaderBytes,
      requestTimeout,
      headersTimeout: requestTimeout,
      // How often Node looks for requests past their time: the 408 comes
      // at most this late.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestTimeout / 4)))
    },
    clientErrorHandler: onClientError as FastifyServerOptions['clientErrorHandler'],
    frameworkErrors: ((err: Error, request: FastifyRequest, reply: FastifyReply) => {
      sendProblem(err, request, reply)
    }) as FastifyServerOptions['frameworkErrors']
  }
}

function isLarge (request: FastifyRequest, limits: HttpLimits): boolean {
  const length = request.headers['content-length']
  if (length !== undefined) return Number(length) > limits.largeBodyBytes
  return request.headers['transfer-encoding'] !== undefined
}

export default fp<{ limits: HttpLimits }>(async (app, { limits }) => {
  app.server.maxConnections = limits.maxConnections
  let closing = false
  let largeBodies = 0

  app.addHook('preClose', async () => {
    closing = true
  })

  // Callback hooks: an async hook costs every request a promise and a turn of the microtask queue.
  app.addHook('onRequest', (request, reply, done) => {
    if (closing) {
      reply.header('connection', 'close')
      done(new GatewayError(GATEWAY_UNAVAILABLE, 'the gateway is shutting down; send the request again, another instance will take it', 503))
      return
    }
    if (!isLarge(request, limits)) {
      done()
      return
    }
    // Node reads and drops the body of a request answered before it was read.
    if (largeBodies >= limits.maxLargeBodies) {
      done(new GatewayError(GATEWAY_UNAVAILABLE,
        `the gateway is receiving ${largeBodies} bodies over ${limits.largeBodyBytes} bytes, its limit (MAX_LARGE_BODIES); send the request again`, 503))
      return
    }
    largeBodies++
    reply.raw.once('close', () => { largeBodies-- })
    done()
  })

  app.addHook('onResponse', (request, _reply, done) => {
    const { raw } = request
    if (!raw.complete) {
      answeredEarly.add(raw.socket)
      raw.once('end', () => answeredEarly.delete(raw.socket))
    }
    done()
  })
}, { name: 'limits', fastify: '5.x', dependencies: ['errors'] })
