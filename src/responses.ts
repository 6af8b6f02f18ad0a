// Error responses shared by the routes' schemas: every route documents the
// errors any command can meet, and adds its own.

export const problem = (description: string): object => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } }
})

export const ERRORS = {
  400: problem('Invalid key, parameter or body'),
  413: problem('Record or body too large'),
  415: problem('Unsupported media type'),
  429: problem('Key busy or quota exceeded; Retry-After says when to try again'),
  500: problem('A fault of the gateway itself'),
  501: problem('A feature the cluster does not have'),
  502: problem('Any other server error'),
  503: problem('Cluster unreachable or overloaded; Retry-After says when to try again'),
  504: problem('Timed out; Retry-After says when to try again')
} as const


/** For routes that take no input: what any request can still meet before the route runs. */
export const CLIENT_ERROR = {
  '4XX': problem('Refused before the route ran, e.g. a request that took too long to arrive')
} as const
