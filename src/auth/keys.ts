// Gateway API keys: the key file, the hash of a secret, and what a key may
// touch. Secrets are 32 random bytes (src/auth/cli.ts makes them), so a
// single SHA-256 is enough to keep the file harmless if it leaks: a slow
// password hash (scrypt, bcrypt) protects guessable secrets, and would cost
// every request milliseconds. A key is found by the hash of what the client
// sent, so no secret is ever compared byte by byte.

import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'

export const PERMISSIONS = ['read', 'write', 'admin', 'metrics'] as const
export type Permission = typeof PERMISSIONS[number]

export interface Scope {
  namespaces: RegExp[]
  sets: RegExp[]
  permissions: ReadonlySet<Permission>
}

export interface ApiKey {
  id: string
  scopes: Scope[]
  /** Requests per rate-limit window for this key, instead of RATE_LIMIT_MAX. */
  rateLimit?: number
}

const HASH_PREFIX = 'sha256:'

/** How a secret is stored in the key file. */
export function hashSecret (secret: string): string {
  return HASH_PREFIX + createHash('sha256').update(secret, 'utf8').digest('hex')
}

export class KeyFileError extends Error {
  override name = 'KeyFileError'
}

// `*` stands for any run of characters, everything else for itself.
function wildcard (pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's')
}

function stringList (value: unknown, where: string, fallback: string[]): string[] {
  if (value === undefined) return fallback
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) {
    throw new KeyFileError(`${where} must be a string or a non-empty list of strings`)
  }
  return list
}

function parseScope (raw: unknown, where: string): Scope {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new KeyFileError(`${where} must be an object`)
  const s = raw as Record<string, unknown>
  for (const field of Object.keys(s)) {
    if (!['namespaces', 'sets', 'permissions'].includes(field)) throw new KeyFileError(`${where}.${field} is not a scope field (namespaces, sets, permissions)`)
  }
  const permissions = stringList(s.permissions, `${where}.permissions`, [])
  if (permissions.length === 0) throw new KeyFileError(`${where}.permissions is required`)
  for (const p of permissions) {
    if (!(PERMISSIONS as readonly string[]).includes(p)) throw new KeyFileError(`${where}.permissions: "${p}" is not one of ${PERMISSIONS.join(', ')}`)
  }
  return {
    namespaces: stringList(s.namespaces, `${where}.namespaces`, ['*']).map(wildcard),
    sets: stringList(s.sets, `${where}.sets`, ['*']).map(wildcard),
    permissions: new Set(permissions as Permission[])
  }
}

/** The keys of a key file's text, by the hash of their secret. */
export function parseKeyFile (text: string, name: string): Map<string, ApiKey> {
  let doc: unknown
  try {
    doc = name.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    throw new KeyFileError(`${name}: ${(err as Error).message}`)
  }
  const list = (doc as { keys?: unknown } | null)?.keys
  if (!Array.isArray(list)) throw new KeyFileError(`${name}: the file holds {"keys": [...]}`)
  const byHash = new Map<string, ApiKey>()
  const ids = new Set<string>()
  list.forEach((raw: unknown, i) => {
    const where = `${name}: keys[${i}]`
    if (typeof raw !== 'object' || raw === null) throw new KeyFileError(`${where} must be an object`)
    const { id, hash, scopes, rateLimit } = raw as Record<string, unknown>
    if (typeof id !== 'string' || id === '') throw new KeyFileError(`${where}.id must be a non-empty string`)
    if (ids.has(id)) throw new KeyFileError(`${where}.id "${id}" is used twice`)
    ids.add(id)
    if (typeof hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(hash)) {
      throw new KeyFileError(`${where}.hash must be "sha256:" and 64 lowercase hex digits (npm run key -- new ${id})`)
    }
    if (!Array.isArray(scopes) || scopes.length === 0) throw new KeyFileError(`${where}.scopes must be a non-empty list`)
    if (rateLimit !== undefined && (!Number.isInteger(rateLimit) || (rateLimit as number) < 1)) {
      throw new KeyFileError(`${where}.rateLimit must be a positive integer`)
    }
    byHash.set(hash, { id, scopes: scopes.map((s, j) => parseScope(s, `${where}.scopes[${j}]`)), rateLimit: rateLimit as number | undefined })
  })
  return byHash
}

export function readKeyFile (path: string): Map<string, ApiKey> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new KeyFileError(`cannot read the key file ${path}: ${(err as Error).message}`)
  }
  return parseKeyFile(text, path)
}

// `admin` is the operator's: it also reads the metrics. Otherwise each
// permission stands alone, as Aerospike's read and write privileges do.
function grants (scope: Scope, permission: Permission): boolean {
  return scope.permissions.has(permission) || (permission === 'metrics' && scope.permissions.has('admin'))
}

/**
 * Whether the key may do `permission` on a namespace and set. Without a
 * namespace (a route about the whole cluster) only a scope of every
 * namespace (`*`) grants it.
 */
export function allows (key: ApiKey, permission: Permission, namespace: string | undefined, set: string | undefined): boolean {
  return key.scopes.some((scope) => grants(scope, permission) &&
    (namespace === undefined ? scope.namespaces.some((re) => re.source === '^.*$') : scope.namespaces.some((re) => re.test(namespace))) &&
    scope.sets.some((re) => re.test(set ?? '')))
}
