// Runs the embedded server on a thread of its own. The aerospike client
// connects synchronously on the thread that calls connect(), so a server on
// that same event loop could never answer the seed; here it always can.

import { parentPort, workerData } from 'node:worker_threads'
import { EmbeddedServer, EmbeddedServerOptions } from './server'

export interface WorkerRequest {
  id: number
  method: 'start' | 'stop' | 'restart' | 'clear' | 'addFault' | 'removeFault' | 'clearFaults'
  arg?: unknown
}

export interface WorkerResponse {
  id: number
  ok: boolean
  value?: unknown
  error?: string
}

const server = new EmbeddedServer(workerData as EmbeddedServerOptions)
const port = parentPort as NonNullable<typeof parentPort>

async function dispatch (req: WorkerRequest): Promise<unknown> {
  switch (req.method) {
    case 'start': return await server.start()
    case 'stop': return await server.stop()
    case 'restart': return await server.restart()
    case 'clear': return server.clear()
    case 'addFault': return server.addFault(req.arg as Parameters<EmbeddedServer['addFault']>[0])
    case 'removeFault': return server.removeFault(req.arg as number)
    case 'clearFaults': return server.clearFaults()
  }
}

port.on('message', (req: WorkerRequest) => {
  dispatch(req).then(
    (value) => port.postMessage({ id: req.id, ok: true, value } satisfies WorkerResponse),
    (err: Error) => port.postMessage({ id: req.id, ok: false, error: err.message } satisfies WorkerResponse)
  )
})
