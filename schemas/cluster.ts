import { Type } from 'typebox'

const Connections = Type.Object({
  inPool: Type.Integer(),
  inUse: Type.Integer(),
  opened: Type.Integer(),
  closed: Type.Integer()
})

export const ClusterInfo = Type.Object({
  connected: Type.Boolean(),
  namespaces: Type.Array(Type.String()),
  commands: Type.Object({
    inFlight: Type.Integer({ description: 'Commands running on the event loop' }),
    queued: Type.Integer({ description: 'Commands waiting in the global command queue' })
  }),
  nodes: Type.Array(Type.Object({
    name: Type.String(),
    asyncConnections: Connections,
    syncConnections: Connections,
    errors: Type.Integer(),
    timeouts: Type.Integer(),
    keyBusy: Type.Integer()
  }))
}, { $id: 'ClusterInfo' })
