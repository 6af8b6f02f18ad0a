import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import Aerospike, { Client } from 'aerospike'
import { withEmbedded, codeOf } from '../helpers/embedded'

const { Key, filter, operations: op, status } = Aerospike

async function info (client: Client, command: string): Promise<string> {
  const reply = await client.infoAny(command) as string
  return reply.slice(reply.indexOf('\t') + 1).trimEnd()
}

async function count (client: Client, set: string): Promise<number> {
  return (await client.scan('test', set).results()).length
}

t.test('truncate through the real client', async (t) => {
  const { client } = await withEmbedded(t)
  const put = async (set: string, key: string, bins: Record<string, string | number>): Promise<void> => {
    await client.put(new Key('test', set, key), bins)
  }

  t.test('a set truncated now loses every record; other sets and later writes stay', async (t) => {
    for (let i = 0; i < 5; i++) await put('tr', `k${i}`, { n: i })
    await put('tr_keep', 'k', { n: 1 })
    await client.truncate('test', 'tr', 0)
    t.equal(await codeOf(client.get(new Key('test', 'tr', 'k1'))), status.ERR_RECORD_NOT_FOUND)
    t.equal(await count(client, 'tr'), 0)
    t.equal(await count(client, 'tr_keep'), 1)
    await put('tr', 'k1', { n: 'again' })
    t.same((await client.get(new Key('test', 'tr', 'k1'))).bins, { n: 'again' })
    t.match(await info(client, 'sets/test/tr'), /truncate_lut=[1-9]\d*:/)
  })

  t.test('a last-update time keeps the records written after it', async (t) => {
    await put('tr_lut', 'old', { n: 1 })
    await sleep(30)
    const threshold = BigInt(Date.now()) * 1000000n
    await sleep(30)
    await put('tr_lut', 'new', { n: 2 })
    await client.truncate('test', 'tr_lut', Number(threshold))
    t.equal(await codeOf(client.get(new Key('test', 'tr_lut', 'old'))), status.ERR_RECORD_NOT_FOUND)
    t.same((await client.get(new Key('test', 'tr_lut', 'new'))).bins, { n: 2 })
  })

  t.test('thresholds before 2010 or in the future are refused', async (t) => {
    t.equal(await codeOf(client.truncate('test', 'tr_lut', 1e18)), status.ERR_REQUEST_INVALID, 'a time in 2001')
    t.equal(await codeOf(client.infoAny('truncate:namespace=test;set=tr_lut;lut=1000000000000000000')), status.ERR_REQUEST_INVALID)
    const future = (BigInt(Date.now()) + 3600000n) * 1000000n
    t.equal(await codeOf(client.infoAny(`truncate:namespace=test;set=tr_lut;lut=${future}`)), status.ERR_REQUEST_INVALID)
  })

  t.test('info forms: unknown namespace and set accepted, namespace required, undo', async (t) => {
    t.equal(await info(client, 'truncate:namespace=nope;set=x'), 'ok')
    t.equal(await info(client, 'truncate:namespace=test;set=never'), 'ok')
    t.equal(await info(client, 'truncate-namespace:namespace=nope'), 'ok')
    t.equal(await codeOf(client.infoAny('truncate:set=x')), status.ERR_NAMESPACE_NOT_FOUND)
    t.equal(await codeOf(client.infoAny('truncate-namespace:namespace=test;set=x')), status.ERR_REQUEST_INVALID)
    t.equal(await info(client, 'truncate-undo:namespace=test;set=tr'), 'ok')
  })
})

t.test('background operations and query-show', async (t) => {
  const { client } = await withEmbedded(t)
  for (let i = 0; i < 12; i++) await client.put(new Key('test', 'bg', `k${i}`), { i })
  const job = await client.createIntegerIndex({ ns: 'test', set: 'bg', bin: 'i', index: 'bg_i' })
  await job.wait(10)

  t.test('a query applies its operations to the records it selects', async (t) => {
    const q = client.query('test', 'bg')
    q.where(filter.range('i', 0, 3))
    const bg = await q.operate([op.write('touched', 1)])
    await bg.waitUntilDone(10)
    const jobInfo = await bg.info()
    t.equal(jobInfo.status, Aerospike.jobStatus.COMPLETED)
    t.equal(jobInfo.recordsRead, 4)
    for (let i = 0; i < 12; i++) {
      const r = await client.get(new Key('test', 'bg', `k${i}`))
      t.equal(r.bins.touched, i <= 3 ? 1 : undefined, `k${i}`)
      t.equal(r.gen, i <= 3 ? 2 : 1)
    }
    const show = await info(client, `query-show:trid=${bg.jobID}`)
    t.match(show, new RegExp(`^trid=${bg.jobID}:ns=test:set=bg:sindex-name=bg_i:rps=10000:active-threads=0:status=done\\(ok\\):`))
    t.match(show, ':recs-succeeded=4:recs-failed=0:')
    t.match(show, ':job-type=background-ops:net-io-bytes=30:socket-timeout=10000:ops-active=0')
  })

  t.test('a scan applies them to the whole set', async (t) => {
    const bg = await client.scan('test', 'bg').operate([op.incr('i', 100)])
    await bg.waitUntilDone(10)
    t.equal((await bg.info()).recordsRead, 12)
    t.equal((await client.get(new Key('test', 'bg', 'k5'))).bins.i, 105)
  })

  t.test('query-show of an unknown job; background work on a set never written', async (t) => {
    t.equal(await codeOf(client.infoAny('query-show:trid=12345')), status.ERR_RECORD_NOT_FOUND)
    // The server refuses the job with 2 and never starts it; the client
    // reports such a job as complete with nothing read.
    const bg = await client.scan('test', 'never').operate([op.write('x', 1)])
    t.same(await bg.info(), { progressPct: 0, recordsRead: 0, status: Aerospike.jobStatus.COMPLETED })
    t.equal(await codeOf(client.infoAny(`query-show:trid=${bg.jobID}`)), status.ERR_RECORD_NOT_FOUND)
  })

  t.test('foreground scans show as basic jobs', async (t) => {
    await client.scan('test', 'bg').results()
    t.match(await info(client, 'query-show'), /job-type=basic:net-io-bytes=\d+:net-io-time=0:socket-timeout=\d+/)
  })
})
