// The ranges of the numeric parameters, the same on every route and in the
// batch schema: what the client carries without wrapping. A TTL travels as
// 32 bits where -1 (never expire) and -2 (keep) are 2^32-1 and 2^32-2, so
// 2^32 would wrap to 0; the official gateway and the Java client take a
// 32-bit signed integer. A generation is 16 bits. Timeouts are capped by the
// MAX_* settings anyway; retries too.

import { Type } from 'typebox'

export const LIMITS = {
  expiration: [-2, 2 ** 31 - 1],
  generation: [0, 65535],
  milliseconds: [0, 2 ** 31 - 1],
  retries: [0, 1000]
} as const

// Namespaces, sets and index names reach the server inside info commands
// (`sindex/<ns>/<name>`, `truncate:namespace=..;set=..`), where a newline
// starts another command and `:;=` separate parameters, and the client
// passes them as C strings, where NUL ends them. Such characters are refused.
export const SERVER_NAME_PATTERN = '^[^\\u0000-\\u001f:;=]+$'
export const serverName = (description: string, maxLength: number): ReturnType<typeof Type.String> =>
  Type.String({ minLength: 1, maxLength, pattern: SERVER_NAME_PATTERN, description: `${description} (1 to ${maxLength} characters, without control characters or : ; =)` })
/** INAME_MAX_SZ in the server, its NUL included. */
export const MAX_INDEX_NAME = 63
