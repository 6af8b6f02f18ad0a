// Numbers of the CDT protocol (the server's proto.h, as_msgpack.h): container
// order flags, write flags, sort flags, result types and context types.

export const ListFlag = {
  ORDERED: 0x01
} as const

export const MapFlag = {
  K_ORDERED: 0x01,
  V_ORDERED: 0x02,
  KV_ORDERED: 0x03
} as const

// Asks the server to keep an index inside the particle; it changes nothing a
// client can read back.
export const PERSIST_INDEX = 0x10

export const ListWrite = {
  ADD_UNIQUE: 0x01,
  INSERT_BOUNDED: 0x02,
  NO_FAIL: 0x04,
  DO_PARTIAL: 0x08
} as const

export const MapWrite = {
  NO_OVERWRITE: 0x01,
  NO_CREATE: 0x02,
  NO_FAIL: 0x04,
  DO_PARTIAL: 0x08
} as const

export const SortFlag = {
  DESCENDING: 1,
  DROP_DUPLICATES: 2
} as const

export const ResultType = {
  NONE: 0,
  INDEX: 1,
  REVINDEX: 2,
  RANK: 3,
  REVRANK: 4,
  COUNT: 5,
  KEY: 6,
  VALUE: 7,
  KEY_VALUE_MAP: 8,
  INDEX_RANGE: 9,
  REVINDEX_RANGE: 10,
  RANK_RANGE: 11,
  REVRANK_RANGE: 12,
  EXISTS: 13,
  UNORDERED_MAP: 16,
  ORDERED_MAP: 17
} as const

export const RESULT_TYPE_MASK = 0xffff
export const RESULT_INVERTED = 0x10000

export const Ctx = {
  INDEX: 0,
  RANK: 1,
  KEY: 2,
  VALUE: 3,
  LIST: 0x10,
  MAP: 0x20,
  BASE_MASK: 0x0f,
  TYPE_MASK: 0x3f,
  CREATE_MASK: 0x1c0,
  CREATE_LIST_UNORDERED: 0x40,
  CREATE_LIST_UNORDERED_UNBOUND: 0x80,
  CREATE_LIST_ORDERED: 0xc0,
  CREATE_MAP_UNORDERED: 0x40,
  CREATE_MAP_K_ORDERED: 0x80,
  CREATE_MAP_KV_ORDERED: 0xc0,
  CREATE_PERSIST_INDEX: 0x100
} as const
