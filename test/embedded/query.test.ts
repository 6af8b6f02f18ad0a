import t from 'tap'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import Aerospike, { Client } from 'aerospike'
import { withEmbedded, codeOf } from '../helpers/embedded'

const { Key, status } = Aerospike
const SEND_KEY = new Aerospike.WritePolicy({ key: Aerospike.policy.key.SEND })

type Rec = { key: { key?: unknown, digest: Buffer }, bins: Record<string, unknown>, gen?: number }

async function seed (client: Client, set: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await client.put(new Key('test', set, `k${i}`), { i, s: `v${i % 3}`, ...(i % 2 === 0 ? { even: true } : {}) }, {}, SEND_KEY)
  }
}

function keysOf (records: Rec[]): string[] {
  return records.map((r) => String(r.key.key)).sort()
}

function allKeys (n: number): string[] {
  return Array.from({ length: n }, (_, i) => `k${i}`).sort()
}

t.test('scans through the real client', async (t) => {
  const { client } = await withEmbedded(t)
  await seed(client, 'scan', 40)
  await seed(client, 'other', 5)

  t.test('a scan of a set returns each of its records once, with key, bins and generation', async (t) => {
    const records = await client.scan('test', 'scan').results() as Rec[]
    t.same(keysOf(records), allKeys(40))
    const k7 = records.find((r) => r.key.key === 'k7') as Rec
    t.same(k7.bins, { i: 7, s: 'v1' })
    t.equal(k7.gen, 1)
  })

  t.test('a scan of the namespace sees every set', async (t) => {
    const records = await client.scan('test').results() as Rec[]
    t.equal(records.length, 45)
  })

  t.test('maxRecords stops at exactly that many', async (t) => {
    t.equal((await client.scan('test', 'scan').results({ maxRecords: 7 })).length, 7)
  })

  t.test('nobins returns metadata only', async (t) => {
    const scan = client.scan('test', 'scan', { nobins: true })
    const records = await scan.results() as Rec[]
    t.equal(records.length, 40)
    t.ok(records.every((r) => Object.keys(r.bins).length === 0 && r.gen === 1))
  })

  t.test('a bin selection skips records holding none of the bins', async (t) => {
    const scan = client.scan('test', 'scan')
    scan.select('even')
    const records = await scan.results() as Rec[]
    t.equal(records.length, 20)
    t.ok(records.every((r) => Object.keys(r.bins).length === 1 && r.bins.even === true))
  })

  t.test('pages cover the set with no record lost or repeated', async (t) => {
    const scan = client.scan('test', 'scan', { paginate: true })
    const seen: string[] = []
    for (let page = 0; page < 20; page++) {
      const records = await scan.results({ maxRecords: 7 }) as Rec[]
      t.ok(records.length <= 7, 'a page holds at most maxRecords')
      seen.push(...records.map((r) => String(r.key.key)))
      if (!scan.hasNextPage()) break
    }
    t.same(seen.sort(), allKeys(40))
  })

  t.test('pages stay exact while records are written between them', async (t) => {
    await seed(client, 'busy', 30)
    const scan = client.scan('test', 'busy', { paginate: true })
    const seen = new Set<string>()
    let repeats = 0
    for (let page = 0; page < 40; page++) {
      for (const r of await scan.results({ maxRecords: 6 }) as Rec[]) {
        const k = String(r.key.key)
        if (seen.has(k)) repeats++
        seen.add(k)
      }
      await client.put(new Key('test', 'busy', `new${page}`), { i: -page }, {}, SEND_KEY)
      await client.put(new Key('test', 'busy', `k${page % 30}`), { i: page, again: true }, {}, SEND_KEY)
      if (!scan.hasNextPage()) break
    }
    t.equal(repeats, 0, 'no record comes back twice')
    for (const k of allKeys(30)) t.ok(seen.has(k), `${k} was seen`)
  })

  t.test('a saved page state resumes in a new scan', async (t) => {
    const first = client.scan('test', 'scan', { paginate: true })
    const page1 = await first.results({ maxRecords: 15 }) as Rec[]
    t.equal(page1.length, 15)
    const resumed = client.scan('test', 'scan', { paginate: true })
    resumed.nextPage(first.scanState as number[])
    const rest = await resumed.results({ maxRecords: 100 }) as Rec[]
    t.same([...keysOf(page1), ...keysOf(rest)].sort(), allKeys(40))
  })

  t.test('partition ranges split the set between them', async (t) => {
    const low = client.scan('test', 'scan')
    low.partitions(0, 2048)
    const high = client.scan('test', 'scan')
    high.partitions(2048, 2048)
    const a = await low.results() as Rec[]
    const b = await high.results() as Rec[]
    t.ok(a.length > 0 && b.length > 0)
    t.same([...keysOf(a), ...keysOf(b)].sort(), allKeys(40))
    for (const r of a) t.ok(partitionOf(r.key.digest) < 2048)
  })

  t.test('a set that never held a record scans empty', async (t) => {
    t.same(await client.scan('test', 'never').results(), [])
  })

  t.test('an unknown namespace fails with 20', async (t) => {
    t.equal(await codeOf(client.scan('nope', 'scan').results()), status.ERR_NAMESPACE_NOT_FOUND)
  })
})

// A scan request as the client sends it: READ, partition-done accepted, the
// namespace, set, transaction id and every partition.
function scanRequest (set: string, trid: bigint): Buffer {
  const field = (type: number, data: Buffer): Buffer => {
    const h = Buffer.alloc(5)
    h.writeUInt32BE(data.length + 1)
    h[4] = type
    return Buffer.concat([h, data])
  }
  const tridBytes = Buffer.alloc(8)
  tridBytes.writeBigUInt64BE(trid)
  const pids = Buffer.alloc(2 * 4096)
  for (let p = 0; p < 4096; p++) pids.writeUInt16LE(p, 2 * p)
  const fields = [field(0, Buffer.from('test')), field(1, Buffer.from(set)), field(7, tridBytes), field(11, pids)]
  const header = Buffer.alloc(22)
  header[0] = 22
  header[1] = 0x01
  header[3] = 0x04
  header.writeUInt32BE(0xFFFFFFFF, 10)
  header.writeUInt16BE(fields.length, 18)
  const body = Buffer.concat([header, ...fields])
  const proto = Buffer.alloc(8)
  proto[0] = 2
  proto[1] = 3
  proto.writeUIntBE(body.length, 2, 6)
  return Buffer.concat([proto, body])
}

t.test('a scan waits for a slow reader and stops when it leaves', async (t) => {
  const { client, server } = await withEmbedded(t)
  const big = 'x'.repeat(4000)
  for (let i = 0; i < 3000; i += 50) {
    await Promise.all(Array.from({ length: 50 }, async (_, k) => await client.put(new Key('test', 'slow', `k${i + k}`), { big })))
  }
  const socket = connect(server.port, server.host)
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.pause()
  socket.write(scanRequest('slow', 4242n))
  await sleep(300)
  const show = async (): Promise<string> => await client.infoAny('query-show:trid=4242') as string
  t.match(await show(), /status=active\(ok\)/, 'the scan holds back while nothing is read')
  t.match(await show(), /recs-succeeded=(\d{1,4}):/, 'having produced only part of the 12 MB')
  socket.destroy()
  await sleep(100)
  t.match(await show(), /status=done\(ok\)/, 'the scan ends with its reader')
  const succeeded = Number(/recs-succeeded=(\d+)/.exec(await show())?.[1])
  t.ok(succeeded < 3000, `stopped after ${succeeded} of 3000 records`)
})

function partitionOf (digest: Buffer): number {
  return (digest[0] | (digest[1] << 8)) & 0xfff
}
