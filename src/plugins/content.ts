// Request and response bodies: JSON (read losslessly, see src/values.ts) and
// MessagePack, for what JSON cannot carry (maps with keys that are not
// strings, bytes natively, NaN and the infinities). The request's
// Content-Type picks the parser; any other media type is Fastify's 415
// (FST_ERR_CTP_INVALID_MEDIA_TYPE). The Accept header picks what
// `reply.sendValue` writes.

import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { decodeMsgpack, DEFAULT_MAX_DEPTH, encodeMsgpack, isPlainJson, parseJson, stringifyJson, ValueError } from '../values'

export type BodyFormat = 'json' | 'msgpack'

export const JSON_TYPE = 'application/json'
export const MSGPACK_TYPE = 'application/msgpack'
/** Accepted as request types and Accept ranges; responses say application/msgpack. */
export const MSGPACK_ALIASES = ['application/msgpack', 'application/x-msgpack', 'application/vnd.msgpack']

export interface ContentPluginOptions {
  /** Deepest nesting of lists and maps in a body (default 32). */
  maxDepth?: number
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The format the body was parsed from: give it to toClientBins as `source`. */
    bodyFormat: BodyFormat | null
  }
  interface FastifyReply {
    /**
     * Sends a value of the gateway's value model (src/values.ts) as JSON or
     * MessagePack, as the request's Accept header prefers (JSON when it has
     * no preference). A value JSON cannot carry back is a 406 error naming
     * its path; an Accept header that allows neither format is a 406 too.
     */
    sendValue: (value: unknown) => FastifyReply
    /**
     * Sends `{[field]: rows}` like sendValue, without building one string of
     * the whole answer: each row is serialized on its own (so a row JSON
     * cannot carry is still a 406), and a large answer streams out in chunks.
     * `extra` adds fields beside the rows, such as a page's pagination.
     */
    sendRows: (field: string, rows: readonly unknown[], extra?: Record<string, unknown>) => FastifyReply
  }
}

interface Range {
  type: string
  subtype: string
  q: number
}

function parseAccept (header: string): Range[] {
  const ranges: Range[] = []
  for (const part of header.split(',')) {
    const [mediaRange, ...params] = part.split(';')
    const [type, subtype] = mediaRange.trim().toLowerCase().split('/')
    if (type === undefined || type === '' || subtype === undefined || subtype === '') continue
    let q = 1
    for (const param of params) {
      const [name, value] = param.split('=')
      if (name.trim().toLowerCase() === 'q') {
        const n = Number(value?.trim())
        q = Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0
      }
    }
    ranges.push({ type, subtype: subtype.trim(), q })
  }
  return ranges
}

// The q and the specificity (2 exact, 1 type/*, 0 */*) of the most specific
// range matching any of the media types, or undefined.
function match (ranges: Range[], mediaTypes: string[]): [number, number] | undefined {
  let best: [number, number] | undefined
  for (const r of ranges) {
    for (const mt of mediaTypes) {
      const [type, subtype] = mt.split('/')
      let specificity: number
      if (r.type === type && r.subtype === subtype) specificity = 2
      else if (r.type === type && r.subtype === '*') specificity = 1
      else if (r.type === '*' && r.subtype === '*') specificity = 0
      else continue
      if (best === undefined || specificity > best[1]) best = [r.q, specificity]
    }
  }
  return best
}

/**
 * The response format an Accept header asks for: the acceptable one (q > 0)
 * with the higher q, then the one named more specifically, then JSON;
 * undefined when it accepts neither.
 */
export function negotiate (accept: string | undefined): BodyFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'json'
  const ranges = parseAccept(accept)
  if (ranges.length === 0) return 'json'
  const json = match(ranges, [JSON_TYPE])
  const msgpack = match(ranges, MSGPACK_ALIASES)
  const jsonOk = json !== undefined && json[0] > 0
  const msgpackOk = msgpack !== undefined && msgpack[0] > 0
  if (!msgpackOk) return jsonOk ? 'json' : undefined
  if (!jsonOk) return 'msgpack'
  if (msgpack[0] !== json[0]) return msgpack[0] > json[0] ? 'msgpack' : 'json'
  return msgpack[1] > json[1] ? 'msgpack' : 'json'
}

/** Serializes a value for a format: the body and its Content-Type. */
export function serializeValue (value: unknown, format: BodyFormat): { body: string | Buffer, contentType: string } {
  if (format === 'msgpack') return { body: encodeMsgpack(value), contentType: MSGPACK_TYPE }
  return { body: stringifyJson(value), contentType: `${JSON_TYPE}; charset=utf-8` }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

// Clients send the same few Accept headers over and over: each is parsed once.
const NEGOTIATED = new Map<string | undefined, BodyFormat | undefined>()
const MAX_NEGOTIATED = 256

function negotiated (accept: string | undefined): BodyFormat | undefined {
  if (NEGOTIATED.has(accept)) return NEGOTIATED.get(accept)
  const format = negotiate(accept)
  if (NEGOTIATED.size < MAX_NEGOTIATED) NEGOTIATED.set(accept, format)
  return format
}

// The format the Accept header asks for; undefined after answering 406.
function responseFormat (reply: FastifyReply): BodyFormat | undefined {
  reply.header('vary', 'Accept')
  const format = negotiated(reply.request.headers.accept)
  if (format === undefined) {
    reply.send(new ValueError(4, `cannot answer with ${String(reply.request.headers.accept)}: ` +
      `this endpoint answers ${JSON_TYPE} or ${MSGPACK_TYPE}`, { status: 406 }))
  }
  return format
}

// Large enough that a socket write carries many rows, small enough that an
// answer of 5,000 records is never one string.
const CHUNK_BYTES = 64 * 1024

// Rows in a run that JSON.stringify writes as the model writer does go to it
// in one call: a call per row costs about as much again as the writing.
const ROWS_PER_CALL = 64
/** Most rows of an answer written as one string: 256 rows of 250 bytes is about one chunk. */
const ROWS_IN_ONE_CALL = 256

function jsonRows (field: string, rows: readonly unknown[], extra: Record<string, unknown> | undefined): string[] {
  // The common answer, a few plain rows, is one call writing one string.
  if (extra === undefined && rows.length <= ROWS_IN_ONE_CALL && rows.every(isPlainJson)) return [JSON.stringify({ [field]: rows })]
  const chunks: string[] = []
  let chunk = `{${JSON.stringify(field)}:[`
  for (let i = 0; i < rows.length;) {
    let end = i
    while (end < rows.length && end - i < ROWS_PER_CALL && isPlainJson(rows[end])) end++
    let text: string
    if (end > i) {
      text = JSON.stringify(i === 0 && end === rows.length ? rows : rows.slice(i, end)).slice(1, -1)
    } else {
      text = stringifyJson(rows[i])
      end = i + 1
    }
    chunk += (i === 0 ? '' : ',') + text
    i = end
    if (chunk.length >= CHUNK_BYTES) {
      chunks.push(chunk)
      chunk = ''
    }
  }
  let tail = ']'
  if (extra !== undefined) for (const name of Object.keys(extra)) tail += `,${JSON.stringify(name)}:${stringifyJson(extra[name])}`
  chunks.push(chunk + tail + '}')
  return chunks
}

function msgpackRows (field: string, rows: readonly unknown[], extra: Record<string, unknown> | undefined): Buffer[] {
  const chunks: Buffer[] = []
  // A map whose last entry is the field's name and an array of rows.length
  // items (the extra fields come first), written up to that array's items.
  const entries: Array<[string, unknown]> = extra === undefined ? [] : Object.entries(extra)
  const head = encodeMsgpack(new Map([...entries, [field, new Array(rows.length).fill(null)]]))
  let pending: Buffer[] = [head.subarray(0, head.length - rows.length)]
  let size = 0
  for (const row of rows) {
    const b = encodeMsgpack(row)
    pending.push(b)
    size += b.length
    if (size >= CHUNK_BYTES) {
      chunks.push(Buffer.concat(pending))
      pending = []
      size = 0
    }
  }
  if (pending.length > 0 || chunks.length === 0) chunks.push(Buffer.concat(pending))
  return chunks
}

export default fp<ContentPluginOptions>(async (app, opts) => {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH

  app.decorateRequest('bodyFormat', null)

  // Fastify's own JSON parser loses integers beyond 2^53 and 1.0's type, and
  // text/plain bodies mean nothing here: both go, so they are 415 too.
  app.removeContentTypeParser([JSON_TYPE, 'text/plain'])

  // As a Buffer so that invalid UTF-8 is refused instead of becoming U+FFFD.
  // No bodyLimit option: Fastify applies the instance's and the route's.
  app.addContentTypeParser(JSON_TYPE, { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer, done) => {
    let text: string
    try {
      text = utf8.decode(body)
    } catch {
      done(new ValueError(4, 'invalid JSON: the body is not valid UTF-8'), undefined)
      return
    }
    try {
      const value = parseJson(text, { maxDepth })
      request.bodyFormat = 'json'
      done(null, value)
    } catch (err) {
      done(err as Error, undefined)
    }
  })

  for (const type of MSGPACK_ALIASES) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer, done) => {
      try {
        const value = decodeMsgpack(body, { maxDepth })
        request.bodyFormat = 'msgpack'
        done(null, value)
      } catch (err) {
        done(err as Error, undefined)
      }
    })
  }

  app.decorateReply('sendValue', function (this: FastifyReply, value: unknown): FastifyReply {
    const format = responseFormat(this)
    if (format === undefined) return this
    let serialized: ReturnType<typeof serializeValue>
    try {
      serialized = serializeValue(value, format)
    } catch (err) {
      return this.send(err)
    }
    return this.type(serialized.contentType).send(serialized.body)
  })

  app.decorateReply('sendRows', function (this: FastifyReply, field: string, rows: readonly unknown[], extra?: Record<string, unknown>): FastifyReply {
    const format = responseFormat(this)
    if (format === undefined) return this
    let chunks: Array<string | Buffer>
    try {
      chunks = format === 'json' ? jsonRows(field, rows, extra) : msgpackRows(field, rows, extra)
    } catch (err) {
      return this.send(err)
    }
    const type = format === 'json' ? `${JSON_TYPE}; charset=utf-8` : MSGPACK_TYPE
    return this.type(type).send(chunks.length === 1 ? chunks[0] : Readable.from(chunks))
  })
}, { name: 'content', fastify: '5.x' })
