// HTTP load through autocannon, the same generator for the bare route and the
// gateway: `connections` keep-alive connections, one request in flight on
// each. Each connection loops over a random sequence of requests of its own,
// built before the run: autocannon's setupRequest builds every request afresh,
// which costs the generator about half as much CPU again per request, on the
// same two CPUs as the servers it measures.

import autocannon from 'autocannon'
import { Latencies, Load, Measurement } from './measure'

export interface RequestMix {
  method: 'GET' | 'PUT' | 'POST'
  /** A random request: its path, and its body if it has one. */
  request: () => { path: string, body?: string }
  /** Items one successful answer counts for: 100 for a batch of 100 records. */
  itemsPerRequest?: number
}

// Long enough that connections walk the key spread independently, short
// enough to build in a few milliseconds.
const SEQUENCE = 100

/** One run; with `latencies` given, its latencies go there too, with those of other runs of the same target. */
export async function runHttp (baseUrl: string, mix: RequestMix, { connections, seconds }: Load, latencies = new Latencies()): Promise<Measurement> {
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: baseUrl,
      connections,
      duration: seconds,
      method: mix.method,
      headers: mix.method === 'GET' ? {} : { 'content-type': 'application/json' },
      // Fresh objects: autocannon keeps each built request on the object it is given.
      setupClient: (client) => client.setRequests(Array.from({ length: SEQUENCE }, () => ({ ...mix.request() })))
    }, (err: Error | null | undefined, res: autocannon.Result) => err == null ? resolve(res) : reject(err))
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.record(ms)
    })
  })
  const items = mix.itemsPerRequest ?? 1
  return latencies.measurement(result['2xx'] * items, result.non2xx + result.errors, result.duration)
}
