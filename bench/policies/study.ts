// The study: every stream × capacity × policy, plus Belady's MIN on the same trace, as hit ratios.
import type { L1PolicyName } from '../../src/config.js'
import { beladyHits } from './belady.js'
import { POLICIES, replayHits } from './replay.js'
import type { Stream } from './stream.js'

/** Capacities as shares of the distinct keys of each stream. */
export const CAPACITY_SHARES = [0.001, 0.01, 0.05, 0.2] as const

export interface CapacityRow {
  /** Share of the stream's distinct keys. */
  share: number
  /** Entries. */
  capacity: number
  /** Hit ratio (0..1) of each policy. */
  policies: Record<L1PolicyName, number>
  /** Belady's MIN hit ratio: the ceiling. */
  min: number
}

export interface StreamResult {
  name: string
  description: string
  requests: number
  distinctKeys: number
  rows: CapacityRow[]
  /** Seconds spent simulating this stream (all policies and MIN). */
  seconds: number
}

export const capacityFor = (share: number, distinct: number): number => Math.max(1, Math.round(share * distinct))

export function studyStream (stream: Stream, onRow?: (row: CapacityRow) => void): StreamResult {
  const started = performance.now()
  const n = stream.requests.length
  const distinct = stream.keys.length
  const rows = CAPACITY_SHARES.map((share) => {
    const capacity = capacityFor(share, distinct)
    const policies = {} as Record<L1PolicyName, number>
    for (const policy of POLICIES) policies[policy] = replayHits(policy, stream, capacity) / n
    const row = { share, capacity, policies, min: beladyHits(stream.requests, distinct, capacity) / n }
    onRow?.(row)
    return row
  })
  return { name: stream.name, description: stream.description, requests: n, distinctKeys: distinct, rows, seconds: (performance.now() - started) / 1000 }
}
