// The query manager's job list as `query-show` reports it (query_job.c
// as_query_job_info, query_manager.c): every scan and query, foreground or
// background, by the transaction id the client gave it.

const N_PARTITIONS = 4096
// query-max-done: how many finished jobs the server remembers.
const MAX_DONE = 100
const CF_SOCKET_TIMEOUT = 10000
const FIN_MESSAGE_SIZE = 30

export type JobType = 'basic' | 'background-ops'

export class QueryJob {
  readonly startMs = Date.now()
  finishMs = 0
  // The partition being worked on, for job-progress.
  pid = 0
  succeeded = 0
  failed = 0
  filteredMeta = 0
  filteredBins = 0
  throttled = 0
  netIoBytes = 0

  constructor (
    readonly trid: bigint,
    readonly type: JobType,
    readonly ns: string,
    readonly set: string,
    readonly sindexName: string | undefined,
    readonly pidsRequested: number,
    readonly keydsRequested: number,
    readonly rps: number,
    readonly from: string,
    readonly socketTimeout: number
  ) {}

  info (): string {
    const now = Date.now()
    const done = this.finishMs !== 0
    const progress = done ? 100 : (Math.min(this.pid + 1, N_PARTITIONS) * 100) / N_PARTITIONS
    let out = `trid=${this.trid}:ns=${this.ns}`
    if (this.set !== '') out += `:set=${this.set}`
    if (this.sindexName !== undefined) out += `:sindex-name=${this.sindexName}`
    if (this.pidsRequested !== 0) out += `:n-pids-requested=${this.pidsRequested}:n-keyds-requested=${this.keydsRequested}`
    out += `:rps=${this.rps}:active-threads=${done ? 0 : 1}:status=${done ? 'done' : 'active'}(ok)` +
      `:job-progress=${progress.toFixed(2)}:run-time=${(done ? this.finishMs : now) - this.startMs}` +
      `:time-since-done=${done ? now - this.finishMs : 0}:recs-throttled=${this.throttled}` +
      `:recs-filtered-meta=${this.filteredMeta}:recs-filtered-bins=${this.filteredBins}` +
      `:recs-succeeded=${this.succeeded}:recs-failed=${this.failed}:from=${this.from.replace(/:/g, '+')}` +
      `:job-type=${this.type}`
    if (this.type === 'basic') {
      out += `:net-io-bytes=${this.netIoBytes}:net-io-time=0:socket-timeout=${this.socketTimeout}`
    } else {
      out += `:net-io-bytes=${FIN_MESSAGE_SIZE}:socket-timeout=${CF_SOCKET_TIMEOUT}:ops-active=0`
    }
    return out
  }
}

export class JobRegistry {
  private readonly active: QueryJob[] = []
  // Newest first.
  private readonly done: QueryJob[] = []

  /** Registers a job; false when a job with its trid is still running. */
  start (job: QueryJob): boolean {
    if (this.active.some((j) => j.trid === job.trid)) return false
    this.active.push(job)
    return true
  }

  finish (job: QueryJob): void {
    const i = this.active.indexOf(job)
    if (i < 0) return
    this.active.splice(i, 1)
    job.finishMs = Date.now()
    const old = this.done.findIndex((j) => j.trid === job.trid)
    if (old >= 0) this.done.splice(old, 1)
    this.done.unshift(job)
    if (this.done.length > MAX_DONE) this.done.pop()
  }

  /** `query-show[:trid=<n>]`. */
  show (arg: string): string {
    const m = /(?:^|;)trid=([^;]*)/.exec(arg)
    if (m === null) return [...this.active, ...this.done].map((j) => j.info()).join(';')
    if (!/^\d+$/.test(m[1])) return 'ERROR:4:bad trid'
    const trid = BigInt(m[1])
    const job = this.active.find((j) => j.trid === trid) ?? this.done.find((j) => j.trid === trid)
    return job === undefined ? 'ERROR:2:job not found' : job.info()
  }
}
