// What a fresh clone and the Docker image rely on, checked where no other
// test reaches: the image's Node and health check, the Node versions CI runs,
// and installs without engine warnings.

import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = join(__dirname, '..', '..')
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8')

t.test('the Docker image runs Node 24 and its health check follows PORT', async (t) => {
  const dockerfile = read('Dockerfile')
  const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])
  t.ok(bases.length > 0 && bases.every((b) => b.startsWith('node:24-')), `Node 24 bases: ${bases.join(', ')}`)
  t.match(dockerfile, /HEALTHCHECK[^\n]*\\\n\s+CMD[^\n]*process\.env\.PORT/)
})

t.test('.ci/run runs the suite on the machine\'s Node and on Node 24, with Chromium', async (t) => {
  const ci = read('.ci/run')
  t.match(ci, /apt-get update/)
  t.match(ci, /apt-get install -y[^\n]* chromium/)
  t.match(ci, /npx -y node@24/)
  t.match(ci, /^npm test$/m, 'on the machine\'s Node')
  t.match(ci, /^PATH="\$node24_bin:\$PATH" npm test$/m, 'on Node 24')
})

t.test('no installed package asks for a newer Node than 20.19', async (t) => {
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } }> }
  const cookie = Object.entries(lock.packages).filter(([path]) => path.endsWith('node_modules/cookie'))
  t.ok(cookie.length > 0)
  for (const [path, pkg] of cookie) t.notMatch(pkg.engines?.node ?? '', />=2[2-9]/, `${path} supports Node 20`)
  for (const [path, pkg] of Object.entries(lock.packages)) {
    const engines = pkg.engines?.node
    if (engines === undefined || /\|\|/.test(engines)) continue
    t.notMatch(engines, /^>=\s*2[1-9]/, `${path}: ${engines}`)
  }
})
