// `npm run bench [-- --quick] [--connections 64] [--duration 10] [--namespace test] [--workers 1]`:
// the raw client, a bare Fastify route, the naive gateway (bench/naive.ts) and
// the gateway, measured side by side in one run on one machine, so that the
// ratios between them hold even where the absolute figures are noisy. The
// figures the targets compare are measured in short turns (GET and PUT of a
// second, batches of two, the raw client's batchRead among them), each
// target's turn right after the other's, so that the load of the machine's
// other tenants, which changes from one second to the next, falls on all.
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
import { Latencies, type Measurement } from './measure'
import { Child, closeAll } from './processes'
import { rawBatchRead, rawGet } from './raw'
import { Figures, Run, summarize, table } from './report'

const ROOT = join(__dirname, '..')
const RESULTS = join(ROOT, 'bench', 'results', 'latest.json')
// A step that has not finished this long after its runs should have is stuck.
const STEP_GRACE_SECONDS = 90
// The length of a turn of compared runs: on a shared machine the load of
// other tenants changes within seconds (a run's rate moves by half from one
// second to the next), and turns this short put both runs under the same.
// A batch of 100 takes a tenth of a second, and what is in flight when a turn
// ends is not counted: its turns are longer.
const TURN_SECONDS = 1
const BATCH_TURN_SECONDS = 2

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

const figures: Figures = { runs: [], errors: [], meta: {}, rssAfterGetTurns: [] }

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

/** A run that takes turns with others (Bench.alternate). */
interface Turned {
  run: Omit<Run, 'measurement'>
  /** Runs the target for `seconds`, its latencies going to `latencies`; undefined when a step before failed. */
  measure: ((seconds: number, latencies: Latencies) => Promise<Measurement>) | undefined
  /** The process whose CPU time the run takes, when not the bench's own. */
  server?: Server
  /** Whether the server is the gateway, whose memory is reported. */
  gateway?: boolean
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

  /**
   * Runs compared with each other, measured in turns of `turnSeconds`: after
   * a warm-up of each, every run takes a turn in order, until each has had
   * `seconds`. A run's figures are the sums over its turns.
   */
  async alternate (runs: Turned[], label: string, turnSeconds: number): Promise<void> {
    const records = runs.map(({ run }) => {
      const record: Run = { ...run }
      figures.runs.push(record)
      return record
    })
    if (runs.some((r) => r.measure === undefined)) {
      for (const record of records) record.note = 'not run: a step before failed'
      return
    }
    const { seconds, warmupSeconds } = this.opts
    const turns = Math.max(1, Math.round(seconds / turnSeconds))
    await step(label, runs.length * (warmupSeconds + seconds) + STEP_GRACE_SECONDS, async () => {
      const sums = runs.map(() => ({ ok: 0, failed: 0, seconds: 0, cpuSeconds: 0, latencies: new Latencies() }))
      for (const { measure } of runs) await measure?.(warmupSeconds, new Latencies())
      for (let turn = 0; turn < turns; turn++) {
        for (let i = 0; i < runs.length; i++) {
          const { measure, server, gateway } = runs[i]
          const sum = sums[i]
          const cpuBefore = server?.child.cpuSeconds() ?? 0
          const m = await (measure as NonNullable<Turned['measure']>)(seconds / turns, sum.latencies)
          sum.cpuSeconds += (server?.child.cpuSeconds() ?? 0) - cpuBefore
          sum.ok += m.ok
          sum.failed += m.failed
          sum.seconds += m.seconds
          if (gateway === true && runs[i].run.name === 'get') figures.rssAfterGetTurns.push(server?.child.memory()?.rssMb ?? 0)
        }
      }
      for (let i = 0; i < runs.length; i++) {
        const { ok, failed, seconds: measured, cpuSeconds, latencies } = sums[i]
        const record = records[i]
        // A stalled target fails nothing within the run: its requests are still in flight.
        if (ok === 0) throw new Error(`${record.label}: no successful answer in ${seconds} s (${failed} failed)`)
        record.measurement = latencies.measurement(ok, failed, measured)
        const { server, gateway } = runs[i]
        if (server !== undefined) record.cpuUsPerItem = cpuSeconds * 1e6 / ok
        if (gateway === true) record.rssMb = server?.child.memory()?.rssMb
        process.stderr.write(`bench: ${record.label}: ${Math.round(record.measurement.rate)} ${record.unit}, p99 ${record.measurement.p99Ms.toFixed(2)} ms\n`)
      }
    })
  }

  /** A run of HTTP load on a server, to take turns with others. */
  private httpTurn (run: Omit<Run, 'measurement'>, server: Server | undefined, mix: RequestMix, gateway = false): Turned {
    const { connections } = this.opts
    return {
      run,
      server,
      gateway,
      measure: server === undefined ? undefined : async (seconds, latencies) => await runHttp(server.url, mix, { connections, seconds }, latencies)
    }
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
    const workers = this.opts.workers
    let naive: Server | undefined
    let gateway: Server | undefined
    let hasBatch: boolean | undefined
    try {
      await this.measure({ name: 'raw_get', label: 'raw client get', unit: 'ops/s' },
        async (seconds) => await rawGet(client, namespace, { connections, seconds }))
      naive = await step('naive gateway start', STEP_GRACE_SECONDS, async () => await startNaive(address, this.paths.scalar[0]))
      gateway = await step('gateway start', STEP_GRACE_SECONDS, async () => await startGateway(address, true, workers))
      const gatewayUrl = gateway?.url
      const sample = gatewayUrl === undefined ? undefined : await step('gateway GET check', STEP_GRACE_SECONDS, async () => await this.sampleGet(gatewayUrl))
      const bare = sample === undefined ? undefined : await step('bare route start', STEP_GRACE_SECONDS, async () => await startBare(sample))
      await this.measure({ name: 'bare', label: 'bare Fastify route', unit: 'req/s' }, http(bare, this.getMix), { server: bare })
      await bare?.child.close()

      // GETs of both shapes in turns together: list and map against scalar is a
      // target too.
      await this.alternate([
        this.httpTurn({ name: 'naive_get', label: 'naive GET, scalar bins', unit: 'req/s' }, naive, this.getMix),
        this.httpTurn({ name: 'get', label: 'gateway GET, scalar bins', unit: 'req/s' }, gateway, this.getMix, true),
        this.httpTurn({ name: 'naive_get_listmap', label: 'naive GET, list and map bins', unit: 'req/s' }, naive, this.getListMapMix),
        this.httpTurn({ name: 'get_listmap', label: 'gateway GET, list and map bins', unit: 'req/s' }, gateway, this.getListMapMix, true)
      ], 'GET runs', TURN_SECONDS)
      await this.alternate([
        this.httpTurn({ name: 'naive_put', label: 'naive PUT', unit: 'req/s' }, naive, this.putMix),
        this.httpTurn({ name: 'put', label: 'gateway PUT', unit: 'req/s' }, gateway, this.putMix, true)
      ], 'PUT runs', TURN_SECONDS)
      hasBatch = gatewayUrl === undefined ? undefined : await step('batch endpoint check', STEP_GRACE_SECONDS, async () => await this.hasBatch(gatewayUrl))
      const raw: Turned = {
        run: { name: 'raw_batch100', label: `raw client batchRead of ${BATCH_SIZE}`, unit: 'records/s' },
        measure: async (seconds, latencies) => await rawBatchRead(client, namespace, this.batches, { connections, seconds }, latencies)
      }
      const naiveBatch = this.httpTurn({ name: 'naive_batch100', label: `naive POST /v1/batch of ${BATCH_SIZE}`, unit: 'records/s' }, naive, this.batchMix)
      const batch = this.httpTurn({ name: 'batch100', label: `gateway POST /v1/batch of ${BATCH_SIZE}`, unit: 'records/s' }, gateway, this.batchMix, true)
      if (hasBatch === false) {
        await this.alternate([raw, naiveBatch], 'batch runs', BATCH_TURN_SECONDS)
        figures.runs.push({ ...batch.run, note: 'n/a: 404, no endpoint yet' })
      } else {
        await this.alternate([raw, naiveBatch, hasBatch === true ? batch : { ...batch, measure: undefined }], 'batch runs', BATCH_TURN_SECONDS)
      }
    } finally {
      await client.close()
    }
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
