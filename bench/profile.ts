// `npm run profile -- <get|getlm|put|batch> [seconds] [--naive] [--no-prof] [--server]`:
// one path of the bench under load, with the gateway (or the naive peer), or
// with --server the embedded server, run with --cpu-prof; prints the top
// self-time functions. For finding costs, not for
// figures: the bench measures.
import Aerospike from 'aerospike'
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unusedPort } from '../test/helpers/gateway'
import { BATCH_SIZE, batchIndexes, bins, randomIndex, readKey, seed, SET, writeKey } from './dataset'
import { runHttp, RequestMix } from './http'
import { Child, closeAll } from './processes'

interface Node { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }

function top (file: string, n = 40): string {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[], samples: number[], timeDeltas: number[] }
  const self = new Map<number, number>()
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)))
  const byFn = new Map<string, number>()
  let total = 0
  for (const node of prof.nodes) {
    const t = self.get(node.id) ?? 0
    total += t
    const f = node.callFrame
    const name = `${f.functionName || '(anon)'} ${f.url.replace(/.*node_modules\//, '~/').replace(/.*\/main\//, '')}:${f.lineNumber + 1}`
    byFn.set(name, (byFn.get(name) ?? 0) + t)
  }
  return [...byFn].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}% ${k}`).join('\n')
}

async function main (): Promise<void> {
  const [mode = 'get', secs = '10'] = process.argv.slice(2)
  const naive = process.argv.includes('--naive')
  const onServer = process.argv.includes('--server')
  const profile = !process.argv.includes('--no-prof') && !onServer
  const dir = mkdtempSync(join(tmpdir(), 'prof-'))
  const serverProf = onServer ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []
  const embedded = new Child('embedded', [...serverProf, join(__dirname, '..', 'dist', 'src', 'embedded', 'cli.js'), '--port', '0'], {})
  const hosts = (await embedded.waitForLine(/listening on (\S+:\d+)/))[1]
  const client = await Aerospike.connect({ hosts, log: { level: Aerospike.log.OFF } })
  await seed(client, 'test', 64)
  await client.close()
  const port = await unusedPort()
  const prof = profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []
  const args = naive ? ['--require', 'tsx/cjs', ...prof, join(__dirname, 'naive.ts')] : [...(process.env.GW_FLAGS ?? '--max-semi-space-size=16 --heap-growing-percent=10').split(' '), ...prof, join(__dirname, '..', 'dist', 'src', 'server.js')]
  const gw = new Child('gw', args, { AEROSPIKE_HOSTS: hosts, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' })
  const url = `http://127.0.0.1:${port}`
  await gw.waitForHttp(`${url}/v1/kvs/test/${SET}/${readKey(0)}`)
  const path = (k: string): string => `/v1/kvs/test/${SET}/${k}`
  const batches = batchIndexes().map((ix) => JSON.stringify(ix.map((i) => ({ type: 'READ', key: { namespace: 'test', setName: SET, userKey: readKey(i) }, readAllBins: true }))))
  const mixes: Record<string, RequestMix> = {
    get: { method: 'GET', request: () => ({ path: path(readKey(randomIndex())) }) },
    getlm: { method: 'GET', request: () => ({ path: path(readKey(randomIndex(), 'listmap')) }) },
    put: { method: 'PUT', request: () => { const i = randomIndex(); return { path: path(writeKey(i)), body: JSON.stringify(bins(i)) } } },
    batch: { method: 'POST', request: () => ({ path: '/v1/batch', body: batches[Math.floor(Math.random() * batches.length)] }), itemsPerRequest: BATCH_SIZE }
  }
  await runHttp(url, mixes[mode], { connections: 64, seconds: 2 })
  const cpu0 = gw.cpuSeconds() ?? 0
  const server0 = embedded.cpuSeconds() ?? 0
  const m = await runHttp(url, mixes[mode], { connections: 64, seconds: Number(secs) })
  const cpu = (gw.cpuSeconds() ?? 0) - cpu0
  const serverCpu = (embedded.cpuSeconds() ?? 0) - server0
  if (!naive) {
    const metrics = await (await fetch(`${url}/metrics`)).text()
    process.stdout.write(metrics.split('\n').filter((l) => /^(nodejs_heap_size|nodejs_external|process_resident|aerogate_coalesced_batch_size_(sum|count))/.test(l)).join('\n') + '\n')
  }
  const items = mixes[mode].itemsPerRequest ?? 1
  process.stdout.write(`${mode}${naive ? ' naive' : ''}: ${m.rate.toFixed(0)}/s ok ${m.ok} failed ${m.failed} cpu ${(1e6 * cpu / m.ok * items).toFixed(1)} us/request (server ${(1e6 * serverCpu / m.ok * items).toFixed(1)}) peak ${gw.memory()?.peakMb ?? '?'} MB\n`)
  gw.process.kill('SIGTERM')
  await new Promise((r) => gw.process.once('exit', r))
  if (onServer) {
    embedded.process.kill('SIGTERM')
    await new Promise((r) => embedded.process.once('exit', r))
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file !== undefined) process.stdout.write(top(join(dir, file)) + `\nprofile: ${join(dir, file)}\n`)
  await closeAll()
  process.exit(0)
}
main().catch((err) => { console.error(err); process.exit(1) })
