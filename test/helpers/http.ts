// Real HTTP to a gateway: listens on a loopback port and sends requests with fetch.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

/** The gateway's base URL once it listens on a free loopback port. */
export async function listen (app: FastifyInstance): Promise<string> {
  return await app.listen({ host: '127.0.0.1', port: 0 })
}

/** A fresh directory, removed with the test. */
export function tempDir (t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'aerogate-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Writes `text` to `name` in `dir`, and returns its path. */
export function writeFile (dir: string, name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
