// The query filters of the official REST gateway, as the Node client's
// secondary-index predicates. A filter that is not well formed is 400 here,
// before anything is sent; one the server cannot serve (no index on the bin,
// a string value on a numeric index) is the server's 201.

import Aerospike from 'aerospike'
import type { BodyFormat } from '../plugins/content'
import { context, invalid } from '../operations/fields'
import { checkBinName, DoubleValue } from '../values'

export const FILTER_TYPES = ['EQUALS_STRING', 'EQUALS_LONG', 'RANGE', 'CONTAINS_STRING', 'CONTAINS_LONG',
  'GEO_WITHIN_REGION', 'GEO_WITHIN_RADIUS', 'GEO_CONTAINS_POINT'] as const

export const INDEX_TYPES = ['NUMERIC', 'STRING', 'GEO2DSPHERE'] as const

export const COLLECTION_TYPES = ['DEFAULT', 'LIST', 'MAPKEYS', 'MAPVALUES'] as const

export const INDEX_COLLECTION: Record<typeof COLLECTION_TYPES[number], number> = {
  DEFAULT: Aerospike.indexType.DEFAULT,
  LIST: Aerospike.indexType.LIST,
  MAPKEYS: Aerospike.indexType.MAPKEYS,
  MAPVALUES: Aerospike.indexType.MAPVALUES
}

export type Predicate = ReturnType<typeof Aerospike.filter.equal> | ReturnType<typeof Aerospike.filter.range> | ReturnType<typeof Aerospike.filter.geoWithinRadius>

const WHERE = 'filter'

// Index values are signed 64-bit; the client's predicates take numbers, so
// the safe integers are what can be carried exactly.
function long (v: unknown, name: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v
  if (typeof v === 'bigint') throw invalid(`${WHERE}.${name}`, 'integers beyond ±2^53 cannot be sent in a filter by the Node client')
  throw invalid(`${WHERE}.${name}`, `must be an integer, got ${JSON.stringify(String(v))}`)
}

function str (v: unknown, name: string): string {
  if (typeof v === 'string') return v
  throw invalid(`${WHERE}.${name}`, 'must be a string')
}

function coordinate (v: unknown, name: string): number {
  const n = v instanceof DoubleValue ? v.value : v
  if (typeof n === 'number' && Number.isFinite(n)) return n
  throw invalid(`${WHERE}.${name}`, 'must be a number')
}

/** [longitude, latitude] */
function lngLat (v: unknown, name: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) throw invalid(`${WHERE}.${name}`, 'must be [longitude, latitude]')
  const lng = coordinate(v[0], `${name}[0]`)
  const lat = coordinate(v[1], `${name}[1]`)
  if (lng < -180 || lng > 180 || lat < -90 || lat > 90) throw invalid(`${WHERE}.${name}`, 'longitude is -180 to 180 and latitude -90 to 90')
  return [lng, lat]
}

function collection (f: Record<string, unknown>): number {
  const c = f.collectionType ?? 'DEFAULT'
  if (typeof c !== 'string' || !(COLLECTION_TYPES as readonly string[]).includes(c)) {
    throw invalid(`${WHERE}.collectionType`, `must be one of ${COLLECTION_TYPES.join(', ')}`)
  }
  return INDEX_COLLECTION[c as typeof COLLECTION_TYPES[number]]
}

/** The predicate of a query body's `filter`; undefined when there is none. */
export function toPredicate (filter: unknown, source: BodyFormat, maxDepth: number): Predicate | undefined {
  if (filter === undefined || filter === null) return undefined
  if (typeof filter !== 'object' || Array.isArray(filter) || Buffer.isBuffer(filter)) throw invalid(WHERE, 'must be an object with a "type" and a "binName"')
  const f = filter as Record<string, unknown>
  if (typeof f.type !== 'string' || !(FILTER_TYPES as readonly string[]).includes(f.type)) {
    throw invalid(`${WHERE}.type`, `must be one of ${FILTER_TYPES.join(', ')}`)
  }
  const bin = checkBinName(f.binName, `${WHERE}.binName`)
  const ctx = context({ op: f, where: WHERE, options: { source, maxDepth, path: WHERE } }, 'ctx')
  const { filter: F } = Aerospike
  switch (f.type as typeof FILTER_TYPES[number]) {
    case 'EQUALS_STRING': return F.equal(bin, str(f.value, 'value'), ctx)
    case 'EQUALS_LONG': return F.equal(bin, long(f.value, 'value'), ctx)
    case 'RANGE': {
      const begin = long(f.begin, 'begin')
      const end = long(f.end, 'end')
      return F.range(bin, begin, end, collection(f), ctx)
    }
    case 'CONTAINS_STRING': return F.contains(bin, str(f.value, 'value'), collection(f), ctx)
    case 'CONTAINS_LONG': return F.contains(bin, long(f.value, 'value'), collection(f), ctx)
    case 'GEO_WITHIN_REGION': {
      const polygon = f.polygon
      if (!Array.isArray(polygon) || polygon.length < 4) throw invalid(`${WHERE}.polygon`, 'must be a closed ring of at least 4 [longitude, latitude] points')
      const ring = polygon.map((p, i) => lngLat(p, `polygon[${i}]`))
      const [first, last] = [ring[0], ring[ring.length - 1]]
      if (first[0] !== last[0] || first[1] !== last[1]) throw invalid(`${WHERE}.polygon`, 'the last point must be the first one (a closed ring)')
      return F.geoWithinGeoJSONRegion(bin, { type: 'Polygon', coordinates: [ring] }, collection(f), ctx)
    }
    case 'GEO_WITHIN_RADIUS': {
      const circle = f.circle
      if (!Array.isArray(circle) || circle.length !== 2) throw invalid(`${WHERE}.circle`, 'must be [[longitude, latitude], radius in meters]')
      const [lng, lat] = lngLat(circle[0], 'circle[0]')
      const radius = coordinate(circle[1], 'circle[1]')
      if (radius < 0) throw invalid(`${WHERE}.circle[1]`, 'the radius must not be negative')
      return F.geoWithinRadius(bin, lng, lat, radius, collection(f), ctx)
    }
    case 'GEO_CONTAINS_POINT': {
      const [lng, lat] = lngLat(f.point, 'point')
      return F.geoContainsPoint(bin, lng, lat, collection(f), ctx)
    }
  }
}
