// Shared by the scan, query and streaming tests: loading records fast
// through the client, reading every page of a scan or query, reading an
// NDJSON stream over real HTTP.

import { request as httpRequest } from 'node:http'
import Aerospike from 'aerospike'
import type { FastifyInstance } from 'fastify'
import { parseJson } from '../../src/values'
import { TEST_CLIENT_POLICIES } from './embedded'

export interface Row {
  userKey: unknown
  digest: string
  generation: number
  ttl: number
  bins: Record<string, unknown>
}

export interface Page {
  records: Row[]
  pagination: { nextToken: string | null, totalRecords: number }
}

interface Teardown {
  teardown: (fn: () => unknown) => void
}

/** A client of the cluster, closed with the test. */
export async function clientOf (t: Teardown, address: string): Promise<Aerospike.Client> {
  const client = await Aerospike.connect({ hosts: address, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(async () => await client.close())
  return client
}

/** Writes `count` records k0..k<count-1> of `set`, with their keys, bins from `bins(i)`. */
export async function load (client: Aerospike.Client, set: string, count: number, bins: (i: number) => Record<string, unknown>): Promise<void> {
  const policy = new Aerospike.BatchWritePolicy({ key: Aerospike.policy.key.SEND })
  // Generous: the test machine may be busy.
  const batchPolicy = new Aerospike.BatchPolicy({ totalTimeout: 60_000, socketTimeout: 60_000 })
  const batch = async (start: number): Promise<void> => {
    const records = []
    for (let i = start; i < Math.min(count, start + 500); i++) {
      const b = bins(i)
      records.push({
        type: Aerospike.batchType.BATCH_WRITE,
        key: new Aerospike.Key('test', set, `k${i}`),
        ops: Object.keys(b).map((name) => Aerospike.operations.write(name, b[name] as string)),
        policy
      })
    }
    const results = await client.batchWrite(records as Parameters<Aerospike.Client['batchWrite']>[0], batchPolicy)
    const failed = results.find((r) => r.status !== 0)
    if (failed !== undefined) throw new Error(`load: ${failed.status}`)
  }
  // Four batches in flight keep the server busy.
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const start = next
      next += 500
      // A crowded machine can make the client lose the node for a moment.
      for (let attempt = 1; ; attempt++) {
        try {
          await batch(start)
          break
        } catch (err) {
          if (attempt === 10) throw err
          await new Promise((resolve) => setTimeout(resolve, 500))
        }
      }
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()])
}

/** Every page of a scan or query, following nextToken; `next(from)` asks for one page. */
export async function allPages (next: (from: string | undefined) => Promise<{ statusCode: number, body: string }>, maxPages = 1000): Promise<Page[]> {
  const pages: Page[] = []
  let from: string | undefined
  for (let i = 0; i < maxPages; i++) {
    const res = await next(from)
    if (res.statusCode !== 200) throw new Error(`page ${i}: ${res.statusCode} ${res.body}`)
    const page = parseJson(res.body) as Page
    pages.push(page)
    if (page.pagination.nextToken === null) return pages
    from = page.pagination.nextToken
  }
  throw new Error('too many pages')
}

export interface StreamRead {
  status: number
  contentType: string | undefined
  lines: string[]
  /** The socket closed before the answer ended. */
  cut: boolean
}

/**
 * GETs or POSTs over real HTTP with Accept: application/x-ndjson. `onChunk`
 * sees each chunk and may pause the response or destroy the request.
 */
export async function readStream (app: FastifyInstance, method: string, path: string, body?: unknown,
  onChunk?: (chunk: Buffer, res: import('node:http').IncomingMessage, req: import('node:http').ClientRequest) => void,
  keep = true): Promise<StreamRead & { bytes: number, count: number }> {
  const address = app.server.address() as { port: number }
  return await new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: address.port, path, method, headers: { accept: 'application/x-ndjson', ...(body === undefined ? {} : { 'content-type': 'application/json' }) } }, (res) => {
      let pending = ''
      const lines: string[] = []
      let bytes = 0
      let count = 0
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        const text = pending + chunk.toString('utf8')
        const parts = text.split('\n')
        pending = parts.pop() as string
        count += parts.length
        if (keep) lines.push(...parts)
        else if (parts.length > 0) lines.splice(0, lines.length, parts[parts.length - 1])
        onChunk?.(chunk, res, req)
      })
      const done = (cut: boolean): void => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], lines, cut, bytes, count })
      res.on('end', () => {
        if (pending !== '') {
          count++
          lines.push(pending)
        }
        done(false)
      })
      res.on('aborted', () => done(true))
      res.on('error', () => done(true))
    })
    req.on('error', (err) => { if ((err as { code?: string }).code !== 'ECONNRESET') reject(err) })
    if (body !== undefined) req.write(JSON.stringify(body))
    req.end()
  })
}
