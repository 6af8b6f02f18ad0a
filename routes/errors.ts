// The error catalogue: what every `type` of a problem points at, so that a
// client can learn each code's status, class and retryability up front.

import type { FastifyInstance } from 'fastify'
import { ERROR_CATALOGUE } from '../src/errors'
import { CLIENT_ERROR } from '../src/responses'

export default async function errorRoutes (app: FastifyInstance): Promise<void> {
  app.get('/v1/errors', {
    config: { permission: 'public' },
    schema: {
      operationId: 'listErrors',
      tags: ['errors'],
      summary: 'Every error code with its HTTP status, class and title',
      response: { 200: { $ref: 'ErrorCatalogue#' }, ...CLIENT_ERROR }
    }
  }, async () => ERROR_CATALOGUE)
}
