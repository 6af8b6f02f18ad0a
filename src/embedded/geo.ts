// GeoJSON bins (particle type 23). The server parses the text on every write
// and stores it behind the S2 cells its geo indexes use; a value it cannot
// parse fails the write. See as/src/base/particle_geojson.c and
// as/src/geospatial/geojson.cc in aerospike-server, and s2cell_id.cc and
// s2coords.h in its s2geometry module for the cell arithmetic.

// AS_ERR_GEO_INVALID_GEOJSON (proto.h). geojson_size_from_wire and
// geojson_from_wire return it for every kind of bad value, and write_master
// hands it back to the client as the result code.
export const GEO_INVALID_GEOJSON = 160

// GEOJSON_ISREGION: the server's queries use it to tell regions from points.
const ISREGION = 0x01

// ---------------------------------------------------------------------------
// S2 leaf cells

const LOOKUP_BITS = 4
const SWAP = 1
const INVERT = 2
const POS_TO_IJ = [[0, 1, 3, 2], [0, 2, 3, 1], [3, 2, 0, 1], [3, 1, 0, 2]]
const POS_TO_ORIENTATION = [SWAP, 0, 0, INVERT | SWAP]
export const LIMIT_IJ = 1 << 30

// Maps 4 bits of i, 4 bits of j and an orientation to 8 bits of Hilbert curve
// position and the orientation that follows, so the cell id is built a
// nibble at a time (InitLookupCell).
const lookupPos = new Uint16Array(1 << (2 * LOOKUP_BITS + 2))

function initLookup (level: number, i: number, j: number, origOrientation: number, pos: number, orientation: number): void {
  if (level === LOOKUP_BITS) {
    lookupPos[(((i << LOOKUP_BITS) + j) << 2) + origOrientation] = (pos << 2) + orientation
    return
  }
  const r = POS_TO_IJ[orientation]
  for (let k = 0; k < 4; k++) {
    initLookup(level + 1, (i << 1) + (r[k] >> 1), (j << 1) + (r[k] & 1), origOrientation,
      (pos << 2) + k, orientation ^ POS_TO_ORIENTATION[k])
  }
}
for (const o of [0, SWAP, INVERT, SWAP | INVERT]) initLookup(0, 0, 0, o, 0, o)

export type Xyz = [number, number, number]

// S2LatLng::FromDegrees(...).ToPoint(). The degree factor is applied exactly as
// S1Angle::Degrees does, so the range check and the cell match bit for bit.
// (V8's sin/cos are not glibc's; they may differ in the last bit, which moves
// a point across a leaf cell boundary only if it lies within ~1e-16 of one.)
export function toXyz (lng: number, lat: number): Xyz {
  const phi = (Math.PI / 180) * lat
  const theta = (Math.PI / 180) * lng
  const cosphi = Math.cos(phi)
  return [Math.cos(theta) * cosphi, Math.sin(theta) * cosphi, Math.sin(phi)]
}

export function cubeFace ([x, y, z]: Xyz): number {
  const ax = Math.abs(x)
  const ay = Math.abs(y)
  const az = Math.abs(z)
  const axis = ax > ay ? (ax > az ? 0 : 2) : (ay > az ? 1 : 2)
  return [x, y, z][axis] < 0 ? axis + 3 : axis
}

export function faceUv (face: number, [x, y, z]: Xyz): [number, number] {
  switch (face) {
    case 0: return [y / x, z / x]
    case 1: return [-x / y, z / y]
    case 2: return [-x / z, -y / z]
    case 3: return [z / x, y / x]
    case 4: return [z / y, -x / y]
    default: return [-y / z, -x / z]
  }
}

// The quadratic projection, S2's default.
export function uvToSt (u: number): number {
  return u >= 0 ? 0.5 * Math.sqrt(1 + 3 * u) : 1 - 0.5 * Math.sqrt(1 - 3 * u)
}

// FastIntRound is cvtsd2si on x86-64, which rounds halves to even.
export function stToIj (s: number): number {
  const x = LIMIT_IJ * s - 0.5
  let r = Math.round(x)
  if (r - x === 0.5 && r % 2 !== 0) r--
  return Math.max(0, Math.min(LIMIT_IJ - 1, r))
}

function fromFaceIj (face: number, i: number, j: number): bigint {
  let n = BigInt(face) << 60n
  let bits = face & SWAP
  for (let k = 7; k >= 0; k--) {
    bits += ((i >> (k * LOOKUP_BITS)) & 15) << (LOOKUP_BITS + 2)
    bits += ((j >> (k * LOOKUP_BITS)) & 15) << 2
    bits = lookupPos[bits]
    n |= BigInt(bits >> 2) << BigInt(k * 2 * LOOKUP_BITS)
    bits &= SWAP | INVERT
  }
  return (n << 1n) | 1n
}

function xyzCellId (p: Xyz): bigint {
  const face = cubeFace(p)
  const [u, v] = faceUv(face, p)
  return fromFaceIj(face, stToIj(uvToSt(u)), stToIj(uvToSt(v)))
}

// The S2 leaf cell (level 30) of a point, as S2CellId(S2LatLng::FromDegrees(lat, lng)).
export function pointCellId (lng: number, lat: number): bigint {
  return xyzCellId(toXyz(lng, lat))
}

// ---------------------------------------------------------------------------
// Parsing, as geojson.cc does it

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const MAX_DEPTH = 2048 // JSON_PARSER_MAX_DEPTH
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const STRING = /"(?:[^"\\]|\\.)*"/g
const TOKEN = /[[{]|[\]}]|[^\s,:[\]{}]+/g
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

function badString (s: string): boolean {
  return s.includes('\0') || LONE_SURROGATE.test(s)
}

// The server parses with jansson (json_loadb, no flags), which refuses some
// text JSON.parse takes: invalid UTF-8 and a BOM, \u0000 and unpaired
// surrogates in strings, integers outside int64, reals that overflow to
// infinity, and nesting deeper than 2048.
function parseJson (bytes: Buffer): unknown {
  const text = utf8.decode(bytes)
  const doc: unknown = JSON.parse(text, (key, v: unknown) => {
    if (badString(key) || (typeof v === 'string' && badString(v))) throw new SyntaxError('bad string')
    return v
  })
  // The text is valid JSON by now, so once strings are blanked every run of
  // non-structural characters is a scalar.
  let depth = 0
  for (const [tok] of text.replace(STRING, '0').matchAll(TOKEN)) {
    if (tok === '[' || tok === '{') depth++
    else if (tok === ']' || tok === '}') depth--
    else if (depth + 1 > MAX_DEPTH) throw new SyntaxError('too deep')
    else if (/^-?\d+$/.test(tok) && (BigInt(tok) < INT64_MIN || BigInt(tok) > INT64_MAX)) throw new SyntaxError('integer overflow')
    else if (!Number.isFinite(Number(tok)) && tok !== 'true' && tok !== 'false' && tok !== 'null') throw new SyntaxError('real overflow')
    if (depth > MAX_DEPTH) throw new SyntaxError('too deep')
  }
  return doc
}

function invalid (what: string): never {
  throw new Error(`invalid geojson: ${what}`)
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

// json_object_get: own members only, never the prototype's.
function member (o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined
}

// traverse_point: exactly [lng, lat], both numbers, inside S2LatLng::is_valid.
function position (coord: unknown): Xyz {
  if (!Array.isArray(coord) || coord.length !== 2) invalid('position')
  const [lng, lat] = coord as unknown[]
  if (typeof lng !== 'number' || typeof lat !== 'number') invalid('coordinate not numeric')
  if (!(Math.abs((Math.PI / 180) * lat) <= Math.PI / 2 && Math.abs((Math.PI / 180) * lng) <= Math.PI)) {
    invalid('latitude-longitude out of range')
  }
  return toXyz(lng, lat)
}

// traverse_loop: consecutive repeats are dropped, then the ring must be closed
// and have at least 4 points. S2Loop validity is not checked (the server has
// those checks commented out).
function loop (vertices: unknown): void {
  if (!Array.isArray(vertices)) invalid('loop')
  const points = vertices.map(position)
  const kept = points.filter((p, k) => k === 0 || !sameXyz(p, points[k - 1]))
  if (kept.length < 4) invalid('loop has fewer than 4 points')
  if (!sameXyz(kept[0], kept[kept.length - 1])) invalid('loop not closed')
}

function sameXyz (a: Xyz, b: Xyz): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2]
}

function polygon (loops: unknown): void {
  if (!Array.isArray(loops)) invalid('polygon')
  loops.forEach(loop)
}

// A point's leaf cell, or 'region' for the shapes the server covers with cells.
function shape (type: unknown, coord: unknown): bigint | 'region' {
  switch (type) {
    case 'Point':
      return xyzCellId(position(coord))
    case 'Polygon':
      polygon(coord)
      return 'region'
    case 'MultiPolygon':
      if (!Array.isArray(coord)) invalid('multipolygon')
      coord.forEach(polygon)
      return 'region'
    case 'AeroCircle': // [[lng, lat], radius in meters]
      if (!Array.isArray(coord) || coord.length !== 2) invalid('circle')
      position(coord[0])
      if (typeof coord[1] !== 'number') invalid('radius not numeric')
      return 'region'
    default:
      return invalid('unknown type')
  }
}

export function parseGeoJson (bytes: Buffer): bigint | 'region' {
  const doc = parseJson(bytes)
  if (!isObject(doc)) invalid('top level not an object')
  if (member(doc, 'type') !== 'Feature') return shape(member(doc, 'type'), member(doc, 'coordinates'))
  const geometry = member(doc, 'geometry')
  if (!isObject(geometry)) invalid('geometry')
  return shape(member(geometry, 'type'), member(geometry, 'coordinates'))
}

// A client's GeoJSON wire value (flags, u16 cell count, cells, text) to the
// particle the server stores and later returns: flags, its own cells, and the
// text byte for byte.
export function geoParticleFromClient (value: Buffer): { value: Buffer } | { error: number } {
  // The server skips whatever cells the client sent; it only needs their
  // count to find the text.
  if (value.length < 3) return { error: GEO_INVALID_GEOJSON }
  const textStart = 3 + 8 * value.readUInt16BE(1)
  if (value.length < textStart) return { error: GEO_INVALID_GEOJSON }
  const text = value.subarray(textStart)

  let parsed: bigint | 'region'
  try {
    parsed = parseGeoJson(text)
  } catch {
    return { error: GEO_INVALID_GEOJSON }
  }

  // The real server stores a region's S2RegionCoverer covering (up to 12
  // cells). We store none, so a region's bytes differ from the server's in
  // the cell count and cells only: clients skip the cells on read, and only
  // geo index queries would use them.
  const cells = parsed === 'region' ? [] : [parsed]
  const out = Buffer.alloc(3 + 8 * cells.length + text.length)
  out[0] = parsed === 'region' ? ISREGION : 0
  out.writeUInt16BE(cells.length, 1)
  cells.forEach((c, k) => out.writeBigUInt64BE(c, 3 + 8 * k))
  text.copy(out, 3 + 8 * cells.length)
  return { value: out }
}
