// cf_wyhash64 (aerospike-common cf_hash_math.h, wyhash final version 3):
// the server turns every string and blob it indexes into this 64-bit value,
// which orders the index and comes back to clients as the BVAL field.

const M64 = (1n << 64n) - 1n
const SECRET = [0xa0761d6478bd642fn, 0xe7037ed1a0b428dbn, 0x8ebc6af09c88c6e3n, 0x589965cc75374cc3n]
const SEED = 0x29FBB14cc886fn ^ SECRET[0]

function mix (a: bigint, b: bigint): bigint {
  const r = a * b
  return (r & M64) ^ (r >> 64n)
}

function r8 (p: Buffer, at: number): bigint {
  return p.readBigUInt64LE(at)
}

function r4 (p: Buffer, at: number): bigint {
  return BigInt(p.readUInt32LE(at))
}

function r3 (p: Buffer, at: number, k: number): bigint {
  return (BigInt(p[at]) << 16n) | (BigInt(p[at + (k >> 1)]) << 8n) | BigInt(p[at + k - 1])
}

/** The unsigned 64-bit hash of bytes. */
export function wyhash64 (p: Buffer): bigint {
  const len = p.length
  let seed = SEED
  let a: bigint
  let b: bigint
  if (len <= 16) {
    if (len >= 4) {
      const q = (len >> 3) << 2
      a = (r4(p, 0) << 32n) | r4(p, q)
      b = (r4(p, len - 4) << 32n) | r4(p, len - 4 - q)
    } else if (len > 0) {
      a = r3(p, 0, len)
      b = 0n
    } else {
      a = b = 0n
    }
  } else {
    let i = len
    let at = 0
    if (i > 48) {
      let see1 = seed
      let see2 = seed
      do {
        seed = mix(r8(p, at) ^ SECRET[1], r8(p, at + 8) ^ seed)
        see1 = mix(r8(p, at + 16) ^ SECRET[2], r8(p, at + 24) ^ see1)
        see2 = mix(r8(p, at + 32) ^ SECRET[3], r8(p, at + 40) ^ see2)
        at += 48
        i -= 48
      } while (i > 48)
      seed ^= see1 ^ see2
    }
    while (i > 16) {
      seed = mix(r8(p, at) ^ SECRET[1], r8(p, at + 8) ^ seed)
      i -= 16
      at += 16
    }
    a = r8(p, at + i - 16)
    b = r8(p, at + i - 8)
  }
  return mix(SECRET[1] ^ BigInt(len), mix(a ^ SECRET[1], b ^ seed))
}
