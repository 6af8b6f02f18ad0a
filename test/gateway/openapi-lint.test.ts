// The committed openapi.yaml passes Redocly's `recommended` rules
// (redocly.yaml: all of them) with no error and no
// warning: what a generated client or Swagger UI needs of it.

import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { OPENAPI_PATH } from '../../src/openapi'

const ROOT = join(__dirname, '..', '..')

interface LintReport {
  totals: { errors: number, warnings: number }
  problems: Array<{ ruleId: string, message: string, location: Array<{ pointer: string }> }>
}

t.test('redocly lint: 0 errors, 0 warnings', async (t) => {
  const { stdout } = await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'redocly'),
    ['lint', OPENAPI_PATH, '--format=json', '--config', join(ROOT, 'redocly.yaml')],
    { cwd: ROOT, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } })
    .catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }))
  const report = JSON.parse(stdout) as LintReport
  const problems = report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`)
  t.same(problems, [], 'no problems')
  t.same(report.totals, { errors: 0, warnings: 0, ignored: 0 })
})
