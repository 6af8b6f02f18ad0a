import t from 'tap'
import { loadConfig } from '../../src/config'

t.test('defaults', async (t) => {
  t.same(loadConfig({}), { host: '127.0.0.1', port: 8080, aerospikeHosts: undefined, logLevel: 'info' })
})

t.test('values from the environment', async (t) => {
  const c = loadConfig({ HOST: '0.0.0.0', PORT: '9000', AEROSPIKE_HOSTS: 'a:3000, b:3000', LOG_LEVEL: 'warn' })
  t.same(c, { host: '0.0.0.0', port: 9000, aerospikeHosts: 'a:3000, b:3000', logLevel: 'warn' })
})

t.test('a bad value names the setting', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), { name: 'ConfigError', message: 'PORT must be a port number from 0 to 65535, got "eighty"' })
  t.throws(() => loadConfig({ PORT: '70000' }), { name: 'ConfigError', message: /PORT/ })
  t.throws(() => loadConfig({ AEROSPIKE_HOSTS: 'a:3000,,b' }), /AEROSPIKE_HOSTS/)
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/)
})
