import t from 'tap'
import { Cmp, compare } from '../../src/embedded/cdt/compare'
import { rewriteUntrusted } from '../../src/embedded/cdt/untrusted'
import { Particle, Result } from '../../src/embedded/wire'
import { particleFromClient } from '../../src/embedded/transaction'

const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex')

t.test('values order by type, then by value', async (t) => {
  // nil, false, true, -1, 0, "a", [1], {}, blob "a", 1.5
  const ascending = ['c0', 'c2', 'c3', 'ff', '00', 'a20361', '9101', '80', 'a20461', 'cb3ff8000000000000'].map(hex)
  for (let i = 1; i < ascending.length; i++) {
    t.equal(compare(ascending[i - 1], ascending[i]), Cmp.LESS, `${ascending[i - 1].toString('hex')} < ${ascending[i].toString('hex')}`)
  }
  t.equal(compare(hex('cd0100'), hex('d1 0100')), Cmp.EQUAL, 'an integer is its value, whatever its width')
  t.equal(compare(hex('ca3fc00000'), hex('cb3ff8000000000000')), Cmp.EQUAL, 'float and double compare by value')
  t.equal(compare(hex('920102'), hex('93010200')), Cmp.LESS, 'a prefix list is smaller')
  t.equal(compare(hex('9203 05'), hex('930400 00')), Cmp.LESS, 'lists compare element by element first')
  t.equal(compare(hex('81a2036101'), hex('82a2036101a2036202')), Cmp.LESS, 'smaller maps first')
  t.equal(compare(hex('92c70001 05'), hex('9105')), Cmp.EQUAL, 'order metadata takes no part')
  t.equal(compare(hex('92 01 d4ff00'), hex('93 01 02 03')), Cmp.EQUAL, 'a wildcard matches the rest')
  t.equal(compare(hex('d4ff01'), hex('cb7ff0000000000000')), Cmp.GREATER, 'infinity is above everything')
})

t.test('client msgpack is stored the way the server rewrites it', async (t) => {
  t.equal(rewriteUntrusted(hex('93 cc05 d000 cd0100'))?.toString('hex'), '930500cd0100', 'integers in their smallest form')
  t.equal(rewriteUntrusted(hex('91 d903 03 6162'))?.toString('hex'), '91a3036162', 'strings too')
  t.equal(rewriteUntrusted(hex('dc0002 01 02'))?.toString('hex'), '920102', 'and headers')
  t.equal(rewriteUntrusted(hex('92 c70000 05'))?.toString('hex'), '9105', 'metadata without flags goes')
  t.equal(rewriteUntrusted(hex('93 c70011 01 02'))?.toString('hex'), '93c700010102', 'a persisted index is not kept')
  t.equal(rewriteUntrusted(hex('82 a20362 01 a20361 02'))?.toString('hex'), '82a2036102a2036201', 'unordered maps are sorted by key')
  t.equal(rewriteUntrusted(hex('83 c70001 c0 a20362 01 a20361 02')), undefined, 'a key-ordered map out of order is refused')
  t.equal(rewriteUntrusted(hex('93 c70001 02 01')), undefined, 'an ordered list out of order is refused')
  t.equal(rewriteUntrusted(hex('82 a20361 01 a20361 02')), undefined, 'duplicate keys are refused')
  t.equal(rewriteUntrusted(hex('81 c3 01')), undefined, 'a key must be an integer, string or blob')
  t.equal(rewriteUntrusted(hex('91 d4ff00')), undefined, 'comparison-only values are refused')
  t.equal(rewriteUntrusted(hex('92 01')), undefined, 'truncated')
  t.equal(rewriteUntrusted(hex('91 01 02')), undefined, 'trailing bytes')
})

t.test('a malformed list or map bin is refused with 1, as list_from_wire does', async (t) => {
  t.equal(particleFromClient(Particle.LIST, hex('92 01')), Result.UNKNOWN)
  t.equal(particleFromClient(Particle.LIST, hex('81 01 02')), Result.UNKNOWN, 'a map is not a list')
  t.equal(particleFromClient(Particle.MAP, hex('82 a20361 01 a20361 02')), Result.UNKNOWN)
  t.same(particleFromClient(Particle.MAP, hex('82 a20362 01 a20361 02')), hex('82a2036102a2036201'))
})
