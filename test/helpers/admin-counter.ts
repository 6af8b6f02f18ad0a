// A TCP proxy in front of an Aerospike server that counts the admin
// commands (message type 2) clients send through it, by command: what the
// server sees of logins, without asking the server. as_admin.c puts the
// command in the third byte of the 16-byte admin header that follows the
// 8-byte proto header: LOGIN is 20, AUTHENTICATE 0.

import { createServer, connect, type Socket } from 'node:net'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

export const LOGIN = 20
export const AUTHENTICATE = 0

export interface AdminCounter {
  /** host:port to give clients instead of the server's. */
  address: string
  /** Admin commands seen, by command. */
  counts: Map<number, number>
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

export async function adminCounter (t: Teardown, upstream: string): Promise<AdminCounter> {
  const [host, port] = upstream.split(':')
  const counts = new Map<number, number>()
  const sockets = new Set<Socket>()
  const server = createServer((downstream) => {
    const up = connect(Number(port), host)
    sockets.add(downstream)
    sockets.add(up)
    const read = frameReader((command) => counts.set(command, (counts.get(command) ?? 0) + 1))
    downstream.on('data', (chunk: Buffer) => {
      read(chunk)
      up.write(chunk)
    })
    up.pipe(downstream)
    const end = (): void => {
      downstream.destroy()
      up.destroy()
      sockets.delete(downstream)
      sockets.delete(up)
    }
    downstream.on('close', end).on('error', end)
    up.on('close', end).on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return { address: `127.0.0.1:${(server.address() as { port: number }).port}`, counts }
}
