// Runs a scan or query partition by partition, as query.c's slices do:
// a scan walks a partition from its largest digest down and resumes strictly
// below the client's digest; an index query walks the partition's entries by
// (bval, digest stub, digest) and resumes strictly after the client's bval and
// digest. Record messages go out in frames of about 1 MiB, then one LAST.

import type { Namespace, StoredRecord } from '../store'
import { compareBvals, matchingBvals } from '../sindex/match'
import { Particle } from '../wire'
import type { QueryJob } from './jobs'
import type { QueryIndex, QueryRequest, Resume } from './request'
import { fieldCount, fieldsSize, writeFields, writeRecordBins, recordBinsSize } from './encode'

// QUERY_CHUNK_LIMIT: a frame goes out once it holds more than this.
const CHUNK_LIMIT = 1024 * 1024

/**
 * A compiled filter expression: whether a record passes. Expressions belong
 * to another part of the server; a query takes whatever it is given.
 */
export type RecordFilter = (record: StoredRecord, digest: string) => boolean

export interface Selected {
  digest: string
  record: StoredRecord
  // Index queries only.
  bval: bigint | undefined
}

/** The records a request selects, in the order the server sends them. */
export function * selectRecords (req: QueryRequest, job: QueryJob, now: number, filter?: RecordFilter): Generator<Selected> {
  if (req.unknownSet) return
  let count = 0n
  for (const { pid, resume } of req.partitions) {
    if (req.maxRecords !== 0n && count >= req.maxRecords) return
    job.pid = pid
    const candidates = req.index === undefined
      ? scanPartition(req.ns, pid, req.setName, resume, now)
      : indexPartition(req.ns, pid, req.setName, req.index, resume, now)
    for (const s of candidates) {
      job.throttled++
      if (filter !== undefined && !filter(s.record, s.digest)) {
        job.filteredBins++
        continue
      }
      count++
      yield s
      if (req.maxRecords !== 0n && count >= req.maxRecords) return
    }
  }
}

function * scanPartition (ns: Namespace, pid: number, setName: string, resume: Resume | undefined, now: number): Generator<Selected> {
  const digests = [...ns.partition(pid)].sort().reverse()
  for (const digest of digests) {
    if (resume !== undefined && digest >= resume.digest) continue
    const record = ns.get(digest, now)
    if (record === undefined || (setName !== '' && record.setName !== setName)) continue
    yield { digest, record, bval: undefined }
  }
}

interface Entry {
  bval: bigint
  digest: string
}

function stub (digest: string): number {
  return (digest.charCodeAt(1) & 0xf0) | (digest.charCodeAt(2) >> 4)
}

function compareEntries (a: Entry, b: Entry, unsigned: boolean): number {
  const byBval = compareBvals(a.bval, b.bval, unsigned)
  if (byBval !== 0) return byBval
  const byStub = stub(a.digest) - stub(b.digest)
  if (byStub !== 0) return byStub
  return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0
}

function * indexPartition (ns: Namespace, pid: number, setName: string, index: QueryIndex, resume: Resume | undefined, now: number): Generator<Selected> {
  const unsigned = index.def.ktype === Particle.GEOJSON
  const entries: Entry[] = []
  for (const digest of ns.partition(pid)) {
    const record = ns.get(digest, now)
    if (record === undefined || (setName !== '' && record.setName !== setName)) continue
    if (index.def.set !== '' && record.setName !== index.def.set) continue
    const bin = record.bins.find((b) => b.name === index.def.bin)
    if (bin === undefined) continue
    for (const bval of matchingBvals(index.def, index.range, bin)) entries.push({ bval, digest })
  }
  entries.sort((a, b) => compareEntries(a, b, unsigned))
  const from = resume === undefined ? undefined : { bval: resume.bval, digest: resume.digest }
  const seen = new Set<string>()
  for (const e of entries) {
    if (from !== undefined && compareEntries(e, from, unsigned) <= 0) continue
    if (index.deDup) {
      if (seen.has(e.digest)) continue
      seen.add(e.digest)
    }
    const record = ns.get(e.digest, now)
    if (record !== undefined) yield { digest: e.digest, record, bval: e.bval }
  }
}

/** The record messages of a foreground query, framed, ending with LAST. */
export function * queryFrames (req: QueryRequest, job: QueryJob, now: number, filter?: RecordFilter): Generator<Buffer> {
  let parts: Buffer[] = []
  let size = 0
  const flush = (): Buffer => {
    const frame = Buffer.concat([protoHeader(size), ...parts])
    parts = []
    size = 0
    job.netIoBytes += frame.length
    return frame
  }
  for (const s of selectRecords(req, job, now, filter)) {
    const message = recordMessage(req, s)
    if (message === undefined) continue
    job.succeeded++
    parts.push(message)
    size += message.length
    if (size > CHUNK_LIMIT) yield flush()
  }
  if (size > 0) yield flush()
  const last = lastMessage(0)
  job.netIoBytes += last.length
  yield last
}

// as_msg_make_response_bufbuilder: ns, digest, set, stored key and (index
// queries) the bval as fields; the bins as READ ops, or none for `nobins`. A
// bin selection that finds none of its bins in a record skips the record.
function recordMessage (req: QueryRequest, s: Selected): Buffer | undefined {
  const bins = req.noBins ? [] : req.binNames === undefined ? s.record.bins : selectBins(s.record, req.binNames)
  if (!req.noBins && req.binNames !== undefined && bins.length === 0) return undefined
  const fields = { ns: req.ns.name, digest: s.digest, set: s.record.setName, key: s.record.key, bval: s.bval }
  const size = 22 + fieldsSize(fields) + recordBinsSize(bins)
  const buf = Buffer.allocUnsafe(size)
  buf[0] = 22
  buf[1] = req.noBins ? 0x20 : 0
  buf[2] = 0
  buf[3] = 0
  buf[4] = 0
  buf[5] = 0
  buf.writeUInt32BE(s.record.generation, 6)
  buf.writeUInt32BE(s.record.voidTime >>> 0, 10)
  buf.writeUInt32BE(0, 14)
  const off = writeFields(buf, 22, fields)
  buf.writeUInt16BE(fieldCount(fields), 18)
  buf.writeUInt16BE(bins.length, 20)
  writeRecordBins(buf, off, bins)
  return buf
}

function selectBins (record: StoredRecord, names: readonly string[]): StoredRecord['bins'] {
  const out: StoredRecord['bins'] = []
  for (const name of names) {
    const b = record.bins.find((x) => x.name === name)
    if (b !== undefined) out.push(b)
  }
  return out
}

function protoHeader (size: number): Buffer {
  const h = Buffer.allocUnsafe(8)
  h[0] = 2
  h[1] = 3
  h.writeUIntBE(size, 2, 6)
  return h
}

/** The 30-byte frame that ends a scan or query (as_msg_send_fin). */
export function lastMessage (resultCode: number): Buffer {
  const buf = Buffer.alloc(30)
  buf[0] = 2
  buf[1] = 3
  buf.writeUIntBE(22, 2, 6)
  buf[8] = 22
  buf[11] = 0x01
  buf[13] = resultCode
  return buf
}
