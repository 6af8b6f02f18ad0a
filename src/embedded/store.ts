// In-memory records of one namespace, keyed by digest, with the server's
// expiry rules: a record past its void time is gone for reads and writes even
// before the periodic sweep (nsup) removes it.

import type { ReplyBin } from './wire'

// Void times count seconds from 2010-01-01T00:00:00Z (the "citrusleaf epoch").
export const CITRUSLEAF_EPOCH = 1262304000

export function nowSeconds (): number {
  return Math.floor(Date.now() / 1000) - CITRUSLEAF_EPOCH
}

export interface Bin extends ReplyBin {
  name: string
  type: number
  value: Buffer
}

export interface StoredRecord {
  bins: Bin[]
  generation: number
  // 0 = never expires.
  voidTime: number
  setName: string
  // The key field as the client sent it (particle type byte + key bytes).
  key: Buffer | undefined
  // Milliseconds since the citrusleaf epoch of the last write; truncation
  // with a last-update time removes the records written before it.
  lastUpdate?: number
}

export interface NamespaceConfig {
  name: string
  // Seconds; 0 = never expire (the server's default-ttl default).
  defaultTtl: number
  // The storage write-block size: a record that does not fit fails with 13.
  maxRecordSize: number
}

export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024
const EMPTY_SET: ReadonlySet<string> = new Set()

const N_PARTITIONS = 4096

export class Namespace {
  readonly records = new Map<string, StoredRecord>()
  // Digests by partition, for scans and queries that walk partitions.
  private readonly partitions = new Map<number, Set<string>>()
  // Every set that ever held a record: the server keeps a set's id for good.
  private readonly setNames = new Set<string>()
  // Truncation thresholds (ms since 2010) by set, '' for the namespace.
  readonly truncateLuts = new Map<string, number>()

  constructor (readonly config: NamespaceConfig) {}

  get name (): string {
    return this.config.name
  }

  /** The live record for a digest; expired records are dropped on sight. */
  get (digest: string, now: number): StoredRecord | undefined {
    const r = this.records.get(digest)
    if (r !== undefined && r.voidTime !== 0 && r.voidTime <= now) {
      this.delete(digest)
      return undefined
    }
    return r
  }

  set (digest: string, record: StoredRecord): void {
    if (!this.records.has(digest)) {
      const pid = (digest.charCodeAt(0) | (digest.charCodeAt(1) << 8)) & (N_PARTITIONS - 1)
      let digests = this.partitions.get(pid)
      if (digests === undefined) {
        digests = new Set()
        this.partitions.set(pid, digests)
      }
      digests.add(digest)
    }
    this.records.set(digest, record)
    if (record.setName !== '') this.setNames.add(record.setName)
  }

  delete (digest: string): void {
    if (!this.records.delete(digest)) return
    this.partitions.get((digest.charCodeAt(0) | (digest.charCodeAt(1) << 8)) & (N_PARTITIONS - 1))?.delete(digest)
  }

  /** The digests stored in one partition (expired records included). */
  partition (pid: number): ReadonlySet<string> {
    return this.partitions.get(pid) ?? EMPTY_SET
  }

  hasSet (name: string): boolean {
    return this.setNames.has(name)
  }

  /** Removes every expired record; returns how many went. */
  sweep (now: number): number {
    let n = 0
    for (const [digest, r] of this.records) {
      if (r.voidTime !== 0 && r.voidTime <= now) {
        this.delete(digest)
        n++
      }
    }
    return n
  }

  clear (): void {
    this.records.clear()
    this.partitions.clear()
  }

  /** Objects and bytes per set, for the `sets` and `namespace/<ns>` info commands. */
  setStats (now: number): Map<string, { objects: number, bytes: number }> {
    const stats = new Map<string, { objects: number, bytes: number }>()
    for (const r of this.records.values()) {
      if (r.voidTime !== 0 && r.voidTime <= now) continue
      let s = stats.get(r.setName)
      if (s === undefined) {
        s = { objects: 0, bytes: 0 }
        stats.set(r.setName, s)
      }
      s.objects++
      s.bytes += recordSize(r)
    }
    return stats
  }
}

// An approximation of the server's flat storage format: a fixed header with
// the digest, the set name and key when present, then each bin's name, type
// and particle (fixed-size scalars, length-prefixed variable values).
export function recordSize (r: Pick<StoredRecord, 'bins' | 'setName' | 'key'>): number {
  let size = 32 + (r.setName.length > 0 ? r.setName.length + 1 : 0)
  if (r.key !== undefined) size += r.key.length + 4
  for (const b of r.bins) {
    size += 2 + b.name.length + (isFixedSize(b.type) ? b.value.length : 4 + b.value.length)
  }
  return size
}

function isFixedSize (type: number): boolean {
  return type === 1 || type === 2 || type === 17
}
