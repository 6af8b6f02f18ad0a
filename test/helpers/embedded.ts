// Starts an embedded server and a real aerospike client connected to it, and
// tears both down when the test ends.

import Aerospike, { Client } from 'aerospike'
import { startEmbeddedServer, EmbeddedServerHandle, EmbeddedServerOptions } from '../../src/embedded/index'

export interface EmbeddedFixture {
  server: EmbeddedServerHandle
  client: Client
}

interface Teardown {
  teardown: (fn: () => unknown) => void
}

const PATIENT = { totalTimeout: 10_000 }

/**
 * Test clients wait up to 10 s for a command, not the client's 1 s: test
 * files run three at once on 2 CPUs, and a put once timed out (9) on a busy
 * machine. A test of timeouts gives its own policies.
 */
export const TEST_CLIENT_POLICIES = {
  read: PATIENT, write: PATIENT, operate: PATIENT, remove: PATIENT, batch: PATIENT, apply: PATIENT, info: { timeout: 10_000 }
}

export async function withEmbedded (t: Teardown, options: EmbeddedServerOptions = {}, config: object = {}): Promise<EmbeddedFixture> {
  const server = await startEmbeddedServer({ port: 0, ...options })
  const client = await Aerospike.connect({
    hosts: server.address,
    log: { level: Aerospike.log.OFF },
    policies: TEST_CLIENT_POLICIES,
    ...config
  } as Parameters<typeof Aerospike.connect>[0])
  t.teardown(async () => {
    await client.close()
    await server.close()
  })
  return { server, client }
}

/** The error code a promise rejects with, or 'resolved'. */
export async function codeOf (p: Promise<unknown>): Promise<number | 'resolved'> {
  try {
    await p
    return 'resolved'
  } catch (err) {
    return (err as { code: number }).code
  }
}

/**
 * The error code connecting rejects with, or 'resolved'. The client is closed
 * either way: a client whose connect failed keeps its event loop running.
 */
export async function connectCode (config: object): Promise<number | 'resolved'> {
  const client = Aerospike.client({ log: { level: Aerospike.log.OFF }, ...config } as Parameters<typeof Aerospike.client>[0])
  const code = await codeOf(client.connect())
  try {
    await client.close()
  } catch {}
  return code
}

export interface SecuredFixture {
  server: EmbeddedServerHandle
  /** Logged in as admin/admin, the one user a secured server starts with (user-admin only). */
  admin: Client
  /** A client logged in as the user, closed with the test. */
  as: (user: string, password: string) => Promise<Client>
}

/** An Enterprise embedded server with security on. */
export async function withSecurity (t: Teardown, options: EmbeddedServerOptions = {}): Promise<SecuredFixture> {
  const { server, client } = await withEmbedded(t, { edition: 'enterprise', security: true, ...options }, { user: 'admin', password: 'admin' })
  const as = async (user: string, password: string): Promise<Client> => {
    const c = await Aerospike.connect({ hosts: server.address, user, password, log: { level: Aerospike.log.OFF }, policies: TEST_CLIENT_POLICIES } as Parameters<typeof Aerospike.connect>[0])
    t.teardown(async () => await c.close())
    return c
  }
  return { server, admin: client, as }
}
