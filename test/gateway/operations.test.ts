import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import app, { options } from '../../src/app'
import { loadConfig } from '../../src/config'
import { startEmbeddedServer } from '../../src/embedded/index'
import { withGateway } from '../helpers/gateway'

const ROOT = join(__dirname, '..', '..')

t.test('GET /v1/cluster: nodes, namespaces, pool figures', async (t) => {
  const { app: gw } = await withGateway(t, { namespaces: ['test', 'cache'] })
  const res = await gw.inject({ method: 'GET', url: '/v1/cluster' })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.connected, true)
  t.same(body.namespaces, ['test', 'cache'])
  t.equal(body.nodes.length, 1)
  t.match(body.nodes[0], { name: /^BB9/, asyncConnections: { inPool: Number, inUse: Number }, errors: Number })
  t.match(body.commands, { inFlight: Number, queued: Number })
})

t.test('/docs serves the Swagger UI', async (t) => {
  const { app: gw } = await withGateway(t)
  const res = await gw.inject({ method: 'GET', url: '/docs' })
  t.equal(res.statusCode, 200)
  t.match(res.body, /swagger/i)
  const json = await gw.inject({ method: 'GET', url: '/docs/json' })
  t.match(json.json(), { openapi: '3.1.0', paths: { '/v1/kvs/{namespace}/{set}/{key}': {} } })
})

t.test('one log line per request, with route, status, duration and result code; no Authorization', async (t) => {
  const embedded = await startEmbeddedServer({ port: 0 })
  t.teardown(() => embedded.close())
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l))
      done()
    }
  })
  const config = { ...loadConfig({}), aerospikeHosts: embedded.address }
  const gw = Fastify(options(config, { level: 'info', stream, redact: ['req.headers.authorization'] }))
  await gw.register(fp(app), { config })
  await gw.ready()
  t.teardown(() => gw.close())
  lines.length = 0
  await gw.inject({ method: 'GET', url: '/v1/kvs/test/s/missing', headers: { authorization: 'Bearer secret', 'x-request-id': 'r-1' } })
  t.equal(lines.length, 1, 'exactly one line')
  t.match(lines[0], { msg: 'request', method: 'GET', route: '/v1/kvs/:namespace/:set/:key', status: 404, code: 2, reqId: 'r-1', ms: Number })
  t.notMatch(JSON.stringify(lines), /secret/)
})

t.test('Dockerfile: what it copies exists after the build, and its command starts the built entry point', async (t) => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
  t.match(dockerfile, /^FROM node:\d+-\w+-slim AS build/m, 'a Debian-slim base (the aerospike package has no musl build)')
  t.match(dockerfile, /npm ci --omit=dev/)
  t.match(dockerfile, /^USER node$/m, 'non-root')
  t.match(dockerfile, /^HEALTHCHECK /m)
  t.match(dockerfile, /HOST=0\.0\.0\.0 PORT=8080/)
  for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const src of m[1].split(/\s+/)) t.ok(existsSync(join(ROOT, src)), `COPY source ${src} exists`)
  }
  const cmd = /^CMD \["node", (.+)\]$/m.exec(dockerfile)?.[1]
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string
  t.equal(cmd, '"--max-semi-space-size=16", "--heap-growing-percent=10", "dist/src/server.js"')
  t.match(start, /node --max-semi-space-size=16 --heap-growing-percent=10 dist\/src\/server\.js$/, 'npm start runs it the same way')
  const build = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.build as string
  t.match(build, /tsc -p tsconfig\.json/)
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'))
  t.equal(tsconfig.compilerOptions.outDir, 'dist')
  t.equal(tsconfig.compilerOptions.rootDir, '.', 'src/server.ts builds to dist/src/server.js')
})
