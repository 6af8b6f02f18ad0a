// What a scan or query request reads, from its parameters.

import Aerospike from 'aerospike'
import type { ScanSettings } from '../config'
import { GatewayError } from '../errors'
import { filterPolicyField } from '../expressions'
import { REPLICA, type Limits } from '../policies'
import { checkBinName, DEFAULT_MAX_DEPTH } from '../values'
import type { Predicate } from './filter'
import type { ScanSpec } from './reader'

export interface ScanParameters {
  recordBins?: string[]
  includeBinData?: boolean
  totalTimeout?: number
  socketTimeout?: number
  maxRetries?: number
  sleepBetweenRetries?: number
  replica?: keyof typeof REPLICA
  failOnClusterChange?: boolean
  /** A filter expression: the JSON form as JSON text, or base64 expression bytes. */
  filterexp?: string
}

export function scanSpec (namespace: string, set: string | undefined, filter: Predicate | undefined, q: ScanParameters,
  limits: Limits, settings: ScanSettings): ScanSpec {
  const fields: Record<string, unknown> = {
    totalTimeout: Math.min(q.totalTimeout ?? settings.totalTimeout, limits.totalTimeout),
    // Lists and maps as the server sends them, decoded exactly (src/values).
    deserialize: false
  }
  if (q.socketTimeout !== undefined) fields.socketTimeout = Math.min(q.socketTimeout, limits.socketTimeout)
  if (q.maxRetries !== undefined) fields.maxRetries = Math.min(q.maxRetries, limits.maxRetries)
  if (q.sleepBetweenRetries !== undefined) fields.sleepBetweenRetries = Math.min(q.sleepBetweenRetries, limits.sleepBetweenRetries)
  if (q.replica !== undefined) fields.replica = REPLICA[q.replica]
  if (q.failOnClusterChange !== undefined) fields.failOnClusterChange = q.failOnClusterChange
  // Records the filter rejects are skipped by the servers.
  const { filterExpression } = filterPolicyField(q.filterexp, 'filterexp', { source: 'json', maxDepth: DEFAULT_MAX_DEPTH })
  if (filterExpression !== undefined) fields.filterExpression = filterExpression
  const bins = q.recordBins?.map((b, i) => checkBinName(b, `recordBins[${i}]`))
  if (bins !== undefined && bins.length === 0) throw new GatewayError(4, 'recordBins: name at least one bin')
  return {
    namespace,
    set,
    filter,
    filterExpression,
    bins,
    noBins: q.includeBinData === false,
    policy: new Aerospike.QueryPolicy(fields),
    window: settings.windowPartitions
  }
}
