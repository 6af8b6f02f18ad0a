// Builds dist/ when it is missing or older than the sources, so that
// `npm start` starts at once after the build that `npm install` ran
// (`prepare`), and still never runs stale code. A production install
// (no TypeScript, dist/ copied in) has nothing to build.

'use strict'
const { execFileSync } = require('node:child_process')
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs')
const { join } = require('node:path')

const root = join(__dirname, '..')
const stamp = join(root, 'dist', '.built')
const sources = ['src', 'routes', 'schemas', 'tsconfig.json', 'package-lock.json']

function newest (path) {
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), s.mtimeMs)
}

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const present = sources.filter((p) => existsSync(join(root, p)))
if (existsSync(tsc) && present.includes('src')) {
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0
  if (present.some((p) => newest(join(root, p)) > built)) {
    process.stderr.write('building dist/ (the sources changed)\n')
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' })
    writeFileSync(stamp, `${new Date().toISOString()}\n`)
  }
}
