// The embedded server as the gateway and the tests use it: running on a
// worker thread, driven from here.

import { extname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { EmbeddedServerOptions, Fault } from './server'
import type { WorkerRequest, WorkerResponse } from './worker'

export type { EmbeddedServerOptions, Fault, FaultMatch, RequestKind } from './server'

export class EmbeddedServerHandle {
  host = ''
  port = 0
  private seq = 0
  private readonly calls = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()

  constructor (private readonly worker: Worker) {
    worker.on('message', (res: WorkerResponse) => {
      const call = this.calls.get(res.id)
      if (call === undefined) return
      this.calls.delete(res.id)
      if (res.ok) call.resolve(res.value)
      else call.reject(new Error(res.error))
    })
    worker.on('error', (err) => this.failAll(err))
    worker.on('exit', () => this.failAll(new Error('embedded server thread exited')))
  }

  /** `host:port`, as AEROSPIKE_HOSTS takes it. */
  get address (): string {
    return `${this.host}:${this.port}`
  }

  private failAll (err: Error): void {
    for (const call of this.calls.values()) call.reject(err)
    this.calls.clear()
  }

  private async call<T> (method: WorkerRequest['method'], arg?: unknown): Promise<T> {
    const id = ++this.seq
    return await new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.worker.postMessage({ id, method, arg } satisfies WorkerRequest)
    })
  }

  async start (): Promise<void> {
    const { host, port } = await this.call<{ host: string, port: number }>('start')
    this.host = host
    this.port = port
  }

  /** Stops listening and drops every connection; data is kept. */
  async stop (): Promise<void> {
    await this.call('stop')
  }

  /** Stop, then listen again on the same port. */
  async restart (): Promise<void> {
    await this.call('restart')
  }

  /** Empties every namespace. */
  async clear (): Promise<void> {
    await this.call('clear')
  }

  async addFault (fault: Fault): Promise<number> {
    return await this.call<number>('addFault', fault)
  }

  async removeFault (id: number): Promise<void> {
    await this.call('removeFault', id)
  }

  async clearFaults (): Promise<void> {
    await this.call('clearFaults')
  }

  /** Stops the server and ends its thread. */
  async close (): Promise<void> {
    await this.stop()
    await this.worker.terminate()
  }
}

// Built, the worker is the sibling .js file. Under tsx (tests, `npm run
// embedded`) it is a .ts file, which Node 20 will not start as a worker
// entry: an eval'd entry registers tsx first and then loads it.
function workerEntry (): [string] {
  const file = join(__dirname, `worker${extname(__filename)}`)
  return extname(__filename) === '.ts' ? [`require('tsx/cjs'); require(${JSON.stringify(file)})`] : [file]
}

/** Starts an embedded server on its own thread; resolves once it listens. */
export async function startEmbeddedServer (options: EmbeddedServerOptions = {}): Promise<EmbeddedServerHandle> {
  const worker = new Worker(...workerEntry(), { workerData: options, eval: extname(__filename) === '.ts' })
  const handle = new EmbeddedServerHandle(worker)
  try {
    await handle.start()
  } catch (err) {
    await worker.terminate()
    throw err
  }
  return handle
}
