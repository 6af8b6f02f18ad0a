// Gateway settings from the environment, checked at start-up: a bad value
// stops the process with a message that names it.

export interface GatewayConfig {
  host: string
  port: number
  /** `host:port,host:port`; absent means: start the embedded server. */
  aerospikeHosts: string | undefined
  logLevel: string
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
const HOST_PORT = /^[^\s:,]+(:\d{1,5})?$/

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function port (name: string, raw: string): number {
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n > 65535) throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`)
  return n
}

export function loadConfig (env: NodeJS.ProcessEnv): GatewayConfig {
  const hosts = env.AEROSPIKE_HOSTS?.trim()
  if (hosts !== undefined && hosts !== '') {
    for (const h of hosts.split(',')) {
      if (!HOST_PORT.test(h.trim())) throw new ConfigError(`AEROSPIKE_HOSTS must be host:port[,host:port...], got "${hosts}"`)
    }
  }
  const logLevel = env.LOG_LEVEL ?? 'info'
  if (!LOG_LEVELS.has(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}, got "${logLevel}"`)
  return {
    host: env.HOST ?? '127.0.0.1',
    port: port('PORT', env.PORT ?? '8080'),
    aerospikeHosts: hosts === '' ? undefined : hosts,
    logLevel
  }
}
