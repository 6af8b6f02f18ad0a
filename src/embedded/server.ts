// The embedded Aerospike-compatible server: a TCP listener speaking the
// Aerospike wire protocol over in-memory namespaces, with hooks that let tests
// stop and restart it, slow it down and force result codes.

import { randomBytes } from 'node:crypto'
import { createServer, Server, Socket } from 'node:net'
import { inflateSync } from 'node:zlib'
import { parseBatch } from './batch'
import { builtFilter, compileQueryFilter } from './exp'
import { EDITIONS, infoReply, InfoNode } from './info'
import { FilterCompiler, answerQuery, isQuery } from './query/dispatch'
import { refusal } from './query/encode'
import { messageTrid } from './query/request'
import { JobRegistry } from './query/jobs'
import { ConnectionAuth, INFO_NOT_AUTHENTICATED, SecResult, Security, adminResult } from './security'
import { SindexRegistry } from './sindex/registry'
import { DEFAULT_MAX_RECORD_SIZE, Namespace, NamespaceConfig, nowSeconds } from './store'
import { execute, messageDigest, Outcome, TransactionContext } from './transaction'
import {
  Message, MsgType, ProtocolError, Result, FieldType, Info1, Info2, Info3, MAX_FRAME_BODY, PROTO_HEADER_SIZE,
  PROTO_VERSION, encodeReply, findField, parseMessage, replyMessageSize, writeProtoHeader, writeReplyMessage
} from './wire'

export interface EmbeddedServerOptions {
  /** Address to bind; loopback unless told otherwise. */
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** Namespaces to serve (default `test`). */
  namespaces?: Array<string | (Partial<NamespaceConfig> & { name: string })>
  nodeName?: string
  clusterName?: string
  /** Community Edition refuses durable deletes and compressed requests with 25. */
  edition?: keyof typeof EDITIONS
  /** Seconds between expiry sweeps. */
  nsupPeriod?: number
  /**
   * Enterprise security (`security {}` in the server's configuration): users
   * log in (admin/admin at first) and need roles for what they do.
   */
  security?: boolean
  /** Seconds a login session lasts (security's session-ttl); default 86400. */
  sessionTtl?: number
  /** Whether roles may carry read and write quotas (security's enable-quotas). */
  quotas?: boolean
}

export type RequestKind = 'read' | 'write' | 'delete' | 'batch'

export interface RequestInfo {
  kind: RequestKind
  namespace: string | undefined
  set: string | undefined
  digest: Buffer | undefined
  /** A row of a batch rather than a request of its own. */
  inBatch: boolean
}

/** Which requests a fault applies to; every given property must match. */
export interface FaultMatch {
  kind?: RequestKind | RequestKind[]
  namespace?: string
  set?: string
  /** The record's digest, hex. */
  digest?: string
  inBatch?: boolean
}

/**
 * A fault injected into matching requests, for reliability tests. Plain data,
 * so that it can cross to the worker thread the server runs in.
 */
export interface Fault {
  match?: FaultMatch
  /** Answer with this result code instead of running the request. */
  resultCode?: number
  /** Hold the reply this long (the request itself has already run). */
  delayMs?: number
  /** Drop the connection instead of replying. */
  closeConnection?: boolean
  /** How many requests it applies to; unlimited when absent. */
  times?: number
}

const BATCH_FRAME_TARGET = 128 * 1024
// Connections of a server without security carry no proof of anything.
const NO_AUTH = new ConnectionAuth('')
const EMPTY = Buffer.alloc(0)

interface FrameResult {
  reply: Buffer | undefined
  delayMs: number
  close: boolean
  // Frames that follow the reply, pulled as the socket drains (scans, queries).
  stream?: Generator<Buffer>
}

export class EmbeddedServer implements InfoNode {
  readonly host: string
  readonly nodeName: string
  readonly clusterName: string | undefined
  readonly edition: keyof typeof EDITIONS
  readonly namespaces = new Map<string, Namespace>()
  readonly stats = { connectionsOpened: 0, connectionsClosed: 0, transactions: 0 }
  readonly sindexes = new SindexRegistry()
  readonly jobs = new JobRegistry()
  readonly security: Security | undefined
  // Scan and query filter expressions.
  compileFilter: FilterCompiler | undefined = compileQueryFilter
  startedAt = Date.now()

  private requestedPort: number
  private boundPort = 0
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  private readonly faults: Array<Fault & { id: number }> = []
  private faultSeq = 0
  private nsupTimer: NodeJS.Timeout | undefined
  private readonly nsupPeriod: number

  constructor (options: EmbeddedServerOptions = {}) {
    this.host = options.host ?? '127.0.0.1'
    this.requestedPort = options.port ?? 0
    this.nodeName = options.nodeName ?? `BB9${randomBytes(6).toString('hex').toUpperCase()}`
    this.clusterName = options.clusterName
    this.edition = options.edition ?? 'community'
    this.nsupPeriod = options.nsupPeriod ?? 1
    if (this.nodeName.length < 1 || this.nodeName.length > 19) throw new RangeError('nodeName must be 1 to 19 characters')
    if (options.security === true && this.edition !== 'enterprise') {
      throw new RangeError('security needs edition \'enterprise\': Community Edition has no access control')
    }
    this.security = options.security === true ? new Security({ sessionTtl: options.sessionTtl, quotas: options.quotas }) : undefined
    for (const ns of options.namespaces ?? ['test']) {
      const config: NamespaceConfig = typeof ns === 'string'
        ? { name: ns, defaultTtl: 0, maxRecordSize: DEFAULT_MAX_RECORD_SIZE }
        : { defaultTtl: 0, maxRecordSize: DEFAULT_MAX_RECORD_SIZE, ...ns }
      if (!/^[^:;\s/]{1,31}$/.test(config.name)) throw new RangeError(`invalid namespace name: ${config.name}`)
      this.namespaces.set(config.name, new Namespace(config))
    }
    if (this.namespaces.size === 0) throw new RangeError('at least one namespace is needed')
  }

  get port (): number {
    return this.boundPort
  }

  /** `host:port`, as AEROSPIKE_HOSTS takes it. */
  get address (): string {
    return `${this.host}:${this.boundPort}`
  }

  get listening (): boolean {
    return this.server !== undefined
  }

  async start (): Promise<{ host: string, port: number }> {
    if (this.server !== undefined) return { host: this.host, port: this.boundPort }
    const server = createServer((socket) => this.accept(socket))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      // Clients open up to a pool's worth of connections at once; Node's
      // default backlog of 511 would drop some of 1,000 simultaneous connects.
      server.listen({ port: this.requestedPort, host: this.host, backlog: 4096 }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const addr = server.address()
    this.boundPort = typeof addr === 'object' && addr !== null ? addr.port : this.requestedPort
    // A restart must come back on the same port for clients to find it.
    this.requestedPort = this.boundPort
    this.server = server
    this.startedAt = Date.now()
    this.nsupTimer = setInterval(() => this.sweep(), this.nsupPeriod * 1000)
    this.nsupTimer.unref()
    return { host: this.host, port: this.boundPort }
  }

  /** Closes the listener and every connection; the data stays for a restart. */
  async stop (): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    clearInterval(this.nsupTimer)
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  async restart (): Promise<void> {
    await this.stop()
    await this.start()
  }

  /** Empties every namespace. */
  clear (): void {
    for (const ns of this.namespaces.values()) ns.clear()
  }

  /** Adds a fault; the returned id removes it. */
  addFault (fault: Fault): number {
    const id = ++this.faultSeq
    this.faults.push({ ...fault, id })
    return id
  }

  removeFault (id: number): void {
    const i = this.faults.findIndex((f) => f.id === id)
    if (i >= 0) this.faults.splice(i, 1)
  }

  clearFaults (): void {
    this.faults.length = 0
  }

  private sweep (): void {
    const now = nowSeconds()
    for (const ns of this.namespaces.values()) ns.sweep(now)
  }

  private accept (socket: Socket): void {
    this.stats.connectionsOpened++
    this.sockets.add(socket)
    socket.setNoDelay(true)
    const conn = new Connection(socket, this)
    socket.on('data', (chunk) => conn.receive(chunk))
    socket.on('error', () => socket.destroy())
    socket.on('close', () => {
      conn.abandon()
      this.security?.release(conn.auth)
      this.stats.connectionsClosed++
      this.sockets.delete(socket)
    })
  }

  private takeFault (req: RequestInfo): Fault | undefined {
    for (const f of this.faults) {
      if (f.match !== undefined && !matches(f.match, req)) continue
      if (f.times !== undefined && --f.times <= 0) this.removeFault(f.id)
      return f
    }
    return undefined
  }

  /** Runs one frame's request; called by a connection in arrival order. */
  handleFrame (type: number, body: Buffer, from = '', auth = NO_AUTH): FrameResult {
    switch (type) {
      case MsgType.INFO:
        return this.info(body, auth)
      case MsgType.MESSAGE:
        return this.message(body, from, auth)
      case MsgType.COMPRESSED:
        return this.compressed(body, auth)
      case MsgType.ADMIN:
        return { reply: this.security?.admin(body, auth) ?? this.noSecurity(), delayMs: 0, close: false }
      default:
        return { reply: undefined, delayMs: 0, close: true }
    }
  }

  // security_ce.c answers every admin request 51 (not supported), so a
  // client with credentials cannot connect to Community Edition; Enterprise
  // without security answers 52 (not enabled), which clients take as "no
  // login needed".
  private noSecurity (): Buffer {
    return adminResult(this.edition === 'community' ? SecResult.NOT_SUPPORTED : SecResult.NOT_ENABLED)
  }

  private infoText (body: Buffer, auth: ConnectionAuth): string {
    const security = this.security
    if (security === undefined) return infoReply(this, body.toString('utf8'))
    if (security.checkAuth(auth) !== SecResult.OK) return INFO_NOT_AUTHENTICATED
    return infoReply(this, body.toString('utf8'), (name, arg) => security.refuseInfo(auth, name, arg))
  }

  private info (body: Buffer, auth: ConnectionAuth): FrameResult {
    const text = Buffer.from(this.infoText(body, auth), 'utf8')
    const reply = Buffer.allocUnsafe(PROTO_HEADER_SIZE + text.length)
    writeProtoHeader(reply, 0, MsgType.INFO, text.length)
    text.copy(reply, PROTO_HEADER_SIZE)
    return { reply, delayMs: 0, close: false }
  }

  private compressed (body: Buffer, auth: ConnectionAuth): FrameResult {
    if (this.edition === 'community') {
      return { reply: encodeReply({ resultCode: Result.ENTERPRISE_ONLY, generation: 0, voidTime: 0 }), delayMs: 0, close: false }
    }
    let inner: Buffer
    try {
      inner = inflateSync(body.subarray(8), { maxOutputLength: MAX_FRAME_BODY + PROTO_HEADER_SIZE })
    } catch {
      return { reply: undefined, delayMs: 0, close: true }
    }
    if (inner.length < PROTO_HEADER_SIZE || inner[0] !== PROTO_VERSION || inner[1] !== MsgType.MESSAGE) {
      return { reply: undefined, delayMs: 0, close: true }
    }
    return this.message(inner.subarray(PROTO_HEADER_SIZE), '', auth)
  }

  private message (body: Buffer, from: string, auth: ConnectionAuth): FrameResult {
    let msg: Message
    try {
      msg = parseMessage(body)
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      return { reply: encodeReply({ resultCode: Result.PARAMETER, generation: 0, voidTime: 0 }), delayMs: 0, close: true }
    }
    this.stats.transactions++
    const ctx: TransactionContext = { namespaces: this.namespaces, enterprise: this.edition === 'enterprise', now: nowSeconds() }
    const batch = (msg.info1 & Info1.BATCH) !== 0
    const query = !batch && isQuery(msg)
    if (this.security !== undefined) {
      const refused = this.security.checkAuth(auth)
      if (refused !== SecResult.OK) return this.refuse(msg, refused, batch, query)
    }
    if (batch) return this.batch(msg, ctx, auth)
    if (query) {
      const refused = this.refusedData(msg, auth, true)
      return refused !== SecResult.OK ? this.refuse(msg, refused, false, true) : this.query(msg, ctx, from)
    }
    const refused = this.refusedData(msg, auth, false)
    if (refused !== SecResult.OK) return this.refuse(msg, refused, false, false)
    const digest = messageDigest(msg)
    const fault = this.faults.length === 0 ? undefined : this.takeFault(describe(msg, digest, false))
    if (fault?.closeConnection === true) return { reply: undefined, delayMs: fault.delayMs ?? 0, close: true }
    const outcome = fault?.resultCode !== undefined
      ? { resultCode: fault.resultCode, generation: 0, voidTime: 0 }
      : execute(msg, ctx)
    return { reply: encodeReply(outcome, outcome.bins), delayMs: fault?.delayMs ?? 0, close: false }
  }

  // A security refusal in the shape the client reads for that kind of request.
  private refuse (msg: Message, resultCode: number, batch: boolean, query: boolean): FrameResult {
    const reply = batch ? batchEnd(resultCode) : query ? refusal(resultCode, messageTrid(msg)) : encodeReply({ resultCode, generation: 0, voidTime: 0 })
    return { reply, delayMs: 0, close: false }
  }

  // 81 when the user lacks the permission; a namespace the server does not
  // have is left for the request itself to refuse (20), as thr_tsvc.c does first.
  private refusedData (msg: Message, auth: ConnectionAuth, query: boolean): number {
    const security = this.security
    if (security === undefined) return SecResult.OK
    const ns = findField(msg, FieldType.NAMESPACE)
    if (ns === undefined || !this.namespaces.has(ns.toString('utf8'))) return SecResult.OK
    return security.checkData(auth, msg, query)
  }

  private query (msg: Message, ctx: TransactionContext, from: string): FrameResult {
    const host = {
      namespaces: this.namespaces,
      sindexes: this.sindexes,
      jobs: this.jobs,
      compileFilter: this.compileFilter,
      execute: (m: Message) => execute(m, ctx)
    }
    const answer = answerQuery(host, msg, ctx.now, from)
    if (answer.background !== undefined) setImmediate(answer.background)
    return { reply: answer.reply, stream: answer.stream, delayMs: 0, close: false }
  }

  private batch (parent: Message, ctx: TransactionContext, auth: ConnectionAuth): FrameResult {
    const fault = this.faults.length === 0 ? undefined : this.takeFault(describe(parent, undefined, false, 'batch'))
    if (fault?.closeConnection === true) return { reply: undefined, delayMs: fault.delayMs ?? 0, close: true }
    const delayMs = fault?.delayMs ?? 0
    if (fault?.resultCode !== undefined) return { reply: batchEnd(fault.resultCode), delayMs, close: false }
    // batch.c builds the parent's filter once; rows without their own use it.
    const parentFilter = findField(parent, FieldType.FILTER_EXP)
    if (parentFilter !== undefined && builtFilter(parentFilter) === undefined) return { reply: batchEnd(Result.PARAMETER), delayMs, close: false }
    const { rows, error } = parseBatch(parent)
    const frames: Buffer[] = []
    let pending: Array<{ index: number, outcome: Outcome }> = []
    let pendingSize = 0
    const flush = (): void => {
      if (pending.length === 0) return
      const frame = Buffer.allocUnsafe(PROTO_HEADER_SIZE + pendingSize)
      writeProtoHeader(frame, 0, MsgType.MESSAGE, pendingSize)
      let offset = PROTO_HEADER_SIZE
      for (const { index, outcome } of pending) {
        offset = writeReplyMessage(frame, offset, { ...outcome, transactionTtl: index }, outcome.bins)
      }
      frames.push(frame)
      pending = []
      pendingSize = 0
    }
    for (const row of rows) {
      const rowFault = this.faults.length === 0 ? undefined : this.takeFault(describe(row.msg, row.digest, true))
      const refused = rowFault?.resultCode ?? this.refusedData(row.msg, auth, false)
      const outcome = rowFault?.resultCode !== undefined || refused !== SecResult.OK
        ? { resultCode: refused, generation: 0, voidTime: 0 }
        : execute(withDigest(row.msg, row.digest, parentFilter), ctx)
      pending.push({ index: row.index, outcome })
      pendingSize += replyMessageSize(outcome.bins)
      if (pendingSize >= BATCH_FRAME_TARGET) flush()
    }
    flush()
    frames.push(batchEnd(error ?? Result.OK))
    return { reply: frames.length === 1 ? frames[0] : Buffer.concat(frames), delayMs, close: false }
  }
}

function matches (m: FaultMatch, req: RequestInfo): boolean {
  if (m.kind !== undefined && !(Array.isArray(m.kind) ? m.kind.includes(req.kind) : m.kind === req.kind)) return false
  if (m.namespace !== undefined && m.namespace !== req.namespace) return false
  if (m.set !== undefined && m.set !== req.set) return false
  if (m.digest !== undefined && m.digest !== req.digest?.toString('hex')) return false
  if (m.inBatch !== undefined && m.inBatch !== req.inBatch) return false
  return true
}

// A batch row names its record by the row's digest, not by a field, and
// takes the parent's filter unless it has its own.
function withDigest (msg: Message, digest: Buffer, parentFilter: Buffer | undefined): Message {
  const fields = msg.fields.filter((f) => f.type !== FieldType.DIGEST)
  fields.push({ type: FieldType.DIGEST, data: digest })
  if (parentFilter !== undefined && findField(msg, FieldType.FILTER_EXP) === undefined) {
    fields.push({ type: FieldType.FILTER_EXP, data: parentFilter })
  }
  return { ...msg, fields }
}

function describe (msg: Message, digest: Buffer | undefined, inBatch: boolean, kind?: RequestKind): RequestInfo {
  return {
    kind: kind ?? ((msg.info2 & Info2.DELETE) !== 0 ? 'delete' : (msg.info2 & Info2.WRITE) !== 0 ? 'write' : 'read'),
    namespace: findField(msg, FieldType.NAMESPACE)?.toString('utf8'),
    set: findField(msg, FieldType.SET)?.toString('utf8'),
    digest,
    inBatch
  }
}

function batchEnd (resultCode: number): Buffer {
  return encodeReply({ resultCode, generation: 0, voidTime: 0, info3: Info3.LAST })
}

// Reassembles frames from a socket and answers them one at a time, in order,
// so that a delayed reply holds back the ones behind it as a real node's
// connection would.
class Connection {
  private chunks: Buffer[] = []
  private buffered = 0
  private waiting = false
  private closed = false
  private streaming: Generator<Buffer> | undefined
  private readonly peer: string
  readonly auth: ConnectionAuth

  constructor (private readonly socket: Socket, private readonly server: EmbeddedServer) {
    this.peer = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`
    this.auth = new ConnectionAuth(socket.remoteAddress ?? '')
  }

  receive (chunk: Buffer): void {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    this.drain()
  }

  private take (n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered)
    const out = all.subarray(0, n)
    const rest = all.subarray(n)
    this.chunks = rest.length > 0 ? [rest] : []
    this.buffered = rest.length
    return out
  }

  private peekHeader (): Buffer {
    if (this.chunks[0].length >= PROTO_HEADER_SIZE) return this.chunks[0]
    const all = Buffer.concat(this.chunks, this.buffered)
    this.chunks = [all]
    return all
  }

  private drain (): void {
    while (!this.waiting && !this.closed && this.buffered >= PROTO_HEADER_SIZE) {
      const head = this.peekHeader()
      const size = head.readUIntBE(2, 6)
      if (head[0] !== PROTO_VERSION || size > MAX_FRAME_BODY) {
        this.closed = true
        this.socket.destroy()
        return
      }
      if (this.buffered < PROTO_HEADER_SIZE + size) return
      const type = head[1]
      const frame = this.take(PROTO_HEADER_SIZE + size)
      const result = this.server.handleFrame(type, size === 0 ? EMPTY : frame.subarray(PROTO_HEADER_SIZE), this.peer, this.auth)
      if (result.delayMs > 0) {
        this.waiting = true
        setTimeout(() => {
          this.waiting = false
          this.finish(result)
          this.drain()
        }, result.delayMs)
        return
      }
      this.finish(result)
    }
  }

  private finish (result: FrameResult): void {
    if (this.closed || this.socket.destroyed) {
      result.stream?.return(undefined)
      return
    }
    if (result.reply !== undefined) this.socket.write(result.reply)
    if (result.close) {
      this.closed = true
      this.socket.end()
    }
    if (result.stream !== undefined) {
      this.waiting = true
      this.streaming = result.stream
      this.pump()
    }
  }

  // Sends a stream's frames while the socket takes them, resumes on
  // 'drain', and lets the next request in once the stream ends.
  private pump (): void {
    const stream = this.streaming
    if (stream === undefined) return
    for (;;) {
      if (this.closed || this.socket.destroyed) {
        this.abandon()
        return
      }
      const next = stream.next()
      if (next.done === true) {
        this.streaming = undefined
        this.waiting = false
        this.drain()
        return
      }
      if (!this.socket.write(next.value)) {
        this.socket.once('drain', () => this.pump())
        return
      }
    }
  }

  /** The connection went away: stop whatever it was streaming. */
  abandon (): void {
    const stream = this.streaming
    this.streaming = undefined
    stream?.return(undefined)
  }
}
