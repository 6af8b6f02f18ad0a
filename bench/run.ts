// `npm run bench [-- --quick] [--connections 64] [--duration 10] [--namespace test] [--workers 1]`:
// the raw client, a bare Fastify route, the naive gateway (bench/naive.ts) and
// the gateway, measured side by side in one run on one machine, so that the
// ratios between them hold even where the absolute figures are noisy. Each
// gateway figure is measured right after the naive one it is compared with.
// AEROSPIKE_HOSTS measures a real cluster instead of the embedded server.
// Results: stdout and bench/results/latest.json.

import Aerospike from 'aerospike'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { unusedPort } from '../test/helpers/gateway'
import { BATCH_SIZE, batchIndexes, bins, randomIndex, readKey, RECORDS, seed, SET, type Shape, writeKey } from './dataset'
import { RequestMix, runHttp } from './http'
import type { Measurement } from './measure'
import { Child, closeAll } from './processes'
import { rawBatchRead, rawGet } from './raw'
import { Figures, Run, summarize, table } from './report'

const ROOT = join(__dirname, '..')
const RESULTS = join(ROOT, 'bench', 'results', 'latest.json')
// A step that has not finished this long after its runs should have is stuck.
const STEP_GRACE_SECONDS = 90

interface Options {
  connections: number
  seconds: number
  warmupSeconds: number
  namespace: string
  quick: boolean
  /** WORKERS of the gateway: its processes. */
  workers: number
}

const USAGE = 'usage: npm run bench [-- --quick] [--connections 64] [--duration SECONDS] [--namespace test] [--workers N]'

function positive (name: string, raw: string): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`)
  return n
}

function parseOptions (): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      connections: { type: 'string', default: '64' },
      duration: { type: 'string' },
      namespace: { type: 'string', default: 'test' },
      workers: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false }
    },
    strict: true
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  return {
    connections: positive('connections', values.connections),
    seconds: values.duration === undefined ? (values.quick ? 3 : 10) : positive('duration', values.duration),
    warmupSeconds: values.quick ? 1 : 2,
    namespace: values.namespace,
    quick: values.quick,
    workers: positive('workers', values.workers)
  }
}

const figures: Figures = { runs: [], errors: [], meta: {} }

/** Runs one step; its failure, or its hanging past `seconds`, is recorded and the bench goes on. */
async function step<T> (name: string, seconds: number, fn: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([fn(), new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish in ${seconds} s`)), seconds * 1000)
    })])
  } catch (err) {
    const message = (err as Error).message
    figures.errors.push({ step: name, message })
    process.stderr.write(`bench: ${name} failed: ${message}\n`)
    return undefined
  } finally {
    clearTimeout(timer)
  }
}

/** A server the bench started, and where it listens. */
interface Server {
  child: Child
  url: string
}

async function startGateway (hosts: string, coalesce: boolean, workers: number): Promise<Server> {
  const port = await unusedPort()
  // With the node flags of npm start and the Dockerfile.
  const child = new Child(coalesce ? 'gateway' : 'gateway (COALESCE_GETS=false, COALESCE_BATCHES=false)', ['--max-semi-space-size=16', '--heap-growing-percent=10', join(ROOT, 'dist', 'src', 'server.js')], {
    AEROSPIKE_HOSTS: hosts,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    COALESCE_GETS: String(coalesce),
    COALESCE_BATCHES: String(coalesce),
    WORKERS: String(workers)
  })
  const url = `http://127.0.0.1:${port}`
  await child.waitForHttp(`${url}/health/ready`)
  return { child, url }
}

async function startEmbedded (): Promise<string> {
  const child = new Child('embedded server', [join(ROOT, 'dist', 'src', 'embedded', 'cli.js'), '--port', '0'], {})
  return (await child.waitForLine(/listening on (\S+:\d+)/))[1]
}

/** The naive gateway, ready once it answers 200 for `probe`, the path of a record. */
async function startNaive (hosts: string, probe: string): Promise<Server> {
  const port = await unusedPort()
  const child = new Child('naive gateway', ['--require', 'tsx/cjs', join(__dirname, 'naive.ts')], { PORT: String(port), AEROSPIKE_HOSTS: hosts })
  const url = `http://127.0.0.1:${port}`
  await child.waitForHttp(`${url}${probe}`)
  return { child, url }
}

async function startBare (body: string): Promise<Server> {
  const port = await unusedPort()
  const child = new Child('bare route', ['--require', 'tsx/cjs', join(__dirname, 'bare.ts')], { PORT: String(port), BARE_BODY: body })
  const url = `http://127.0.0.1:${port}`
  await child.waitForHttp(`${url}/v1/kvs/ns/set/key`)
  return { child, url }
}

async function expectStatus (res: Response, status: number): Promise<string> {
  const text = await res.text()
  if (res.status !== status) throw new Error(`${res.url} answered ${res.status}, not ${status}: ${text.slice(0, 300)}`)
  return text
}

class Bench {
  private readonly paths: Record<Shape, string[]>
  private readonly writes: Array<{ path: string, body: string }>
  private readonly batches = batchIndexes()
  private readonly batchBodies: string[]

  constructor (private readonly opts: Options) {
    const path = (key: string): string => `/v1/kvs/${encodeURIComponent(opts.namespace)}/${SET}/${key}`
    this.paths = {
      scalar: Array.from({ length: RECORDS }, (_, i) => path(readKey(i))),
      listmap: Array.from({ length: RECORDS }, (_, i) => path(readKey(i, 'listmap')))
    }
    this.writes = Array.from({ length: RECORDS }, (_, i) => ({ path: path(writeKey(i)), body: JSON.stringify(bins(i)) }))
    this.batchBodies = this.batches.map((indexes) => JSON.stringify(indexes.map((i) => ({
      type: 'READ', key: { namespace: opts.namespace, setName: SET, userKey: readKey(i) }, readAllBins: true
    }))))
  }

  readonly getMix: RequestMix = { method: 'GET', request: () => ({ path: this.paths.scalar[randomIndex()] }) }
  readonly getListMapMix: RequestMix = { method: 'GET', request: () => ({ path: this.paths.listmap[randomIndex()] }) }
  readonly putMix: RequestMix = { method: 'PUT', request: () => this.writes[randomIndex()] }
  readonly batchMix: RequestMix = {
    method: 'POST',
    request: () => ({ path: '/v1/batch', body: this.batchBodies[Math.floor(Math.random() * this.batchBodies.length)] }),
    itemsPerRequest: BATCH_SIZE
  }

  /** The gateway's answer for one record: what the bare route sends back. */
  async sampleGet (url: string): Promise<string> {
    return await expectStatus(await fetch(url + this.paths.scalar[0], { signal: AbortSignal.timeout(5000) }), 200)
  }

  /** Whether the gateway has the batch endpoint, checking its answer when it has. */
  async hasBatch (url: string): Promise<boolean> {
    const res = await fetch(`${url}/v1/batch`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: this.batchBodies[0], signal: AbortSignal.timeout(5000)
    })
    if (res.status === 404) return false
    const { batchRecords } = JSON.parse(await expectStatus(res, 200)) as { batchRecords?: Array<{ resultCode?: number }> }
    const read = batchRecords?.filter((r) => r.resultCode === 0).length
    if (read !== BATCH_SIZE) throw new Error(`POST /v1/batch read ${String(read)} of ${BATCH_SIZE} records`)
    return true
  }

  /**
   * A warm-up unless told otherwise, then the measured run, recorded under
   * `run`; with no target, a line that says why it did not run.
   */
  async measure (run: Omit<Run, 'measurement'>, target: ((seconds: number) => Promise<Measurement>) | undefined,
    options: { warm?: boolean, gateway?: Server, server?: Server, note?: string } = {}): Promise<void> {
    const record: Run = { ...run }
    figures.runs.push(record)
    if (target === undefined) {
      record.note = options.note ?? 'not run: a step before failed'
      return
    }
    const { seconds, warmupSeconds } = this.opts
    const warm = options.warm ?? true
    await step(run.label, (warm ? warmupSeconds : 0) + seconds + STEP_GRACE_SECONDS, async () => {
      if (warm) await target(warmupSeconds)
      const server = options.server ?? options.gateway
      const cpuBefore = server?.child.cpuSeconds()
      const m = await target(seconds)
      const cpuAfter = server?.child.cpuSeconds()
      if (cpuBefore !== undefined && cpuAfter !== undefined && m.ok > 0) record.cpuUsPerItem = (cpuAfter - cpuBefore) * 1e6 / m.ok
      // A stalled target fails nothing within the run: its requests are still in flight.
      if (m.ok === 0) throw new Error(`no successful answer in ${seconds} s (${m.failed} failed)`)
      record.measurement = m
      record.rssMb = options.gateway?.child.memory()?.rssMb
      process.stderr.write(`bench: ${run.label}: ${Math.round(m.rate)} ${run.unit}, p99 ${m.p99Ms.toFixed(2)} ms\n`)
    })
  }

  async run (): Promise<void> {
    const { connections, namespace } = this.opts
    const http = (target: Server | undefined, mix: RequestMix) => target === undefined
      ? undefined
      : async (seconds: number) => await runHttp(target.url, mix, { connections, seconds })
    const hosts = process.env.AEROSPIKE_HOSTS?.trim() ?? ''
    figures.meta = {
      cluster: hosts === '' ? 'embedded' : hosts,
      namespace,
      connections,
      seconds: this.opts.seconds,
      warmup_seconds: this.opts.warmupSeconds,
      quick: this.opts.quick,
      records: RECORDS,
      batch_size: BATCH_SIZE,
      workers: this.opts.workers,
      node: process.version,
      cpus: cpus().length,
      date: new Date().toISOString()
    }
    const setup = await step('setup', STEP_GRACE_SECONDS, async () => {
      const address = hosts === '' ? await startEmbedded() : hosts
      const client = await Aerospike.connect({ hosts: address, log: { level: Aerospike.log.OFF }, maxConnsPerNode: Math.max(100, connections) })
      await seed(client, namespace, connections)
      return { address, client }
    })
    if (setup === undefined) return
    const { address, client } = setup
    try {
      await this.measure({ name: 'raw_get', label: 'raw client get', unit: 'ops/s' },
        async (seconds) => await rawGet(client, namespace, { connections, seconds }))
      await this.measure({ name: 'raw_batch100', label: `raw client batchRead of ${BATCH_SIZE}`, unit: 'records/s' },
        async (seconds) => await rawBatchRead(client, namespace, this.batches, { connections, seconds }))
    } finally {
      await client.close()
    }

    const workers = this.opts.workers
    const naive = await step('naive gateway start', STEP_GRACE_SECONDS, async () => await startNaive(address, this.paths.scalar[0]))
    const gateway = await step('gateway start', STEP_GRACE_SECONDS, async () => await startGateway(address, true, workers))
    const sample = gateway === undefined ? undefined : await step('gateway GET check', STEP_GRACE_SECONDS, async () => await this.sampleGet(gateway.url))
    const bare = sample === undefined ? undefined : await step('bare route start', STEP_GRACE_SECONDS, async () => await startBare(sample))
    await this.measure({ name: 'bare', label: 'bare Fastify route', unit: 'req/s' }, http(bare, this.getMix), { server: bare })
    await bare?.child.close()

    // Each gateway figure right after the naive one it is compared with.
    await this.measure({ name: 'naive_get', label: 'naive GET, scalar bins', unit: 'req/s' }, http(naive, this.getMix), { server: naive })
    for (const i of [1, 2, 3] as const) {
      await this.measure({ name: `get_${i}`, label: `gateway GET, scalar bins, run ${i} of 3`, unit: 'req/s' }, http(gateway, this.getMix), { warm: i === 1, gateway })
    }
    await this.measure({ name: 'naive_get_listmap', label: 'naive GET, list and map bins', unit: 'req/s' }, http(naive, this.getListMapMix), { server: naive })
    await this.measure({ name: 'get_listmap', label: 'gateway GET, list and map bins', unit: 'req/s' }, http(gateway, this.getListMapMix), { gateway })
    await this.measure({ name: 'naive_put', label: 'naive PUT', unit: 'req/s' }, http(naive, this.putMix), { server: naive })
    await this.measure({ name: 'put', label: 'gateway PUT', unit: 'req/s' }, http(gateway, this.putMix), { gateway })
    const hasBatch = gateway === undefined ? undefined : await step('batch endpoint check', STEP_GRACE_SECONDS, async () => await this.hasBatch(gateway.url))
    await this.measure({ name: 'naive_batch100', label: `naive POST /v1/batch of ${BATCH_SIZE}`, unit: 'records/s' }, http(naive, this.batchMix), { server: naive })
    await this.measure({ name: 'batch100', label: `gateway POST /v1/batch of ${BATCH_SIZE}`, unit: 'records/s' },
      hasBatch === true ? http(gateway, this.batchMix) : undefined, { gateway, note: hasBatch === false ? 'n/a: 404, no endpoint yet' : undefined })
    figures.peakRssMb = gateway?.child.memory()?.peakMb
    await gateway?.child.close()
    await naive?.child.close()

    const uncoalesced = await step('gateway start (COALESCE_GETS=false, COALESCE_BATCHES=false)', STEP_GRACE_SECONDS, async () => await startGateway(address, false, workers))
    await this.measure({ name: 'get_uncoalesced', label: 'gateway GET, scalar bins, COALESCE_GETS=false', unit: 'req/s' },
      http(uncoalesced, this.getMix), { gateway: uncoalesced })
    // What batches gain from sharing the records they read: the same batches, each read alone.
    await this.measure({ name: 'batch100_uncoalesced', label: `gateway POST /v1/batch of ${BATCH_SIZE}, COALESCE_BATCHES=false`, unit: 'records/s' },
      hasBatch === true ? http(uncoalesced, this.batchMix) : undefined, { gateway: uncoalesced })
    figures.peakRssMbUncoalesced = uncoalesced?.child.memory()?.peakMb
  }
}

async function main (): Promise<void> {
  let opts: Options
  try {
    opts = parseOptions()
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`)
    process.exit(2)
  }
  try {
    await new Bench(opts).run()
  } finally {
    await closeAll()
  }
  const summary = summarize(figures)
  mkdirSync(join(RESULTS, '..'), { recursive: true })
  writeFileSync(RESULTS, `${JSON.stringify(summary, null, 2)}\n`)
  process.stdout.write(`${table(figures, summary)}\nresults: ${relative(process.cwd(), RESULTS)}\n`)
  // Exit explicitly: the client's event loop and stray sockets of a failed step
  // must not keep the process alive.
  process.exit(figures.errors.length === 0 ? 0 : 1)
}

void main()
