// Answering a scan or query: a page (JSON or MessagePack, the official
// gateway's shape) or, with Accept: application/x-ndjson, a stream of one
// record per line ending with a trailer line.

import { PassThrough } from 'node:stream'
import type { Client } from 'aerospike'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { toProblem } from '../errors'
import { stringifyJson } from '../values'
import type { ScanSettings } from '../config'
import { finished, readPage, startCursor, streamRows, type ScanRow, type ScanSpec } from './reader'
import { fingerprint, TokenCodec, type Cursor } from './token'

export const NDJSON_TYPE = 'application/x-ndjson'

// Asked for by name with a q above 0; */* and JSON keep the page.
export function wantsNdjson (accept: string | undefined): boolean {
  if (accept === undefined) return false
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';')
    const type = range.trim().toLowerCase()
    if (type !== NDJSON_TYPE && type !== 'application/ndjson') continue
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  }
  return false
}

export interface ScanRequest {
  spec: ScanSpec
  /** The partitions asked for. */
  begin: number
  count: number
  /** maxRecords: the page size, or the most records a stream sends. */
  maxRecords: number | undefined
  /** The page token. */
  from: string | undefined
}

export class ScanResponder {
  constructor (private readonly settings: ScanSettings, private readonly codec: TokenCodec) {}

  async answer (client: Client, request: FastifyRequest, reply: FastifyReply, scan: ScanRequest): Promise<unknown> {
    const { spec } = scan
    // The filter expression is appended only when there is one, so tokens
    // of unfiltered requests made before it was part of the print still hold.
    const parts: unknown[] = [spec.namespace, spec.set ?? null, spec.filter ?? null, spec.bins ?? null, spec.noBins, scan.begin, scan.count]
    if (spec.filterExpression !== undefined) parts.push(spec.filterExpression)
    const print = fingerprint(parts)
    const cursor = scan.from === undefined || scan.from === '' ? startCursor(scan.begin, scan.count) : this.codec.decode(scan.from, print)
    const token = (c: Cursor): string | null => finished(c) ? null : this.codec.encode(c, print)
    if (wantsNdjson(request.headers.accept)) return await this.stream(client, request, reply, scan, cursor, token)
    const size = Math.min(scan.maxRecords ?? this.settings.maxPageSize, this.settings.maxPageSize)
    const rows = await readPage(client, spec, cursor, size)
    return reply.sendRows('records', rows, { pagination: { nextToken: token(cursor), totalRecords: rows.length } })
  }

  // The status is sent with the first records: a failure before them (no
  // index, unknown namespace) is an ordinary error answer.
  private async stream (client: Client, request: FastifyRequest, reply: FastifyReply, scan: ScanRequest, cursor: Cursor,
    token: (c: Cursor) => string | null): Promise<unknown> {
    const out = new PassThrough()
    let started = false
    let gone = false
    const goneFns: Array<() => void> = []
    const leave = (): void => {
      if (gone) return
      gone = true
      for (const fn of goneFns) fn()
    }
    reply.raw.on('close', () => { if (!reply.raw.writableFinished) leave() })
    out.on('close', leave)
    const start = (): void => {
      if (started) return
      started = true
      reply.header('vary', 'Accept').type(`${NDJSON_TYPE}; charset=utf-8`).send(out)
    }
    const sink = {
      write: async (rows: ScanRow[]): Promise<void> => {
        if (gone) return
        start()
        let text = ''
        for (const row of rows) text += stringifyJson(row) + '\n'
        if (out.write(text)) return
        await new Promise<void>((resolve) => {
          const done = (): void => {
            out.off('drain', done)
            out.off('close', done)
            resolve()
          }
          out.on('drain', done)
          out.on('close', done)
        })
      },
      gone: () => gone,
      onGone: (fn: () => void) => { goneFns.push(fn) }
    }
    const outcome = await streamRows(client, scan.spec, cursor, sink, {
      chunk: this.settings.streamChunk,
      concurrency: this.settings.concurrency,
      limit: scan.maxRecords
    })
    if (gone) {
      // Nothing may have been sent yet; the socket is closed either way.
      start()
      out.end()
      return reply
    }
    const pagination = { nextToken: token(outcome.cursor), totalRecords: outcome.count }
    if (outcome.error !== undefined) {
      if (!started) throw outcome.error
      const { body } = toProblem(outcome.error, { instance: request.url.split('?')[0], requestId: request.id })
      request.log.warn({ code: body.code }, 'scan failed part way')
      out.end(stringifyJson({ ...body, pagination }) + '\n')
      return reply
    }
    start()
    out.end(stringifyJson({ pagination }) + '\n')
    return reply
  }
}
