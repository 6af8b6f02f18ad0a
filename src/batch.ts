// POST /v1/batch: items in the official REST gateway's format turned into one
// client.batchWrite call, and its per-item outcomes into results.
//
// Two kinds of item cannot travel in that call, because the Node client
// cannot express them in a batch sub-command: a write with an expected
// generation (the client always sends 0 as the expected generation of a
// batch write) and a write of a top-level integer beyond 2^53 (the client's
// batch and operate reject a BigInt bin; only put takes one). Those go as
// single-record commands alongside the batch call, each with its own result.
// Aerospike never orders the items of one batch, so nothing is lost.

import { setImmediate as yieldToLoop } from 'node:timers/promises'
import Aerospike from 'aerospike'
import type { Client } from 'aerospike'
import { GatewayError, itemProblem, type ItemProblem } from './errors'
import { bodyKey, echoKey, type BodyKey } from './keys'
import { toClientOps, type ClientOperation } from './operations'
import { filterPolicyField } from './expressions'
import { COMMIT_LEVEL, EXISTS, GEN, READ_MODE_AP, type Policies, type PolicyQuery } from './policies'
import type { BodyFormat } from './plugins/content'
import { readHeader } from './header-read'
import { binTypeReads, checkBinName, convertBins, listsAndMaps, readPolicies, readRecord, toClientBins, tryDecodeRawCdt, type ReadPolicies, type Value } from './values'

const { batchType, policy: P } = Aerospike

type Key = InstanceType<typeof Aerospike.Key>

export interface ItemPolicy {
  readModeAP?: keyof typeof READ_MODE_AP
  readModeSC?: keyof typeof READ_MODE_SC
  recordExistsAction?: keyof typeof EXISTS
  generationPolicy?: keyof typeof GEN
  generation?: number
  expiration?: number
  commitLevel?: keyof typeof COMMIT_LEVEL
  durableDelete?: boolean
  sendKey?: boolean
  /** The JSON expression form, or JSON text or base64 bytes of one (src/expressions). */
  filterExp?: unknown
}

export interface BatchItem {
  type: 'READ' | 'WRITE' | 'DELETE'
  key: BodyKey
  readAllBins?: boolean
  binNames?: string[]
  opsList?: unknown[]
  bins?: Record<string, unknown>
  policy?: ItemPolicy
}

export type BatchQuery = Pick<PolicyQuery, 'totalTimeout' | 'socketTimeout' | 'maxRetries' | 'sleepBetweenRetries' | 'replica' | 'readModeAP'> & {
  filterexp?: string
  allowInline?: boolean
  allowInlineSSD?: boolean
  respondAllKeys?: boolean
}

const READ_MODE_SC = {
  SESSION: P.readModeSC.SESSION,
  LINEARIZE: P.readModeSC.LINEARIZE,
  ALLOW_REPLICA: P.readModeSC.ALLOW_REPLICA,
  ALLOW_UNAVAILABLE: P.readModeSC.ALLOW_UNAVAILABLE
} as const

const POLICY_FIELDS: Record<BatchItem['type'], ReadonlySet<string>> = {
  READ: new Set(['readModeAP', 'readModeSC', 'filterExp']),
  WRITE: new Set(['recordExistsAction', 'generationPolicy', 'generation', 'expiration', 'commitLevel', 'durableDelete', 'sendKey', 'filterExp']),
  DELETE: new Set(['generationPolicy', 'generation', 'commitLevel', 'durableDelete', 'sendKey', 'filterExp'])
}

/** What one item came to: its result code and, when it has one, its record. */
export interface Outcome {
  status: number
  inDoubt: boolean
  record?: { bins?: Record<string, unknown>, gen: number, ttl: number }
}

export interface SubCommand {
  type: number
  key: Key
  readAllBins?: boolean
  bins?: string[]
  ops?: ClientOperation[]
  policy?: object
}

type Single = (client: Client, base: Record<string, unknown>) => Promise<Outcome>

/** The plan of a batch: the sub-commands of the one batch call, and the items that go alone. */
export interface BatchPlan {
  /** Per item: its index among the sub-commands, or its single command. */
  items: Array<number | Single>
  /** Per item, its record key. */
  keys: Key[]
  subCommands: SubCommand[]
  /**
   * Per WRITE item, the bins its answer holds: those its operations answer
   * for. The client also hands back the bins it wrote, as nulls.
   */
  answered: Array<Set<string> | 'all' | undefined>
  /** Whether every item is a READ with neither a policy nor operations: a batch a BatchCoalescer can share. */
  plainReads: boolean
}

export interface PlanOptions {
  source: BodyFormat
  maxDepth: number
  /** MAX_KEY_BYTES */
  maxKeyBytes?: number
  /** MAX_BINS: most bins in one WRITE item. */
  maxBins?: number
  /** BATCH_CHUNK: items planned, and sub-commands sent, between yields to the event loop. */
  chunk?: number
}

/** The default of BATCH_CHUNK. */
export const DEFAULT_BATCH_CHUNK = 500

function invalid (where: string, detail: string): GatewayError {
  return new GatewayError(4, `${where}: ${detail}`)
}

const NO_POLICY: { policy?: ItemPolicy, filter: Record<string, unknown> } = Object.freeze({ filter: Object.freeze({}) })

// An item's filter replaces the batch's (the filterexp query parameter) for that item.
function checkPolicy (item: BatchItem, where: string, options: PlanOptions): { policy?: ItemPolicy, filter: Record<string, unknown> } {
  const p = item.policy
  if (p === undefined) return NO_POLICY
  for (const field of Object.keys(p)) {
    if (!POLICY_FIELDS[item.type].has(field)) throw invalid(`${where}.policy.${field}`, `does not apply to a ${item.type} item`)
  }
  return { policy: p, filter: filterPolicyField(p.filterExp, `${where}.policy.filterExp`, options) }
}

function generationOf (p: ItemPolicy | undefined): { gen: number, expected: number } | undefined {
  if (p?.generationPolicy === undefined || p.generationPolicy === 'NONE') return undefined
  return { gen: GEN[p.generationPolicy], expected: p.generation ?? 0 }
}

function readCommand (item: BatchItem, key: Key, where: string, options: PlanOptions): SubCommand {
  const { policy: p, filter } = checkPolicy(item, where, options)
  const cmd: SubCommand = { type: batchType.BATCH_READ, key }
  const chosen = (item.readAllBins === true ? 1 : 0) + (item.binNames !== undefined ? 1 : 0) + (item.opsList !== undefined ? 1 : 0)
  if (chosen > 1) throw invalid(where, 'a READ takes one of readAllBins, binNames and opsList')
  if (item.bins !== undefined) throw invalid(`${where}.bins`, 'a READ item has no bins to write; use binNames')
  if (item.readAllBins === true) cmd.readAllBins = true
  else if (item.binNames !== undefined) cmd.bins = item.binNames.map((name, j) => checkBinName(name, `${where}.binNames[${j}]`))
  else if (item.opsList !== undefined) {
    const parsed = toClientOps(item.opsList, { ...options, path: `${where}.opsList` })
    if (parsed.writes) throw invalid(`${where}.opsList`, 'a READ item takes read operations only; make it a WRITE')
    cmd.ops = parsed.ops
  }
  if (p !== undefined) {
    cmd.policy = new Aerospike.BatchReadPolicy({
      readModeAP: p.readModeAP === undefined ? undefined : READ_MODE_AP[p.readModeAP],
      readModeSC: p.readModeSC === undefined ? undefined : READ_MODE_SC[p.readModeSC],
      ...filter
    })
  }
  return cmd
}

function writeFields (p: ItemPolicy | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (p === undefined) return out
  if (p.recordExistsAction !== undefined) out.exists = EXISTS[p.recordExistsAction]
  if (p.commitLevel !== undefined) out.commitLevel = COMMIT_LEVEL[p.commitLevel]
  if (p.durableDelete === true) out.durableDelete = true
  if (p.sendKey === true) out.key = P.key.SEND
  return out
}

function writeCommand (item: BatchItem, key: Key, where: string, options: PlanOptions, answered: (bins: Set<string> | 'all') => void): SubCommand | Single {
  const { policy: p, filter } = checkPolicy(item, where, options)
  if (item.readAllBins !== undefined || item.binNames !== undefined) throw invalid(where, 'a WRITE item reads through opsList only')
  if ((item.opsList === undefined) === (item.bins === undefined)) throw invalid(where, 'a WRITE item takes opsList or bins, one of them')
  const fields = { ...writeFields(p), ...filter }
  const generation = generationOf(p)
  let ops: ClientOperation[]
  if (item.opsList !== undefined) {
    const parsed = toClientOps(item.opsList, { ...options, path: `${where}.opsList` })
    ops = parsed.ops
    answered(parsed.results.answered)
  } else {
    answered(new Set())
    const bins = toClientBins(item.bins, { ...options, path: `${where}.bins` })
    if (Object.values(bins).some((v) => typeof v === 'bigint')) return putAlone(key, bins, fields, generation, p?.expiration)
    ops = Object.entries(bins).map(([name, v]) => Aerospike.operations.write(name, v as string))
  }
  if (generation !== undefined) return operateAlone(key, ops, fields, generation, p?.expiration)
  if (p?.expiration !== undefined) fields.ttl = p.expiration
  return { type: batchType.BATCH_WRITE, key, ops, policy: new Aerospike.BatchWritePolicy(fields) }
}

function deleteCommand (item: BatchItem, key: Key, where: string, options: PlanOptions): SubCommand {
  const { policy: p, filter } = checkPolicy(item, where, options)
  for (const field of ['readAllBins', 'binNames', 'opsList', 'bins'] as const) {
    if (item[field] !== undefined) throw invalid(`${where}.${field}`, 'a DELETE item takes a key and a policy only')
  }
  const cmd: SubCommand = { type: batchType.BATCH_REMOVE, key }
  if (p !== undefined) {
    const fields = { ...writeFields(p), ...filter }
    const generation = generationOf(p)
    if (generation !== undefined) {
      fields.gen = generation.gen
      fields.generation = generation.expected
    }
    cmd.policy = new Aerospike.BatchRemovePolicy(fields)
  }
  return cmd
}

async function alone (run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await run()
  } catch (err) {
    if (!(err instanceof Aerospike.AerospikeError)) throw err
    return { status: err.code as number, inDoubt: err.inDoubt === true }
  }
}

function meta (generation: { expected: number } | undefined, expiration: number | undefined): { gen?: number, ttl?: number } {
  return { gen: generation?.expected, ttl: expiration }
}

function operateAlone (key: Key, ops: ClientOperation[], fields: Record<string, unknown>, generation: { gen: number, expected: number },
  expiration: number | undefined): Single {
  return async (client, base) => await alone(async () => {
    const policy = new Aerospike.OperatePolicy({ ...base, ...fields, gen: generation.gen, deserialize: false })
    const record = await client.operate(key, ops, meta(generation, expiration), policy)
    return { status: 0, inDoubt: false, record }
  })
}

function putAlone (key: Key, bins: Record<string, unknown>, fields: Record<string, unknown>,
  generation: { gen: number, expected: number } | undefined, expiration: number | undefined): Single {
  return async (client, base) => await alone(async () => {
    const policy = new Aerospike.WritePolicy({ ...base, ...fields, gen: generation?.gen })
    await client.put(key, bins as Parameters<Client['put']>[1], meta(generation, expiration), policy)
    // put answers with the key only; the generation and ttl take a header read.
    const record = await readHeader(client, key)
    return { status: 0, inDoubt: false, record: { bins: {}, gen: record?.gen ?? 0, ttl: record?.ttl ?? 0 } }
  })
}

// Items' paths, for errors, made once per index rather than for every item
// of every batch; beyond the first 10,000 indexes, made when needed.
const PATHS: Array<readonly [string, string]> = []
const KEPT_PATHS = 10_000

function pathsOf (i: number): readonly [string, string] {
  const kept = PATHS[i]
  if (kept !== undefined) return kept
  const paths = [`batchRecords[${i}]`, `batchRecords[${i}].key`] as const
  if (i < KEPT_PATHS) PATHS[i] = paths
  return paths
}

/**
 * Checks every item and builds the commands; the first bad item rejects the
 * whole batch. It yields to the event loop every `chunk` items, so that a
 * large batch does not hold up other requests.
 */
export async function planBatch (items: readonly BatchItem[], options: PlanOptions): Promise<BatchPlan> {
  const plan: BatchPlan = { items: [], keys: [], subCommands: [], answered: [], plainReads: true }
  const chunk = options.chunk ?? DEFAULT_BATCH_CHUNK
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % chunk === 0) await yieldToLoop()
    const item = items[i]
    const [where, keyWhere] = pathsOf(i)
    const key = bodyKey(item.key, keyWhere, options.maxKeyBytes)
    plan.keys.push(key)
    const cmd = item.type === 'READ'
      ? readCommand(item, key, where, options)
      : item.type === 'WRITE' ? writeCommand(item, key, where, options, (bins) => { plan.answered[i] = bins }) : deleteCommand(item, key, where, options)
    if (typeof cmd === 'function') {
      plan.plainReads = false
      plan.items.push(cmd)
    } else {
      if (cmd.type !== batchType.BATCH_READ || cmd.policy !== undefined || cmd.ops !== undefined) plan.plainReads = false
      plan.items.push(plan.subCommands.length)
      plan.subCommands.push(cmd)
    }
  }
  return plan
}

export interface BatchPolicies {
  batch: InstanceType<typeof Aerospike.BatchPolicy>
  /** Timeouts and retries for the items that go alone. */
  base: Record<string, unknown>
  /** Read policy fields for a READ item read again alone. */
  readFields: Record<string, unknown>
  /** BATCH_CHUNK: sub-commands in one client call. */
  chunk: number
}

/**
 * A batch call in calls of at most `chunk` sub-commands, with a yield to the
 * event loop before each: the client converts a whole call synchronously, so
 * this bounds how long one batch holds up other requests. The calls overlap
 * on the network; the results keep the order of `commands`. Aerospike does
 * not order the items of one batch, and a batch is not atomic, so the split
 * changes no outcome.
 */
export async function inChunks<C, R> (commands: readonly C[], chunk: number, call: (part: C[]) => Promise<R[]>): Promise<R[]> {
  if (commands.length === 0) return []
  if (commands.length <= chunk) return await call(commands as C[])
  const calls: Array<Promise<R[]>> = []
  for (let start = 0; start < commands.length; start += chunk) {
    if (start > 0) await yieldToLoop()
    const part = call(commands.slice(start, start + chunk))
    part.catch(() => {}) // awaited below; a rejection before then is not unhandled
    calls.push(part)
  }
  return (await Promise.all(calls)).flat()
}

/**
 * The batch policy: the read defaults, the query's parameters, and
 * deserialize: false, so that doubles, int64 and non-string map keys inside
 * lists and maps stay exact. Items that go alone take the write defaults.
 */
export function batchPolicies (q: BatchQuery, policies: Policies, chunk = DEFAULT_BATCH_CHUNK): BatchPolicies {
  const readFields = policies.readFields(q)
  const fields: Record<string, unknown> = { ...readFields, deserialize: false }
  if (q.allowInline !== undefined) fields.allowInline = q.allowInline
  if (q.allowInlineSSD !== undefined) fields.allowInlineSSD = q.allowInlineSSD
  if (q.respondAllKeys !== undefined) fields.respondAllKeys = q.respondAllKeys
  return {
    batch: new Aerospike.BatchPolicy(fields),
    base: policies.writeFields(q),
    readFields,
    chunk
  }
}

/** A row of the client's batch answer. */
export interface BatchRow {
  status: number
  inDoubt?: boolean
  record?: Outcome['record']
}

/** Sub-commands in one batch call of their own, split into calls of at most `chunk`. */
export async function batchAlone (client: Client, subCommands: SubCommand[], policies: BatchPolicies): Promise<BatchRow[]> {
  return await inChunks(subCommands, policies.chunk, async (part): Promise<BatchRow[]> =>
    await (client.batchWrite(part as Parameters<Client['batchWrite']>[0], policies.batch) as Promise<BatchRow[]>)
      .catch(async (err: unknown) => await eachKeyFailed(client, part, policies, err)))
}

/**
 * Runs a plan: the batch call and the single commands at once. A failure of
 * the batch call itself (cluster unreachable, the batch timed out) rejects;
 * an item's failure is its outcome. `shared` reads a batch of plain reads
 * together with others (src/batch-coalescer.ts).
 */
export async function runBatch (client: Client, plan: BatchPlan, policies: BatchPolicies,
  shared?: (client: Client, subCommands: SubCommand[]) => Promise<BatchRow[]>): Promise<Outcome[]> {
  const batch = shared !== undefined && plan.plainReads ? shared(client, plan.subCommands) : batchAlone(client, plan.subCommands, policies)
  const alone: Array<Promise<Outcome>> = []
  for (const item of plan.items) if (typeof item === 'function') alone.push(item(client, policies.base))
  const [results, singles] = await Promise.all([batch, Promise.all(alone)])
  let single = 0
  // The client's result objects become the outcomes: one object fewer an item.
  return plan.items.map((item) => {
    if (typeof item !== 'number') return singles[single++]
    const r = results[item] as Outcome
    r.inDoubt = r.inDoubt === true
    return r
  })
}

/**
 * The client refuses a batch none of whose keys it can send (-16: every key
 * in a namespace the cluster does not have) without saying why for each key:
 * a header read of each key, which writes nothing, gives each its own code
 * (20). Any other failure of the whole batch stays the batch's.
 */
async function eachKeyFailed (client: Client, subCommands: SubCommand[], policies: BatchPolicies, err: unknown): Promise<BatchRow[]> {
  if (!(err instanceof Aerospike.AerospikeError) || err.code !== Aerospike.status.BATCH_FAILED) throw err
  const policy = new Aerospike.ReadPolicy(policies.readFields)
  return await Promise.all(subCommands.map(async ({ key }) => {
    try {
      await client.exists(key, policy)
    } catch (probe) {
      if (probe instanceof Aerospike.AerospikeError) return { status: probe.code as number, inDoubt: false }
      throw probe
    }
    throw err
  }))
}

/** A result of the response, in the official gateway's shape. */
export interface BatchResultRow {
  key: BodyKey
  resultCode: number
  resultCodeString: string
  inDoubt: boolean
  record: { bins: Record<string, Value>, generation: number, ttl: number } | null
  error?: ItemProblem
}


/**
 * The bins of every outcome in the value model. With deserialize: false a
 * list or map bin and a blob bin both arrive as bytes; records with bins that
 * parse as a list or map take one more batch read, of those bins' types
 * (binTypeReads), as a single GET does. A READ item whose record changed in
 * between is read again alone.
 */
async function resolveBins (client: Client, plan: BatchPlan, items: readonly BatchItem[], outcomes: Outcome[], policies: BatchPolicies): Promise<Array<Record<string, Value>>> {
  const bins = new Array<Record<string, Value>>(outcomes.length)
  const checks: Array<{ index: number, decoded: Map<string, Value> }> = []
  for (let i = 0; i < outcomes.length; i++) {
    const record = outcomes[i].record
    if (outcomes[i].status !== 0 || record?.bins === undefined) {
      bins[i] = {}
      continue
    }
    const answered = plan.answered[i]
    if (answered !== undefined && answered !== 'all') {
      for (const name of Object.keys(record.bins)) if (!answered.has(name)) delete record.bins[name]
    }
    let decoded: Map<string, Value> | undefined
    for (const name in record.bins) {
      const d = tryDecodeRawCdt(record.bins[name], true)
      if (d !== undefined) (decoded ??= new Map()).set(name, d)
    }
    if (decoded !== undefined) checks.push({ index: i, decoded })
    else bins[i] = convertBins(record.bins, NONE, true)
  }
  if (checks.length === 0) return bins
  const typed = await inChunks(checks.map(({ index, decoded }) => ({
    type: batchType.BATCH_READ, key: plan.keys[index], ops: binTypeReads(decoded.keys())
  })), policies.chunk, async (part) => await client.batchRead(part as Parameters<Client['batchRead']>[0], policies.batch))
  for (let c = 0; c < checks.length; c++) {
    const { index, decoded } = checks[c]
    const types = typed[c]
    // A failed type read: the record is gone since, so a READ is read again.
    await settle(client, plan, items, outcomes, policies, bins, index, types.status === 0 ? types.record.gen : -1, decoded, listsAndMaps(types.record?.bins, decoded.keys()))
  }
  return bins
}

const NONE: ReadonlyMap<string, Value> = new Map()

/** The bins of an outcome whose bins named `cdt` are lists and maps (decoded), as seen at generation `gen`. */
async function settle (client: Client, plan: BatchPlan, items: readonly BatchItem[], outcomes: Outcome[], policies: BatchPolicies,
  bins: Array<Record<string, Value>>, index: number, gen: number, decoded: Map<string, Value>, cdt: string[]): Promise<void> {
  const outcome = outcomes[index]
  if (items[index].type === 'READ' && gen !== outcome.record?.gen) {
    bins[index] = await rereadAlone(client, plan.keys[index], items[index], outcome, readPolicies(policies.readFields))
  } else {
    const kept = new Set(cdt)
    for (const name of decoded.keys()) if (!kept.has(name)) decoded.delete(name)
    bins[index] = convertBins(outcome.record?.bins ?? {}, decoded, true)
  }
}

async function rereadAlone (client: Client, key: Key, item: BatchItem, outcome: Outcome, policies: ReadPolicies): Promise<Record<string, Value>> {
  try {
    const { record, bins } = await readRecord(client, key, { bins: item.readAllBins === true ? undefined : item.binNames, policies, jsonText: true })
    outcome.record = record
    return bins
  } catch (err) {
    if (!(err instanceof Aerospike.AerospikeError)) throw err
    outcome.status = err.code as number
    outcome.record = undefined
    return {}
  }
}

/** The response rows, in request order. */
export async function batchResults (client: Client, plan: BatchPlan, items: readonly BatchItem[], outcomes: Outcome[], policies: BatchPolicies,
  requestId: string): Promise<BatchResultRow[]> {
  const bins = await resolveBins(client, plan, items, outcomes, policies)
  return outcomes.map((o, i) => {
    if (o.status !== 0) {
      const error = itemProblem(o.status, `batchRecords[${i}]`, o.inDoubt, requestId)
      return { key: echoKey(items[i].key), resultCode: o.status, resultCodeString: error.title, inDoubt: o.inDoubt, record: null, error }
    }
    const record = items[i].type !== 'DELETE' && o.record !== undefined ? { bins: bins[i], generation: o.record.gen, ttl: o.record.ttl } : null
    return { key: echoKey(items[i].key), resultCode: 0, resultCodeString: 'OK', inDoubt: o.inDoubt, record }
  })
}
