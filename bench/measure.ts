// What one measured run yields, whatever drove it: the raw client's loops or
// the HTTP load generator.

import { createHistogram, RecordableHistogram } from 'node:perf_hooks'

/** How hard and how long to drive a target: the same for every target of a run. */
export interface Load {
  /** Requests, or commands, kept in flight. */
  connections: number
  seconds: number
}

export interface Measurement {
  /** Successful operations per second. */
  rate: number
  p50Ms: number
  p99Ms: number
  ok: number
  /** Errors, timeouts and non-2xx answers. */
  failed: number
  seconds: number
}

/** Latencies in microseconds: the load generator's own histogram rounds to whole milliseconds. */
export class Latencies {
  private readonly histogram: RecordableHistogram = createHistogram()

  record (ms: number): void {
    this.histogram.record(Math.max(1, Math.round(ms * 1000)))
  }

  measurement (ok: number, failed: number, seconds: number): Measurement {
    const ms = (p: number): number => this.histogram.count === 0 ? 0 : this.histogram.percentile(p) / 1000
    return { rate: ok / seconds, p50Ms: ms(50), p99Ms: ms(99), ok, failed, seconds }
  }
}
