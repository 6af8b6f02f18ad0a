import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import t from 'tap'
import app, { options } from '../../src/app'
import { hashSecret } from '../../src/auth/keys'
import { loadConfig } from '../../src/config'
import { startEmbeddedServer } from '../../src/embedded/index'
import { listen, tempDir, writeFile } from '../helpers/http'

const SECRETS = {
  all: 'secret-all-0123456789',
  ro: 'secret-ro-0123456789',
  wo: 'secret-wo-0123456789',
  a: 'secret-a-0123456789',
  orders: 'secret-orders-0123456789',
  admin: 'secret-admin-0123456789',
  later: 'secret-later-0123456789'
}

function keyFile (ids: Array<keyof typeof SECRETS>): string {
  const scopes: Record<string, string> = {
    all: '[{ namespaces: "*", permissions: [read, write, admin] }]',
    ro: '[{ permissions: [read] }]',
    wo: '[{ permissions: [write] }]',
    a: '[{ namespaces: [a], permissions: [read, write] }]',
    orders: '[{ namespaces: [a], sets: ["orders*"], permissions: [read, write] }]',
    admin: '[{ namespaces: [a], permissions: [admin] }]',
    later: '[{ permissions: [read] }]'
  }
  return 'keys:\n' + ids.map((id) => `  - id: ${id}\n    hash: ${hashSecret(SECRETS[id])}\n    scopes: ${scopes[id]}\n`).join('')
}

interface Gw { url: string, call: (method: string, path: string, key?: string, body?: unknown, header?: 'bearer' | 'x-api-key') => Promise<{ status: number, json: any, headers: Headers }> }

async function gateway (t: { teardown: (fn: () => unknown) => void }, keysFile: string, extra?: (app: ReturnType<typeof Fastify>) => void): Promise<Gw> {
  const embedded = await startEmbeddedServer({ port: 0, namespaces: ['a', 'b'] })
  t.teardown(() => embedded.close())
  const config = { ...loadConfig({ API_KEYS_FILE: keysFile }), aerospikeHosts: embedded.address }
  const server = Fastify(options(config))
  await server.register(fp(app), { config })
  extra?.(server)
  t.teardown(() => server.close())
  const url = await listen(server)
  return {
    url,
    call: async (method, path, key, body, header = 'bearer') => {
      const headers: Record<string, string> = {}
      if (key !== undefined) {
        if (header === 'bearer') headers.authorization = `Bearer ${key}`
        else headers['x-api-key'] = key
      }
      if (body !== undefined) headers['content-type'] = 'application/json'
      const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await res.text()
      return { status: res.status, json: text === '' ? undefined : JSON.parse(text), headers: res.headers }
    }
  }
}

t.test('no key is 401, an unknown key is 401, both with a problem body and a challenge', async (t) => {
  const gw = await gateway(t, writeFile(tempDir(t), 'keys.yaml', keyFile(['all'])))
  const none = await gw.call('GET', '/v1/kvs/a/s/k')
  t.equal(none.status, 401)
  t.equal(none.json.code, 9401)
  t.equal(none.json.constant, 'AEROGATE_UNAUTHENTICATED')
  t.equal(none.json.type, '/v1/errors#9401')
  t.match(none.json.detail, /Authorization: Bearer/)
  t.equal(none.headers.get('www-authenticate'), 'Bearer realm="aerogate"')
  t.equal(none.headers.get('content-type'), 'application/problem+json; charset=utf-8')
  const unknown = await gw.call('GET', '/v1/kvs/a/s/k', 'not-a-key')
  t.equal(unknown.status, 401)
  t.match(unknown.json.detail, /not known/)
  const basic = await fetch(`${gw.url}/v1/kvs/a/s/k`, { headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } })
  t.equal(basic.status, 401, 'a Basic header is no API key')
  t.equal((await gw.call('GET', '/v1/kvs/a/s/k', SECRETS.all)).status, 404, 'a known key reaches the record')
  t.equal((await gw.call('GET', '/v1/kvs/a/s/k', SECRETS.all, undefined, 'x-api-key')).status, 404, 'X-API-Key works too')
  const catalogue = await gw.call('GET', '/v1/errors')
  t.ok(catalogue.json.some((e: { code: number, status: number }) => e.code === 9403 && e.status === 403), 'the catalogue has the 403 entry')
})

t.test('scopes: permissions, namespaces and sets', async (t) => {
  const gw = await gateway(t, writeFile(tempDir(t), 'keys.yaml', keyFile(['all', 'ro', 'wo', 'a', 'orders'])))
  t.equal((await gw.call('PUT', '/v1/kvs/a/s/k', SECRETS.all, { x: 1 })).status, 204)

  t.equal((await gw.call('GET', '/v1/kvs/a/s/k', SECRETS.ro)).status, 200, 'read-only key reads')
  t.equal((await gw.call('HEAD', '/v1/kvs/a/s/k', SECRETS.ro)).status, 200)
  const roWrite = await gw.call('PUT', '/v1/kvs/a/s/k', SECRETS.ro, { x: 2 })
  t.equal(roWrite.status, 403, 'read-only key writing')
  t.equal(roWrite.json.code, 9403)
  t.match(roWrite.json.detail, /no write permission on namespace "a", set "s" \(key id "ro"\)/)
  for (const method of ['POST', 'PATCH', 'DELETE']) {
    t.equal((await gw.call(method, '/v1/kvs/a/s/k', SECRETS.ro, method === 'DELETE' ? undefined : { x: 2 })).status, 403, `read-only ${method}`)
  }
  t.equal((await gw.call('GET', '/v1/kvs/a/s/k', SECRETS.wo)).status, 403, 'write-only key reading')
  t.equal((await gw.call('PATCH', '/v1/kvs/a/s/k', SECRETS.wo, { y: 1 })).status, 204, 'write-only key writing')

  t.equal((await gw.call('PUT', '/v1/kvs/a/s/k2', SECRETS.a, { x: 1 })).status, 204, 'key of namespace a writes a')
  t.equal((await gw.call('GET', '/v1/kvs/a/s/k2', SECRETS.a)).status, 200)
  const other = await gw.call('GET', '/v1/kvs/b/s/k', SECRETS.a)
  t.equal(other.status, 403, 'key of namespace a reading b')
  t.match(other.json.detail, /namespace "b"/)

  t.equal((await gw.call('PUT', '/v1/kvs/a/orders-2024/k', SECRETS.orders, { x: 1 })).status, 204, 'set wildcard')
  t.equal((await gw.call('PUT', '/v1/kvs/a/users/k', SECRETS.orders, { x: 1 })).status, 403, 'set outside the wildcard')
  t.equal((await gw.call('PUT', '/v1/kvs/a/k', SECRETS.orders, { x: 1 })).status, 403, 'a record in no set is outside "orders*"')
  t.equal((await gw.call('PUT', '/v1/kvs/a/k', SECRETS.a, { x: 1 })).status, 204, 'a record in no set is inside "*"')

  const readOps = { opsList: [{ type: 'READ', binName: 'x' }] }
  const writeOps = { opsList: [{ type: 'PUT', binName: 'x', value: 3 }] }
  t.equal((await gw.call('POST', '/v1/operate/a/s/k', SECRETS.ro, readOps)).status, 200, 'operate that only reads needs read')
  t.equal((await gw.call('POST', '/v1/operate/a/s/k', SECRETS.ro, writeOps)).status, 403, 'operate that writes needs write')
  t.equal((await gw.call('POST', '/v2/operate/b/s/k', SECRETS.a, readOps)).status, 403, 'operate outside the namespace')

  t.equal((await gw.call('GET', '/v1/cluster', SECRETS.ro)).status, 200, 'a key of every namespace sees the cluster')
  t.equal((await gw.call('GET', '/v1/cluster', SECRETS.a)).status, 403, 'a key of one namespace does not')
  t.equal((await gw.call('GET', '/health/ready')).status, 200, 'health needs no key')
  t.equal((await gw.call('GET', '/v1/errors')).status, 200, 'the catalogue needs no key')
  const doc = await (await fetch(`${gw.url}/docs/json`)).json() as { components: { securitySchemes: Record<string, { type: string }> }, paths: Record<string, Record<string, { security: unknown[], responses: Record<string, unknown> }>> }
  t.same(Object.keys(doc.components.securitySchemes), ['apiKey', 'bearer', 'basic'], 'the OpenAPI document needs no key and declares the schemes')
  const get = doc.paths['/v1/kvs/{namespace}/{set}/{key}'].get
  t.same(get.security, [{ apiKey: [] }, { bearer: [] }, { basic: [] }, { apiKey: [], basic: [] }], 'a key, an Aerospike user (passthrough), or both')
  t.same(doc.paths['/metrics'].get.security, [{ apiKey: [] }, { bearer: [] }], 'no Aerospike user outside the API')
  t.ok(get.responses['401'] !== undefined && get.responses['403'] !== undefined, 'a protected operation documents 401 and 403')
  t.same(doc.paths['/v1/errors'].get.security, [], 'a public one needs nothing')
  t.same(doc.paths['/health/ready'].get.security, [])
})

t.test('a batch touching a namespace outside the scope is refused whole', async (t) => {
  const gw = await gateway(t, writeFile(tempDir(t), 'keys.yaml', keyFile(['all', 'a', 'ro'])))
  const items = [
    { type: 'WRITE', key: { namespace: 'a', setName: 's', userKey: 'bk' }, bins: { v: 1 } },
    { type: 'READ', key: { namespace: 'b', setName: 's', userKey: 'bk' }, readAllBins: true }
  ]
  const refused = await gw.call('POST', '/v1/batch', SECRETS.a, items)
  t.equal(refused.status, 403)
  t.match(refused.json.detail, /^batchRecords\[1\]: the API key has no read permission on namespace "b"/)
  t.equal((await gw.call('GET', '/v1/kvs/a/s/bk', SECRETS.all)).status, 404, 'no item ran')

  const writes = await gw.call('POST', '/v1/batch', SECRETS.ro, { batchRecords: [items[1], items[0]] })
  t.equal(writes.status, 403, 'a read-only key with a WRITE item')
  t.match(writes.json.detail, /^batchRecords\[1\]: the API key has no write permission/)

  const ok = await gw.call('POST', '/v1/batch', SECRETS.a, [items[0]])
  t.equal(ok.status, 200)
  t.equal(ok.json.batchRecords[0].resultCode, 0)
  t.equal((await gw.call('POST', '/v1/batch', SECRETS.ro, [{ ...items[1], key: items[0].key }])).status, 200, 'reads with a read key')
})

t.test('routes declare their permission; an undeclared route under /v1 is closed', async (t) => {
  const gw = await gateway(t, writeFile(tempDir(t), 'keys.yaml', keyFile(['all', 'a', 'admin'])), (server) => {
    server.get('/v1/future', async () => ({ ok: true }))
    server.post('/v1/indexes/:namespace', { config: { permission: 'admin' } }, async () => ({ ok: true }))
    server.get('/v1/info', { config: { permission: 'admin' } }, async () => ({ ok: true }))
  })
  const undeclared = await gw.call('GET', '/v1/future', SECRETS.all)
  t.equal(undeclared.status, 403)
  t.match(undeclared.json.detail, /declares no permission/)
  t.equal((await gw.call('GET', '/v1/future')).status, 401)
  t.equal((await gw.call('POST', '/v1/indexes/a', SECRETS.admin)).status, 200, 'admin of namespace a')
  t.equal((await gw.call('POST', '/v1/indexes/b', SECRETS.admin)).status, 403, 'admin of a on b')
  t.equal((await gw.call('POST', '/v1/indexes/a', SECRETS.a)).status, 403, 'read-write is not admin')
  t.equal((await gw.call('GET', '/v1/info', SECRETS.all)).status, 200, 'global admin')
  t.equal((await gw.call('GET', '/v1/info', SECRETS.admin)).status, 403, 'a namespace admin is not a cluster admin')
})

t.test('the key file is reloaded when it changes, without dropping requests', async (t) => {
  const dir = tempDir(t)
  const file = writeFile(dir, 'keys.json', JSON.stringify({ keys: [{ id: 'ro', hash: hashSecret(SECRETS.ro), scopes: [{ permissions: ['read'] }] }] }))
  const gw = await gateway(t, file)
  t.equal((await gw.call('GET', '/v1/kvs/a/s/k', SECRETS.later)).status, 401)
  let stop = false
  const statuses: number[] = []
  const load = (async () => {
    while (!stop) statuses.push((await gw.call('GET', '/v1/kvs/a/s/k', SECRETS.ro)).status)
  })()
  const both = { keys: [{ id: 'ro', hash: hashSecret(SECRETS.ro), scopes: [{ permissions: ['read'] }] }, { id: 'later', hash: hashSecret(SECRETS.later), scopes: [{ permissions: ['read'] }] }] }
  for (let i = 0; i < 5; i++) {
    writeFileSync(`${file}.tmp`, JSON.stringify(both))
    // As config managers do: a new file renamed over the old one.
    await import('node:fs/promises').then(async (fs) => await fs.rename(`${file}.tmp`, file))
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  let status = 0
  for (let i = 0; i < 40 && status !== 404; i++) {
    status = (await gw.call('GET', '/v1/kvs/a/s/k', SECRETS.later)).status
    if (status !== 404) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.equal(status, 404, 'the new key works')
  writeFileSync(file, '{ "keys": [ broken')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal((await gw.call('GET', '/v1/kvs/a/s/k', SECRETS.later)).status, 404, 'a broken file leaves the keys in force')
  stop = true
  await load
  t.ok(statuses.length > 10, `requests ran during the reloads (${statuses.length})`)
  t.same([...new Set(statuses)], [404], 'every request during the reloads was served')
})

t.test('the key file is reloaded on SIGHUP', async (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'real'))
  const real = writeFile(join(dir, 'real'), 'keys.yaml', keyFile(['ro']))
  mkdirSync(join(dir, 'conf'))
  // The gateway watches conf/, so a change to real/ reaches it only by signal.
  symlinkSync(real, join(dir, 'conf', 'keys.yaml'))
  const gw = await gateway(t, join(dir, 'conf', 'keys.yaml'))
  writeFileSync(real, keyFile(['ro', 'later']))
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal((await gw.call('GET', '/v1/kvs/a/s/k', SECRETS.later)).status, 401, 'not yet reloaded')
  process.kill(process.pid, 'SIGHUP')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal((await gw.call('GET', '/v1/kvs/a/s/k', SECRETS.later)).status, 404, 'reloaded')
})

t.test('a bad key file stops the start with a message naming what is wrong', async (t) => {
  const dir = tempDir(t)
  const build = async (text: string): Promise<unknown> => {
    const config = { ...loadConfig({ API_KEYS_FILE: writeFile(dir, 'k.yaml', text) }), aerospikeHosts: '127.0.0.1:1' }
    const server = Fastify(options(config))
    t.teardown(() => server.close())
    return await server.register(fp(app), { config }).ready()
  }
  await t.rejects(build('keys:\n  - id: x\n    hash: plain\n    scopes: [{ permissions: [read] }]\n'), /keys\[0\]\.hash must be "sha256:"/)
  await t.rejects(build(`keys:\n  - id: x\n    hash: ${hashSecret('s')}\n    scopes: [{ permissions: [delete] }]\n`), /"delete" is not one of read, write, admin, metrics/)
  await t.rejects(build('nothing: here\n'), /holds \{"keys": \[\.\.\.\]\}/)
})

t.test('without a key file the gateway warns when it listens beyond loopback', async (t) => {
  const warnings = async (host: string): Promise<string[]> => {
    const lines: string[] = []
    const stream = { write: (line: string) => { lines.push(line) } }
    const config = { ...loadConfig({ HOST: host }), aerospikeHosts: '127.0.0.1:1' }
    const server = Fastify(options(config, { level: 'warn', stream }))
    await server.register(fp(app), { config })
    await server.ready()
    await server.close()
    return lines.map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => m.includes('API_KEYS_FILE'))
  }
  t.equal((await warnings('0.0.0.0')).length, 1, 'open to the network')
  t.same(await warnings('127.0.0.1'), [], 'loopback only')
})

t.test('scans, queries, indexes, truncate, info and background operations: their scopes', async (t) => {
  const gw = await gateway(t, writeFile(tempDir(t), 'keys.yaml', keyFile(['all', 'ro', 'wo', 'a', 'admin'])))
  t.equal((await gw.call('PUT', '/v1/kvs/a/s/k', SECRETS.all, { x: 1 })).status, 204)
  const ops = { opsList: [{ type: 'PUT', binName: 'y', value: 1 }] }
  const index = { namespace: 'a', set: 's', name: 'sx', bin: 'x', type: 'NUMERIC' }
  const routes: Array<[string, string, unknown?]> = [
    ['GET', '/v1/scan/a/s'], ['GET', '/v1/scan/a'], ['POST', '/v1/query/a/s', {}], ['POST', '/v1/query/a/0/4096', {}],
    ['POST', '/v2/execute/scan/a/s', ops], ['POST', '/v1/execute/scan/a', ops.opsList], ['POST', '/v1/index', index],
    ['DELETE', '/v1/index/a/sx'], ['DELETE', '/v1/truncate/a/s'], ['POST', '/v1/info', ['build']]
  ]
  for (const [method, path, body] of routes) {
    const res = await gw.call(method, path, undefined, body)
    t.equal(res.status, 401, `${method} ${path} without a key`)
    t.equal(res.json.code, 9401)
  }

  // Scans and queries need read on the namespace.
  for (const [method, path, body] of routes.slice(0, 4)) {
    t.equal((await gw.call(method, path, SECRETS.ro, body)).status, 200, `${method} ${path}: a read key`)
    t.equal((await gw.call(method, path, SECRETS.a, body)).status, 200, `${method} ${path}: a key of namespace a`)
    t.equal((await gw.call(method, path, SECRETS.wo, body)).status, 403, `${method} ${path}: a write-only key`)
    const other = await gw.call(method, path.replace('/a', '/b'), SECRETS.a, body)
    t.equal(other.status, 403, `${method} ${path.replace('/a', '/b')}: a key of namespace a`)
    t.equal(other.json.code, 9403)
    t.match(other.json.detail, /no read permission on namespace "b"/)
  }
  const filtered = await gw.call('GET', `/v1/scan/b/s?filterexp=${encodeURIComponent('{"==": [{"bin": "x"}, 1]}')}`, SECRETS.a)
  t.equal(filtered.status, 403, 'a filter changes nothing to the scope')

  // Background operations need write on the namespace.
  for (const [method, path, body] of routes.slice(4, 6)) {
    t.equal((await gw.call(method, path, SECRETS.ro, body)).status, 403, `${method} ${path}: a read key`)
    t.equal((await gw.call(method, path, SECRETS.a, body)).status, 200, `${method} ${path}: a read-write key of namespace a`)
    const other = await gw.call(method, path.replace('/a', '/b'), SECRETS.a, body)
    t.equal(other.status, 403, `${method} ${path.replace('/a', '/b')}: a key of namespace a`)
    t.match(other.json.detail, /no write permission on namespace "b"/)
  }

  // Indexes, truncate and info need admin: a read-write key is refused.
  for (const [method, path, body] of routes.slice(6)) {
    for (const id of ['a', 'ro', 'wo'] as const) {
      const res = await gw.call(method, path, SECRETS[id], body)
      t.equal(res.status, 403, `${method} ${path}: key ${id}`)
      t.match(res.json.detail, /no admin permission/)
    }
  }
  t.equal((await gw.call('POST', '/v1/index?wait=true', SECRETS.admin, index)).status, 201, 'an admin of a creates an index on a')
  t.equal((await gw.call('POST', '/v1/index', SECRETS.admin, { ...index, namespace: 'b' })).status, 403, 'not on b')
  t.equal((await gw.call('DELETE', '/v1/index/b/sx', SECRETS.admin)).status, 403)
  t.equal((await gw.call('DELETE', '/v1/index/a/sx', SECRETS.admin)).status, 204, 'and drops it')
  t.equal((await gw.call('DELETE', '/v1/truncate/b', SECRETS.admin)).status, 403)
  t.equal((await gw.call('DELETE', '/v1/truncate/a/s', SECRETS.admin)).status, 202, 'an admin of a truncates a set of a')
  t.equal((await gw.call('POST', '/v1/info', SECRETS.admin, ['build'])).status, 403, 'info is the cluster\'s: a namespace admin is refused')
  t.equal((await gw.call('POST', '/v1/info', SECRETS.all, ['build'])).status, 200, 'a global admin sends info commands')
})
