// EMBEDDED_SECURITY=true: the gateway starts the embedded server as
// Enterprise with security on, and logs in with AEROSPIKE_USER and
// AEROSPIKE_PASSWORD as it would to a real cluster.

import { spawn } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import Aerospike from 'aerospike'
import { unusedPort } from '../helpers/gateway'
import { ConfigError, embeddedServerOptions, loadConfig } from '../../src/config'

const ROOT = join(__dirname, '..', '..')
const READY_MS = 90_000

interface LogLine { msg?: string, aerospikeHosts?: string, security?: boolean }

t.test('the setting', async (t) => {
  t.same(embeddedServerOptions(loadConfig({ EMBEDDED_SECURITY: 'true' })), { port: 0, edition: 'enterprise', security: true })
  t.same(embeddedServerOptions(loadConfig({})), { port: 0 })
  t.throws(() => loadConfig({ EMBEDDED_SECURITY: 'true', AEROSPIKE_HOSTS: 'a:3000' }), ConfigError)
  t.throws(() => loadConfig({ EMBEDDED_SECURITY: 'on' }), /EMBEDDED_SECURITY must be true or false/)
})

t.test('the gateway logs in to its secured embedded server; roles decide what it may do', async (t) => {
  const port = await unusedPort()
  const proc = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      AEROSPIKE_HOSTS: '',
      EMBEDDED_SECURITY: 'true',
      AEROSPIKE_USER: 'admin',
      AEROSPIKE_PASSWORD: 'admin'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  t.teardown(() => { if (proc.exitCode === null) proc.kill('SIGTERM') })
  const lines: LogLine[] = []
  let partial = ''
  let stderr = ''
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const all = (partial + chunk).split('\n')
    partial = all.pop() ?? ''
    for (const line of all) {
      try { lines.push(JSON.parse(line) as LogLine) } catch {}
    }
  })
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const deadline = Date.now() + READY_MS
  while (!lines.some((l) => l.msg?.startsWith('Server listening') === true)) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`the gateway did not listen; stderr: ${stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const started = lines.find((l) => l.aerospikeHosts !== undefined)
  t.equal(started?.security, true)
  const base = `http://127.0.0.1:${port}`
  const url = `${base}/v1/kvs/test/gwsec/k1`
  const put = async (): Promise<Response> => await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })

  // admin holds user-admin only: logged in, but no data.
  const refused = await put()
  t.equal(refused.status, 403)
  t.match(await refused.json(), { code: 81 })

  const direct = await Aerospike.connect({
    hosts: started?.aerospikeHosts,
    user: 'admin',
    password: 'admin',
    log: { level: Aerospike.log.OFF }
  } as Parameters<typeof Aerospike.connect>[0])
  await direct.grantRoles('admin', ['read-write'])
  await direct.close()

  t.equal((await put()).status, 204, 'the roles granted apply to the connections already open')
  const got = await fetch(url)
  t.equal(got.status, 200)
  t.match(await got.json(), { bins: { a: 1 } })
  proc.kill('SIGTERM')
  t.equal(await exited, 0)
})
