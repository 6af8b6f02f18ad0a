// POST /v1/info[/{node}]: info commands, as the official gateway sends them.
// Info can reconfigure a cluster, so only the commands of INFO_ALLOW pass
// (by default, commands that change nothing).

import Aerospike, { AerospikeError } from 'aerospike'
import type { Client } from 'aerospike'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requestBody } from '../schemas/openapi'
import { GatewayError } from '../src/errors'
import { info, nodeNamed } from '../src/info'
import { requestClient } from '../src/plugins/aerospike'
import { ERRORS, problem } from '../src/responses'

export interface InfoRoutesOptions {
  /** Command names that may pass, or ['*']. */
  allow: string[]
}

const MAX_COMMANDS = 100

/** The name of a command: what comes before its first `:` or `/`. */
export function commandName (command: string): string {
  return command.split(/[:/]/, 1)[0]
}

// The client turns an ERROR: answer into an exception; the official gateway
// hands the server's text back, so this does too, per command.
async function answer (client: Client, command: string, node: ReturnType<Client['getNodes']>[number]): Promise<string> {
  try {
    return await info(client, command, node)
  } catch (err) {
    if (!(err instanceof AerospikeError) || (err.code as number) < 0) throw err
    return `ERROR:${err.code as number}:${err.message.replace(/ from \S+$/, '')}`
  }
}

type Req = FastifyRequest<{ Params: { node?: string }, Querystring: { allNodes?: boolean }, Body: unknown }>

export default async function infoRoutes (app: FastifyInstance, { allow }: InfoRoutesOptions): Promise<void> {
  const allowed = new Set(allow)
  const commandsOf = (body: unknown): string[] => {
    if (!Array.isArray(body) || body.length === 0 || body.length > MAX_COMMANDS || !body.every((c) => typeof c === 'string' && c !== '' && !/[\n\0]/.test(c))) {
      throw new GatewayError(4, `the body is an array of 1 to ${MAX_COMMANDS} info commands, such as ["build", "namespaces"]`)
    }
    for (const c of body as string[]) {
      if (!allowed.has('*') && !allowed.has(commandName(c))) {
        throw new GatewayError(Aerospike.status.ERR_ALWAYS_FORBIDDEN, `info command ${commandName(c)} is not allowed by INFO_ALLOW`)
      }
    }
    return body as string[]
  }
  const perNode = async (client: Client, node: ReturnType<Client['getNodes']>[number], commands: string[]): Promise<Record<string, string>> => {
    const values = await Promise.all(commands.map(async (c) => await answer(client, c, node)))
    return Object.fromEntries(commands.map((c, i) => [c, values[i]]))
  }

  const handler = async (request: Req): Promise<unknown> => {
    const commands = request.body as string[]
    const client = requestClient(request)
    if (request.params.node !== undefined) return await perNode(client, nodeNamed(client, request.params.node), commands)
    const nodes = client.getNodes()
    if (nodes.length === 0) throw new GatewayError(Aerospike.status.ERR_INVALID_NODE, 'the cluster has no node')
    if (request.query.allNodes !== true) return await perNode(client, nodes[Math.floor(Math.random() * nodes.length)], commands)
    const answers = await Promise.all(nodes.map(async (n) => await perNode(client, n, commands)))
    return Object.fromEntries(nodes.map((n, i) => [n.name, answers[i]]))
  }

  // Before schema validation, which would turn [1] into ["1"].
  const preValidation = async (request: FastifyRequest): Promise<void> => { commandsOf(request.body) }
  const body = { $ref: 'InfoCommands#' }
  const documented = requestBody('Info commands', body, { read: { summary: 'The build and the namespaces', value: ['build', 'namespaces'] } })
  const commandAnswers = { type: 'object', additionalProperties: { type: 'string' }, description: 'Each command with the node\'s answer, as text; an error answer is ERROR:<code>:<message>' }
  const forbidden = problem('A command INFO_ALLOW does not allow (10)')
  app.post('/v1/info', {
    config: { permission: 'admin' },
    schema: {
      operationId: 'infoAny',
      tags: ['info'],
      summary: 'Send info commands to one node of the cluster (any), or to every node with allNodes=true',
      querystring: { type: 'object', properties: { allNodes: { type: 'boolean', description: 'Answer per node: {"<node name>": {"<command>": "<answer>"}}' } }, additionalProperties: false },
      body,
      ...documented,
      response: { 200: { description: 'The answers', content: { 'application/json': { schema: commandAnswers } } }, 403: forbidden, ...ERRORS }
    },
    preValidation
  }, handler as (request: FastifyRequest) => Promise<unknown>)
  app.post('/v1/info/:node', {
    config: { permission: 'admin' },
    schema: {
      operationId: 'infoNode',
      tags: ['info'],
      summary: 'Send info commands to one node',
      params: { type: 'object', properties: { node: { type: 'string', minLength: 1, description: 'Node name, as GET /v1/cluster lists them' } }, required: ['node'] },
      body,
      ...documented,
      response: { 200: { description: 'The answers', content: { 'application/json': { schema: commandAnswers } } }, 403: forbidden, 404: problem('No node of that name'), ...ERRORS }
    },
    preValidation
  }, handler as (request: FastifyRequest) => Promise<unknown>)
}
