// cmp_geo (as_geojson_match): a point bin against a region, or a region bin
// against a point. The server tests S2 geometry; this tests a point inside a
// polygon by its coordinates (even-odd rule, holes included) and inside an
// AeroCircle by great-circle distance, which agree with S2 except for points
// within floating-point distance of an edge.

import { geoText } from './value'

const EARTH_RADIUS_METERS = 6371000

type Position = [number, number]

interface Shape {
  type: string
  coordinates: unknown
}

function shapeOf (particle: Buffer): Shape | undefined {
  try {
    const doc = JSON.parse(geoText(particle).toString('utf8')) as Record<string, unknown>
    const g = (doc.type === 'Feature' ? doc.geometry : doc) as Record<string, unknown> | undefined
    return g === undefined || typeof g.type !== 'string' ? undefined : { type: g.type, coordinates: g.coordinates }
  } catch {
    return undefined
  }
}

function inRing (p: Position, ring: Position[]): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

function inPolygon (p: Position, rings: Position[][]): boolean {
  return rings.length > 0 && inRing(p, rings[0]) && !rings.slice(1).some((hole) => inRing(p, hole))
}

function distanceMeters (a: Position, b: Position): number {
  const rad = Math.PI / 180
  const dLat = (b[1] - a[1]) * rad
  const dLng = (b[0] - a[0]) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)))
}

function within (point: Position, region: Shape): boolean {
  switch (region.type) {
    case 'Polygon': return inPolygon(point, region.coordinates as Position[][])
    case 'MultiPolygon': return (region.coordinates as Position[][][]).some((rings) => inPolygon(point, rings))
    case 'AeroCircle': {
      const [center, radius] = region.coordinates as [Position, number]
      return distanceMeters(point, center) <= radius
    }
    default: return false
  }
}

/** The left operand is the candidate (usually a bin), the right the query. */
export function geoMatch (candidate: Buffer, query: Buffer): boolean {
  const c = shapeOf(candidate)
  const q = shapeOf(query)
  if (c === undefined || q === undefined) return false
  const cIsPoint = c.type === 'Point'
  const qIsPoint = q.type === 'Point'
  if (cIsPoint === qIsPoint) return false
  return cIsPoint ? within(c.coordinates as Position, q) : within(q.coordinates as Position, c)
}
