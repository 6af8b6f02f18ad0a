// Hand-built expressions, for what the client's exp module cannot build (or
// builds wrongly): a small msgpack encoder whose result the client accepts
// as a base64 string wherever it takes an expression.

/** A value packed as is (its msgpack bytes). */
export class Packed {
  constructor (readonly bytes: Buffer) {}
}

/** A string as expressions carry it: msgpack str with the as_bytes STRING type byte. */
export function str (s: string): Packed {
  return new Packed(strBytes(Buffer.concat([Buffer.from([3]), Buffer.from(s)])))
}

/** A blob: msgpack bin with the as_bytes BLOB type byte. */
export function blob (b: Buffer): Packed {
  return new Packed(binBytes(Buffer.concat([Buffer.from([4]), b])))
}

/** A plain msgpack string (bin names, variable names, regex patterns). */
export function name (s: string): Packed {
  return new Packed(strBytes(Buffer.from(s)))
}

export function float (x: number): Packed {
  const b = Buffer.alloc(9)
  b[0] = 0xcb
  b.writeDoubleBE(x, 1)
  return new Packed(b)
}

function strBytes (data: Buffer): Buffer {
  if (data.length < 32) return Buffer.concat([Buffer.from([0xa0 | data.length]), data])
  if (data.length < 256) return Buffer.concat([Buffer.from([0xd9, data.length]), data])
  const h = Buffer.alloc(3)
  h[0] = 0xda
  h.writeUInt16BE(data.length, 1)
  return Buffer.concat([h, data])
}

function binBytes (data: Buffer): Buffer {
  if (data.length < 256) return Buffer.concat([Buffer.from([0xc4, data.length]), data])
  const h = Buffer.alloc(3)
  h[0] = 0xc5
  h.writeUInt16BE(data.length, 1)
  return Buffer.concat([h, data])
}

function int (v: bigint): Buffer {
  if (v >= 0n && v < 128n) return Buffer.from([Number(v)])
  if (v < 0n && v >= -32n) return Buffer.from([0x100 + Number(v)])
  const b = Buffer.alloc(9)
  b[0] = 0xd3
  b.writeBigInt64BE(v, 1)
  return b
}

export type Raw = number | bigint | boolean | null | Packed | Raw[]

export function pack (v: Raw): Buffer {
  if (v instanceof Packed) return v.bytes
  if (v === null) return Buffer.from([0xc0])
  if (typeof v === 'boolean') return Buffer.from([v ? 0xc3 : 0xc2])
  if (typeof v === 'number' || typeof v === 'bigint') return int(BigInt(v))
  const parts = v.map(pack)
  const header = v.length < 16 ? Buffer.from([0x90 | v.length]) : Buffer.from([0xdc, v.length >> 8, v.length & 0xff])
  return Buffer.concat([header, ...parts])
}

/** The expression as the client takes it raw: base64 of its msgpack. */
export function raw (v: Raw): string {
  return pack(v).toString('base64')
}
