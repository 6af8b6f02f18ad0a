// The value model and its codecs: see model.ts for the model itself.

export { DEFAULT_MAX_DEPTH, MAX_BIN_NAME_BYTES, GEO_TYPES, MSGPACK_EXT_GEOJSON, MSGPACK_EXT_HLL, type HLLValue, ValueError, DoubleValue, type GeoJSONValue, type Value, formatPath } from './model'
export { type ParseOptions, parseJson } from './json-read'
export { type StringifyOptions, stringifyJson, isPlainJson } from './json-write'
export { encodeMsgpack, type DecodeOptions, decodeMsgpack, decodeRawCdt } from './msgpack'
export { type ToClientOptions, toClientValue, checkBinName, toClientBins, DEFAULT_MAX_BINS, type FromClientOptions, looksLikeRawCdt, fromClientBins, convertBins, tryDecodeRawCdt } from './convert'
export { type ReadRecordOptions, type ReadRecordResult, type ReadPolicy, type OperatePolicy, type ReadPolicies, type FirstRead, type CheckRead, readPolicies, plainRead, plainCheck, binTypeReads, listsAndMaps, readRecord, type FirstReadAnswer, type TypeRead, PARTICLE_BLOB } from './read'
export { cdtJson, CdtJsonValue } from './cdt-json'
