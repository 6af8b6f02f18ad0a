// The figures of one bench run: the ratios between them, the JSON written to
// bench/results/latest.json, and the table printed.

import type { Measurement } from './measure'

/** The budget for the gateway's resident memory under load. */
export const RSS_BUDGET_MB = 150
// RSS after a run moves by tens of MB with where V8's collector happens to
// stand, so one high reading is no leak: a leak raises it run after run, and
// over tens of thousands of requests a run by more than this.
const RSS_GROWTH_TOLERANCE_MB = 5

export type RunName = 'raw_get' | 'raw_batch100' | 'bare' | 'naive_get' | 'get' | 'naive_get_listmap' | 'get_listmap' |
  'naive_put' | 'put' | 'naive_batch100' | 'batch100' | 'get_uncoalesced' | 'batch100_uncoalesced'

export interface Run {
  name: RunName
  label: string
  unit: string
  measurement?: Measurement
  /** CPU time the server spent per request (per record for a batch), µs. */
  cpuUsPerItem?: number
  /** The gateway's resident memory right after the run. */
  rssMb?: number
  /** Why there is no measurement, when there is none. */
  note?: string
}

export interface Figures {
  runs: Run[]
  /** The gateway's RSS after each of its turns of scalar GETs. */
  rssAfterGetTurns: number[]
  /** The gateway's VmHWM after all its runs, coalescing on and off. */
  peakRssMb?: number
  peakRssMbUncoalesced?: number
  errors: Array<{ step: string, message: string }>
  meta: Record<string, unknown>
}

const round = (n: number | undefined, digits = 2): number | null => n === undefined || !Number.isFinite(n) ? null : Number(n.toFixed(digits))
const ratio = (a: number | undefined, b: number | undefined): number | undefined => a === undefined || b === undefined || b === 0 ? undefined : a / b

/** Of readings over time, the first, the middle and the last. */
function firstMiddleLast (readings: number[]): Array<number | undefined> {
  return readings.length < 3 ? [undefined, undefined, undefined] : [readings[0], readings[Math.floor(readings.length / 2)], readings[readings.length - 1]]
}

export function summarize (figures: Figures): Record<string, unknown> {
  const run = (name: RunName): Measurement | undefined => figures.runs.find((r) => r.name === name)?.measurement
  const get = run('get')
  const rawGet = run('raw_get')
  const bare = run('bare')
  const serialLimit = rawGet === undefined || bare === undefined ? undefined : 1 / (1 / rawGet.rate + 1 / bare.rate)
  const rssAfterGets = firstMiddleLast(figures.rssAfterGetTurns)
  const [first, second, last] = rssAfterGets
  const growing = first === undefined || second === undefined || last === undefined
    ? undefined
    : second > first && last > second && last - first > RSS_GROWTH_TOLERANCE_MB
  const withinBudget = figures.peakRssMb === undefined ? undefined : figures.peakRssMb <= RSS_BUDGET_MB
  const latencies: Record<string, number | null> = {}
  for (const [name, m] of [['raw_get', rawGet], ['raw_batch100', run('raw_batch100')], ['bare', bare], ['get', get],
    ['get_uncoalesced', run('get_uncoalesced')], ['get_listmap', run('get_listmap')], ['put', run('put')], ['batch100', run('batch100')], ['batch100_uncoalesced', run('batch100_uncoalesced')],
    ['naive_get', run('naive_get')], ['naive_get_listmap', run('naive_get_listmap')], ['naive_put', run('naive_put')],
    ['naive_batch100', run('naive_batch100')]] as const) {
    latencies[`p50_${name}_ms`] = round(m?.p50Ms, 3)
    latencies[`p99_${name}_ms`] = round(m?.p99Ms, 3)
  }
  return {
    raw_get_ops: round(rawGet?.rate, 0),
    raw_batch100_records: round(run('raw_batch100')?.rate, 0),
    bare_rps: round(bare?.rate, 0),
    gateway_get_rps: round(get?.rate, 0),
    gateway_get_rps_uncoalesced: round(run('get_uncoalesced')?.rate, 0),
    gateway_put_rps: round(run('put')?.rate, 0),
    gateway_batch100_records: round(run('batch100')?.rate, 0),
    gateway_batch100_records_uncoalesced: round(run('batch100_uncoalesced')?.rate, 0),
    gateway_get_listmap_rps: round(run('get_listmap')?.rate, 0),
    naive_get_rps: round(run('naive_get')?.rate, 0),
    naive_get_listmap_rps: round(run('naive_get_listmap')?.rate, 0),
    naive_put_rps: round(run('naive_put')?.rate, 0),
    naive_batch100_records: round(run('naive_batch100')?.rate, 0),
    get_vs_naive: round(ratio(get?.rate, run('naive_get')?.rate), 3),
    get_listmap_vs_naive: round(ratio(run('get_listmap')?.rate, run('naive_get_listmap')?.rate), 3),
    get_listmap_vs_scalar: round(ratio(run('get_listmap')?.rate, get?.rate), 3),
    batch_vs_naive: round(ratio(run('batch100')?.rate, run('naive_batch100')?.rate), 3),
    batch_uncoalesced_vs_naive: round(ratio(run('batch100_uncoalesced')?.rate, run('naive_batch100')?.rate), 3),
    put_vs_naive: round(ratio(run('put')?.rate, run('naive_put')?.rate), 3),
    naive_batch_vs_raw: round(ratio(run('naive_batch100')?.rate, run('raw_batch100')?.rate), 3),
    serial_limit_rps: round(serialLimit, 0),
    get_vs_serial_limit: round(ratio(get?.rate, serialLimit), 3),
    get_uncoalesced_vs_serial_limit: round(ratio(run('get_uncoalesced')?.rate, serialLimit), 3),
    get_vs_raw: round(ratio(get?.rate, rawGet?.rate), 3),
    batch_vs_raw: round(ratio(run('batch100')?.rate, run('raw_batch100')?.rate), 3),
    ...latencies,
    peak_rss_mb: round(figures.peakRssMb, 1),
    peak_rss_mb_uncoalesced: round(figures.peakRssMbUncoalesced, 1),
    rss_after_runs_mb: rssAfterGets.map((mb) => round(mb, 1)),
    cpu_us_per_item: Object.fromEntries(figures.runs.filter((r) => r.cpuUsPerItem !== undefined).map((r) => [r.name, round(r.cpuUsPerItem, 1)])),
    rss_after_mb: Object.fromEntries(figures.runs.filter((r) => r.rssMb !== undefined).map((r) => [r.name, round(r.rssMb, 1)])),
    rss_growing: growing ?? null,
    peak_rss_within_budget: withinBudget ?? null,
    memory_ok: growing === undefined || withinBudget === undefined ? null : withinBudget && !growing,
    failed_requests: Object.fromEntries(figures.runs.filter((r) => (r.measurement?.failed ?? 0) > 0).map((r) => [r.name, r.measurement?.failed])),
    errors: figures.errors,
    ...figures.meta
  }
}

const integer = (n: number): string => Math.round(n).toLocaleString('en-US')
const ms = (n: number): string => n.toFixed(2)
const pad = (cells: string[], widths: number[]): string =>
  cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ').trimEnd()

export function table (figures: Figures, summary: Record<string, unknown>): string {
  const widths = [46, 22, 8, 8, 9, 8]
  const lines = [pad(['run', 'rate', 'p50 ms', 'p99 ms', 'CPU us/op', 'RSS MB'], widths)]
  for (const r of figures.runs) {
    const m = r.measurement
    const rate = m === undefined ? (r.note ?? 'failed') : `${integer(m.rate)} ${r.unit}`
    const failed = m !== undefined && m.failed > 0 ? `  (${integer(m.failed)} failed)` : ''
    lines.push(pad([r.label, rate, m === undefined ? '' : ms(m.p50Ms), m === undefined ? '' : ms(m.p99Ms),
      r.cpuUsPerItem === undefined ? '' : r.cpuUsPerItem.toFixed(1), r.rssMb === undefined ? '' : r.rssMb.toFixed(1)], widths) + failed)
  }
  const value = (key: string, format: (n: number) => string): string =>
    typeof summary[key] === 'number' ? format(summary[key]) : 'n/a'
  const rps = (n: number): string => `${integer(n)} req/s`
  const x = (n: number): string => `${n.toFixed(3)}x`
  const mb = (n: number): string => `${n.toFixed(1)} MB`
  const rss = summary.rss_after_runs_mb as Array<number | null>
  const verdict = (key: string, yes: string, no: string): string => summary[key] === null ? 'n/a' : summary[key] === true ? yes : no
  lines.push('',
    `gateway GET                             ${value('gateway_get_rps', rps)}`,
    `serial limit 1/(1/raw + 1/bare)         ${value('serial_limit_rps', rps)}`,
    `gateway GET / serial limit              ${value('get_vs_serial_limit', x)} (COALESCE_GETS=false: ${value('get_uncoalesced_vs_serial_limit', x)})`,
    `gateway GET / raw client get            ${value('get_vs_raw', x)}`,
    'measured in alternating turns:',
    `gateway GET / naive GET, scalar bins    ${value('get_vs_naive', x)} (target >= 1.3)`,
    `gateway GET / naive GET, list and map   ${value('get_listmap_vs_naive', x)} (target >= 1.3)`,
    `gateway GET, list and map / scalar      ${value('get_listmap_vs_scalar', x)} (target >= 0.9)`,
    `gateway PUT / naive PUT                 ${value('put_vs_naive', x)} (target >= 1.0)`,
    `gateway batch / naive batch             ${value('batch_vs_naive', x)} (target >= 1.0; COALESCE_BATCHES=false, measured after: ${value('batch_uncoalesced_vs_naive', x)})`,
    `gateway batch / raw batchRead           ${value('batch_vs_raw', x)} (naive: ${value('naive_batch_vs_raw', x)}; target >= 0.75)`,
    `gateway peak RSS                        ${value('peak_rss_mb', mb)} (coalescing off: ${value('peak_rss_mb_uncoalesced', mb)}): ` +
      verdict('peak_rss_within_budget', 'within', 'OVER') + ` the ${RSS_BUDGET_MB} MB budget`,
    `gateway RSS in its GET turns            ${rss.map((n) => n === null ? 'n/a' : n.toFixed(1)).join(', ')} MB: ` +
      verdict('rss_growing', 'GROWING', 'not growing') + ' (first, middle, last)')
  for (const e of figures.errors) lines.push(`error in ${e.step}: ${e.message}`)
  return lines.join('\n')
}
