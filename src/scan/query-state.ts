// The client's query state (as_query_to_bytes), made small for a page token
// and made whole again. The state holds, for every partition of the window,
// its number, two flags, a 20-byte digest and a bval: about 27 bytes a
// partition, 110 kB for a window of all 4,096. Two things kept that from
// compressing:
// - the C client copies every partition's digest buffer whether or not a
//   digest was read there, and never clears those buffers, so unread ones
//   hold whatever the heap held (over 100,000 characters of noise in one
//   token, past the token limit and any URL's);
// - the partition numbers count up, which deflate codes poorly (15,000
//   characters for a window read 25 records into).
// The compact form leaves out the partition numbers (they are the window's,
// in order) and the digests of unread partitions (the client ignores them),
// and keeps every other byte as the client wrote it.
//
// The partitions' part is found by its shape, not by parsing what comes
// before it (predicates, operations, UDF arguments): the part count and
// first partition of the window, then `count` entries numbered from `begin`,
// then the five fields that end the state. A state of any other shape is
// kept whole.

const DIGEST_BYTES = 20
const FIXSTR_20 = 0xa0 | DIGEST_BYTES
const FALSE = 0xc2
const TRUE = 0xc3
/** max_records, records_per_second, ttl (unsigned); paginate, no_bins (booleans). */
const TAIL_UINTS = 3
const TAIL_BOOLS = 2
const WHOLE = 0
const COMPACT = 1

/** The end of the unsigned integer (as as_pack_uint64 writes it) at `at`, and its value; undefined if there is none. */
function uint (buf: Buffer, at: number): [number, number] | undefined {
  if (at >= buf.length) return undefined
  const b = buf[at]
  if (b < 0x80) return [b, at + 1]
  const size = b === 0xcc ? 1 : b === 0xcd ? 2 : b === 0xce ? 4 : b === 0xcf ? 8 : 0
  if (size === 0 || at + 1 + size > buf.length) return undefined
  return [size === 8 ? Number(buf.readBigUInt64BE(at + 1)) : buf.readUIntBE(at + 1, size), at + 1 + size]
}

function packUint (n: number): Buffer {
  if (n < 0x80) return Buffer.of(n)
  if (n < 0x100) return Buffer.of(0xcc, n)
  return Buffer.of(0xcd, n >> 8, n & 0xff)
}

function bool (buf: Buffer, at: number): boolean {
  return at < buf.length && (buf[at] === FALSE || buf[at] === TRUE)
}

/** The end of the state's five last fields, starting at `at`; undefined if they are not there. */
function tailEnd (buf: Buffer, at: number): number | undefined {
  for (let i = 0; i < TAIL_UINTS; i++) {
    const r = uint(buf, at)
    if (r === undefined) return undefined
    at = r[1]
  }
  for (let i = 0; i < TAIL_BOOLS; i++, at++) if (!bool(buf, at)) return undefined
  return at
}

/** An entry as the compact form keeps it: its flags, its digest if read, its bval. */
function entryOf (buf: Buffer, at: number, id: number): { kept: Buffer, end: number } | undefined {
  const r = uint(buf, at)
  if (r?.[0] !== id || !bool(buf, r[1]) || !bool(buf, r[1] + 1) || buf[r[1] + 2] !== FIXSTR_20) return undefined
  const read = buf[r[1] + 1] === TRUE
  const bval = uint(buf, r[1] + 3 + DIGEST_BYTES)
  if (bval === undefined) return undefined
  const flags = buf.subarray(r[1], r[1] + 2)
  const digest = read ? buf.subarray(r[1] + 3, r[1] + 3 + DIGEST_BYTES) : Buffer.alloc(0)
  return { kept: Buffer.concat([flags, digest, buf.subarray(r[1] + 3 + DIGEST_BYTES, bval[1])]), end: bval[1] }
}

/** The compact entries, if the partitions' part of a window of `count` from `begin` starts at `at`. */
function partsAt (buf: Buffer, at: number, begin: number, count: number): { head: Buffer, entries: Buffer[], tail: Buffer } | undefined {
  const c = uint(buf, at)
  if (c?.[0] !== count) return undefined
  const b = uint(buf, c[1])
  if (b?.[0] !== begin || !bool(buf, b[1])) return undefined
  let pos = b[1] + 1
  const entries: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const e = entryOf(buf, pos, begin + i)
    if (e === undefined) return undefined
    entries.push(e.kept)
    pos = e.end
  }
  if (tailEnd(buf, pos) !== buf.length) return undefined
  return { head: buf.subarray(0, b[1] + 1), entries, tail: buf.subarray(pos) }
}

/** The state of a window of `count` partitions from `begin`, in the compact form. */
export function compactState (state: Buffer, begin: number, count: number): Buffer {
  // The part count is written just after the `true` that says the part is there.
  for (let at = state.indexOf(TRUE); at >= 0; at = state.indexOf(TRUE, at + 1)) {
    const parts = partsAt(state, at + 1, begin, count)
    if (parts === undefined) continue
    const size = Buffer.alloc(4)
    size.writeUInt32BE(parts.head.length)
    return Buffer.concat([Buffer.of(COMPACT), size, parts.head, ...parts.entries, parts.tail])
  }
  return Buffer.concat([Buffer.of(WHOLE), state])
}

/** The client's state from its compact form; undefined if it is not one. */
export function expandState (compact: Buffer, begin: number, count: number): Buffer | undefined {
  if (compact.length === 0) return undefined
  if (compact[0] === WHOLE) return compact.subarray(1)
  if (compact[0] !== COMPACT || compact.length < 5) return undefined
  const headEnd = 5 + compact.readUInt32BE(1)
  if (headEnd > compact.length) return undefined
  const out: Buffer[] = [compact.subarray(5, headEnd)]
  let at = headEnd
  for (let i = 0; i < count; i++) {
    if (!bool(compact, at) || !bool(compact, at + 1)) return undefined
    const read = compact[at + 1] === TRUE
    const digestEnd = at + 2 + (read ? DIGEST_BYTES : 0)
    const bval = uint(compact, digestEnd)
    if (bval === undefined) return undefined
    out.push(packUint(begin + i), compact.subarray(at, at + 2), Buffer.of(FIXSTR_20),
      read ? compact.subarray(at + 2, digestEnd) : Buffer.alloc(DIGEST_BYTES), compact.subarray(digestEnd, bval[1]))
    at = bval[1]
  }
  if (tailEnd(compact, at) !== compact.length) return undefined
  out.push(compact.subarray(at))
  return Buffer.concat(out)
}
