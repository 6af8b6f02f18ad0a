// Reads the integer arguments of an op value in turn (msgpack_get_int64 and
// msgpack_get_uint64 share the bits), for the bit and HLL operations.

import { readInt } from './cdt/msgpack'

export class Cursor {
  constructor (readonly buf: Buffer, public off: number) {}

  int (): bigint | undefined {
    const r = readInt(this.buf, this.off, this.buf.length)
    if (r === undefined) return undefined
    this.off = r.next
    return r.value
  }

  uint (): bigint | undefined {
    const v = this.int()
    return v === undefined ? undefined : BigInt.asUintN(64, v)
  }
}
