// The container one CDT operation works on: the bin itself or an element
// reached through a context, and what the operation writes back.

import { CdtValue } from './result'

export interface Target {
  // The container's bytes; undefined when there is none yet (a missing bin,
  // or an element the context is about to create).
  bytes: Buffer | undefined
  // Whether the bin holds anything at all.
  binLive: boolean
  // The context created the path to this container: it only comes to exist
  // if the operation writes it.
  created: boolean
  isModify: boolean
  // Order flags for a container the operation has to create.
  createFlags: number
  // The container as the operation leaves it, when it changed (or came to be).
  write: Buffer | undefined
}

/** What a CDT operation answers: a result code, and a result bin when there is one. */
export interface CdtAnswer {
  rc: number
  result?: CdtValue
}
