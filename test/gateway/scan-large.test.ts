// 200,000 records streamed as NDJSON over real HTTP at a bounded RSS: the
// gateway reads a piece per window only once the socket took the last one.

import t from 'tap'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parseJson } from '../../src/values'
import { withGateway } from '../helpers/gateway'
import { clientOf, load, readStream } from '../helpers/scan'

// Loading 200,000 records into the embedded server takes most of the time:
// about 20 s on an idle 2-core machine, minutes on a crowded one.
t.setTimeout(600_000)

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

t.test('200,000 records stream at a bounded RSS', async (t) => {
  const { app, embedded } = await withGateway(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const client = await clientOf(t, embedded.address)
  const pad = 'x'.repeat(160)
  await load(client, 'gq_big', 200_000, (i) => ({ n: i, pad }))
  // What the gateway holds: this thread's live heap and buffers, sampled
  // after a full collection (garbage is not held). RSS would also count the
  // embedded server, a worker thread of this process, and garbage V8 has not
  // collected yet.
  const held = (): number => { gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers }
  const base = held()
  let peak = base
  const timer = setInterval(() => { peak = Math.max(peak, held()) }, 100)
  const read = await readStream(app, 'GET', '/v1/scan/test/gq_big', undefined, undefined, false)
  clearInterval(timer)
  t.equal(read.status, 200)
  t.equal(read.count, 200_001, 'every record and the trailer')
  t.same(parseJson(read.lines[0]), { pagination: { nextToken: null, totalRecords: 200_000 } })
  const grew = (peak - base) / 2 ** 20
  t.comment(`body ${(read.bytes / 2 ** 20).toFixed(1)} MB, the gateway's live heap and buffers grew at most ${grew.toFixed(1)} MB`)
  t.ok(read.bytes > 40 * 2 ** 20, 'the body is large')
  t.ok(grew < 16, `live heap and buffers grew ${grew.toFixed(1)} MB, a fraction of the body`)
})
