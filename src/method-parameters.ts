// A known parameter that a method does not honour is refused (400) rather
// than silently ignored: `GET ?generation=9&generationPolicy=EXPECT_GEN_EQUAL`
// would otherwise read as if it had been checked. Unknown parameters are
// still ignored, as the official gateway does (cache busters and the like).

import type { FastifyRequest } from 'fastify'
import { GatewayError } from './errors'

/** Why a method refuses a parameter, where the reason is not just "it does not apply". */
export type Hints = Readonly<Record<string, string>>

/** A preValidation hook refusing the parameters of `known` that are not in `honoured`. */
export function refuseUnhonoured (method: string, known: readonly string[], honoured: readonly string[], hints: Hints = {}):
(request: FastifyRequest) => Promise<void> {
  const refused = new Set(known.filter((name) => !honoured.includes(name)))
  return async (request) => {
    for (const name in request.query as Record<string, unknown>) {
      if (!refused.has(name)) continue
      throw new GatewayError(4, `querystring/${name}: ${method} does not take ${name}${hints[name] === undefined ? '' : `; ${hints[name]}`}. ` +
        `Its parameters are ${honoured.join(', ')}`)
    }
  }
}
