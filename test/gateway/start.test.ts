// `npm start` builds only when the sources changed since the last build
// (scripts/ensure-built.js, also run by `npm install` as `prepare`), so that
// it starts at once rather than compiling on every start.

import t from 'tap'
import { spawnSync } from 'node:child_process'
import { statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'

// Compiling on a busy machine can take minutes.
t.setTimeout(600_000)

const ROOT = join(__dirname, '..', '..')
const STAMP = join(ROOT, 'dist', '.built')

function ensureBuilt (): string {
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'ensure-built.js')], { cwd: ROOT, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`ensure-built failed: ${run.stderr}`)
  return run.stderr
}

t.test('dist/ is built once, and again only when a source is newer', async (t) => {
  ensureBuilt()
  const built = statSync(STAMP).mtimeMs
  t.equal(ensureBuilt(), '', 'up to date: nothing is built')
  t.equal(statSync(STAMP).mtimeMs, built)
  const source = join(ROOT, 'src', 'server.ts')
  const later = new Date(built + 10)
  utimesSync(source, later, later)
  t.match(ensureBuilt(), /building dist\//, 'a newer source is built')
  t.ok(statSync(STAMP).mtimeMs > built)
  t.equal(ensureBuilt(), '', 'and then it is up to date again')
})
