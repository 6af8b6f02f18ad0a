// `npm run embedded -- --port 3000 [--host 127.0.0.1] [--namespace test ...]`:
// the embedded server on its own, for any Aerospike client or tool.

import { parseArgs } from 'node:util'
import { EmbeddedServer } from './server'

const USAGE = 'usage: embedded [--host 127.0.0.1] [--port 3000] [--namespace test]... [--enterprise [--security [--session-ttl 86400]]]'

function main (): void {
  let values
  try {
    values = parseArgs({
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '3000' },
        namespace: { type: 'string', multiple: true },
        enterprise: { type: 'boolean', default: false },
        security: { type: 'boolean', default: false },
        'session-ttl': { type: 'string' },
        help: { type: 'boolean', default: false }
      },
      strict: true
    }).values
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`)
    process.exit(2)
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer from 0 to 65535, got ${values.port}\n`)
    process.exit(2)
  }
  const sessionTtl = values['session-ttl'] === undefined ? undefined : Number(values['session-ttl'])
  let server: EmbeddedServer
  try {
    server = new EmbeddedServer({
      host: values.host,
      port,
      namespaces: values.namespace ?? ['test'],
      edition: values.enterprise === true ? 'enterprise' : 'community',
      security: values.security,
      sessionTtl
    })
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(2)
  }
  server.start().then(({ host, port }) => {
    process.stdout.write(`embedded Aerospike-compatible server listening on ${host}:${port} ` +
      `(namespaces: ${[...server.namespaces.keys()].join(', ')}; data in memory only` +
      `${server.security === undefined ? '' : '; security on, first login admin/admin'})\n`)
  }, (err: Error) => {
    process.stderr.write(`cannot listen: ${err.message}\n`)
    process.exit(1)
  })
  const shutdown = (): void => {
    server.stop().then(() => process.exit(0), () => process.exit(1))
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

main()
