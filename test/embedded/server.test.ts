import t from 'tap'
import { connect, Socket } from 'node:net'
import Aerospike from 'aerospike'
import { withEmbedded, codeOf } from '../helpers/embedded'

const { Key, status } = Aerospike

async function rawExchange (port: number, frame: Buffer): Promise<{ reply: Buffer, closed: boolean }> {
  return await new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(frame))
    const done = (closed: boolean): void => {
      socket.destroy()
      resolve({ reply: Buffer.concat(chunks), closed })
    }
    socket.on('data', (c) => chunks.push(c))
    socket.on('end', () => done(true))
    socket.on('error', () => done(true))
    setTimeout(() => done(false), 500)
  })
}

function field (type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.writeUInt32BE(data.length + 1)
  head[4] = type
  return Buffer.concat([head, data])
}

function binOp (opType: number, particle: number, name: string, value: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(4 + Buffer.byteLength(name) + value.length)
  head[4] = opType
  head[5] = particle
  head[7] = Buffer.byteLength(name)
  return Buffer.concat([head, Buffer.from(name), value])
}

function message (info1: number, info2: number, fields: Buffer[], ops: Buffer[]): Buffer {
  const header = Buffer.alloc(22)
  header[0] = 22
  header[1] = info1
  header[2] = info2
  header.writeUInt16BE(fields.length, 18)
  header.writeUInt16BE(ops.length, 20)
  return Buffer.concat([header, ...fields, ...ops])
}

function frame (type: number, body: Buffer, version = 2): Buffer {
  const head = Buffer.alloc(8)
  head[0] = version
  head[1] = type
  head.writeUIntBE(body.length, 2, 6)
  return Buffer.concat([head, body])
}

t.test('info protocol answers operator commands as one node', async (t) => {
  const { client } = await withEmbedded(t, { namespaces: ['test', 'bar'] })
  const info = async (cmd: string): Promise<string> => (await client.infoAny(cmd)).replace(/\n$/, '')
  t.equal(await info('namespaces'), 'namespaces\ttest;bar')
  t.match(await info('build'), /^build\t7\.\d+\.\d+\.\d+$/)
  t.equal(await info('edition'), 'edition\tAerospike Community Edition')
  t.match(await info('version'), /^version\tAerospike Community Edition build 7\./)
  t.equal(await info('status'), 'status\tok')
  t.match(await info('statistics'), /^statistics\tcluster_size=1;/)
  t.equal(await codeOf(client.infoAny('no-such-command')), 4, 'ERROR:4 from the node is error 4 in the client')
  await client.put(new Key('test', 's1', 'a'), { a: 1 })
  await client.put(new Key('test', 's1', 'b'), { a: 1 })
  t.match(await info('sets'), /ns=test:set=s1:objects=2:/)
  t.match(await info('namespace/test'), /objects=2;/)
  const replicas = await info('replicas')
  t.match(replicas, /^replicas\ttest:0,1,\/{682}8=;bar:0,1,/, 'owns all 4096 partitions of each namespace')
  await client.truncate('test', 's1', 0)
  t.equal(await client.exists(new Key('test', 's1', 'a')), false, 'truncate empties the set')
})

t.test('1,000 concurrent operations from one client', async (t) => {
  const { client } = await withEmbedded(t, {}, { maxConnsPerNode: 1000 })
  const keys = Array.from({ length: 1000 }, (_, i) => new Key('test', 'conc', i))
  await Promise.all(keys.map((k, i) => client.put(k, { i, s: `v${i}` })))
  const records = await Promise.all(keys.map((k) => client.get(k)))
  t.ok(records.every((r, i) => r.bins.i === i && r.bins.s === `v${i}`), 'every record read back')
  const incrs = await Promise.all(keys.map(() => client.operate(keys[0], [Aerospike.operations.incr('n', 1)])))
  t.equal(incrs.length, 1000)
  t.equal((await client.get(keys[0])).bins.n, 1000, 'no increment lost')
})

t.test('malformed frames on a raw socket never harm other connections', async (t) => {
  const { server, client } = await withEmbedded(t)
  const key = new Key('test', 'raw', 'k')
  await client.put(key, { a: 1 })
  const port = server.port
  const cases: Array<[string, Buffer]> = [
    ['garbage', Buffer.from('GET / HTTP/1.1\r\n\r\n')],
    ['bad version', frame(3, Buffer.alloc(22), 9)],
    ['unknown message type', frame(99, Buffer.alloc(4))],
    ['truncated frame', frame(3, Buffer.alloc(22)).subarray(0, 15)],
    ['header size not 22', frame(3, Buffer.alloc(22, 1))],
    ['field overruns the message', frame(3, Buffer.concat([Buffer.from([22, 1, 0, 0, 0, 0]), Buffer.alloc(12), Buffer.from([0, 1, 0, 0]), Buffer.from([0, 0, 0, 200, 0])]))],
    ['frame over the size limit', Buffer.from([2, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
    ['compressed garbage', frame(4, Buffer.alloc(20, 7))]
  ]
  for (const [name, bytes] of cases) {
    const { reply, closed } = await rawExchange(port, bytes)
    t.ok(closed || reply.length > 0 || name === 'truncated frame', `${name}: answered or closed`)
    if (reply.length >= 30 && reply[1] === 3) t.ok(reply[13] !== 0, `${name}: error result code ${reply[13]}`)
    t.same((await client.get(key)).bins, { a: 1 }, `${name}: the client keeps working`)
  }
  const flood = Array.from({ length: 20 }, (_, i) => rawExchange(port, cases[i % cases.length][1]))
  // Within the client's default pool of 100 connections per node.
  const gets = Array.from({ length: 80 }, async () => (await client.get(key)).bins.a)
  const [, values] = await Promise.all([Promise.all(flood), Promise.all(gets)])
  t.ok(values.every((v) => v === 1), 'reads stay correct while garbage flows')
})

t.test('a command the server does not implement (a UDF apply) gets an error, not a wrong answer', async (t) => {
  const { client } = await withEmbedded(t)
  const key = new Key('test', 'unimpl', 'k')
  await client.put(key, { b: Buffer.from([1, 2, 3]) })
  const code = await codeOf(client.apply(key, { module: 'none', funcname: 'f', args: [] }))
  t.not(code, 'resolved', 'the apply fails')
  t.same((await client.get(key)).bins, { b: Buffer.from([1, 2, 3]) }, 'and changes nothing')
})

t.test('hooks: forced result codes, latency, dropped connections, restart', async (t) => {
  const { server, client } = await withEmbedded(t)
  const key = new Key('test', 'hooks', 'k')
  await client.put(key, { a: 1 })

  const id = await server.addFault({ resultCode: status.ERR_DEVICE_OVERLOAD, match: { kind: 'write', set: 'hooks' } })
  t.equal(await codeOf(client.put(key, { a: 2 })), status.ERR_DEVICE_OVERLOAD, 'forced 18 on matching writes')
  t.same((await client.get(key)).bins, { a: 1 }, 'reads do not match; the write did not run')
  await server.removeFault(id)
  await client.put(key, { a: 2 })

  await server.addFault({ resultCode: status.ERR_RECORD_BUSY, times: 1 })
  t.equal(await codeOf(client.put(key, { a: 3 })), status.ERR_RECORD_BUSY, 'forced 14 once')
  await client.put(key, { a: 3 })

  await server.addFault({ delayMs: 300, times: 1 })
  const policy = new Aerospike.ReadPolicy({ totalTimeout: 100, socketTimeout: 100, maxRetries: 0 })
  t.equal(await codeOf(client.get(key, policy)), status.ERR_TIMEOUT, 'latency beyond the timeout is a client timeout')

  await server.addFault({ closeConnection: true, times: 1, match: { kind: 'read' } })
  const dropped = await codeOf(client.get(key, new Aerospike.ReadPolicy({ maxRetries: 0 })))
  t.not(dropped, 'resolved', `a dropped connection fails the command (${String(dropped)})`)

  const batchFault = await server.addFault({ resultCode: status.ERR_CLUSTER, match: { kind: 'batch' } })
  const batchCode = await codeOf(client.batchRead([{ key, readAllBins: true }, { key: new Key('test', 'hooks', 'other'), readAllBins: true }]))
  t.equal(batchCode, status.ERR_CLUSTER, 'a whole-batch failure')
  await server.removeFault(batchFault)
  await server.addFault({ resultCode: status.ERR_RECORD_NOT_FOUND, match: { inBatch: true, kind: 'read' }, times: 1 })
  const rows = await client.batchRead([{ key, readAllBins: true }, { key, readAllBins: true }])
  t.same(rows.map((r) => r.status), [2, 0], 'a forced code on one batch row only')
  await server.clearFaults()

  await server.stop()
  const down = await codeOf(client.get(key, new Aerospike.ReadPolicy({ totalTimeout: 500, maxRetries: 0 })))
  t.not(down, 'resolved', `a stopped node fails commands (${String(down)})`)
  await server.start()
  let back: unknown
  for (let i = 0; i < 50 && back === undefined; i++) {
    try {
      back = (await client.get(key)).bins
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  t.same(back, { a: 3 }, 'after a restart on the same port the client reconnects and the data is there')
})

t.test('enterprise edition accepts durable deletes and compressed requests', async (t) => {
  const { client } = await withEmbedded(t, { edition: 'enterprise' })
  const key = new Key('test', 'ee', 'k')
  const big = 'x'.repeat(500)
  await client.put(key, { big }, {}, new Aerospike.WritePolicy({ compress: true }))
  t.same((await client.get(key, new Aerospike.ReadPolicy({ compress: true }))).bins, { big })
  await client.remove(key, new Aerospike.RemovePolicy({ durableDelete: true }))
  t.equal(await client.exists(key), false)
})

t.test('community edition refuses compressed requests with 25', async (t) => {
  const { client } = await withEmbedded(t)
  const key = new Key('test', 'ce', 'k')
  const code = await codeOf(client.put(key, { big: 'x'.repeat(500) }, {}, new Aerospike.WritePolicy({ compress: true })))
  t.equal(code, status.ERR_ENTERPRISE_ONLY)
})

t.test('a key sent with a request must match the key stored with the record (19)', async (t) => {
  const { server, client } = await withEmbedded(t)
  const key = new Key('test', 'km', 'real-key')
  await client.put(key, { a: 1 }, {}, new Aerospike.WritePolicy({ key: Aerospike.policy.key.SEND }))
  // The same digest with another key, as only a raw request can send it.
  const body = message(0x03, 0, [field(0, Buffer.from('test')), field(1, Buffer.from('km')),
    field(4, key.digest as Buffer), field(2, Buffer.from('\x03other-key', 'latin1'))], [])
  const { reply } = await rawExchange(server.port, frame(3, body))
  t.equal(reply[8 + 5], 19, 'KEY_MISMATCH')
  t.same((await client.get(key, new Aerospike.ReadPolicy({ key: Aerospike.policy.key.SEND }))).bins, { a: 1 }, 'the right key reads')
})

t.test('server-side checks the client makes first: bin names over 15 bytes (21), no ops (4)', async (t) => {
  const { server } = await withEmbedded(t)
  const ns = field(0, Buffer.from('test'))
  const digest = field(4, Buffer.alloc(20, 7))
  const int = Buffer.alloc(8)
  const longName = await rawExchange(server.port, frame(3, message(0, 1, [ns, digest], [binOp(2, 1, 'b'.repeat(16), int)])))
  t.equal(longName.reply[8 + 5], 21, 'BIN_NAME')
  const noOps = await rawExchange(server.port, frame(3, message(0, 1, [ns, digest], [])))
  t.equal(noOps.reply[8 + 5], 4, 'a write without ops is a parameter error')
  const badInt = await rawExchange(server.port, frame(3, message(0, 1, [ns, digest], [binOp(2, 1, 'a', Buffer.alloc(3))])))
  t.equal(badInt.reply[8 + 5], 4, 'an integer of 3 bytes is a parameter error')
  const badType = await rawExchange(server.port, frame(3, message(0, 1, [ns, digest], [binOp(2, 99, 'a', int)])))
  t.equal(badType.reply[8 + 5], 4, 'an unknown particle type is a parameter error')
  const noDigest = await rawExchange(server.port, frame(3, message(3, 0, [ns], [])))
  // The server sends a message without digest to the scan path
  // (as_transaction_is_query), which refuses one without the partition-done
  // bit with 16.
  t.equal(noDigest.reply[8 + 5], 16, 'neither digest nor key is a scan without partition-done: 16')
  const admin = await rawExchange(server.port, frame(2, Buffer.alloc(16)))
  t.equal(admin.reply[8 + 1], 51, 'a login to Community Edition: security not supported (security_ce.c)')
})
