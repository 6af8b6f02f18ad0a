import { Type } from 'typebox'

export const HealthStatus = Type.Object({
  status: Type.String({ description: '`ok`, `ready`, or `connecting` while the cluster cannot be reached yet' })
}, { $id: 'HealthStatus', additionalProperties: false })
