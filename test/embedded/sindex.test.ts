import t from 'tap'
import Aerospike, { Client } from 'aerospike'
import { withEmbedded, codeOf } from '../helpers/embedded'

const { Key, GeoJSON, filter, indexType, status } = Aerospike
const SEND_KEY = new Aerospike.WritePolicy({ key: Aerospike.policy.key.SEND })

type Rec = { key: { key?: unknown }, bins: Record<string, unknown> }

// An info answer; the client turns `ERROR:<code>:<message>` answers into
// errors, which come back here as `ERROR:<code>:<message>` again.
async function info (client: Client, command: string): Promise<string> {
  try {
    const reply = await client.infoAny(command) as string
    return reply.slice(reply.indexOf('\t') + 1).trimEnd()
  } catch (err) {
    const { code, message } = err as { code: number, message: string }
    return `ERROR:${code}:${message.replace(/ from [\d.:]+$/, '')}`
  }
}

async function keys (client: Client, set: string, where: unknown): Promise<string[]> {
  const q = client.query('test', set)
  q.where(where as Parameters<typeof q.where>[0])
  return (await q.results() as Rec[]).map((r) => String(r.key.key)).sort()
}

function named (...ids: number[]): string[] {
  return ids.map((i) => `q${i}`).sort()
}

// A square of side 2·half degrees around a point, as GeoJSON.
function square (lng: number, lat: number, half: number): object {
  return {
    type: 'Polygon',
    coordinates: [[[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half], [lng - half, lat + half], [lng - half, lat - half]]]
  }
}

t.test('secondary indexes through the real client', async (t) => {
  const { client } = await withEmbedded(t)
  const set = 'sx'
  for (let i = 0; i < 20; i++) {
    await client.put(new Key('test', set, `q${i}`), {
      i,
      s: `str${i % 4}`,
      l: [i, i + 1, i + 1, 100],
      m: { [`k${i % 3}`]: i, common: 7 },
      g: new GeoJSON({ type: 'Point', coordinates: [10 + i * 0.01, 50] }),
      rg: new GeoJSON(square(20 + i, 0, 0.5)),
      f: i + 0.5
    }, {}, SEND_KEY)
  }
  await client.put(new Key('test', 'sx_other', 'o1'), { i: 5 }, {}, SEND_KEY)
  const create = async (options: object): Promise<void> => {
    const job = await client.createIndex({ ns: 'test', set, ...options } as Parameters<Client['createIndex']>[0])
    await job.wait(10)
  }
  await create({ bin: 'i', index: 'sx_i', datatype: Aerospike.indexDataType.NUMERIC })
  await create({ bin: 's', index: 'sx_s', datatype: Aerospike.indexDataType.STRING })
  await create({ bin: 'g', index: 'sx_g', datatype: Aerospike.indexDataType.GEO2DSPHERE })
  await create({ bin: 'rg', index: 'sx_rg', datatype: Aerospike.indexDataType.GEO2DSPHERE })
  await create({ bin: 'l', index: 'sx_l', type: indexType.LIST, datatype: Aerospike.indexDataType.NUMERIC })
  await create({ bin: 'm', index: 'sx_mk', type: indexType.MAPKEYS, datatype: Aerospike.indexDataType.STRING })
  await create({ bin: 'm', index: 'sx_mv', type: indexType.MAPVALUES, datatype: Aerospike.indexDataType.NUMERIC })

  t.test('sindex-list, sindex-exists and an index\'s statistics', async (t) => {
    const list = await info(client, 'sindex-list:ns=test')
    t.match(list, 'ns=test:indexname=sx_i:set=sx:bin=i:type=numeric:indextype=default:context=null:state=RW')
    t.match(list, 'ns=test:indexname=sx_mk:set=sx:bin=m:type=string:indextype=mapkeys:context=null:state=RW')
    t.match(list, 'indexname=sx_rg:set=sx:bin=rg:type=geo2dsphere:indextype=default')
    t.equal(await info(client, 'sindex-exists:ns=test;indexname=sx_i'), 'true')
    t.equal(await info(client, 'sindex-exists:ns=test;indexname=nope'), 'false')
    t.equal(await info(client, 'sindex/test/sx_i'),
      'entries=20;used_bytes=16777216;entries_per_bval=0;entries_per_rec=0;load_pct=100;load_time=0;stat_gc_recs=0')
    // Each record's list holds 3 distinct numbers.
    t.match(await info(client, 'sindex/test/sx_l'), /^entries=60;/)
    t.equal(await info(client, 'sindex/test/missing'), 'ERROR:201:no index')
    t.equal(await info(client, 'sindex/nope/sx_i'), 'ns_type=unknown')
    t.equal(await info(client, 'sindex-list:ns=nope'), 'ERROR:20:namespace not found on node')
  })

  t.test('numeric equal and range', async (t) => {
    t.same(await keys(client, set, filter.equal('i', 7)), named(7))
    t.same(await keys(client, set, filter.range('i', 5, 9)), named(5, 6, 7, 8, 9))
    t.same(await keys(client, set, filter.range('i', 100, 200)), [])
    t.equal(await codeOf(keys(client, 'sx_other', filter.equal('i', 5))), status.ERR_INDEX_NOT_FOUND,
      'an index on one set serves no other')
  })

  t.test('string equal', async (t) => {
    t.same(await keys(client, set, filter.equal('s', 'str3')), named(3, 7, 11, 15, 19))
    t.same(await keys(client, set, filter.equal('s', 'str9')), [])
  })

  t.test('list values: a record matching through two values comes back once', async (t) => {
    t.same(await keys(client, set, filter.contains('l', 5, indexType.LIST)), named(4, 5))
    t.same(await keys(client, set, filter.range('l', 5, 6, indexType.LIST)), named(4, 5, 6))
    t.equal((await keys(client, set, filter.contains('l', 100, indexType.LIST))).length, 20)
  })

  t.test('map keys and map values', async (t) => {
    t.same(await keys(client, set, filter.contains('m', 'k1', indexType.MAPKEYS)), named(1, 4, 7, 10, 13, 16, 19))
    t.same(await keys(client, set, filter.range('m', 17, 30, indexType.MAPVALUES)), named(17, 18, 19))
    t.equal((await keys(client, set, filter.contains('m', 7, indexType.MAPVALUES))).length, 20, 'common: 7 everywhere')
  })

  t.test('geo: points within a region, within a radius, regions containing a point', async (t) => {
    const region = square(10.05, 50, 0.025) as Parameters<typeof filter.geoWithinGeoJSONRegion>[1]
    t.same(await keys(client, set, filter.geoWithinGeoJSONRegion('g', region)), named(3, 4, 5, 6, 7))
    // 0.01° of longitude at 50°N is about 715 m.
    t.same(await keys(client, set, filter.geoWithinRadius('g', 10, 50, 1500)), named(0, 1, 2))
    t.same(await keys(client, set, filter.geoContainsGeoJSONPoint('rg', { type: 'Point', coordinates: [25.2, 0.3] })), named(5))
    t.same(await keys(client, set, filter.geoContainsPoint('rg', 26, -0.4)), named(6))
    t.same(await keys(client, set, filter.geoContainsPoint('rg', 0, 0)), [])
  })

  t.test('geo shapes: holes, either winding, multipolygons, circles as regions', async (t) => {
    // A 10 x 10 grid of points 0.1° apart from (30, 10).
    for (let x = 0; x < 10; x++) {
      for (let y = 0; y < 10; y++) {
        await client.put(new Key('test', 'geo', `p${x}_${y}`), { p: new GeoJSON({ type: 'Point', coordinates: [30 + x / 10, 10 + y / 10] }) }, {}, SEND_KEY)
      }
    }
    await client.put(new Key('test', 'geo', 'circle'), { p: new GeoJSON({ type: 'AeroCircle', coordinates: [[30, 10], 20000] }) }, {}, SEND_KEY)
    await (await client.createGeo2DSphereIndex({ ns: 'test', set: 'geo', bin: 'p', index: 'geo_p' })).wait(10)
    const within = async (region: object): Promise<string[]> =>
      await keys(client, 'geo', filter.geoWithinGeoJSONRegion('p', region as Parameters<typeof filter.geoWithinGeoJSONRegion>[1]))
    const ring = (x0: number, y0: number, x1: number, y1: number): number[][] =>
      [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    // Points (30.1..30.3, 10.1..10.3): a 3 x 3 block.
    const block = ring(30.05, 10.05, 30.35, 10.35)
    t.equal((await within({ type: 'Polygon', coordinates: [block] })).length, 9)
    t.equal((await within({ type: 'Polygon', coordinates: [[...block].reverse()] })).length, 9, 'a clockwise ring means the same small region')
    const hole = ring(30.15, 10.15, 30.25, 10.25)
    t.notOk((await within({ type: 'Polygon', coordinates: [block, hole] })).includes('p2_2'), 'a hole excludes its point')
    t.equal((await within({ type: 'Polygon', coordinates: [block, hole] })).length, 8)
    const far = ring(30.75, 10.75, 30.85, 10.85)
    t.same(await within({ type: 'MultiPolygon', coordinates: [[far], [ring(30.65, 10.65, 30.75, 10.75)]] }), ['p7_7', 'p8_8'].sort())
    t.same(await within({ type: 'Polygon', coordinates: [ring(40, 40, 41, 41)] }), [])
    t.same(await keys(client, 'geo', filter.geoContainsPoint('p', 30.1, 10.1)), ['circle'], 'a circle region holds a point 15 km away')
    t.same(await keys(client, 'geo', filter.geoContainsPoint('p', 30.3, 10)), [], 'but not one 33 km away')
  })

  t.test('select, nobins and maxRecords on an index query', async (t) => {
    const q = client.query('test', set)
    q.where(filter.range('i', 0, 9))
    q.select('i')
    const records = await q.results() as Rec[]
    t.equal(records.length, 10)
    t.ok(records.every((r) => Object.keys(r.bins).join() === 'i'))
    const limited = client.query('test', set, { maxRecords: 4 })
    limited.where(filter.range('i', 0, 19))
    t.equal((await limited.results()).length, 4)
    const bare = client.query('test', set, { nobins: true })
    bare.where(filter.range('i', 0, 4))
    t.ok((await bare.results() as Rec[]).every((r) => Object.keys(r.bins).length === 0))
  })

  const pages = async (q: ReturnType<Client['query']>): Promise<string[]> => {
    const seen: string[] = []
    for (let page = 0; page < 60; page++) {
      seen.push(...(await q.results() as Rec[]).map((r) => String(r.key.key)))
      if (!q.hasNextPage()) break
    }
    return seen.sort()
  }
  const all = named(...Array.from({ length: 20 }, (_, i) => i))

  t.test('index query pages resume by bval and digest to the end', async (t) => {
    const q = client.query('test', set, { paginate: true, maxRecords: 3 })
    q.where(filter.range('i', 0, 1000))
    t.same(await pages(q), all, 'each record once')
  })

  t.test('list range pages reach every record', async (t) => {
    // A record found through several values is folded within one pass only:
    // a page resuming after its first value meets its later ones again, as
    // on a real server.
    const q = client.query('test', set, { paginate: true, maxRecords: 3 })
    q.where(filter.range('l', 0, 1000, indexType.LIST))
    t.same([...new Set(await pages(q))].sort(), all)
  })

  t.test('queries the server refuses', async (t) => {
    t.equal(await codeOf(keys(client, set, filter.equal('f', 1))), status.ERR_INDEX_NOT_FOUND, 'a bin with no index')
    t.equal(await codeOf(keys(client, set, filter.equal('i', 'x'))), status.ERR_INDEX_NOT_FOUND, 'a string filter on a numeric index')
    t.equal(await codeOf(keys(client, 'sx_none', filter.equal('i', 1))), status.ERR_INDEX_NOT_FOUND, 'a set with no index')
    t.equal(await codeOf(client.query('nope', set).results()), status.ERR_NAMESPACE_NOT_FOUND)
  })

  t.test('creating and dropping: identical, conflicting, renamed, missing', async (t) => {
    t.equal(await info(client, 'sindex-create:ns=test;set=sx;indexname=sx_i;indexdata=i,NUMERIC'), 'ok')
    t.equal(await info(client, 'sindex-create:ns=test;set=sx;indexname=sx_i;indexdata=f,NUMERIC'),
      "ERROR:200:'indexname' already exists with different definition")
    t.equal(await codeOf(client.createIntegerIndex({ ns: 'test', set, bin: 'f', index: 'sx_i' })), status.ERR_INDEX_FOUND)
    t.equal(await info(client, 'sindex-create:ns=test;set=sx;indexname=sx_i2;indexdata=i,NUMERIC'), 'ok')
    t.equal(await info(client, 'sindex/test/sx_i'), 'ERROR:201:no index', 'the same definition under a new name renames')
    t.same(await keys(client, set, filter.equal('i', 3)), named(3))
    t.equal(await info(client, 'sindex-delete:ns=test;indexname=missing'), 'ok')
    await client.indexRemove('test', 'sx_i2')
    t.equal(await info(client, 'sindex-exists:ns=test;indexname=sx_i2'), 'false')
    t.equal(await codeOf(keys(client, set, filter.equal('i', 3))), status.ERR_INDEX_NOT_FOUND)
    t.equal(await info(client, 'sindex-create:ns=test;set=sx;indexname=bad;indextype=ranked;indexdata=i,NUMERIC'),
      "ERROR:4:bad 'indextype' - must be one of 'default', 'list', 'mapkeys', 'mapvalues'")
    t.equal(await info(client, 'sindex-create:ns=test;set=sx;indexdata=i,NUMERIC'), "ERROR:4:missing 'indexname'")
    t.equal(await info(client, 'sindex-create:ns=nope;set=sx;indexname=n1;indexdata=i,NUMERIC'), 'ok', 'an unknown namespace is accepted')
  })
})
