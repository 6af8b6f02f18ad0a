// Info commands and their answers: `name\tvalue\n` from the client, values
// of `k=v` pairs, and the checks built on them.

import Aerospike from 'aerospike'
import type { Client } from 'aerospike'
import { GatewayError } from './errors'

type InfoNode = ReturnType<Client['getNodes']>[number]

/** The value of an info command's answer, without the command echoed before it. */
export function infoValue (answer: string): string {
  const tab = answer.indexOf('\t')
  return (tab < 0 ? answer : answer.slice(tab + 1)).replace(/\n$/, '')
}

/** Sends a command to any node, or to the given one; the answer's value. */
export async function info (client: Client, command: string, node?: InfoNode): Promise<string> {
  return infoValue(node === undefined ? await client.infoAny(command) : await client.infoNode(command, node))
}

/** `k1=v1<sep>k2=v2` as an object; a pair without `=` is kept with an empty value. */
export function pairs (text: string, separator: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of text.split(separator)) {
    if (part === '') continue
    const eq = part.indexOf('=')
    if (eq < 0) out[part] = ''
    else out[part.slice(0, eq)] = part.slice(eq + 1)
  }
  return out
}

/** A 404 (20) for a namespace the cluster does not have: some commands answer `ok` for any name. */
export async function requireNamespace (client: Client, namespace: string): Promise<void> {
  const names = (await info(client, 'namespaces')).split(';')
  if (!names.includes(namespace)) throw new GatewayError(Aerospike.status.ERR_NAMESPACE_NOT_FOUND, `namespace ${namespace} not found`)
}

/** The node of that name; 404 when the cluster has none. */
export function nodeNamed (client: Client, name: string): InfoNode {
  const node = client.getNodes().find((n) => n.name === name)
  if (node === undefined) throw new GatewayError(Aerospike.status.ERR_INVALID_NODE, `node ${name} is not in the cluster`, 404)
  return node
}
