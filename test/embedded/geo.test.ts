import t from 'tap'
import { GEO_INVALID_GEOJSON, geoParticleFromClient, pointCellId } from '../../src/embedded/geo'

// From the real-server transcripts (Aerospike 7.2): scenario "put all types"
// wrote bin `g` with this value, and "get all types" read it back as STORED.
const TEXT = '{"type":"Point","coordinates":[1.5,2.5]}'
const CLIENT = Buffer.concat([Buffer.from('000000', 'hex'), Buffer.from(TEXT)])
const STORED = Buffer.concat([Buffer.from('000001101b4a5f93e10dd1', 'hex'), Buffer.from(TEXT)])

function wire (text: string | Buffer, cells: bigint[] = []): Buffer {
  const head = Buffer.alloc(3 + 8 * cells.length)
  head.writeUInt16BE(cells.length, 1)
  cells.forEach((c, k) => head.writeBigUInt64BE(c, 3 + 8 * k))
  return Buffer.concat([head, Buffer.from(text)])
}

function stored (text: string | Buffer): Buffer {
  const r = geoParticleFromClient(wire(text))
  if (!('value' in r)) throw new Error(`refused with ${r.error}: ${String(text).slice(0, 80)}`)
  return r.value
}

function point (lng: unknown, lat: unknown): string {
  return JSON.stringify({ type: 'Point', coordinates: [lng, lat] })
}

function parent (id: bigint, level: number): bigint {
  const lsb = 1n << BigInt(2 * (30 - level))
  return (id & ~(lsb - 1n)) | lsb
}

t.test('the transcript point', async t => {
  t.equal(pointCellId(1.5, 2.5), 0x101b4a5f93e10dd1n)
  t.same(geoParticleFromClient(CLIENT), { value: STORED })
})

t.test('leaf cells from other S2 implementations', async t => {
  // golang/geo s2 TestCellIDLatLng (made with S2's C++ s2cellid2latlngtestcase):
  // [id, lat, lng], the leaf cells among them.
  const golang: Array<[bigint, number, number]> = [
    [0x47a1cbd595522b39n, 49.703498679, 11.770681595],
    [0x46525318b63be0f9n, 55.685376759, 12.588490937],
    [0x52b30b71698e729dn, 45.486546517, -93.449700022],
    [0x46ed8886cfadda85n, 58.299984854, 23.049300056],
    [0x3663f18a24cbe857n, 34.364439040, 108.330699969],
    [0x010a06c0a948cf5dn, -30.694551352, -30.048758753],
    [0x2b2bfd076787c5dfn, -25.285264027, 133.823116966],
    [0xb09dff882a7809e1n, -75.000000031, 0.000000133]
  ]
  for (const [id, lat, lng] of golang) t.equal(pointCellId(lng, lat), id, `${lat},${lng}`)
  // The Java S2 library's Ruby binding spec (gojek s2-geometry-library-java).
  t.equal(pointCellId(106.816667, -6.2), 3344475367704269805n)
  // s2sphere's example: 36.114574,-115.180628 at level 24.
  t.equal(parent(pointCellId(-115.180628, 36.114574), 24), 9279882692622716928n)
})

t.test('cube faces and face centres', async t => {
  // S2's FaceDefinitions test.
  const faces: Array<[number, number, number]> = [[0, 0, 0], [90, 0, 1], [0, 90, 2], [180, 0, 3], [-90, 0, 4], [0, -90, 5]]
  for (const [lng, lat, face] of faces) t.equal(Number(pointCellId(lng, lat) >> 61n), face, `${lng},${lat}`)
  // Where u = v = 0, i = j = 2^29: the first Hilbert step lands in quadrant
  // 2 and the rest are 0, so the position is 2 << 58 on every face.
  t.equal(pointCellId(0, 0), 0x1000000000000001n)
  t.equal(pointCellId(90, 0), 0x3000000000000001n)
  t.equal(pointCellId(0, 90), 0x5000000000000001n)
  t.equal(pointCellId(0, -90), 0xb000000000000001n)
  // The poles belong to one face whatever the longitude.
  t.equal(pointCellId(-180, 90) >> 61n, 2n)
  t.equal(pointCellId(123.4, -90) >> 61n, 5n)
})

t.test('points are stored with their leaf cell', async t => {
  for (const [lng, lat] of [[-122.097837, 37.421363], [-180, -90], [180, 90], [0, 0], [-0.000001, -0.000001]]) {
    const v = stored(point(lng, lat))
    t.equal(v[0], 0)
    t.equal(v.readUInt16BE(1), 1)
    t.equal(v.readBigUInt64BE(3), pointCellId(lng, lat), `${lng},${lat}`)
    t.equal(v.subarray(11).toString(), point(lng, lat))
  }
  // Integers are numbers too, and members GeoJSON adds are ignored.
  const text = '{ "coordinates" : [ 3, -4 ], "type" : "Point", "bbox": [1e2, -0, 1e308, 1e-400],' +
    ' "id": [9223372036854775807, -9223372036854775808], "x": {"y": "\\u00e9\\ud83d\\ude00 \u00e9"} }'
  t.equal(stored(text).readBigUInt64BE(3), pointCellId(3, -4))
  // A Feature's geometry counts, the Feature's own coordinates do not.
  const feature = '{"type":"Feature","coordinates":"no","geometry":{"type":"Point","coordinates":[1.5,2.5]},"properties":null}'
  t.same(stored(feature).subarray(0, 11), STORED.subarray(0, 11))
})

t.test('cells sent by the client are skipped, not kept', async t => {
  const r = geoParticleFromClient(wire(TEXT, [1n, 0xffffffffffffffffn]))
  t.same(r, { value: STORED })
  const flagged = wire(TEXT)
  flagged[0] = 0xff
  t.same(geoParticleFromClient(flagged), { value: STORED })
})

t.test('regions: flagged, no cells, text kept', async t => {
  const regions = [
    '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}',
    '{"type":"Polygon","coordinates":[[[0,0],[0,0],[1,0],[1,1],[0,1],[0,0]],[[0.2,0.2],[0.8,0.2],[0.8,0.8],[0.2,0.2]]]}',
    '{"type":"Polygon","coordinates":[]}',
    '{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}',
    '{"type":"MultiPolygon","coordinates":[]}',
    '{"type":"AeroCircle","coordinates":[[-122.097837,37.421363],1000.0]}',
    '{"type":"AeroCircle","coordinates":[[0,0],5]}',
    '{"type":"Feature","geometry":{"type":"AeroCircle","coordinates":[[0,0],-1]}}'
  ]
  for (const text of regions) {
    t.same(stored(text), Buffer.concat([Buffer.from('010000', 'hex'), Buffer.from(text)]), text)
  }
})

t.test('values the server refuses', async t => {
  const bad: Array<string | Buffer> = [
    // Not JSON, or JSON jansson will not load.
    '',
    '{"type":"Point","coordinates":[1.5,2.5]',
    '{"type":"Point","coordinates":[1.5,2.5]} x',
    "{'type':'Point','coordinates':[1.5,2.5]}",
    '{"type":"Point","coordinates":[1.5,2.5],}',
    '{"type":"Point","coordinates":[NaN,2.5]}',
    '\ufeff' + TEXT,
    Buffer.concat([Buffer.from(TEXT.slice(0, -1)), Buffer.from(',"x":"\xff"}', 'latin1')]),
    '{"type":"Point","coordinates":[1.5,2.5],"x":"a\\u0000b"}',
    '{"type":"Point","coordinates":[1.5,2.5],"a\\u0000":1}',
    '{"type":"Point","coordinates":[1.5,2.5],"x":"\\ud800"}',
    '{"type":"Point","coordinates":[1.5,2.5],"x":"\\udc00\\ud800"}',
    '{"type":"Point","coordinates":[1.5,2.5],"id":9223372036854775808}',
    '{"type":"Point","coordinates":[1.5,2.5],"id":-9223372036854775809}',
    '{"type":"Point","coordinates":[1.5,2.5],"x":1e400}',
    // Not an object with a known type.
    '[1.5,2.5]',
    '"Point"',
    '{"coordinates":[1.5,2.5]}',
    '{"type":"point","coordinates":[1.5,2.5]}',
    '{"type":["Point"],"coordinates":[1.5,2.5]}',
    '{"type":"LineString","coordinates":[[0,0],[1,1]]}',
    '{"type":"MultiPoint","coordinates":[[0,0],[1,1]]}',
    '{"type":"GeometryCollection","geometries":[]}',
    '{"type":"Feature","geometry":null}',
    '{"type":"Feature","properties":{}}',
    '{"type":"Feature","geometry":{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]}}}',
    // Bad points.
    '{"type":"Point"}',
    '{"type":"Point","coordinates":null}',
    '{"type":"Point","coordinates":[1.5]}',
    '{"type":"Point","coordinates":[1.5,2.5,10]}',
    '{"type":"Point","coordinates":["1.5","2.5"]}',
    '{"type":"Point","coordinates":[true,2.5]}',
    '{"type":"Point","coordinates":{"0":1.5,"1":2.5}}',
    point(180.000001, 0),
    point(-180.000001, 0),
    point(0, 90.000001),
    point(0, -90.000001),
    point(1e300, 0),
    // Bad regions.
    '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}',
    '{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}',
    '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,0],[1,0],[0,0]]]}',
    '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}',
    '{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}',
    '{"type":"Polygon","coordinates":{}}',
    '{"type":"Polygon","coordinates":[{}]}',
    '{"type":"MultiPolygon","coordinates":{}}',
    '{"type":"MultiPolygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}',
    '{"type":"AeroCircle","coordinates":[[0,0]]}',
    '{"type":"AeroCircle","coordinates":[[0,0],"5"]}',
    '{"type":"AeroCircle","coordinates":[[0,200],5]}',
    '{"type":"AeroCircle","coordinates":[[0,0],5,6]}'
  ]
  for (const text of bad) t.same(geoParticleFromClient(wire(text)), { error: GEO_INVALID_GEOJSON }, String(text))
  t.equal(GEO_INVALID_GEOJSON, 160)
})

t.test('nesting: jansson allows 2048 levels of values', async t => {
  // The top object is level 1 and "p" level 2, so n arrays reach level n + 1.
  const nested = (n: number, inner = ''): string =>
    `{"type":"Point","coordinates":[0,0],"p":${'['.repeat(n)}${inner}${']'.repeat(n)}}`
  t.ok('value' in geoParticleFromClient(wire(nested(2047))))
  t.ok('value' in geoParticleFromClient(wire(nested(2046, '"s"'))))
  t.same(geoParticleFromClient(wire(nested(2048))), { error: GEO_INVALID_GEOJSON })
  t.same(geoParticleFromClient(wire(nested(2047, '0'))), { error: GEO_INVALID_GEOJSON })
  t.same(geoParticleFromClient(wire(nested(100000))), { error: GEO_INVALID_GEOJSON })
})

t.test('wire values too short for their cell count', async t => {
  for (const v of [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0, 0]), Buffer.from('000001', 'hex'), Buffer.from('00000200000000000000000000000000', 'hex')]) {
    t.same(geoParticleFromClient(v), { error: GEO_INVALID_GEOJSON }, v.toString('hex'))
  }
})
