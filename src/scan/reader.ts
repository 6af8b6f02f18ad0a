// Reading a scan or query in bounded pieces. The client's record stream
// cannot be paused, so nothing reads more than it was asked for: the
// partitions are cut into windows (SCAN_WINDOW_PARTITIONS), each read by
// paginated queries of at most `max` records (the client's `partitions`,
// `paginate` and `maxRecords`), whose state says where the window goes on.
// A page is such reads one after another until it is full; a stream runs
// SCAN_CONCURRENCY windows at once and asks for the next piece of a window
// only once the previous one was written out.

import Aerospike from 'aerospike'
import type { AerospikeRecord, Client } from 'aerospike'
import { fromClientBins, type Value } from '../values'
import type { ClientExpression } from '../expressions'
import type { Predicate } from './filter'
import type { Cursor, OpenWindow } from './token'

export type QueryPolicy = InstanceType<typeof Aerospike.QueryPolicy>

/** What is read: the same for every piece, and what a token is bound to. */
export interface ScanSpec {
  namespace: string
  set: string | undefined
  filter: Predicate | undefined
  /** The filter expression, also in the policy. */
  filterExpression: ClientExpression | undefined
  /** Bins to read; all when absent. */
  bins: string[] | undefined
  /** Read no bins (includeBinData=false). */
  noBins: boolean
  policy: QueryPolicy
  /** Partitions per window. */
  window: number
}

/** A record as scans and queries answer it (the official gateway's shape, and the digest). */
export interface ScanRow {
  userKey: Value
  digest: string
  generation: number
  ttl: number
  bins: Record<string, Value>
}

export function toRow (record: AerospikeRecord): ScanRow {
  const key = record.key
  const userKey = key.key === undefined || key.key === null ? null : (key.key as Value)
  return {
    userKey,
    digest: (key.digest as Buffer).toString('base64url'),
    generation: record.gen,
    ttl: record.ttl,
    // Read with deserialize: false, so lists and maps keep every type; a
    // blob whose bytes happen to be a valid list or map reads as one.
    bins: fromClientBins(record.bins as Record<string, unknown>, true)
  }
}

/** A cursor over the partitions begin..begin+count, nothing read yet. */
export function startCursor (begin: number, count: number): Cursor {
  return { next: begin, end: begin + count, open: [] }
}

/** The next window to read: a started one first, else a fresh one; undefined when none is left. */
export function takeWindow (cursor: Cursor, size: number): OpenWindow | undefined {
  const open = cursor.open.shift()
  if (open !== undefined) return open
  if (cursor.next >= cursor.end) return undefined
  const w = { begin: cursor.next, count: Math.min(size, cursor.end - cursor.next), state: Buffer.alloc(0) }
  cursor.next += w.count
  return w
}

export function finished (cursor: Cursor): boolean {
  return cursor.open.length === 0 && cursor.next >= cursor.end
}

/** A piece being read; abort() stops it (its records and state are then dropped). */
export interface Piece {
  /** The window's state after the piece, or null when the window is finished. */
  done: Promise<Buffer | null>
  abort: () => void
}

/**
 * Reads at most `max` records of a window, handing each to `onRecord`. The
 * client ends a paginated query with its state once it has `max` records and
 * one more arrives; the window is finished when the query ends without one.
 */
export function readPiece (client: Client, spec: ScanSpec, window: OpenWindow, max: number, onRecord: (r: AerospikeRecord) => void): Piece {
  const options: Parameters<Client['query']>[2] = { paginate: true, maxRecords: max }
  if (spec.filter !== undefined) options.filters = [spec.filter]
  if (spec.bins !== undefined) options.select = spec.bins
  if (spec.noBins) options.nobins = true
  const query = client.query(spec.namespace, spec.set ?? null as unknown as string, options)
  // The state holds the query and its partitions' progress (the options are
  // then ignored); the client wants the same partitions named again.
  query.partitions(window.begin, window.count)
  if (window.state.length > 0) {
    (query as unknown as { queryState: unknown }).queryState = { bytes: Array.from(window.state), bytesSize: window.state.length }
  }
  let aborted = false
  const stream = query.foreach(spec.policy)
  const done = new Promise<Buffer | null>((resolve, reject) => {
    stream.on('data', (r: AerospikeRecord) => { if (!aborted) onRecord(r) })
    stream.on('error', (err: Error) => { if (!aborted) reject(err) })
    // The typings say number[]; the client hands {bytes, bytesSize}.
    stream.on('end', (state: unknown) => {
      const bytes = (state as { bytes?: number[] } | undefined)?.bytes
      if (aborted) reject(new Error('aborted'))
      else resolve(bytes === undefined ? null : Buffer.from(bytes))
    })
  })
  return {
    done,
    abort: () => {
      if (aborted) return
      aborted = true
      done.catch(() => {})
      stream.abort()
    }
  }
}

/**
 * One page of at most `size` rows, read window after window; the cursor is
 * moved past what was read (and is finished when nothing is left).
 */
export async function readPage (client: Client, spec: ScanSpec, cursor: Cursor, size: number): Promise<ScanRow[]> {
  const rows: ScanRow[] = []
  while (rows.length < size) {
    const w = takeWindow(cursor, spec.window)
    if (w === undefined) break
    const state = await readPiece(client, spec, w, size - rows.length, (r) => rows.push(toRow(r))).done
    if (state !== null) {
      cursor.open.unshift({ ...w, state })
      break
    }
  }
  return rows
}

export interface StreamSink {
  /** Writes rows out; resolves once the socket can take more. */
  write: (rows: ScanRow[]) => Promise<void>
  /** The reader of the answer went away. */
  gone: () => boolean
  /** Called once when it goes away. */
  onGone: (fn: () => void) => void
}

export interface StreamOptions {
  /** Records per piece. */
  chunk: number
  concurrency: number
  /** Most records in all; unlimited when absent. */
  limit?: number
}

export interface StreamOutcome {
  count: number
  /** Where to go on from: finished when everything was read. */
  cursor: Cursor
  error?: unknown
}

/**
 * Streams every record of the cursor's partitions into the sink, a piece at
 * a time per window, `concurrency` windows at once. After a failure, or once
 * `limit` records are out, the windows stop at their last piece written, so
 * the cursor resumes with nothing lost or repeated.
 */
export async function streamRows (client: Client, spec: ScanSpec, cursor: Cursor, sink: StreamSink, opts: StreamOptions): Promise<StreamOutcome> {
  let count = 0
  let reserved = 0
  let error: unknown
  let stop = false
  const pieces = new Set<Piece>()
  sink.onGone(() => {
    stop = true
    for (const p of pieces) p.abort()
  })
  const budget = (): number => opts.limit === undefined ? opts.chunk : Math.min(opts.chunk, opts.limit - count - reserved)

  const worker = async (): Promise<void> => {
    let w: OpenWindow | undefined
    while (!stop) {
      const max = budget()
      if (max <= 0) break
      w ??= takeWindow(cursor, spec.window)
      if (w === undefined) return
      reserved += max
      const rows: ScanRow[] = []
      const piece = readPiece(client, spec, w, max, (r) => rows.push(toRow(r)))
      pieces.add(piece)
      let state: Buffer | null
      try {
        state = await piece.done
      } catch (err) {
        if (!sink.gone() && error === undefined) error = err
        stop = true
        break
      } finally {
        pieces.delete(piece)
        reserved -= max
      }
      count += rows.length
      if (rows.length > 0) await sink.write(rows)
      if (state === null) w = undefined
      else w = { ...w, state }
    }
    if (w !== undefined) cursor.open.push(w)
  }

  await Promise.all(Array.from({ length: opts.concurrency }, worker))
  cursor.open.sort((a, b) => a.begin - b.begin)
  return { count, cursor, error }
}
