// The exact geometric test a geo index query ends with (particle_geojson.c
// as_geojson_match, geospatial.cc geo_point_within): S2Region::Contains of
// the centre of a point's leaf cell, for polygons (S2Loop, normalized to the
// side of at most half the sphere), multipolygons (a union) and AeroCircles
// (S2Cap, radius over the earth's mean radius).
//
// The server finds its candidates through S2 cell coverings first; coverings
// always contain the shape, so testing every indexed value directly gives the
// same records. A point exactly on a polygon edge may fall either way here
// (S2 resolves those with symbolic perturbation).

import { LIMIT_IJ, Xyz, cubeFace, faceUv, parseGeoJson, pointCellId, stToIj, toXyz, uvToSt } from '../geo'

const EARTH_RADIUS_METERS = 6371000

export interface GeoPoint {
  kind: 'point'
  cell: bigint
  // The centre of the point's leaf cell, which is what the server tests.
  center: Xyz
}

export interface GeoRegion {
  kind: 'region'
  contains: (p: Xyz) => boolean
}

export type GeoShape = GeoPoint | GeoRegion

type Json = any // eslint-disable-line @typescript-eslint/no-explicit-any

/** The shape of GeoJSON text the server would accept, or undefined. */
export function parseShape (text: Buffer): GeoShape | undefined {
  try {
    parseGeoJson(text)
  } catch {
    return undefined
  }
  const doc: Json = JSON.parse(text.toString('utf8'))
  const geometry: Json = doc.type === 'Feature' ? doc.geometry : doc
  const coords: Json = geometry.coordinates
  switch (geometry.type) {
    case 'Point': return point(coords[0], coords[1])
    case 'Polygon': return { kind: 'region', contains: polygon(coords) }
    case 'MultiPolygon': {
      const parts: Array<(p: Xyz) => boolean> = coords.map(polygon)
      return { kind: 'region', contains: (p) => parts.some((c) => c(p)) }
    }
    default: return circle(coords[0], coords[1])
  }
}

function point (lng: number, lat: number): GeoPoint {
  const p = toXyz(lng, lat)
  const face = cubeFace(p)
  const [u, v] = faceUv(face, p)
  const i = stToIj(uvToSt(u))
  const j = stToIj(uvToSt(v))
  // S2CellId::ToPoint: the leaf centre is at (2i + 1, 2j + 1) in units of
  // 1 / 2^31 of the face (GetCenterSiTi, FaceSiTitoXYZ), normalized.
  const center = normalize(faceUvToXyz(face, stToUv((2 * i + 1) / (2 * LIMIT_IJ)), stToUv((2 * j + 1) / (2 * LIMIT_IJ))))
  return { kind: 'point', cell: pointCellId(lng, lat), center }
}

function stToUv (s: number): number {
  return s >= 0.5 ? (1 / 3) * (4 * s * s - 1) : (1 / 3) * (1 - 4 * (1 - s) * (1 - s))
}

function faceUvToXyz (face: number, u: number, v: number): Xyz {
  switch (face) {
    case 0: return [1, u, v]
    case 1: return [-u, 1, v]
    case 2: return [-u, -v, 1]
    case 3: return [-1, -v, -u]
    case 4: return [v, -1, -u]
    default: return [v, u, -1]
  }
}

// S2Cap(center, S1Angle::Radians(r / R)).Contains(p): chord length squared.
function circle (center: [number, number], radius: number): GeoRegion {
  const c = toXyz(center[0], center[1])
  const angle = Math.min(Math.PI, radius / EARTH_RADIUS_METERS)
  const length = angle < 0 ? -1 : 2 * Math.sin(0.5 * angle)
  const limit = angle < 0 ? -1 : length * length
  return {
    kind: 'region',
    contains: (p) => Math.min(4, (c[0] - p[0]) ** 2 + (c[1] - p[1]) ** 2 + (c[2] - p[2]) ** 2) <= limit
  }
}

// S2Polygon of normalized loops: a point is inside when an odd number of
// loops hold it (shells hold holes).
function polygon (rings: Array<Array<[number, number]>>): (p: Xyz) => boolean {
  const loops = rings.map(loop)
  return (p) => loops.reduce((inside, l) => inside !== l(p), false)
}

function loop (ring: Array<[number, number]>): (p: Xyz) => boolean {
  const points = ring.map(([lng, lat]) => toXyz(lng, lat))
  let vs = points.filter((p, k) => k === 0 || !same(p, points[k - 1]))
  vs.pop() // the closing repeat of the first vertex
  if (curvature(vs) < 0) vs = vs.reverse() // S2Loop::Normalize
  const ref = insideReference(vs)
  return (p) => {
    if (dot(ref, p) > -0.9) return crossings(vs, ref, p) % 2 === 0
    // Nearly antipodal: go round through a point a quarter turn away.
    const mid = normalize(cross(ref, Math.abs(ref[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0]))
    return (crossings(vs, ref, mid) + crossings(vs, mid, p)) % 2 === 0
  }
}

// The sum of the turning angles (S2Loop::GetCurvature): 2π minus the area of
// the region on the loop's left, so negative when that region is more than
// half the sphere.
function curvature (vs: Xyz[]): number {
  let sum = 0
  for (let k = 0; k < vs.length; k++) {
    const a = vs[(k + vs.length - 1) % vs.length]
    const b = vs[k]
    const c = vs[(k + 1) % vs.length]
    const angle = angleBetween(cross(a, b), cross(b, c))
    sum += sign(a, b, c) > 0 ? angle : -angle
  }
  return sum
}

// A point just left of the first edge's midpoint: inside the loop.
function insideReference (vs: Xyz[]): Xyz {
  const a = vs[0]
  const b = vs[1 % vs.length]
  const mid = normalize([a[0] + b[0], a[1] + b[1], a[2] + b[2]])
  const left = normalize(cross(a, b))
  const d = 1e-9
  return normalize([mid[0] + d * left[0], mid[1] + d * left[1], mid[2] + d * left[2]])
}

// How many loop edges the arc from r to p crosses, with S2's four-orientation
// test (S2::CrossingSign) for arcs shorter than a half circle.
function crossings (vs: Xyz[], r: Xyz, p: Xyz): number {
  let n = 0
  for (let k = 0; k < vs.length; k++) {
    const c = vs[k]
    const d = vs[(k + 1) % vs.length]
    const acb = -sign(r, p, c)
    if (sign(r, p, d) !== acb) continue
    if (-sign(c, d, p) === acb && sign(c, d, r) === acb) n++
  }
  return n
}

function sign (a: Xyz, b: Xyz, c: Xyz): number {
  return Math.sign(dot(cross(a, b), c))
}

function cross (a: Xyz, b: Xyz): Xyz {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

function dot (a: Xyz, b: Xyz): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

function angleBetween (a: Xyz, b: Xyz): number {
  const c = cross(a, b)
  return Math.atan2(Math.sqrt(dot(c, c)), dot(a, b))
}

function normalize (p: Xyz): Xyz {
  const n = Math.sqrt(dot(p, p))
  const k = n === 0 ? 0 : 1 / n
  return [p[0] * k, p[1] * k, p[2] * k]
}

function same (a: Xyz, b: Xyz): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2]
}
