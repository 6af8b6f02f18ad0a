// Replays messages.jsonl, the first set of real-server transcripts, against
// the embedded server (test/helpers/replay.ts).

import t from 'tap'
import { loadScenarios, replayScenarios } from '../helpers/replay'

const all = loadScenarios('messages.jsonl')

t.test('transcripts are there', async (t) => {
  t.equal(all.length, 303, 'every recorded scenario is loaded')
})

t.test('replay against the embedded server', async (t) => {
  await replayScenarios(t, all)
})
