import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { withEmbedded } from '../helpers/embedded'
import { differentialScenario } from '../helpers/differential'

const RECORDED = path.resolve(__dirname, '../fixtures/differential/hll-bits-exp.json')

t.test('HLL, bit and expression answers equal a real 7.2 server\'s', async (t) => {
  const { client } = await withEmbedded(t)
  const want = JSON.parse(readFileSync(RECORDED, 'utf8')) as unknown[]
  const got = JSON.parse(JSON.stringify(await differentialScenario(client))) as unknown[]
  t.equal(got.length, want.length, 'as many answers as recorded')
  want.forEach((w, i) => t.same(got[i], w, JSON.stringify(w).slice(0, 60)))
})
