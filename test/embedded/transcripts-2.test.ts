// Replays messages-2.jsonl, the second set of real-server transcripts, for
// the groups the embedded server implements. Every scenario is sent, in
// order, so that later ones find the records earlier ones left; only those of
// enabled groups have their replies compared.

import t, { Test } from 'tap'
import { loadScenarios, replayScenarios, Scenario } from '../helpers/replay'

// A scenario's group is its first word; a `setup` scenario belongs to the
// group named by its second.
const ENABLED_GROUPS = new Set(['exp', 'bit', 'hll'])

function group (s: Scenario): string {
  const words = s.scenario.split(' ')
  return words[0] === 'setup' ? words[1] : words[0]
}

// Scenarios that read what another group's scenarios wrote: the `bg` and
// `bgs` bins of the scan group's background operations.
const NEEDS: Record<string, string> = {
  'exp filter batchRead policy': 'scan',
  'exp filter batchRead per-row policy': 'scan',
  'exp filter batchWrite no match': 'scan'
}

function compared (s: Scenario): boolean {
  const needs = NEEDS[s.scenario]
  return ENABLED_GROUPS.has(group(s)) && (needs === undefined || ENABLED_GROUPS.has(needs))
}

const all = loadScenarios('messages-2.jsonl')

// Expression results that read the clock: the recorded value is replaced
// by the actual one when that is what the replay's clock allows.
const NS_PER_S = 1_000_000_000n
const CITRUSLEAF_EPOCH = 1262304000n
const TIME_VALUED: Record<string, (t: Test, got: bigint) => boolean> = {
  'exp read meta ttl': (_t, got) => got > 990n && got <= 1000n,
  'exp read meta voidTime': (_t, got) => within(got / NS_PER_S, BigInt(Math.floor(Date.now() / 1000)) + 1000n, 5n),
  'exp read meta lastUpdate': (_t, got) => within(got / NS_PER_S, BigInt(Math.floor(Date.now() / 1000)), 60n),
  'exp read meta sinceUpdate': (_t, got) => got >= 0n && got < 60_000n
}

function within (a: bigint, b: bigint, slack: bigint): boolean {
  return a - b <= slack && b - a <= slack && a > CITRUSLEAF_EPOCH
}

t.test('transcripts are there', async (t) => {
  t.equal(all.length, 470, 'every recorded scenario is loaded')
})

t.test('replay against the embedded server', async (t) => {
  await replayScenarios(t, all.filter((s) => s.frames.length > 0), {
    compare: compared,
    align: (t, s, want, got) => {
      const check = TIME_VALUED[s.scenario]
      if (check === undefined || want.length !== got.length) return
      // The one bin's 8-byte integer ends the reply.
      const value = got.readBigInt64BE(got.length - 8)
      if (check(t, value)) got.copy(want, want.length - 8, got.length - 8)
      else t.fail('time-valued result out of range', { scenario: s.scenario, value: value.toString() })
    }
  })
})
