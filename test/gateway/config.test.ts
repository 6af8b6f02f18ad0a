import t from 'tap'
import { workerEnv } from '../../src/cluster'
import { loadConfig } from '../../src/config'

t.test('defaults', async (t) => {
  const c = loadConfig({})
  t.match(c, { host: "127.0.0.1", port: 8080, aerospikeHosts: undefined, logLevel: "info", maxConnsPerNode: 100, maxCommandsInProcess: 100 })
  t.same(c.read, { totalTimeout: 1000, socketTimeout: 0, maxRetries: 2 })
})

t.test('values from the environment', async (t) => {
  const c = loadConfig({ HOST: '0.0.0.0', PORT: '9000', AEROSPIKE_HOSTS: 'a:3000, b:3000', LOG_LEVEL: 'warn', AEROSPIKE_MAX_CONNS_PER_NODE: '300', AEROSPIKE_WRITE_MAX_RETRIES: '3' })
  t.match(c, { host: '0.0.0.0', port: 9000, aerospikeHosts: 'a:3000, b:3000', logLevel: 'warn', maxConnsPerNode: 300, maxCommandsInProcess: 300, write: { maxRetries: 3 } })
})

t.test('a bad value names the setting', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), { name: 'ConfigError', message: 'PORT must be an integer from 0 to 65535, got "eighty"' })
  t.throws(() => loadConfig({ PORT: '70000' }), { name: 'ConfigError', message: /PORT/ })
  t.throws(() => loadConfig({ AEROSPIKE_HOSTS: 'a:3000,,b' }), /AEROSPIKE_HOSTS/)
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/)
  t.throws(() => loadConfig({ COALESCE_GETS: 'yes' }), { name: 'ConfigError', message: 'COALESCE_GETS must be true or false, got "yes"' })
  t.throws(() => loadConfig({ COALESCE_MAX_BATCH: '1' }), /COALESCE_MAX_BATCH must be an integer from 2/)
  t.throws(() => loadConfig({ MAX_BATCH_ITEMS: '0' }), /MAX_BATCH_ITEMS/)
  t.same([loadConfig({ COALESCE_GETS: 'FALSE' }).coalesceGets, loadConfig({ COALESCE_GETS: '1' }).coalesceGets, loadConfig({}).coalesceGets], [false, true, true])
})

t.test('pool and policy settings are range-checked', async (t) => {
  t.throws(() => loadConfig({ AEROSPIKE_MAX_CONNS_PER_NODE: '0' }), /AEROSPIKE_MAX_CONNS_PER_NODE must be an integer from 1/)
  t.throws(() => loadConfig({ AEROSPIKE_MIN_CONNS_PER_NODE: '200' }), /AEROSPIKE_MIN_CONNS_PER_NODE must be an integer from 0 to 100/)
  t.throws(() => loadConfig({ AEROSPIKE_READ_TOTAL_TIMEOUT: '1.5' }), /AEROSPIKE_READ_TOTAL_TIMEOUT/)
  t.throws(() => loadConfig({ AEROSPIKE_USER: 'u' }), /AEROSPIKE_USER and AEROSPIKE_PASSWORD must be set together/)
})

t.test('scan, index and info settings', async (t) => {
  const c = loadConfig({})
  t.same({ ...c.scan, tokenSecret: c.scan.tokenSecret }, { maxPageSize: 10_000, streamChunk: 1000, concurrency: 4, windowPartitions: 64, totalTimeout: 30_000, tokenSecret: undefined, indexWaitTimeout: 30_000 })
  t.ok(c.infoAllow.includes('build') && !c.infoAllow.includes('truncate') && !c.infoAllow.includes('set-config'), 'read-only info commands by default')
  t.same(loadConfig({ INFO_ALLOW: 'build, sindex-list' }).infoAllow, ['build', 'sindex-list'])
  t.same(loadConfig({ INFO_ALLOW: '*' }).infoAllow, ['*'])
  t.throws(() => loadConfig({ INFO_ALLOW: 'build;truncate' }), /INFO_ALLOW/)
  t.throws(() => loadConfig({ SCAN_TOKEN_SECRET: 'short' }), /SCAN_TOKEN_SECRET must be at least 32 characters/)
  t.equal(loadConfig({ SCAN_TOKEN_SECRET: 'x'.repeat(32) }).scan.tokenSecret?.length, 32)
  t.throws(() => loadConfig({ SCAN_CONCURRENCY: '0' }), /SCAN_CONCURRENCY/)
  t.throws(() => loadConfig({ SCAN_WINDOW_PARTITIONS: '5000' }), /SCAN_WINDOW_PARTITIONS/)
})

t.test('credential passthrough settings, and their shares among workers', async (t) => {
  t.same(loadConfig({}).passthrough, { enabled: false, cacheSize: 16, maxConnsPerNode: 100 })
  t.same(loadConfig({ AUTH_PASSTHROUGH: 'true', AUTH_CLIENT_CACHE_SIZE: '2', AEROSPIKE_MAX_CONNS_PER_NODE: '40' }).passthrough, { enabled: true, cacheSize: 2, maxConnsPerNode: 40 })
  t.throws(() => loadConfig({ AUTH_CLIENT_CACHE_SIZE: '0' }), /AUTH_CLIENT_CACHE_SIZE must be an integer from 1/)
  t.throws(() => loadConfig({ AUTH_CLIENT_MAX_CONNS_PER_NODE: '101' }), /AUTH_CLIENT_MAX_CONNS_PER_NODE must be an integer from 1 to 100/, 'no more than the shared client\'s pool')
  t.throws(() => loadConfig({ AUTH_PASSTHROUGH: 'on' }), /AUTH_PASSTHROUGH must be true or false/)
  const config = loadConfig({ WORKERS: '3', AUTH_CLIENT_MAX_CONNS_PER_NODE: '50' })
  const envs = [0, 1, 2].map((i) => workerEnv(config, 'h:3000', i))
  t.same(envs.map((env) => env.AUTH_CLIENT_MAX_CONNS_PER_NODE), ['17', '17', '16'], 'divided like AEROSPIKE_MAX_CONNS_PER_NODE')
  t.same(envs.map((env) => loadConfig(env).passthrough.maxConnsPerNode), [17, 17, 16], 'each worker\'s share loads')
})
