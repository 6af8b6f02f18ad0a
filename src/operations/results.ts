// The bins of an operate answer, read with `deserialize: false` so that
// lists and maps keep every type (1.0, bytes, integer keys), in the value
// model of src/values.ts.

import type { AerospikeRecord } from 'aerospike'
import { fromClientBins, listsAndMaps, looksLikeRawCdt } from '../values'
import type { Value } from '../values'
import type { ResultPlan } from './index'

/** Reads the types of the named bins of the record (binTypeReads). */
export type TypeCheck = (bins: string[]) => Promise<AerospikeRecord>

/**
 * The answer's bins. A Buffer is a list or map when it parses as one, except
 * where the plan knows better: a map key is bytes, and a bin's own value
 * whose bytes parse is checked by a second read (`check`) when nothing in
 * the request changed the bin after reading it and the record's generation
 * is still the answer's. Without that, a bytes value whose content happens
 * to be a valid Aerospike list or map reads as that list or map.
 */
export async function resultBins (record: AerospikeRecord, plan: ResultPlan, check: TypeCheck): Promise<Record<string, Value>> {
  const bins: Record<string, unknown> = { ...record.bins }
  // When every operation answers, a touch or a record delete answers under
  // the empty bin name, with nothing.
  delete bins['']
  const names = Object.keys(bins)
  const ambiguous = names.filter((name) => (plan.all || plan.checkable.has(name)) && looksLikeRawCdt(bins[name]))
  const bytes = new Set<string>()
  if (ambiguous.length > 0) {
    let types: AerospikeRecord | undefined
    try {
      types = await check(ambiguous)
    } catch {
      // The operations were applied: a failed check (the record deleted or
      // unreachable since) must not fail the request, the bytes decide.
    }
    if (types?.gen === record.gen) {
      const cdt = new Set(listsAndMaps(types.bins, ambiguous))
      for (const name of ambiguous) if (!cdt.has(name)) bytes.add(name)
    }
  }
  return fromClientBins(bins, names.filter((name) => !plan.keys.has(name) && !bytes.has(name)))
}
