// Per-request policies from the official REST gateway's query parameters and
// from conditional headers, on top of the configured defaults
// (AEROSPIKE_READ_*, AEROSPIKE_WRITE_*). The client starts a policy it is
// given from its library defaults, not from its configured ones, so every
// policy made here carries the configured fields itself. A request without
// parameters gets policies built once, so the hot path allocates none.

import Aerospike from 'aerospike'
import type { GatewayConfig, PolicyDefaults } from './config'
import { GatewayError } from './errors'
import { filterPolicyField } from './expressions'
import { DEFAULT_MAX_DEPTH, readPolicies, type ReadPolicies } from './values'

const { policy } = Aerospike

export interface PolicyQuery {
  totalTimeout?: number
  socketTimeout?: number
  maxRetries?: number
  sleepBetweenRetries?: number
  expiration?: number
  generation?: number
  generationPolicy?: 'NONE' | 'EXPECT_GEN_EQUAL' | 'EXPECT_GEN_GT'
  recordExistsAction?: 'UPDATE' | 'UPDATE_ONLY' | 'REPLACE' | 'REPLACE_ONLY' | 'CREATE_ONLY'
  sendKey?: boolean
  durableDelete?: boolean
  replica?: 'MASTER' | 'MASTER_PROLES' | 'SEQUENCE' | 'PREFER_RACK'
  readModeAP?: 'ONE' | 'ALL'
  commitLevel?: 'COMMIT_ALL' | 'COMMIT_MASTER'
  /** A filter expression: the JSON form as JSON text, or base64 expression bytes. */
  filterexp?: string
}

export type Limits = GatewayConfig['limits']

export const EXISTS = {
  UPDATE: policy.exists.IGNORE,
  UPDATE_ONLY: policy.exists.UPDATE,
  REPLACE: policy.exists.CREATE_OR_REPLACE,
  REPLACE_ONLY: policy.exists.REPLACE,
  CREATE_ONLY: policy.exists.CREATE
} as const

export const GEN = { NONE: policy.gen.IGNORE, EXPECT_GEN_EQUAL: policy.gen.EQ, EXPECT_GEN_GT: policy.gen.GT } as const
export const REPLICA = {
  MASTER: policy.replica.MASTER,
  MASTER_PROLES: policy.replica.ANY,
  SEQUENCE: policy.replica.SEQUENCE,
  PREFER_RACK: policy.replica.PREFER_RACK
} as const
export const READ_MODE_AP = { ONE: policy.readModeAP.ONE, ALL: policy.readModeAP.ALL } as const
export const COMMIT_LEVEL = { COMMIT_ALL: policy.commitLevel.ALL, COMMIT_MASTER: policy.commitLevel.MASTER } as const

/** The precondition of a conditional request, from If-Match / If-None-Match. */
export interface Precondition {
  /** If-Match: "<gen>" */
  generation?: number
  /** If-Match: * */
  mustExist?: boolean
  /** If-None-Match: * */
  mustNotExist?: boolean
}

const MAX_GENERATION = 65535
const ETAG = /^(?:W\/)?"(\d{1,10})"$/

/** The generation an ETag names, or undefined when it is not one of ours. */
export function etagGeneration (etag: string): number | undefined {
  const m = ETAG.exec(etag.trim())
  // A generation is 16 bits: a larger one would wrap onto another.
  return m === null || Number(m[1]) > MAX_GENERATION ? undefined : Number(m[1])
}

/** Reads If-Match / If-None-Match; undefined when there are none. */
export function precondition (ifMatch: string | undefined, ifNoneMatch: string | undefined): Precondition | undefined {
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined
  const p: Precondition = {}
  if (ifMatch !== undefined) {
    const generation = etagGeneration(ifMatch)
    if (ifMatch.trim() === '*') p.mustExist = true
    else if (generation !== undefined) p.generation = generation
    else throw new GatewayError(4, `If-Match must be * or an ETag such as "3", got ${ifMatch}`)
  }
  if (ifNoneMatch?.trim() === '*') p.mustNotExist = true
  return p
}

function common (q: PolicyQuery, limits: Limits, defaults: PolicyDefaults): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults }
  if (q.totalTimeout !== undefined) out.totalTimeout = Math.min(q.totalTimeout, limits.totalTimeout)
  if (q.socketTimeout !== undefined) out.socketTimeout = Math.min(q.socketTimeout, limits.socketTimeout)
  if (q.maxRetries !== undefined) out.maxRetries = Math.min(q.maxRetries, limits.maxRetries)
  if (q.sleepBetweenRetries !== undefined) out.sleepBetweenRetries = Math.min(q.sleepBetweenRetries, limits.sleepBetweenRetries)
  if (q.sendKey === true) out.key = policy.key.SEND
  if (q.replica !== undefined) out.replica = REPLICA[q.replica]
  // A false filter makes the command answer 27 (FilteredOut), a batch row
  // too; a scan or query skips the record.
  if (q.filterexp !== undefined) Object.assign(out, filterPolicyField(q.filterexp, 'filterexp', { source: 'json', maxDepth: DEFAULT_MAX_DEPTH }))
  return out
}

/** Whether a request sets any policy parameter (the key type and bin selection are none). */
export function hasAny (q: object): boolean {
  for (const k in q) if (k !== 'keytype' && k !== 'recordBins') return true
  return false
}

export interface WritePlan {
  policy: InstanceType<typeof Aerospike.OperatePolicy>
  meta: { ttl?: number, gen?: number }
}

// The generation check shared by writes and removes: a conditional header
// wins over the query's generationPolicy. Writes carry the expected
// generation in their metadata, removes in their policy.
function generationCheck (q: PolicyQuery, pre: Precondition | undefined, p: Record<string, unknown>): number | undefined {
  if (pre?.generation !== undefined) {
    p.gen = policy.gen.EQ
    return pre.generation
  }
  if (q.generationPolicy === undefined || q.generationPolicy === 'NONE') return undefined
  p.gen = GEN[q.generationPolicy]
  return q.generation ?? 0
}

// Durability settings shared by writes and removes.
function durability (q: PolicyQuery, p: Record<string, unknown>): void {
  if (q.durableDelete === true) p.durableDelete = true
  if (q.commitLevel !== undefined) p.commitLevel = COMMIT_LEVEL[q.commitLevel]
}

export type Settings = Pick<GatewayConfig, 'limits' | 'read' | 'write'>

/** The policies of every command, from the configuration and a request's parameters. */
export class Policies {
  readonly limits: Limits
  /** Reads without parameters. */
  readonly defaultRead: ReadPolicies
  private readonly read: PolicyDefaults
  private readonly write: PolicyDefaults
  private readonly defaultRemove: InstanceType<typeof Aerospike.RemovePolicy>
  /** Write plans of requests without parameters or preconditions, which every such request shares: never changed. */
  private readonly plainWrites = new Map<string, WritePlan>()

  constructor (settings: Settings) {
    this.limits = settings.limits
    this.read = settings.read
    this.write = settings.write
    this.defaultRead = readPolicies({ ...settings.read })
    this.defaultRemove = new Aerospike.RemovePolicy({ ...settings.write })
  }

  /** Fields of a read or batch policy: the read defaults and the query's. */
  readFields (q: PolicyQuery): Record<string, unknown> {
    const p = common(q, this.limits, this.read)
    if (q.readModeAP !== undefined) p.readModeAP = READ_MODE_AP[q.readModeAP]
    return p
  }

  /** Fields of a write policy: the write defaults and the query's timeouts, retries, sendKey, replica. */
  writeFields (q: PolicyQuery): Record<string, unknown> {
    return common(q, this.limits, this.write)
  }

  reads (q: PolicyQuery): ReadPolicies {
    return hasAny(q) ? readPolicies(this.readFields(q)) : this.defaultRead
  }

  /**
   * The operate policy and metadata of a write. `defaultExists` is the
   * method's own (POST create-only, PUT replace, PATCH update);
   * `recordExistsAction` overrides it, and a precondition overrides both.
   * `raw`: results with deserialize: false, as readRecord reads.
   */
  writePlan (q: PolicyQuery, defaultExists: keyof typeof EXISTS, pre: Precondition | undefined, raw = false): WritePlan {
    const plain = !hasAny(q) && pre === undefined
    const cacheKey = `${defaultExists}${raw ? ':raw' : ''}`
    if (plain) {
      const cached = this.plainWrites.get(cacheKey)
      if (cached !== undefined) return cached
    }
    const p = this.writeFields(q)
    if (raw) p.deserialize = false
    const meta: WritePlan['meta'] = {}
    let exists: keyof typeof EXISTS = q.recordExistsAction ?? defaultExists
    if (pre?.mustNotExist === true) exists = 'CREATE_ONLY'
    if (pre?.mustExist === true) exists = exists === 'REPLACE' ? 'REPLACE_ONLY' : exists === 'UPDATE' ? 'UPDATE_ONLY' : exists
    p.exists = EXISTS[exists]
    const gen = generationCheck(q, pre, p)
    if (gen !== undefined) meta.gen = gen
    if (q.expiration !== undefined) meta.ttl = q.expiration
    durability(q, p)
    const plan = { policy: new Aerospike.OperatePolicy(p), meta }
    if (plain) this.plainWrites.set(cacheKey, Object.freeze(plan))
    return plan
  }

  remove (q: PolicyQuery, pre: Precondition | undefined): InstanceType<typeof Aerospike.RemovePolicy> {
    if (!hasAny(q) && pre === undefined) return this.defaultRemove
    const p = this.writeFields(q)
    const gen = generationCheck(q, pre, p)
    if (gen !== undefined) p.generation = gen
    durability(q, p)
    return new Aerospike.RemovePolicy(p)
  }
}
