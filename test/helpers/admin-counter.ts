// A TCP proxy in front of an Aerospike server that counts the admin
// commands (message type 2) clients send through it, by command: what the
// server sees of logins, without asking the server. as_admin.c puts the
// command in the third byte of the 16-byte admin header that follows the
// 8-byte proto header: LOGIN is 20, AUTHENTICATE 0.
//
// The proxy runs in a worker thread: the client connects (and logs in)
// synchronously on the main thread, which could not forward a byte meanwhile.

import { once } from 'node:events'
import { createServer, connect, type Socket } from 'node:net'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

export const LOGIN = 20
export const AUTHENTICATE = 0

export interface AdminCounter {
  /** host:port to give clients instead of the server's. */
  address: string
  /** Admin commands of this kind seen so far. */
  count: (command: number) => number
}

interface ProxyData {
  adminCounter: true
  upstream: string
  counts: Int32Array
}

// Walks the proto frames of one direction of a connection as its bytes arrive.
function frameReader (onAdmin: (command: number) => void): (chunk: Buffer) => void {
  let head = Buffer.alloc(0)
  let skip = 0
  return (chunk) => {
    let data = chunk
    while (data.length > 0) {
      if (skip > 0) {
        const n = Math.min(skip, data.length)
        skip -= n
        data = data.subarray(n)
        continue
      }
      head = Buffer.concat([head, data])
      data = Buffer.alloc(0)
      if (head.length < 11) return
      const size = head.readUIntBE(2, 6)
      if (head[1] === 2) onAdmin(head[10])
      const rest = head.subarray(8)
      head = Buffer.alloc(0)
      if (rest.length > size) data = rest.subarray(size)
      else skip = size - rest.length
    }
  }
}

function runProxy ({ upstream, counts }: ProxyData): void {
  const [host, port] = upstream.split(':')
  const server = createServer((downstream: Socket) => {
    const up = connect(Number(port), host)
    const read = frameReader((command) => Atomics.add(counts, command, 1))
    downstream.on('data', (chunk: Buffer) => {
      read(chunk)
      up.write(chunk)
    })
    up.pipe(downstream)
    const end = (): void => {
      downstream.destroy()
      up.destroy()
    }
    downstream.on('close', end).on('error', end)
    up.on('close', end).on('error', end)
  })
  server.listen(0, '127.0.0.1', () => parentPort?.postMessage((server.address() as { port: number }).port))
}

if (!isMainThread && (workerData as Partial<ProxyData> | null)?.adminCounter === true) runProxy(workerData as ProxyData)

export async function adminCounter (t: Teardown, upstream: string): Promise<AdminCounter> {
  const counts = new Int32Array(new SharedArrayBuffer(256 * 4))
  const data: ProxyData = { adminCounter: true, upstream, counts }
  const worker = __filename.endsWith('.ts')
    ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)})`, { eval: true, workerData: data })
    : new Worker(__filename, { workerData: data })
  const [port] = await once(worker, 'message') as [number]
  t.teardown(async () => await worker.terminate())
  return { address: `127.0.0.1:${port}`, count: (command) => Atomics.load(counts, command) }
}
