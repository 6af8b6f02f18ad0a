// The processes the bench starts: the embedded server, the gateway and the
// bare route, each a Node process of its own so that none shares an event loop
// with the load generator, and so that the gateway's memory is its own.

import { ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'

// Shorter than the bench's step timeout, so that a child that never gets
// ready is reported with its own output.
const READY_TIMEOUT_MS = 60_000
const CLOSE_TIMEOUT_MS = 5_000
const TAIL_LINES = 20
// USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux Node runs on.
const CLOCK_TICKS = 100

const running = new Set<Child>()
// Whatever way the bench ends, no child outlives it: a signal's default action
// would skip 'exit' handlers, so signals exit explicitly.
process.on('exit', () => {
  for (const child of running) child.process.kill('SIGKILL')
})
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(143))

export interface Memory {
  rssMb: number
  /** VmHWM: the most resident memory the process has had. */
  peakMb: number
}

export class Child {
  readonly process: ChildProcess
  private readonly tail: string[] = []
  private exitCode: number | null | undefined
  private readonly exited: Promise<void>
  private readonly lineListeners = new Set<(line: string) => void>()

  constructor (readonly name: string, args: string[], env: Record<string, string>) {
    this.process = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    running.add(this)
    this.exited = new Promise((resolve) => {
      const exited = (code: number | null): void => {
        this.exitCode = code
        running.delete(this)
        resolve()
      }
      this.process.once('exit', exited)
      // A process that could not be started emits 'error' and never 'exit'.
      this.process.once('error', (err) => {
        this.onLine(err.message)
        exited(null)
      })
    })
    // Reading every line also keeps a chatty child from blocking on a full pipe.
    for (const stream of [this.process.stdout, this.process.stderr]) {
      let partial = ''
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) this.onLine(line)
      })
    }
  }

  private onLine (line: string): void {
    this.tail.push(line)
    if (this.tail.length > TAIL_LINES) this.tail.shift()
    for (const listener of this.lineListeners) listener(line)
  }

  private failure (what: string): Error {
    const status = this.exitCode === undefined ? '' : ` (exited with ${String(this.exitCode)})`
    return new Error(`${this.name}: ${what}${status}${this.tail.length > 0 ? `; its last output:\n${this.tail.join('\n')}` : ''}`)
  }

  /** Resolves with the match of the first line of output that matches. */
  async waitForLine (pattern: RegExp): Promise<RegExpMatchArray> {
    const seen = this.tail.map((line) => line.match(pattern)).find((m) => m !== null)
    if (seen != null) return seen
    let listener: ((line: string) => void) | undefined
    let timer: NodeJS.Timeout | undefined
    try {
      return await Promise.race([
        new Promise<RegExpMatchArray>((resolve) => {
          listener = (line) => {
            const m = line.match(pattern)
            if (m !== null) resolve(m)
          }
          this.lineListeners.add(listener)
        }),
        this.exited.then(() => { throw this.failure('exited before it was ready') }),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(this.failure(`said nothing matching ${String(pattern)} in ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS)
        })
      ])
    } finally {
      if (listener !== undefined) this.lineListeners.delete(listener)
      clearTimeout(timer)
    }
  }

  /** Polls `url` until it answers 200. */
  async waitForHttp (url: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined) throw this.failure('exited before it was ready')
      try {
        if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).status === 200) return
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw this.failure(`${url} did not answer 200 in ${READY_TIMEOUT_MS} ms`)
  }

  /** The process and the processes it started (the workers of a gateway with WORKERS > 1). */
  private tree (): number[] {
    const pids = [this.process.pid as number]
    try {
      pids.push(...readFileSync(`/proc/${String(this.process.pid)}/task/${String(this.process.pid)}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number))
    } catch {}
    return pids
  }

  /**
   * CPU time (user and system) the process tree has used, in seconds: what a
   * request costs the server, however busy the machine is. From /proc; the
   * CPU time of workers that have exited is in their parent's.
   */
  cpuSeconds (): number | undefined {
    let total = 0
    for (const pid of this.tree()) {
      try {
        // After the command name, which may hold spaces: utime and stime are fields 14 and 15.
        const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8').split(') ')[1].split(' ')
        total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
      } catch {
        if (pid === this.process.pid) return undefined
      }
    }
    return total
  }

  /**
   * Of the process and the processes it started (the workers of a gateway
   * with WORKERS > 1), summed. From /proc, so Linux only; undefined elsewhere
   * or once the process is gone.
   */
  memory (): Memory | undefined {
    const total: Memory = { rssMb: 0, peakMb: 0 }
    for (const pid of this.tree()) {
      let status: string
      try {
        status = readFileSync(`/proc/${String(pid)}/status`, 'utf8')
      } catch {
        if (pid === this.process.pid) return undefined
        continue
      }
      const mb = (field: string): number => Number(status.match(new RegExp(`^${field}:\\s*(\\d+) kB`, 'm'))?.[1] ?? NaN) / 1024
      total.rssMb += mb('VmRSS')
      total.peakMb += mb('VmHWM')
    }
    return total
  }

  /** SIGTERM, then SIGKILL if it has not exited in time. */
  async close (): Promise<void> {
    if (this.exitCode !== undefined) return
    this.process.kill('SIGTERM')
    const timer = setTimeout(() => this.process.kill('SIGKILL'), CLOSE_TIMEOUT_MS)
    await this.exited
    clearTimeout(timer)
  }
}

export async function closeAll (): Promise<void> {
  await Promise.all([...running].map(async (child) => await child.close()))
}
