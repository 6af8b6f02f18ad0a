import t from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import Aerospike from 'aerospike'
import { connectCode, TEST_CLIENT_POLICIES } from '../helpers/embedded'

const ROOT = join(__dirname, '..', '..')
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx')

function run (args: string[]): { proc: ReturnType<typeof spawn>, output: Promise<string>, firstLine: Promise<string> } {
  const proc = spawn(TSX, ['src/embedded/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const firstLine = new Promise<string>((resolve) => {
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('\n')) resolve(out.split('\n')[0])
    })
  })
  proc.stderr?.on('data', (c: Buffer) => { out += c.toString() })
  const output = new Promise<string>((resolve) => proc.on('exit', () => resolve(out)))
  return { proc, output, firstLine }
}

t.test('standalone: listens, serves the namespaces asked for, stops on SIGTERM', async (t) => {
  const { proc, output, firstLine } = run(['--port', '0', '--namespace', 'alpha', '--namespace', 'beta'])
  const line = await firstLine
  t.match(line, /listening on 127\.0\.0\.1:\d+ \(namespaces: alpha, beta; data in memory only\)/)
  const port = /:(\d+) /.exec(line)?.[1]
  const client = await Aerospike.connect({ hosts: `127.0.0.1:${port}`, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  const key = new Aerospike.Key('beta', 's', 1)
  await client.put(key, { v: 'x' })
  t.same((await client.get(key)).bins, { v: 'x' })
  await client.close()
  proc.kill('SIGTERM')
  await output
  t.equal(proc.exitCode, 0)
})

t.test('bad arguments exit 2 with a message', async (t) => {
  const bad = run(['--port', 'nope'])
  t.match(await bad.output, /--port must be an integer/)
  t.equal(bad.proc.exitCode, 2)
  const unknown = run(['--frobnicate'])
  t.match(await unknown.output, /usage: embedded/)
  t.equal(unknown.proc.exitCode, 2)
})

t.test('--security: needs --enterprise; then only a login gets in', async (t) => {
  const bad = run(['--port', '0', '--security'])
  t.match(await bad.output, /security needs edition 'enterprise'/)
  t.equal(bad.proc.exitCode, 2)
  const badTtl = run(['--port', '0', '--enterprise', '--security', '--session-ttl', 'soon'])
  t.match(await badTtl.output, /sessionTtl must be a positive whole number/)
  t.equal(badTtl.proc.exitCode, 2)

  const { proc, output, firstLine } = run(['--port', '0', '--enterprise', '--security'])
  const line = await firstLine
  t.match(line, /security on, first login admin\/admin/)
  const hosts = `127.0.0.1:${/:(\d+) /.exec(line)?.[1] ?? ''}`
  const client = await Aerospike.connect({ hosts, user: 'admin', password: 'admin', log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
  t.same((await client.queryUser('admin', null)).roles, ['user-admin'])
  await client.close()
  t.equal(await connectCode({ hosts }), Aerospike.status.NOT_AUTHENTICATED)
  proc.kill('SIGTERM')
  await output
  t.equal(proc.exitCode, 0)
})
