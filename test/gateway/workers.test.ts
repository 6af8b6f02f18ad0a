// WORKERS=2: two gateway processes on one port, in front of the one embedded
// server the primary starts. Requests spread over both, answer as with one
// process, and SIGTERM lets those in flight finish before everything exits.

import { spawn } from 'node:child_process'
import { request } from 'node:http'
import { join } from 'node:path'
import t from 'tap'
import { unusedPort } from '../helpers/gateway'
import { share, workerEnv } from '../../src/cluster'
import { ConfigError, loadConfig } from '../../src/config'

const ROOT = join(__dirname, '..', '..')
const READY_MS = 90_000

interface LogLine { pid?: number, msg?: string, url?: string, status?: number }

t.test('shares: each limit divided among the workers, the totals unchanged', async (t) => {
  t.same([0, 1, 2].map((i) => share(100, 3, i)), [34, 33, 33])
  t.same([0, 1, 2].map((i) => share(2, 3, i)), [1, 1, 0])
  const config = loadConfig({ WORKERS: '3', AEROSPIKE_MAX_CONNS_PER_NODE: '100', AEROSPIKE_MAX_COMMANDS_IN_QUEUE: '1000' })
  const envs = [0, 1, 2].map((i) => workerEnv(config, 'h:3000', i))
  const total = (name: string): number => envs.reduce((sum, env) => sum + Number(env[name]), 0)
  t.equal(total('AEROSPIKE_MAX_CONNS_PER_NODE'), 100)
  t.equal(total('AEROSPIKE_MAX_COMMANDS_IN_PROCESS'), 100)
  t.equal(total('AEROSPIKE_MAX_COMMANDS_IN_QUEUE'), 1000)
  t.same(envs.map((env) => env.WORKERS), ['1', '1', '1'])
  t.equal(envs[0].AEROSPIKE_HOSTS, 'h:3000')
  t.throws(() => workerEnv(loadConfig({ WORKERS: '4', AEROSPIKE_MAX_CONNS_PER_NODE: '3' }), 'h', 0), ConfigError)
  t.throws(() => workerEnv(loadConfig({ WORKERS: '3', AEROSPIKE_MAX_COMMANDS_IN_PROCESS: '12' }), 'h', 0), ConfigError, 'each worker needs 5 commands in process')
  t.ok(loadConfig({ WORKERS: 'auto' }).workers >= 1)
  t.throws(() => loadConfig({ WORKERS: '0' }), ConfigError)
})

t.test('WORKERS=2: requests spread over both workers, the same answers, a graceful stop', async (t) => {
  const port = await unusedPort()
  // tsx passes signals on to the primary it starts, whose workers it starts too.
  const proc = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, WORKERS: '2', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', AEROSPIKE_HOSTS: '', AEROSPIKE_READ_TOTAL_TIMEOUT: '30000' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  // SIGTERM, which tsx passes on: a SIGKILL would leave the primary and its workers running.
  t.teardown(() => { if (proc.exitCode === null) proc.kill('SIGTERM') })
  const lines: LogLine[] = []
  let output = ''
  let partial = ''
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const all = (partial + chunk).split('\n')
    partial = all.pop() ?? ''
    for (const line of all) {
      try { lines.push(JSON.parse(line) as LogLine) } catch {}
    }
  })
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })

  const deadline = Date.now() + READY_MS
  while (lines.filter((l) => l.msg?.startsWith('Server listening') === true).length < 2) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`the workers did not both listen; stderr: ${output}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const base = `http://127.0.0.1:${port}`
  const body = '{"s":"v","d":2.5,"l":[1,2.0,"x"],"m":{"k":[true,null]}}'
  const put = await fetch(`${base}/v1/kvs/test/workers/k1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body })
  t.equal(put.status, 204)

  // New connections each time, which the primary hands out in turn.
  const get = async (): Promise<{ status: number, body: string }> => {
    const res = await fetch(`${base}/v1/kvs/test/workers/k1`, { headers: { connection: 'close' } })
    return { status: res.status, body: await res.text() }
  }
  const answers = await Promise.all(Array.from({ length: 20 }, get))
  t.same(new Set(answers.map((a) => a.status)), new Set([200]))
  t.same(new Set(answers.map((a) => a.body)), new Set([`{"bins":${body},"generation":1,"ttl":-1}`]), 'every worker reads what one of them wrote')
  await new Promise((resolve) => setTimeout(resolve, 200))
  const pids = new Set(lines.filter((l) => l.url === '/v1/kvs/test/workers/k1').map((l) => l.pid))
  t.equal(pids.size, 2, 'both workers answered')

  // A batch of 5,000 writes is in flight when SIGTERM comes: it completes.
  // On a connection of its own, so that no idle keep-alive connection the
  // worker closes on SIGTERM is reused for it.
  const items = Array.from({ length: 5000 }, (_, i) => ({ type: 'WRITE', key: { namespace: 'test', setName: 'workers', userKey: `b${i}` }, bins: { i } }))
  const payload = JSON.stringify(items)
  const answer = new Promise<{ status: number | undefined, body: string }>((resolve, reject) => {
    const req = request(`${base}/v1/batch`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => { text += c }).on('end', () => resolve({ status: res.statusCode, body: text }))
    })
    req.on('error', reject)
    req.end(payload, () => setTimeout(() => proc.kill('SIGTERM'), 200))
  })
  const res = await answer
  t.equal(res.status, 200, 'the request in flight was answered')
  const rows = (JSON.parse(res.body) as { batchRecords: Array<{ resultCode: number }> }).batchRecords
  t.equal(rows.filter((r) => r.resultCode === 0).length, 5000)
  t.equal(await exited, 0, 'the primary exits 0 once the workers have closed')
  await t.rejects(fetch(`${base}/health/live`), 'nothing listens any more')
})
